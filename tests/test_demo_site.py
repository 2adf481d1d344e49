"""The bundled demo site: data rules, every channel parses, every article extracts, HTTP behaviour.

Plus the reusable LocalServer that crawler tests build on.
"""
from __future__ import annotations

import re
import socket
import time
import tomllib
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import feedparser
import lxml.etree
import lxml.html
import pytest
import trafilatura
from localserver import LocalServer

from newsmon.clock import to_stored
from newsmon.demo import DemoSite, load_articles, sources_toml
from newsmon.demo.articles import CHANNELS, TRACKING_QUERY
from newsmon.errors import ExtractionError
from newsmon.extraction import extract_article

ARTICLE_PATTERN = re.compile(r"/news/\d{4}/\d{2}/")
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 5.0):
    """(status, headers, body) without raising on 3xx/4xx answers."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def site():
    with DemoSite() as running:
        yield running


def channel(name: str) -> set[str]:
    return {a.path for a in load_articles() if name in a.channels}


# -- the data ---------------------------------------------------------------------------------

def test_article_data_follows_the_brief():
    articles = load_articles()
    relevant = [a for a in articles if a.relevant]
    by_lang = {lang: sum(a.lang == lang for a in relevant) for lang in ("en", "fr", "es", "zh")}
    assert len(relevant) >= 36
    assert by_lang["en"] >= 24 and by_lang["fr"] >= 4 and by_lang["es"] >= 4 and by_lang["zh"] >= 4
    assert sum(not a.relevant for a in articles) >= 3
    for article in articles:
        assert datetime(2026, 10, 1) <= article.published < datetime(2026, 11, 22), article.slug
        if article.lang == "zh":
            assert 450 <= sum(len(p) for p in article.body) <= 1400, article.slug
        else:
            assert 250 <= article.word_count <= 600, (article.slug, article.word_count)
        assert len(article.body) >= 4 and article.summary and article.author, article.slug
    assert len({a.path for a in articles}) == len(articles)


def test_channels_overlap_and_each_has_its_own_articles():
    articles = load_articles()
    for name in CHANNELS:
        only_here = [a for a in articles if a.channels == {name}]
        assert len(only_here) >= 2, f"{name} has no articles of its own"
    assert sum(len(a.channels) >= 2 for a in articles) >= 10
    assert any(len(a.channels) == len(CHANNELS) for a in articles)
    assert all(a.lang == "en" for a in articles if "rss" in a.channels)  # demo-rss says lang = "en"
    tracked = [a for a in articles if a.tracked]
    assert len(tracked) == 1 and "rss" in tracked[0].channels


# -- channels ---------------------------------------------------------------------------------

def test_rss_feed_lists_its_subset_with_dates_and_a_tracking_link(site):
    status, headers, body = fetch(site.url("/feed.rss"))
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    links = [entry.link for entry in feed.entries]
    assert {link.split("?")[0].removeprefix(site.base_url) for link in links} == channel("rss")
    assert sum(link.endswith("?" + TRACKING_QUERY) for link in links) == 1
    by_path = {a.path: a for a in load_articles()}
    for entry in feed.entries:
        article = by_path[entry.link.split("?")[0].removeprefix(site.base_url)]
        pub_date = parsedate_to_datetime(entry.published)
        assert to_stored(pub_date) == article.published  # the same instant, in the page's offset (GMT: none given)
        assert pub_date.utcoffset() == (article.local.utcoffset() or timedelta(0))
        assert entry.title == article.title


def test_atom_feed_lists_its_subset_with_dates(site):
    status, headers, body = fetch(site.url("/feed.atom"))
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    paths = {entry.link.removeprefix(site.base_url) for entry in feed.entries}
    assert paths == channel("atom")
    assert all(entry.updated_parsed and entry.author for entry in feed.entries)
    assert {entry.get("language") or entry.title_detail.language for entry in feed.entries} >= {"fr", "es", "zh"}


def test_sitemap_index_points_to_a_google_news_sitemap(site):
    status, _, body = fetch(site.url("/sitemap.xml"))
    assert status == 200
    index = lxml.etree.fromstring(body)
    locs = index.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)
    assert locs == [site.url("/sitemap-news.xml")]
    status, _, body = fetch(locs[0])
    assert status == 200
    urlset = lxml.etree.fromstring(body)
    urls = urlset.xpath("//sm:url", namespaces=NS)
    assert {u.findtext("sm:loc", namespaces=NS).removeprefix(site.base_url) for u in urls} == channel("sitemap")
    for url in urls:
        assert datetime.fromisoformat(url.findtext("news:news/news:publication_date", namespaces=NS))
        assert url.findtext("news:news/news:title", namespaces=NS)
        assert url.findtext("news:news/news:publication/news:language", namespaces=NS) in {"en", "fr", "es", "zh-cn"}


def test_listing_links_articles_and_non_articles(site):
    status, _, body = fetch(site.url("/news/"))
    assert status == 200
    hrefs = set(lxml.html.fromstring(body).xpath("//a/@href"))
    article_links = {h for h in hrefs if ARTICLE_PATTERN.search(h)}
    assert article_links == channel("listing") | {"/news/2026/11/removed-story.html"}
    assert {"/contact.html", "/reports/annual-report.pdf", "/"} <= hrefs


def test_robots_allows_everything_and_names_the_sitemap(site):
    status, _, body = fetch(site.url("/robots.txt"))
    assert status == 200
    assert "Allow: /" in body.decode() and f"Sitemap: {site.url('/sitemap.xml')}" in body.decode()


# -- pages ------------------------------------------------------------------------------------

@pytest.mark.parametrize("article", load_articles(), ids=lambda a: a.slug)
def test_every_article_page_extracts_to_its_record(site, article):
    url = site.url(article.path)
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    tree = lxml.html.fromstring(body)
    assert tree.get("lang").startswith(article.lang)
    assert tree.xpath("//link[@rel='canonical']/@href") == [url]
    assert tree.xpath("//meta[@property='og:type']/@content") == ["article"]
    assert tree.xpath("//article//time/@datetime")

    document = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    assert document.title == article.title
    assert document.date == article.local.date().isoformat()  # the day where the page was published
    assert document.author == article.author
    for paragraph in article.body:
        assert paragraph in document.text
    assert "cookies" not in document.text and "weekly briefing" not in document.text
    assert extract_article(body, url).title == article.title  # the project's own wrapper agrees


def test_removed_story_is_a_404(site):
    status, headers, body = fetch(site.url("/news/2026/11/removed-story.html"))
    assert status == 404 and b"Page not found" in body


def test_annual_report_is_a_pdf(site):
    status, headers, body = fetch(site.url("/reports/annual-report.pdf"))
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-1.") and body.rstrip().endswith(b"%%EOF")
    assert int(headers["Content-Length"]) == len(body)


def test_contact_page_is_too_short_to_be_an_article(site):
    status, _, body = fetch(site.url("/contact.html"))
    assert status == 200
    with pytest.raises(ExtractionError) as caught:
        extract_article(body, site.url("/contact.html"))
    assert caught.value.reason == "too-short"


@pytest.mark.parametrize("path", ["/", "/news/"])
def test_index_pages_say_they_are_not_articles(site, path):
    status, _, body = fetch(site.url(path))
    assert status == 200
    document = trafilatura.bare_extraction(body, url=site.url(path), with_metadata=True)
    assert document.pagetype == "website"


@pytest.mark.parametrize("path", ["/feed.rss", "/feed.atom", "/sitemap.xml", "/sitemap-news.xml"])
def test_conditional_requests_answer_304(site, path):
    status, headers, _ = fetch(site.url(path))
    assert status == 200
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert fetch(site.url(path), {"If-None-Match": etag})[0] == 304
    assert fetch(site.url(path), {"If-Modified-Since": modified})[0] == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(days=1), usegmt=True)
    assert fetch(site.url(path), {"If-Modified-Since": earlier})[0] == 200
    assert fetch(site.url(path), {"If-None-Match": '"stale"', "If-Modified-Since": modified})[0] == 200
    assert site.not_modified[path] == 2
    assert site.last_headers[path]["If-None-Match"] == '"stale"'


def test_head_answers_headers_without_a_body(site):
    request = urllib.request.Request(site.url("/feed.atom"), method="HEAD")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200 and response.read() == b""
        assert int(response.headers["Content-Length"]) > 1000 and response.headers["ETag"]


def test_sources_toml_describes_the_site(site):
    sources = tomllib.loads(sources_toml(site.base_url))["source"]
    assert [(s["name"], s["kind"]) for s in sources] == [
        ("demo-rss", "feed"), ("demo-atom", "feed"), ("demo-sitemap", "sitemap"), ("demo-listing", "listing"),
        ("demo-documents", "documents")]
    for source in sources:
        assert fetch(source["url"])[0] == 200
    pattern = re.compile(sources[3]["link_pattern"])
    assert pattern.pattern == r"\.(html|pdf)$"
    assert all(pattern.search(a.path) for a in load_articles())
    documents = re.compile(sources[4]["link_pattern"])
    assert documents.search("/documents/A_C.2_81_L.12-fr.pdf") and not documents.search("/documents/")


def test_demo_site_stops_and_frees_its_port():
    with DemoSite() as running:
        port = int(running.base_url.rsplit(":", 1)[1])
        assert fetch(running.url("/"))[0] == 200
        assert running.hits["/"] == 1
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


# -- LocalServer ------------------------------------------------------------------------------

def test_local_server_routes_and_counts_hits():
    with LocalServer() as server:
        server.route("/feed", b"<rss/>", headers={"Content-Type": "application/rss+xml", "ETag": '"v1"'})
        server.route("/dynamic", lambda h: (201, {"X-Echo": h.headers.get("X-Test", "")}, "made"))
        assert fetch(server.url("/feed"))[2] == b"<rss/>"
        status, headers, _ = fetch(server.url("/feed?x=1"), {"If-None-Match": '"v1"'})
        assert status == 200 and headers["ETag"] == '"v1"'
        assert server.hits["/feed"] == 2
        assert server.last_headers["/feed"]["If-None-Match"] == '"v1"'
        status, headers, body = fetch(server.url("/dynamic"), {"X-Test": "yes"})
        assert (status, headers["X-Echo"], body) == (201, "yes", b"made")
        assert fetch(server.url("/missing"))[0] == 404
        assert server.hits["/missing"] == 1


def test_local_server_redirects_and_delays():
    with LocalServer() as server:
        server.route("/target", "arrived", delay=0.2)
        server.redirect("/old", "/target", status=301)
        started = time.monotonic()
        with urllib.request.urlopen(server.url("/old"), timeout=5) as response:
            assert response.url == server.url("/target") and response.read() == b"arrived"
        assert time.monotonic() - started >= 0.2
        assert server.hits["/old"] == 1 and server.hits["/target"] == 1


def test_local_server_hang_times_out_the_client_and_still_stops_quickly():
    server = LocalServer().start()
    server.hang("/never")
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(server.url("/never"), timeout=0.3)
    idle = socket.create_connection(("127.0.0.1", int(server.base_url.rsplit(":", 1)[1])))
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    assert server.hits["/never"] == 1
    idle.close()
