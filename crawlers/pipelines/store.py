"""Write articles to the database in batches, in a thread, so the reactor keeps downloading."""
from __future__ import annotations

import asyncio
import logging

from newsmon import runstats
from newsmon.dedup import DedupSettings
from newsmon.reasons import Reason
from newsmon.runstats import SourceCount, source_key
from newsmon.settings import DB_BATCH_SIZE, DB_URL, DEDUP_PREFIX
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_for_command
from storage.storyindex import StoryIndex

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, stats, db_url: str, batch_size: int, dedup: DedupSettings) -> None:
        self.stats = stats
        self.db_url = db_url
        self.batch_size = batch_size
        self.dedup = dedup
        self.pending: list[ArticleRecord] = []
        self.session_factory = None
        self.stories = None
        self.lock = asyncio.Lock()

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        dedup = DedupSettings.from_mapping(s, prefix=DEDUP_PREFIX)
        return cls(crawler.stats, s.get(DB_URL.name), s.getint(DB_BATCH_SIZE.name, DB_BATCH_SIZE.default), dedup)

    async def open_spider(self) -> None:
        self.session_factory = await asyncio.to_thread(open_for_command, self.db_url, writer=True)
        self.stories = await asyncio.to_thread(self._load_story_index)

    def _load_story_index(self) -> StoryIndex:
        with self.session_factory() as session:
            # This process is the crawl: it may freeze its garbage collector for a faster assign().
            return StoryIndex.load(session, self.dedup, freeze_gc=True)

    async def process_item(self, item):
        article = item["article"]
        self.pending.append(ArticleRecord(
            url=item["url"], fetched_url=item["fetched_url"], source=item["source"],
            text=article.text, title=article.title, published=article.published, modified=article.modified,
            author=article.author, language=article.language, site=article.site,
            raw_ref=item.get("raw_ref"), encoding=item.get("encoding"), fetched=item.get("fetched"),
            tags=item.get("tags"), model_version=item.get("model_version"), citations=item.get("citations"),
            extracted_title=item.get("extracted_title"),
        ))
        if len(self.pending) >= self.batch_size:
            await self.flush()
        return _summary(item)

    async def close_spider(self) -> None:
        await self.flush()

    async def flush(self) -> None:
        async with self.lock:  # one writer at a time; batches stay in arrival order
            batch, self.pending = self.pending, []
            if not batch:
                return
            try:
                await asyncio.to_thread(self._write, batch)
            except Exception as exc:  # noqa: BLE001 - a bad row, or another crawl inserted a URL first
                logger.warning("could not store a batch of %d articles (%s); storing them one by one",
                               len(batch), first_line(exc))
                # The rolled-back batch left its copies in the in-memory story index: start afresh.
                self.stories = await asyncio.to_thread(self._load_story_index)
                for record in batch:  # each in its own transaction: a new SELECT sees the other crawl's rows
                    await self._write_one(record)

    async def _write_one(self, record: ArticleRecord) -> None:
        try:
            await asyncio.to_thread(self._write, [record])
        except Exception as exc:  # noqa: BLE001 - the crawl goes on; this page is fetched again next run
            self.stats.inc_value(runstats.STORE_FAILED)
            self.stats.inc_value(runstats.source_error_key(record.source, Reason.STORE_FAILED))
            logger.error("could not store %s: %s", record.url, first_line(exc))
            self.stories = await asyncio.to_thread(self._load_story_index)

    def _write(self, batch: list[ArticleRecord]) -> None:
        with self.session_factory() as session, session.begin():
            result = upsert_articles(session, batch, self.stories)
        for key, ids in ((runstats.ARTICLES_STORED, result.inserted), (runstats.ARTICLES_UPDATED, result.updated),
                         (runstats.ARTICLES_UNCHANGED, result.unchanged)):
            if ids:
                self.stats.inc_value(key, len(ids))
        for record in batch:
            self.stats.inc_value(source_key(record.source, SourceCount.ARTICLES))
        logger.info("stored %d new, %d updated, %d unchanged articles",
                    len(result.inserted), len(result.updated), len(result.unchanged))


def first_line(exc: Exception) -> str:
    """The driver's message without SQLAlchemy's parameters and background link."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _summary(item) -> dict:
    """What Scrapy logs and feed exports see: no raw body, no full text."""
    article = item["article"]
    return {"url": item["url"], "source": item["source"], "title": article.title,
            "published": article.published.isoformat() if article.published else None,  # as the page gave it
            "language": article.language}
