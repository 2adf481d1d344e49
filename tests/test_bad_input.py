"""Whatever the web throws at a crawl, the crawl goes on: each bad input is logged with its URL
and counted under its source, and the run finishes.

One `newsmon crawl` subprocess crawls every case at once from two LocalServers (the second one's
robots.txt disallows everything); the tests below read its log and its recorded run.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from localserver import LocalServer
from storage.db import open_database
from storage.models import Article, CrawlRun, CrawlRunSource

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
SETTINGS = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "NEWSMON_EXTRACT_PROCESSES=0",
            "DOWNLOAD_TIMEOUT=2", "DOWNLOAD_MAXSIZE=200000", "RETRY_TIMES=1", "NEWSMON_RETRY_BACKOFF_BASE=0.1"]

TEXT = ("The committee heard that capacity-building for artificial intelligence must reach the "
        "least developed countries, and that export controls on advanced chips should not block "
        "research cooperation between universities. ") * 4


def page(title: str, body: str, head: str = "<meta charset='utf-8'>") -> str:
    return (f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body><article>"
            f"<h1>{title}</h1><p>{body}</p><p>{TEXT}</p></article></body></html>")


CP1252_TEXT = "Café naïve déjà vu – “quoted” for 5 € in Genève. "
GB_TEXT = "联合国大会通过人工智能能力建设决议，发展中国家期待落实。"
SJIS_TEXT = "国連総会は人工知能の能力構築に関する決議を採択した。"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title><item><link>http://127.0.0.1:9/x</link></item></channel></rss>"""
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 8


