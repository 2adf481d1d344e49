"""Extraction workers die with their crawl, even after kill -9 (issue 11, item 9): orphans would
hold the nightly lock, the SQLite files and database connections, so every later night is skipped."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from localserver import LocalServer

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
TEXT = ("Member states asked the secretariat for a report on artificial intelligence capacity-building, "
        "with options for shared compute, data and training for developing countries. ") * 5


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the workers")
def test_extraction_workers_exit_when_the_crawl_is_killed(tmp_path):
    with LocalServer() as server:
        server.route("/a/0.html", f"<html><body><article><h1>Report</h1><p>{TEXT}</p></article></body></html>")
        server.hang("/a/1.html")  # keeps the crawl alive after its workers started
        items = "".join(f"<item><title>R{n}</title><link>{server.url(f'/a/{n}.html')}</link></item>" for n in (0, 1))
        server.route("/rss.xml", f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
                     headers={"Content-Type": "application/rss+xml"})
        sources = tmp_path / "s.toml"
        sources.write_text(f'[[source]]\nname = "wire"\nkind = "feed"\nurl = "{server.url("/rss.xml")}"\n')
        crawl = subprocess.Popen(
            [NEWSMON, "crawl", "--sources", str(sources), "--db", f"sqlite:///{tmp_path / 'x.db'}",
             "--raw-dir", str(tmp_path / "raw"), "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "NEWSMON_EXTRACT_PROCESSES=2", "-s", "DOWNLOAD_TIMEOUT=120"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            workers: set[int] = set()
            while time.monotonic() < deadline and len(workers) < 2:
                workers = children(crawl.pid)
                time.sleep(0.2)
            assert len(workers) >= 2, "the crawl never started its extraction workers"
            os.kill(crawl.pid, signal.SIGKILL)
            crawl.wait(timeout=10)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and any(alive(w) for w in workers):
                time.sleep(0.2)
            left = [w for w in workers if alive(w)]
        finally:
            for pid in children(crawl.pid) | workers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            if crawl.poll() is None:
                crawl.kill()
    assert not left, f"extraction workers {left} outlived their crawl"
