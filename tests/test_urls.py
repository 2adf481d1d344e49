from newsmon.urls import canonical_url, is_http_url


def test_canonical_url_drops_tracking_fragment_and_case():
    assert canonical_url("HTTPS://News.UN.org:443/en/story/1?utm_source=rss&b=2&a=1#top") == \
        "https://news.un.org/en/story/1?a=1&b=2"
    assert canonical_url("https://example.org/a?fbclid=x&gclid=y") == "https://example.org/a"
    assert canonical_url("https://example.org/a?id=5") == "https://example.org/a?id=5"


def test_is_http_url():
    assert is_http_url("https://example.org/")
    assert not is_http_url("ftp://example.org/")
    assert not is_http_url("javascript:alert(1)")
    assert not is_http_url("not a url")
