"""Unit tests of the crawl components that need no crawl: encodings, binary bodies, retry backoff,
redirect loops, fetch state storage, feeds and sitemaps."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import Settings

from crawlers.feeds import FeedError, parse_feed
from crawlers.middlewares.backoff import BackoffRetryMiddleware, retry_after
from crawlers.middlewares.redirectloop import RedirectLoopMiddleware
from crawlers.sitemaps import parse_sitemap
from crawlers.spiders.pages import looks_binary, page_encoding
from storage.fetchstate import StateUpdate, entry_validators, known_pages, save_states

URL = "http://127.0.0.1:9/page"


def html(body: bytes, content_type: str = "text/html") -> HtmlResponse:
    return HtmlResponse(URL, body=body, headers={"Content-Type": content_type})


@pytest.mark.parametrize("body,content_type,expected", [
    ("<p>Café à Genève</p>".encode("cp1252"), "text/html", "cp1252"),  # nothing declared
    ("<p>Café</p>".encode("utf-8"), "text/html", "utf-8"),
    ("<meta charset='gb2312'><p>人工智能</p>".encode("gb2312"), "text/html", "gb18030"),
    ("<meta charset='Shift_JIS'><p>人工知能</p>".encode("shift_jis"), "text/html; charset=utf-8", "cp932"),
    ("<p>Genève</p>".encode("utf-8"), "text/html; charset=ISO-8859-1", "utf-8"),
    ("<p>Genève</p>".encode("cp1252"), "text/html; charset=ISO-8859-1", "cp1252"),
    ("\ufeff<p>Genève</p>".encode("utf-8"), "text/html; charset=ISO-8859-1", "utf-8"),  # a BOM wins
])
def test_page_encoding(body, content_type, expected):
    assert page_encoding(html(body, content_type)) == expected


def test_page_encoding_of_a_non_text_response():
    assert page_encoding(Response(URL, body=b"%PDF-1.7")) is None


def test_looks_binary():
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert looks_binary(bytes(range(1, 32)) * 20)
    assert not looks_binary("<html><body>Ünïcödé text\n\t</body></html>".encode())
    assert not looks_binary(b"")


def backoff(**settings) -> BackoffRetryMiddleware:
    values = Settings()
    values.setmodule("scrapy.settings.default_settings")
    values.setdict(settings, priority="cmdline")
    return BackoffRetryMiddleware(values)


def test_backoff_grows_exponentially_and_is_capped():
    middleware = backoff(NEWSMON_RETRY_BACKOFF_BASE=2.0, NEWSMON_RETRY_BACKOFF_MAX=20.0)
    delays = [middleware.delay_for(Request(URL, meta={"retry_times": n}), None) for n in range(6)]
    assert 1.5 <= delays[0] <= 2.5 and 3 <= delays[1] <= 5 and 6 <= delays[2] <= 10
    assert delays[5] == 20.0
    assert middleware.delay_for(Request(URL), 7.0) == 7.0  # the server's Retry-After
    assert middleware.delay_for(Request(URL), 3600.0) == 20.0


def test_retry_after_header():
    assert retry_after(TextResponse(URL, status=429, headers={"Retry-After": "12"})) == 12.0
    future = (datetime.utcnow() + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 25 <= retry_after(TextResponse(URL, status=503, headers={"Retry-After": future})) <= 31
    assert retry_after(TextResponse(URL, status=503)) is None
    assert retry_after(TextResponse(URL, status=503, headers={"Retry-After": "soon"})) is None


def test_redirect_loop_is_refused_with_its_chain():
    middleware = RedirectLoopMiddleware()
    request = Request("http://s.example/b", meta={"redirect_urls": ["http://s.example/a"]})
    back = Response(request.url, status=302, headers={"Location": "/a"}, request=request)
    with pytest.raises(IgnoreRequest, match="redirect loop: http://s.example/a -> http://s.example/b -> http://s.example/a"):
        middleware.process_response(request, back, None)
    onward = Response(request.url, status=301, headers={"Location": "/c"}, request=request)
    assert middleware.process_response(request, onward, None) is onward


def test_fetch_state_round_trip(session):
    now = datetime(2026, 11, 22, 3, 0)
    save_states(session, [
        StateUpdate("http://s.example/feed", "s", "feed", now, 200, etag='"v1"', last_modified="Sun, 22 Nov 2026 02:00:00 GMT"),
        StateUpdate("http://s.example/no-article", "s", "page", now, 200),
        StateUpdate("http://s.example/never-stored", "s", "article", now, 200),  # no store row: ignored
    ])
    session.commit()
    assert known_pages(session, ["http://s.example/no-article", "http://s.example/never-stored"]).keys() == {
        "http://s.example/no-article"}
    validators = entry_validators(session, ["http://s.example/feed", "http://s.example/other"])
    assert validators["http://s.example/feed"].etag == '"v1"' and len(validators) == 1
    # A 304 later keeps the validators; many URLs are looked up in chunks.
    save_states(session, [StateUpdate("http://s.example/feed", "s", "feed", now + timedelta(days=1), 304, etag='"v1"')])
    session.commit()
    urls = [f"http://s.example/{n}" for n in range(1200)] + ["http://s.example/no-article"]
    assert list(known_pages(session, urls)) == ["http://s.example/no-article"]
    assert entry_validators(session, ["http://s.example/feed"])["http://s.example/feed"].etag == '"v1"'


def test_feed_entries_carry_their_updated_date():
    entries = parse_feed(b"""<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><id>x</id><updated>2026-11-02T00:00:00Z</updated>
        <entry><title>A</title><link href='http://s.example/a'/><id>a</id>
        <published>2026-11-01T08:00:00Z</published><updated>2026-11-03T09:30:00Z</updated></entry></feed>""")
    assert entries[0].published == datetime(2026, 11, 1, 8, 0)
    assert entries[0].updated == datetime(2026, 11, 3, 9, 30)


def test_malformed_feed_without_entries_is_an_error():
    with pytest.raises(FeedError, match="malformed"):
        parse_feed(b"<rss version='2.0'><channel><item><link>")


def test_sitemap_lastmod_is_the_updated_date():
    sitemap = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url>"
                            b"<loc>http://s.example/a</loc><lastmod>2026-11-05T10:00:00+01:00</lastmod></url></urlset>")
    assert sitemap.entries[0].updated == datetime(2026, 11, 5, 9, 0)


def test_polite_by_default():
    from crawlers import settings

    assert settings.ROBOTSTXT_OBEY is True
    assert settings.AUTOTHROTTLE_ENABLED is True and settings.DOWNLOAD_DELAY > 0
    assert settings.CONCURRENT_REQUESTS_PER_DOMAIN <= 4
    assert settings.USER_AGENT.startswith("newsmon/") and "(+" in settings.USER_AGENT
    assert 0 < settings.DOWNLOAD_TIMEOUT <= 60 and 0 < settings.DOWNLOAD_MAXSIZE <= 50 * 1024 * 1024
    assert {429, 500, 502, 503, 504} <= set(settings.RETRY_HTTP_CODES)
    middlewares = settings.DOWNLOADER_MIDDLEWARES
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert "crawlers.middlewares.backoff.BackoffRetryMiddleware" in middlewares


def test_every_newsmon_setting_is_documented():
    from pathlib import Path

    import crawlers.settings

    lines = Path(crawlers.settings.__file__).read_text().splitlines()
    for number, line in enumerate(lines):
        if line.startswith("NEWSMON_"):
            assert lines[number - 1].startswith("#"), f"{line.split('=')[0].strip()} has no comment above it"