@pytest.fixture(scope="module")
def bad_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    with LocalServer() as server, LocalServer() as closed:
        s = server.url
        links = ["/p/truncated.html", "/p/malformed.html", "/p/binary.html", "/p/huge.html", "/p/loop-a",
                 "/p/404", "/p/410", "/p/500", "/p/503", "/p/hang", "/p/dataloss.html", "/p/throttled",
                 "/p/empty.html"]
        server.route("/robots.txt", "User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})
        server.route("/bad/", "".join(f"<a href='{link}'>x</a>" for link in links))
        full = page("Truncated page", "A page cut off mid-way")
        server.route("/p/truncated.html", full[: full.index("</p>") + 200])
        server.route("/p/malformed.html", "<html><head><title>Malformed</title><body><div><p>Unclosed <b>bold <i>"
                     f"{TEXT}</div></span></td><p>{TEXT}<<>>&&;</html></body><div>")
        server.route("/p/binary.html", PNG, headers={"Content-Type": "text/html"})
        server.route("/p/huge.html", page("Huge", "x " * 150_000))
        server.redirect("/p/loop-a", "/p/loop-b")
        server.redirect("/p/loop-b", "/p/loop-a")
        for status in (404, 410, 500, 503):
            server.route(f"/p/{status}", f"error {status}", status=status)
        server.hang("/p/hang")
        server.route("/p/dataloss.html", page("Data loss", "short").encode()[:300],
                     headers={"Content-Length": "5000", "Content-Type": "text/html"})
        server.route("/p/empty.html", "<html><body><div></div></body></html>")
        throttled: list[float] = []

        def throttle(handler):
            throttled.append(time.monotonic())
            if len(throttled) == 1:
                return 429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"slow down"
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page("Throttled", "After a 429")
        server.route("/p/throttled", throttle)

        server.route("/charsets/", "".join(f"<a href='/c/{n}'>x</a>" for n in ("cp1252", "gb2312", "sjis", "utf8")))
        server.route("/c/cp1252", page("Windows page", CP1252_TEXT * 3, head="").encode("cp1252"),
                     headers={"Content-Type": "text/html"})
        server.route("/c/gb2312", page("中文页面", GB_TEXT * 6, head="<meta charset='gb2312'>").encode("gb2312"),
                     headers={"Content-Type": "text/html"})
        server.route("/c/sjis", page("日本語", SJIS_TEXT * 6, head="<meta charset='Shift_JIS'>").encode("shift_jis"),
                     headers={"Content-Type": "text/html; charset=utf-8"})  # the header lies
        server.route("/c/utf8", page("UTF-8 behind Latin-1", CP1252_TEXT * 3, head="").encode("utf-8"),
                     headers={"Content-Type": "text/html; charset=ISO-8859-1"})  # so does this one

        server.route("/feeds/malformed.xml", "<rss version='2.0'><channel><item><link>",
                     headers={"Content-Type": "application/rss+xml"})
        server.route("/feeds/bomb.xml", BILLION_LAUGHS + b"<rss version='2.0'><channel><title>&lol4;</title></channel></rss>",
                     headers={"Content-Type": "application/rss+xml"})
        server.route("/feeds/xxe.xml", XXE, headers={"Content-Type": "application/rss+xml"})
        server.route("/feeds/gone.xml", "gone", status=410)
        server.route("/sm/bomb.xml", BILLION_LAUGHS + b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                     b"<url><loc>&lol4;</loc></url></urlset>", headers={"Content-Type": "application/xml"})
        server.route("/sm/loop.xml", "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                     f"<sitemap><loc>{s('/sm/loop.xml')}</loc></sitemap></sitemapindex>",
                     headers={"Content-Type": "application/xml"})
        closed.route("/robots.txt", "User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"})
        closed.route("/feed.xml", "<rss version='2.0'><channel></channel></rss>")

        sources = tmp / "sources.toml"
        sources.write_text(f"""
[[source]]
name = "html"
kind = "listing"
url = "{s('/bad/')}"
link_pattern = "/p/"

[[source]]
name = "charsets"
kind = "listing"
url = "{s('/charsets/')}"
link_pattern = "/c/"

[[source]]
name = "newsletter"
kind = "newsletter"
url = "{s('/letter')}"

[[source]]
name = "bad-feed"
kind = "feed"
url = "{s('/feeds/malformed.xml')}"

[[source]]
name = "bomb-feed"
kind = "feed"
url = "{s('/feeds/bomb.xml')}"

[[source]]
name = "xxe-feed"
kind = "feed"
url = "{s('/feeds/xxe.xml')}"

[[source]]
name = "ftp"
kind = "feed"
url = "ftp://example.org/feed.xml"

[[source]]
name = "gone-feed"
kind = "feed"
url = "{s('/feeds/gone.xml')}"

[[source]]
name = "bomb-sitemap"
kind = "sitemap"
url = "{s('/sm/bomb.xml')}"

[[source]]
name = "loop-sitemap"
kind = "sitemap"
url = "{s('/sm/loop.xml')}"

[[source]]
name = "robots"
kind = "feed"
url = "{closed.url('/feed.xml')}"
""", encoding="utf-8")
        db = tmp / "bad.db"
        command = [NEWSMON, "-v", "crawl", "--sources", str(sources), "--db", f"sqlite:///{db}",
                   "--raw-dir", str(tmp / "raw")]
        for setting in SETTINGS:
            command += ["-s", setting]
        env = {**os.environ, "NEWSMON_CONTACT": "https://example.org/newsmon-contact"}
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp, env=env)
        (tmp / "crawl.log").write_text(result.stderr, encoding="utf-8")  # for a person debugging a failure
        factory = open_database(f"sqlite:///{db}")
        with factory() as session:
            run = session.scalars(select(CrawlRun)).one()
            per_source = {row.source: row for row in session.scalars(select(CrawlRunSource))}
            articles = {a.url.removeprefix(server.base_url): a for a in session.scalars(select(Article))}
        user_agents = {headers.get("User-Agent") for _, _, headers in server.requests}
        yield result, run, per_source, articles, server.base_url, closed.base_url, throttled, user_agents


def errors_of(bad_crawl, source: str) -> dict[str, int]:
    _, _, per_source, *_ = bad_crawl
    assert source in per_source, f"{source} not recorded: {sorted(per_source)}"
    return per_source[source].errors


def logged(bad_crawl, url: str, *words: str) -> bool:
    result = bad_crawl[0]
    return any(url in line and all(w in line for w in words) for line in result.stderr.splitlines())


