"""Incremental nightly crawls against a local news site: only what is new is fetched.

Every crawl runs `newsmon crawl` in a subprocess (Twisted's reactor cannot restart in one
process), against a LocalServer on 127.0.0.1 and a temporary SQLite database.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from localserver import LocalServer
from storage.db import open_database
from storage.models import Article, ArticleRevision, CrawlRun, FetchState

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSMON_EXTRACT_PROCESSES=0"]
BASE_DATE = datetime(2026, 11, 1, 8, 0)

PARAGRAPH = ("Delegates at the United Nations discussed how artificial intelligence governance should "
             "balance innovation, safety and the needs of developing countries, and several speakers "
             "asked for capacity-building funds, shared compute and independent scientific advice. ")


def article_html(number: int, version: int = 1) -> str:
    words = f"Article {number} version {version}. " + PARAGRAPH * 4
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Story {number}</title>"
            f"<meta property='og:type' content='article'>"
            f"<meta name='date' content='2026-11-{1 + number % 20:02d}'></head><body>"
            f"<header><nav><a href='/'>Home</a></nav></header><article><h1>Story {number}</h1>"
            f"<p>{words}</p><p>{PARAGRAPH}</p></article><footer>Contact us</footer></body></html>")


class NewsSite:
    """Articles behind an Atom feed, a sitemap index with one sitemap, and a listing page.

    Feed and sitemaps answer conditional requests (ETag and Last-Modified) with 304.
    """

    def __init__(self, server: LocalServer, count: int) -> None:
        self.server = server
        self.versions: dict[int, int] = {}
        self.updated: dict[int, datetime] = {}
        for number in range(count):
            self.add(number)
        server.route("/robots.txt", "User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})
        for path, render, ctype in (("/feed.atom", self.feed, "application/atom+xml"),
                                    ("/sitemap.xml", self.index, "application/xml"),
                                    ("/sitemap-1.xml", self.sitemap, "application/xml"),
                                    ("/news/", self.listing, "text/html; charset=utf-8")):
            server.route(path, self._conditional(render, ctype))

    def add(self, number: int, version: int = 1, updated: datetime | None = None) -> None:
        self.versions[number] = version
        self.updated[number] = updated or BASE_DATE + timedelta(hours=number)
        self.server.route(f"/a/{number}.html", article_html(number, version))

    def url(self, number: int) -> str:
        return self.server.url(f"/a/{number}.html")

    def feed(self) -> str:
        entries = "".join(
            f"<entry><title>Story {n}</title><link href='{self.url(n)}'/><id>{self.url(n)}</id>"
            f"<published>{BASE_DATE.isoformat()}Z</published><updated>{self.updated[n].isoformat()}Z</updated></entry>"
            for n in sorted(self.versions) if n % 2 == 0)
        return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                f"<title>Site</title><id>{self.server.url('/')}</id><updated>{BASE_DATE.isoformat()}Z</updated>"
                f"{entries}</feed>")

    def index(self) -> str:
        return ("<?xml version='1.0' encoding='UTF-8'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                f"<sitemap><loc>{self.server.url('/sitemap-1.xml')}</loc></sitemap></sitemapindex>")

    def sitemap(self) -> str:
        urls = "".join(f"<url><loc>{self.url(n)}</loc></url>" for n in sorted(self.versions) if n % 2 == 1)
        return f"<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"

    def listing(self) -> str:
        links = "".join(f"<li><a href='/a/{n}.html'>Story {n}</a></li>" for n in sorted(self.versions))
        return f"<html><body><ul>{links}</ul><a href='/about'>About</a></body></html>"

    @staticmethod
    def _conditional(render, content_type: str):
        def respond(handler):
            body = render().encode("utf-8")
            etag = f'"{abs(hash(body)):x}"'
            modified = "Sun, 01 Nov 2026 08:00:00 GMT"
            if handler.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": content_type, "ETag": etag, "Last-Modified": modified}, body
        return respond


def sources_file(tmp_path: Path, server: LocalServer) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f"""
[[source]]
name = "site-feed"
kind = "feed"
url = "{server.url('/feed.atom')}"

[[source]]
name = "site-sitemap"
kind = "sitemap"
url = "{server.url('/sitemap.xml')}"

