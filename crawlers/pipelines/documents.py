"""Official documents: read each file (PDF text by pypdf, HTML by trafilatura) in worker processes,
then store it once per symbol with its language version; unreadable files are recorded with the
reason and dropped, counted as ``newsmon/dropped/<reason>``. The crawl goes on either way.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from scrapy.exceptions import DropItem

from newsmon.documents import MAX_PAGES, ReadDocument, read_document
from newsmon import runstats
from newsmon.errors import DocumentError
from newsmon.reasons import crash_reason
from newsmon.runstats import SourceCount, source_key
from newsmon.settings import DB_URL, DOCUMENT_MAX_PAGES, EXTRACT_PROCESSES

logger = logging.getLogger(__name__)

def read_in_worker(body: bytes, url: str, content_type: str | None, lang: str | None,
                   max_pages: int) -> tuple[ReadDocument | None, str | None, str]:
    """Runs in a worker process: (document, None, "") or (None, reason, detail)."""
    try:
        return read_document(body, url, content_type, lang, max_pages), None, ""
    except DocumentError as exc:
        return None, exc.reason, exc.detail
    except Exception as exc:  # noqa: BLE001 - one broken file must not end the crawl
        logger.exception("document reader crashed on %s", url)
        return None, crash_reason(exc), str(exc)


class DocumentReadPipeline:
    def __init__(self, stats, processes: int, max_pages: int) -> None:
        self.stats = stats
        self.processes = processes
        self.max_pages = max_pages
        self.executor: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        processes = s.getint(EXTRACT_PROCESSES.name, EXTRACT_PROCESSES.default)
        if processes < 0:
            processes = os.cpu_count() or 1
        return cls(crawler.stats, processes, s.getint(DOCUMENT_MAX_PAGES.name, MAX_PAGES))

    def open_spider(self) -> None:
        self.executor = ProcessPoolExecutor(self.processes) if self.processes else ThreadPoolExecutor(1)

    def close_spider(self) -> None:
        if self.executor:
            self.executor.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item):
        loop = asyncio.get_running_loop()
        document, reason, detail = await loop.run_in_executor(
            self.executor, read_in_worker, item["body"], item["fetched_url"], item.get("content_type"),
            item.get("hint_lang"), self.max_pages)
        if document is None:
            item["drop_reason"], item["drop_detail"] = reason, detail
        else:
            document.title = document.title or item.get("hint_title")
            item["document"] = document
        return item


class DocumentStorePipeline:
    def __init__(self, stats, db_url: str) -> None:
        self.stats = stats
        self.db_url = db_url
        self.session_factory = None
        self.lock = asyncio.Lock()  # one writer: two language versions of a new symbol must not both insert it

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.get(DB_URL.name))

    async def open_spider(self) -> None:
        from storage.db import open_for_command

        self.session_factory = await asyncio.to_thread(open_for_command, self.db_url, writer=True)

    async def process_item(self, item):
        reason = item.get("drop_reason")
        async with self.lock:
            await asyncio.to_thread(self._write, item)
        if reason:
            self.stats.inc_value(runstats.dropped_key(reason))
            self.stats.inc_value(runstats.source_dropped_key(item["source"], reason))
            raise DropItem(f"{reason}: {item['fetched_url']}")
        document = item["document"]
        self.stats.inc_value(runstats.DOCUMENTS_STORED)
        self.stats.inc_value(source_key(item["source"], SourceCount.ARTICLES))
        return {"url": item["url"], "source": item["source"], "symbol": document.symbol,
                "language": document.language, "pages": document.pages}

    def _write(self, item) -> None:
        from newsmon.clock import utcnow
        from storage.documents import DocumentRecord, mark_stored, record_failure, upsert_document

        with self.session_factory() as session, session.begin():
            now = utcnow()
            if item.get("drop_reason"):
                record_failure(session, item["url"], item["source"], item["drop_reason"],
                               item.get("drop_detail") or "", now)
                return
            d = item["document"]
            upsert_document(session, DocumentRecord(
                symbol=d.symbol, organ=d.organ, kind=d.kind, language=d.language or "und", url=item["url"],
                body=d.text, title=d.title, published=d.published, source=item["source"],
                raw_ref=item.get("raw_ref"), content_type=item.get("content_type"), pages=d.pages,
                fetched=item.get("fetched")), now)
            mark_stored(session, item["url"], item["source"], now)
