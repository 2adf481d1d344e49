"""A crawl that cannot run, or cannot store what it extracted, must not be reported as finished."""
from __future__ import annotations

import asyncio
import subprocess
import sys
from types import SimpleNamespace

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from crawlers.pipelines.store import StorePipeline
from newsmon.crawling import run_status
from newsmon.dedup import DedupSettings

NEWSMON = [sys.executable, "-c", "from newsmon.cli import main; main()"]


def test_run_status():
    assert run_status({"finish_reason": "finished"}) == "finished"
    assert run_status({}) == "failed"  # the crawler never started
    assert run_status({"finish_reason": "finished", "newsmon/store_failed": 3}) == "store-failed"
    assert run_status({"finish_reason": "shutdown"}) == "shutdown"


def test_a_crawler_that_cannot_start_fails_the_command(tmp_path):
    (tmp_path / "sources.toml").write_text('[[source]]\nname = "a"\nkind = "feed"\nurl = "http://127.0.0.1:9/f"\n')
    result = subprocess.run(
        [*NEWSMON, "crawl", "--sources", "sources.toml", "--db", f"sqlite:///{tmp_path / 'x.db'}",
         "-s", "NEWSMON_EXTRACT_PROCESSES=not-a-number"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "crawl ended: failed" in result.stdout


def test_a_failed_database_write_is_counted_and_the_crawl_goes_on(sqlite_url):
    stats = MemoryStatsCollector(SimpleNamespace(settings=Settings({"STATS_DUMP": False})))
    pipeline = StorePipeline(stats, sqlite_url, batch_size=2, dedup=DedupSettings())
    article = SimpleNamespace(text=None, title="t", published=None, modified=None, author=None, language="en", site=None)

    async def crawl():
        await pipeline.open_spider()
        for n in range(2):  # text=None violates NOT NULL: the batch's transaction fails
            await pipeline.process_item({"url": f"https://a.example/{n}", "fetched_url": "https://a.example/",
                                         "source": "a", "article": article})
        await pipeline.close_spider()

    asyncio.run(crawl())
    assert stats.get_value("newsmon/store_failed") == 2
    assert stats.get_value("newsmon/source/a/errors/store-failed") == 2
