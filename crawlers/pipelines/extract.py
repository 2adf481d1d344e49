"""Extract each page's article with trafilatura in worker processes, so extraction never stalls downloads.

Pages with no article are dropped with a reason (``newsmon.reasons``), counted as
``newsmon/dropped/<reason>`` (``newsmon.runstats``).
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime

from scrapy.exceptions import DropItem

from newsmon import runstats
from newsmon.errors import ExtractionError
from newsmon.extraction import ExtractedArticle, decode_page, extract_article
from newsmon.reasons import Reason, crash_reason
from newsmon.runstats import SourceCount, source_key
from newsmon.settings import EXTRACT_PROCESSES

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "")


def extract_in_worker(
    body: bytes, url: str, encoding: str | None = None, hint_published: datetime | None = None
) -> tuple[ExtractedArticle | None, str | None]:
    """Runs in a worker process: returns (article, None) or (None, reason).

    ``encoding`` is the one the crawler found from the headers and the page (item["encoding"]);
    without it the extractor guesses from the bytes alone, which fails on short cp1252 pages.
    ``hint_published`` is the feed's or sitemap's date for the page: a page date far from it is
    not trusted over it.
    """
    try:
        return extract_article(decode_page(body, encoding), url, hint_published), None
    except ExtractionError as exc:
        return None, exc.reason
    except Exception as exc:  # noqa: BLE001 - one broken page must not end the crawl
        logger.exception("extraction crashed on %s", url)
        return None, crash_reason(exc)


def die_with_parent(parent: int) -> None:
    """Worker initializer: exit when the crawl is gone, even after its kill -9.

    Workers forked from Scrapy inherit its graceful SIGTERM handler and the pool's pipes, so an
    orphan would wait forever, holding the nightly lock, SQLite files and connections. A daemon
    thread notices the new parent within a second; SIGTERM gets its default meaning back, and
    Ctrl-C is left to the crawl, which shuts the pool down.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), name="die-with-parent", daemon=True).start()


def _exit_when_orphaned(parent: int, every: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


class ExtractPipeline:
    def __init__(self, stats, processes: int) -> None:
        self.stats = stats
        self.processes = processes
        self.executor: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler):
        processes = crawler.settings.getint(EXTRACT_PROCESSES.name, EXTRACT_PROCESSES.default)
        if processes < 0:
            processes = os.cpu_count() or 1
        return cls(crawler.stats, processes)

    def open_spider(self) -> None:
        # 0 processes: a single thread in this process (for one-core measurements and debugging).
        self.executor = (ProcessPoolExecutor(self.processes, initializer=die_with_parent, initargs=(os.getpid(),))
                         if self.processes else ThreadPoolExecutor(1))

    def close_spider(self) -> None:
        if self.executor:
            self.executor.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item):
        content_type = item.get("content_type", "").split(";")[0].strip().lower()
        if content_type not in HTML_TYPES:
            self.drop(item, Reason.NOT_HTML)
        loop = asyncio.get_running_loop()
        article, reason = await loop.run_in_executor(self.executor, extract_in_worker, item["body"], item["fetched_url"],
                                                   item.get("encoding"), item.get("hint_published"))
        if article is None:
            self.drop(item, reason)
        if article.published is None and item.get("hint_published"):
            article.published = item["hint_published"]
        if article.published is None:
            self.stats.inc_value(runstats.NO_DATE)
            self.stats.inc_value(source_key(item["source"], SourceCount.NO_DATE))
        if not article.title and item.get("hint_title"):
            article.title = item["hint_title"]
        if not article.language and item.get("hint_lang"):
            article.language = item["hint_lang"]
        item["article"] = article
        return item

    def drop(self, item, reason: str) -> None:
        self.stats.inc_value(runstats.dropped_key(reason))
        self.stats.inc_value(runstats.source_dropped_key(item["source"], reason))
        item["drop_reason"] = reason
        raise DropItem(f"{reason}: {item['fetched_url']}")