[[source]]
name = "site-listing"
kind = "listing"
url = "{server.url('/news/')}"
link_pattern = "/a/\\\\d+\\\\.html$"
""", encoding="utf-8")
    return path


def crawl_command(tmp_path: Path, sources: Path, *extra: str) -> list[str]:
    return [NEWSMON, "-v", "crawl", "--sources", str(sources), "--db", f"sqlite:///{tmp_path / 'news.db'}",
            "--raw-dir", str(tmp_path / "raw"), *FAST, *extra]


def crawl(tmp_path: Path, sources: Path, *extra: str, timeout: float = 90) -> subprocess.CompletedProcess:
    result = subprocess.run(crawl_command(tmp_path, sources, *extra), capture_output=True, text=True,
                            timeout=timeout, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def article_hits(server: LocalServer) -> dict[str, int]:
    return {path: n for path, n in server.hits.items() if path.startswith("/a/")}


@pytest.fixture
def site(tmp_path):
    with LocalServer() as server:
        yield NewsSite(server, 12), sources_file(tmp_path, server)


def session_for(tmp_path: Path):
    return open_database(f"sqlite:///{tmp_path / 'news.db'}")()


def test_second_run_fetches_only_entry_pages_and_gets_304s(tmp_path, site):
    news, sources = site
    server = news.server
    server.redirect("/moved.atom", "/feed.atom", status=301)  # a feed that moved: remembered by its old URL
    sources.write_text(sources.read_text() + f'\n[[source]]\nname = "moved"\nkind = "feed"\nurl = "{server.url("/moved.atom")}"\n')
    crawl(tmp_path, sources)
    first = article_hits(server)
    assert len(first) == 12 and set(first.values()) == {1}
    with session_for(tmp_path) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 12

    before = len(server.requests)
    crawl(tmp_path, sources)
    second = [path for _, path, _ in server.requests[before:]]
    assert article_hits(server) == first, "an article already stored was fetched again"
    assert sorted(second) == ["/feed.atom", "/feed.atom", "/moved.atom", "/news/", "/robots.txt",
                              "/sitemap-1.xml", "/sitemap.xml"]
    assert server.last_headers["/feed.atom"].get("If-None-Match")
    assert server.last_headers["/sitemap-1.xml"].get("If-None-Match")
    assert server.last_headers["/sitemap.xml"].get("If-None-Match") is None  # an index is always read
    with session_for(tmp_path) as session:
        run = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        assert run.status == "finished"
        assert run.stats["newsmon/not_modified"] == 4
        assert session.scalar(select(func.count()).select_from(Article)) == 12


def test_next_nights_fetch_new_updated_failed_and_stale_pages_only(tmp_path, site):
    news, sources = site
    news.server.route("/a/2.html", "busy", status=503)
    crawl(tmp_path, sources, "-s", "RETRY_TIMES=0")
    with session_for(tmp_path) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 11

    # Night 2: two new articles, one whose feed entry is newer, the one that failed with 503.
    first = article_hits(news.server)
    news.add(100)  # even: in the feed and the listing
    news.add(101)  # odd: in the sitemap and the listing
    news.add(2)
    news.add(4, version=2, updated=datetime.utcnow() + timedelta(hours=1))
    crawl(tmp_path, sources)
    fetched = {p: n - first.get(p, 0) for p, n in article_hits(news.server).items() if n - first.get(p, 0)}
    assert fetched == {"/a/100.html": 1, "/a/101.html": 1, "/a/2.html": 1, "/a/4.html": 1}
    with session_for(tmp_path) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 14
        article = session.scalars(select(Article).where(Article.url == news.url(4))).one()
        assert "version 2" in article.text
        revisions = session.scalars(select(ArticleRevision).where(ArticleRevision.article_id == article.id)).all()
        assert len(revisions) == 1 and "version 1" in revisions[0].text

    # Night 3: nothing new, but one article was last fetched 10 days ago and --refresh-days is 7.
    with session_for(tmp_path) as session, session.begin():
        session.execute(update(FetchState).where(FetchState.url == news.url(3))
                        .values(last_fetched=datetime.utcnow() - timedelta(days=10)))
    news.server.route("/sitemap-1.xml", news._conditional(lambda: news.sitemap() + " ", "application/xml"))
    second = article_hits(news.server)
    crawl(tmp_path, sources, "-s", "NEWSMON_REFRESH_DAYS=7")
    fetched = {p: n - second.get(p, 0) for p, n in article_hits(news.server).items() if n - second.get(p, 0)}
    assert fetched == {"/a/3.html": 1}
    with session_for(tmp_path) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 14


def test_kill_9_mid_crawl_then_restart_loses_nothing_and_stores_nothing_twice(tmp_path):
    with LocalServer() as server:
        count = 40
        news = NewsSite(server, count)
        for number in range(count):  # slow article pages: the crawl is killed half way
            server.route(f"/a/{number}.html", article_html(number), delay=0.25)
        sources = sources_file(tmp_path, server)
        command = crawl_command(tmp_path, sources, "-s", "NEWSMON_DB_BATCH_SIZE=3",
                                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        factory = open_database(f"sqlite:///{tmp_path / 'news.db'}")
        stored_before: set[str] = set()
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                with factory() as session:
                    stored_before = set(session.scalars(select(Article.url)))
                if len(stored_before) >= 6:
                    break
                time.sleep(0.1)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
        assert 6 <= len(stored_before) < count, "the crawl was not killed mid-way"
        hits_before = article_hits(server)

        crawl(tmp_path, sources)

        with factory() as session:
            urls = list(session.scalars(select(Article.url)))
            runs = {run.id: run.status for run in session.scalars(select(CrawlRun))}
        assert len(urls) == len(set(urls)) == count, "an article is missing or stored twice"
        assert stored_before <= set(urls)
        hits = article_hits(server)
        for url in stored_before:  # stored before the kill: never fetched again
            path = url.removeprefix(server.base_url)
            assert hits[path] == hits_before[path] == 1, path
        assert sorted(runs.values()) == ["finished", "interrupted"]
        assert news  # the site stayed up for both runs