def test_the_run_goes_on_and_finishes(bad_crawl):
    result, run, *_ = bad_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert run.status == "finished"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path,kind", [
    ("/p/404", "http-404"), ("/p/410", "http-410"), ("/p/500", "http-500"), ("/p/503", "http-503"),
    ("/p/loop-a", "redirect-loop"), ("/p/hang", "timeout"), ("/p/huge.html", "too-large"),
    ("/p/binary.html", "binary-body"), ("/p/dataloss.html", "truncated"),
])
def test_bad_article_pages_are_logged_with_url_and_counted(bad_crawl, path, kind):
    base = bad_crawl[4]
    assert errors_of(bad_crawl, "html").get(kind, 0) >= 1, errors_of(bad_crawl, "html")
    assert logged(bad_crawl, base + path, kind), f"no log line with {kind} and {base + path}"


def test_malformed_and_truncated_html_is_stored_or_dropped_with_a_reason(bad_crawl):
    *_, articles, base, _, _, _ = bad_crawl
    for path in ("/p/truncated.html", "/p/malformed.html"):
        assert path in articles or logged(bad_crawl, base + path, "Dropped"), path
    assert "/p/malformed.html" in articles  # lenient parsing still finds its text
    assert logged(bad_crawl, base + "/p/empty.html", "Dropped", "empty")  # no article: a reason, not a crash
    errors = errors_of(bad_crawl, "html")
    assert any(kind.startswith("dropped/") for kind in errors), errors


@pytest.mark.parametrize("path,expected", [
    ("/c/cp1252", CP1252_TEXT.strip()), ("/c/gb2312", GB_TEXT), ("/c/sjis", SJIS_TEXT), ("/c/utf8", CP1252_TEXT.strip()),
])
def test_pages_in_any_charset_are_stored_as_the_right_text(bad_crawl, path, expected):
    articles = bad_crawl[3]
    assert path in articles, sorted(articles)
    assert expected in articles[path].text
    assert "\ufffd" not in articles[path].text


@pytest.mark.parametrize("source,path,kind", [
    ("bad-feed", "/feeds/malformed.xml", "bad-feed"),
    ("bomb-feed", "/feeds/bomb.xml", "unsafe-xml"),
    ("xxe-feed", "/feeds/xxe.xml", "unsafe-xml"),
    ("bomb-sitemap", "/sm/bomb.xml", "unsafe-xml"),
    ("loop-sitemap", "/sm/loop.xml", "sitemap-loop"),
    ("gone-feed", "/feeds/gone.xml", "http-410"),
])
def test_bad_feeds_and_sitemaps_are_logged_and_counted(bad_crawl, source, path, kind):
    base = bad_crawl[4]
    assert errors_of(bad_crawl, source).get(kind) == 1, errors_of(bad_crawl, source)
    assert logged(bad_crawl, base + path, kind)


def test_robots_txt_disallowing_everything_is_obeyed_and_reported(bad_crawl):
    closed_base = bad_crawl[5]
    assert errors_of(bad_crawl, "robots") == {"robots": 1}
    assert logged(bad_crawl, closed_base + "/feed.xml", "robots")


def test_bad_source_lines_are_reported_with_their_line_and_skipped(bad_crawl):
    result, run, per_source, *_ = bad_crawl
    lines = result.stderr.splitlines()
    assert any("sources.toml:14:" in line and "unknown kind 'newsletter'" in line for line in lines)
    assert any("sources.toml:34:" in line and "bad URL 'ftp://example.org/feed.xml'" in line for line in lines)
    assert run.stats["newsmon/config_errors"] == 2
    assert "newsletter" not in per_source and "ftp" not in per_source


def test_429_is_retried_after_the_servers_retry_after(bad_crawl):
    *_, articles, _, _, throttled, _ = bad_crawl
    assert len(throttled) == 2
    assert throttled[1] - throttled[0] >= 0.9
    assert "/p/throttled" in articles


def test_every_request_says_who_crawls_and_how_to_reach_them(bad_crawl):
    user_agents = bad_crawl[7]
    assert user_agents == {"newsmon/0.1.0 (+https://example.org/newsmon-contact)"}
