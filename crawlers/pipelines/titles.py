"""Cut the title furniture that a source repeats on its pages, before tagging and storing.

A title keeps what no page declares as furniture ("Headline - Section | Outlet" where
og:site_name says neither); the source's other titles show it (newsmon.sourcefurniture). Each
source's latest stored titles are read once per run, when its first article arrives, and every
title that passes joins them. The title as extracted goes on as ``item["extracted_title"]``: the
store keeps it, so the next run compares like with like.

A source that starts the run with fewer than ``MIN_SIBLINGS`` stored titles lets its first pages
through as read: they have no siblings yet. When the run is over (Scrapy's ``spider_closed``,
sent after every pipeline has closed, so the store has written its last batch), the titles this
run stored for such a source are judged again against all its stored titles, and set in place.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from scrapy import signals

from crawlers.pipelines.store import first_line
from newsmon.settings import DB_URL
from newsmon.sourcefurniture import MIN_SIBLINGS, RECENT_TITLES, RecentTitles, strip_repeated
from storage.articles import recent_titles, retitle, titles_as_read
from storage.db import open_for_command

logger = logging.getLogger(__name__)


class SourceTitlesPipeline:
    def __init__(self, db_url: str | None, recent: int = RECENT_TITLES) -> None:
        self.db_url = db_url
        self.recent = recent
        self.titles = RecentTitles(recent)
        self.session_factory = None
        self.loads: dict[str, asyncio.Future[list[str]]] = {}  # one query per source, shared by its items
        self.new_sources: dict[str, list[str]] = defaultdict(list)  # source without siblings -> this run's URLs

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get(DB_URL.name))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    async def process_item(self, item):
        article = item.get("article")
        if article is None or not article.title:
            return item
        source = item["source"]
        if source not in self.loads:
            self.loads[source] = asyncio.ensure_future(asyncio.to_thread(self._stored_titles, source))
        stored = await self.loads[source]
        if source not in self.titles:
            self.titles.load(source, stored)
        if len(stored) < MIN_SIBLINGS and item.get("url"):
            self.new_sources[source].append(item["url"])
        item["extracted_title"] = article.title
        article.title = self.titles.strip(source, article.title)
        return item

    async def spider_closed(self) -> None:
        """Judge the titles of new sources again, now that the run has stored their siblings."""
        try:
            for source, urls in self.new_sources.items():
                retitled = await asyncio.to_thread(self._retitle, source, urls)
                if retitled:
                    logger.info("source %s: %d titles of its first run cut of their repeated furniture",
                                source, retitled)
        finally:
            self.close()

    def close(self) -> None:
        if self.session_factory is not None:
            self.session_factory.kw["bind"].dispose()
            self.session_factory = None

    def _session(self):
        if self.session_factory is None:
            self.session_factory = open_for_command(self.db_url)
        return self.session_factory()

    def _stored_titles(self, source: str) -> list[str]:
        """Runs in a thread. The store pipeline has created and migrated the database by now."""
        try:
            with self._session() as session:
                return recent_titles(session, source, self.recent)
        except Exception as exc:  # noqa: BLE001 - without siblings the titles are stored as read
            logger.warning("could not read the stored titles of source %s (%s); its titles are kept as read",
                           source, first_line(exc))
            return []

    def _retitle(self, source: str, urls: list[str]) -> int:
        """Runs in a thread: the source's articles at ``urls`` retitled in place; how many changed."""
        try:
            with self._session() as session, session.begin():
                siblings = recent_titles(session, source, self.recent)
                return sum(retitle(session, article_id, strip_repeated(title, siblings), title)
                           for article_id, title in titles_as_read(session, source, urls))
        except Exception as exc:  # noqa: BLE001 - the titles stay as read; reextract can cut them later
            logger.warning("could not judge the first titles of source %s again (%s); they are kept as read",
                           source, first_line(exc))
            return 0
