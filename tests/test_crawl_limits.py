"""A run has limits it reports (issue 11, item 10), and the smaller holes of item 15."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawlers.failures import error_kind
from crawlers.xmlsafety import UnsafeXML, check_xml_safe
from localserver import LocalServer
from newsmon.reasons import is_permanent

ROOT = Path(__file__).resolve().parents[1]
NEWSMON = str(Path(sys.executable).with_name("newsmon"))
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSMON_EXTRACT_PROCESSES=0"]
TEXT = ("Member states asked the secretariat for a report on artificial intelligence capacity-building, "
        "with options for shared compute, data and training for developing countries. ") * 5


def feed_site(server: LocalServer, count: int, delay: float = 0.0) -> str:
    for n in range(count):
        server.route(f"/a/{n}.html", f"<html><head><title>Report {n}</title></head><body><article>"
                                     f"<h1>Report {n}</h1><p>{n} {TEXT}</p></article></body></html>", delay=delay)
    items = "".join(f"<item><title>Report {n}</title><link>{server.url(f'/a/{n}.html')}</link></item>"
                    for n in range(count))
    server.route("/rss.xml", f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
                 headers={"Content-Type": "application/rss+xml"})
    return f'[[source]]\nname = "wire"\nkind = "feed"\nurl = "{server.url("/rss.xml")}"\n'


def crawl(tmp_path: Path, sources: str, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "s.toml").write_text(sources)
    return subprocess.run([NEWSMON, "crawl", "--sources", "s.toml", "--db", f"sqlite:///{tmp_path / 'x.db'}",
                           "--raw-dir", str(tmp_path / "raw"), *FAST, *args],
                          capture_output=True, text=True, timeout=180, cwd=tmp_path)


def test_every_source_has_a_default_article_limit_and_every_run_a_time_budget():
    settings = Settings()
    settings.setmodule("crawlers.settings")
    assert settings.getint("NEWSMON_MAX_ARTICLES") == 500
    assert 0 < settings.getint("CLOSESPIDER_TIMEOUT") <= 6 * 3600


def test_the_default_article_limit_applies_and_is_reported(tmp_path):
    with LocalServer() as server:
        result = crawl(tmp_path, feed_site(server, 12), "-s", "NEWSMON_MAX_ARTICLES=5")
        fetched = sum(server.hits[f"/a/{n}.html"] for n in range(12))
    assert result.returncode == 0, result.stderr[-2000:]
    assert fetched == 5 and "7 links left for the next run (max_articles)" in result.stdout


def test_a_run_that_reaches_its_time_budget_says_so_and_is_not_a_failure(tmp_path):
    with LocalServer() as server:
        result = crawl(tmp_path, feed_site(server, 20, delay=1.0), "-s", "CLOSESPIDER_TIMEOUT=3",
                       "-s", "CONCURRENT_REQUESTS=1")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "time budget reached" in result.stdout


def test_a_gzip_bomb_is_a_permanent_too_large_not_ignored():
    message = ("Ignored response <200 http://127.0.0.1/bomb> because its body (10293 B compressed, "
               "1048577 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (1048576 B) during decompression.")
    kind = error_kind(Failure(IgnoreRequest(message)))
    assert kind == "too-large" and is_permanent(kind)


def test_padding_does_not_hide_a_dtd_from_the_xml_safety_check():
    bomb = (b'<?xml version="1.0"?>' + b"\n" * 10_000 + b"<!-- " + b"x" * 10_000 + b" -->"
            b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><rss>&lol2;</rss>')
    with pytest.raises(UnsafeXML):
        check_xml_safe(bomb)
    check_xml_safe(b'<?xml version="1.0"?>' + b" " * 10_000 + b"<rss><channel/></rss>")  # no DTD: fine


@pytest.mark.parametrize("order", [["-v", "crawl"], ["crawl", "-v"]])
def test_verbose_works_before_and_after_the_command(tmp_path, order):
    (tmp_path / "s.toml").write_text('[[source]]\nname = "wire"\nkind = "feed"\nurl = "http://127.0.0.1:9/rss.xml"\n')
    result = subprocess.run([NEWSMON, *order, "--sources", "s.toml", "--db", f"sqlite:///{tmp_path / 'x.db'}",
                             "--raw-dir", str(tmp_path / "raw"), *FAST, "-s", "RETRY_TIMES=0"],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert " INFO " in result.stderr, result.stderr[-2000:]


def test_make_test_shows_skip_reasons():
    makefile = (ROOT / "Makefile").read_text()
    assert "pytest -q -rs" in makefile
