"""Benchmark: what a second night costs when little is new.

Serves a generated news site on 127.0.0.1 (ARTICLES article pages behind an Atom feed of the
latest 50, a sitemap index with monthly sitemaps, and a listing page; feeds, sitemaps and
listing answer conditional requests), then runs `newsmon crawl` three times, as cron would:

  1. first night: everything is new;
  2. second night: nothing changed;
  3. third night: NEW articles were published since.

Prints requests, bytes received, crawl time (Scrapy's elapsed time) and process wall time
(with Python start-up) for each run, and the article pages fetched. Targets: run 2 makes at most
5% of run 1's requests in at most 10% of its time; run 3 fetches exactly the NEW new pages.

    .venv/bin/python bench/incremental.py                 # localhost speed: no politeness delay
    .venv/bin/python bench/incremental.py --polite        # the production politeness settings
    .venv/bin/python bench/incremental.py --articles 500 --new 10
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
START = datetime(2026, 8, 1, 6, 0)
TOPICS = ("export controls on advanced chips", "the UN scientific panel on AI", "military uses of AI",
          "AI capacity-building in Africa", "frontier model safety testing", "facial recognition and rights")
SENTENCE = ("Diplomats said the discussion on {topic} would continue at the next session, while civil "
            "society groups asked for transparency, independent evaluation and support for countries "
            "that lack computing resources. ")
FURNITURE = "".join(f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(60))


class Site:
    def __init__(self, count: int) -> None:
        self.count = count
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.base = ""

    def add(self, n: int) -> None:
        with self.lock:
            self.count += n

    def published(self, n: int) -> datetime:
        return START + timedelta(hours=9 * n)

    def article(self, n: int) -> bytes:
        topic = TOPICS[n % len(TOPICS)]
        paragraphs = "".join(f"<p>{SENTENCE.format(topic=topic)} (Article {n}, paragraph {p}.)</p>" for p in range(8))
        return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Story {n} on {topic}</title>"
                f"<meta property='og:type' content='article'>"
                f"<meta property='article:published_time' content='{self.published(n).isoformat()}Z'></head>"
                f"<body><header><nav><ul>{FURNITURE}</ul></nav></header><main><article><h1>Story {n}: {topic}</h1>"
                f"{paragraphs}</article></main><aside><ul>{FURNITURE}</ul></aside><footer>© Bench Wire</footer>"
                f"</body></html>").encode()

    def months(self) -> list[str]:
        return sorted({self.published(n).strftime("%Y-%m") for n in range(self.count)})

    def resource(self, path: str) -> tuple[bytes, str] | None:
        with self.lock:
            count = self.count
        b = self.base
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        if path.startswith("/a/") and path.endswith(".html"):
            n = int(path[3:-5])
            return (self.article(n), "text/html; charset=utf-8") if n < count else None
        if path == "/feed.atom":
            entries = "".join(
                f"<entry><title>Story {n}</title><link href='{b}/a/{n}.html'/><id>{b}/a/{n}.html</id>"
                f"<published>{self.published(n).isoformat()}Z</published><updated>{self.published(n).isoformat()}Z</updated></entry>"
                for n in range(count - 1, max(count - 50, 0) - 1, -1))
            return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Bench Wire</title>"
                    f"<id>{b}/</id><updated>{self.published(count - 1).isoformat()}Z</updated>{entries}</feed>").encode(), \
                "application/atom+xml"
        if path == "/sitemap.xml":
            maps = "".join(f"<sitemap><loc>{b}/sitemap-{m}.xml</loc></sitemap>" for m in self.months())
            return (f"<?xml version='1.0' encoding='UTF-8'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                    f"{maps}</sitemapindex>").encode(), "application/xml"
        if path.startswith("/sitemap-"):
            month = path.removeprefix("/sitemap-").removesuffix(".xml")
            urls = "".join(f"<url><loc>{b}/a/{n}.html</loc><lastmod>{self.published(n).date().isoformat()}</lastmod></url>"
                           for n in range(count) if self.published(n).strftime("%Y-%m") == month)
            return (f"<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                    f"{urls}</urlset>").encode(), "application/xml"
        if path == "/news/":
            links = "".join(f"<li><a href='/a/{n}.html'>Story {n}</a></li>" for n in range(count - 1, max(count - 30, 0) - 1, -1))
            return f"<html><body><ul>{FURNITURE}</ul><ul>{links}</ul></body></html>".encode(), "text/html; charset=utf-8"
        return None


class Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        self.site.hits[path] += 1
        found = self.site.resource(path)
        if found is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, content_type = found
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # noqa: A002
        pass


def crawl(folder: Path, sources: Path, polite: bool) -> tuple[dict, float]:
    command = [NEWSMON, "crawl", "--sources", str(sources), "--db", f"sqlite:///{folder / 'bench.db'}",
               "--raw-dir", str(folder / "raw")]
    if not polite:
        command += ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, cwd=folder)
    wall = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"crawl failed:\n{result.stderr[-3000:]}")
    with sqlite3.connect(folder / "bench.db") as db:
        stats = json.loads(db.execute("SELECT stats FROM crawl_run ORDER BY id DESC LIMIT 1").fetchone()[0])
    return stats, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=240)
    parser.add_argument("--new", type=int, default=10)
    parser.add_argument("--polite", action="store_true", help="keep DOWNLOAD_DELAY and AutoThrottle on")
    args = parser.parse_args()

    site = Site(args.articles)
    Handler.site = site
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = folder / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "bench-feed"\nkind = "feed"\nurl = "{site.base}/feed.atom"\n\n'
            f'[[source]]\nname = "bench-sitemap"\nkind = "sitemap"\nurl = "{site.base}/sitemap.xml"\n\n'
            f'[[source]]\nname = "bench-listing"\nkind = "listing"\nurl = "{site.base}/news/"\n'
            f'link_pattern = "/a/\\\\d+\\\\.html$"\n', encoding="utf-8")
        for label in ("1 first night", "2 nothing new", f"3 {args.new} new"):
            if label.startswith("3"):
                site.add(args.new)
            before = Counter(site.hits)
            stats, wall = crawl(folder, sources, args.polite)
            fetched = {p for p, n in site.hits.items() if p.startswith("/a/") and n > before.get(p, 0)}
            rows.append((label, stats.get("downloader/request_count", 0), stats.get("downloader/response_bytes", 0),
                         stats.get("elapsed_time_seconds", 0.0), wall, len(fetched),
                         stats.get("newsmon/articles_stored", 0), stats.get("newsmon/not_modified", 0), fetched))
    server.shutdown()

    mode = "polite (production settings)" if args.polite else "no politeness delay"
    print(f"newsmon incremental benchmark: {args.articles} articles, {mode}\n")
    print(f"{'run':<16}{'requests':>9}{'bytes':>11}{'crawl s':>9}{'wall s':>8}{'articles':>9}{'stored':>8}{'304s':>6}")
    for label, requests, size, elapsed, wall, articles, stored, not_modified, _ in rows:
        print(f"{label:<16}{requests:>9}{size:>11}{elapsed:>9.2f}{wall:>8.1f}{articles:>9}{stored:>8}{not_modified:>6}")
    first, second, third = rows
    print()
    print(f"run 2 / run 1: requests {second[1] / first[1]:.1%} (target <= 5%), bytes {second[2] / first[2]:.1%}, "
          f"crawl time {second[3] / first[3]:.1%} (target <= 10%), wall time {second[4] / first[4]:.1%}")
    new_pages = {f"/a/{n}.html" for n in range(args.articles, args.articles + args.new)}
    verdict = "exactly the new pages" if third[8] == new_pages else f"NOT the new pages: {sorted(third[8] ^ new_pages)}"
    print(f"run 3 fetched {third[5]} article pages: {verdict}")


if __name__ == "__main__":
    main()
