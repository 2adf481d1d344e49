"""Crawl throughput and stored-text quality on the 181 real pages of the extraction benchmark.

Serves ../shared/bench/extraction from a local HTTP server with an RSS feed listing every page,
runs the real `newsmon crawl` into a fresh SQLite database, and in the same run times
`extract_article` alone on the same pages in memory. Prints pages/s of each, their ratio, and the
4-token-shingle F1 of what the crawl stored against the ground truth.

    .venv/bin/python bench/pipeline_throughput.py [--shared ../shared]

Run by hand; numbers go in the closing note. Needs 2 cores for the two-core row.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scoring import score_texts  # noqa: E402

from newsmon import runstats  # noqa: E402
from newsmon.clock import to_stored  # noqa: E402
from newsmon.extraction import extract_article  # noqa: E402


def load_pages(shared: Path) -> tuple[dict[str, bytes], dict[str, dict]]:
    folder = shared / "bench" / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {key: gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()) for key in truth}
    return pages, truth


def serve(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    items = "".join(
        f"<item><title>page {key}</title><link>/page/{key}.html</link></item>" for key in sorted(pages)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>{items}</channel></rss>'.encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path == "/feed.rss":
                body, kind = feed, "application/rss+xml"
            elif self.path.startswith("/page/") and self.path[6:-5] in pages:
                body, kind = pages[self.path[6:-5]], "text/html; charset=utf-8"
            else:
                body, kind = b"not found", "text/plain"
                self.send_response(404)
                self._finish(body, kind)
                return
            self.send_response(200)
            self._finish(body, kind)

        def _finish(self, body: bytes, kind: str) -> None:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def time_extraction_alone(pages: dict[str, bytes], core: int) -> float:
    """pages/s of extract_article over the pages in memory, in this process pinned to one core."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        start = time.perf_counter()
        for key, html in pages.items():
            try:
                extract_article(html, f"http://127.0.0.1/page/{key}.html")
            except Exception:  # noqa: BLE001 - a page with no article still cost its time
                pass
        return len(pages) / (time.perf_counter() - start)
    finally:
        os.sched_setaffinity(0, before)


def run_crawl(base_url: str, folder: Path, processes: int, cores: set[int], name: str) -> dict:
    sources = folder / "sources.toml"
    sources.write_text(f'[[source]]\nname = "bench"\nkind = "feed"\nurl = "{base_url}/feed.rss"\n', encoding="utf-8")
    db = folder / f"{name}.db"  # a fresh database each run: a second run would be incremental
    command = [
        str(ROOT / ".venv" / "bin" / "newsmon"), "crawl", "--sources", str(sources), "--db", f"sqlite:///{db}",
        "--raw-dir", str(folder / f"{name}-raw"),
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", f"NEWSMON_EXTRACT_PROCESSES={processes}", "-s", "ROBOTSTXT_OBEY=False",
    ]
    subprocess.run(["taskset", "-c", ",".join(map(str, sorted(cores))), *command], check=True, cwd=folder,
                   stdout=subprocess.DEVNULL)
    with sqlite3.connect(db) as conn:
        stats = json.loads(conn.execute("SELECT stats FROM crawl_run ORDER BY id DESC LIMIT 1").fetchone()[0])
        texts = dict(conn.execute("SELECT url, text FROM article").fetchall())
        (first_fetch,) = conn.execute("SELECT min(first_seen) FROM article").fetchone()
    finish = to_stored(datetime.fromisoformat(stats["finish_time"]))
    elapsed = (finish - to_stored(datetime.fromisoformat(stats["start_time"]))).total_seconds()
    # Steady state: from the first article page's response to the end, leaving out the one-off
    # start (pipelines loading the classifier model and the story index, the feed request).
    steady = (finish - datetime.fromisoformat(first_fetch)).total_seconds()
    return {"elapsed": elapsed, "steady": steady, "texts": texts, "fetched": stats.get(runstats.PAGES_FETCHED, 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    if not (args.shared / "bench" / "extraction").is_dir():
        sys.exit(f"{args.shared}/bench/extraction is absent; nothing to measure")
    pages, truth = load_pages(args.shared)
    server = serve(pages)
    base_url = f"http://127.0.0.1:{server.server_port}"
    os.sched_setaffinity(0, {1})  # the HTTP server stays off the crawl's core in the one-core row
    alone = time_extraction_alone(pages, core=0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, processes, cores in (
            ("crawl, all on 1 core", 1, {0}),
            ("crawl, 1 extract proc", 1, {0, 1}),
            ("crawl, 2 extract procs", 2, {0, 1}),
        ):
            if len(cores) > 1:
                os.sched_setaffinity(0, {0, 1})
            result = run_crawl(base_url, Path(tmp), processes, cores, name=f"run{len(rows)}")
            stored = result["texts"]
            quality = score_texts(
                (truth[key]["articleBody"], stored.get(f"{base_url}/page/{key}.html", "")) for key in pages
            )
            rate, steady = len(pages) / result["elapsed"], len(pages) / result["steady"]
            rows.append((label, rate, rate / alone, steady, steady / alone, quality, len(stored)))
    server.shutdown()
    print(f"{'run':<24}{'pages/s':>9}{'ratio':>7}{'steady/s':>10}{'ratio':>7}{'F1':>7}{'P':>7}{'R':>7}{'stored':>8}")
    print(f"{'extract_article alone':<24}{alone:>9.1f}{1.0:>7.2f}{alone:>10.1f}{1.0:>7.2f}")
    for label, rate, ratio, steady, steady_ratio, q, stored in rows:
        print(f"{label:<24}{rate:>9.1f}{ratio:>7.2f}{steady:>10.1f}{steady_ratio:>7.2f}"
              f"{q.f1:>7.3f}{q.precision:>7.3f}{q.recall:>7.3f}{stored:>8}")
    print(f"pages: {len(pages)}; pages/s: Scrapy start_time..finish_time (after the pipelines opened, "
          "no interpreter start-up); steady: first article response..finish_time.\n"
          "'all on 1 core' pins Scrapy, raw archive, classifier, store and the extraction process to one core; "
          "'1 extract proc' gives extraction one process, the rest of the crawl runs beside it.")


if __name__ == "__main__":
    main()
