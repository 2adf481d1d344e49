"""Cut the title furniture that a source repeats on its pages, before tagging and storing.

A title keeps what no page declares as furniture ("Headline - Section | Outlet" where
og:site_name says neither); the source's other titles show it (newsmon.sourcefurniture). Each
source's latest stored titles are read once per run, when its first article arrives, and every
title that passes joins them. The title as extracted goes on as ``item["extracted_title"]``: the
store keeps it, so the next run compares like with like. A source's first pages have no siblings
and keep their titles as read.
"""
from __future__ import annotations

import asyncio
import logging

from crawlers.pipelines.store import first_line
from newsmon.settings import DB_URL
from newsmon.sourcefurniture import RECENT_TITLES, RecentTitles
from storage.articles import recent_titles
from storage.db import open_for_command

logger = logging.getLogger(__name__)


class SourceTitlesPipeline:
    def __init__(self, db_url: str | None, recent: int = RECENT_TITLES) -> None:
        self.db_url = db_url
        self.recent = recent
        self.titles = RecentTitles(recent)
        self.session_factory = None
        self.loads: dict[str, asyncio.Future[list[str]]] = {}  # one query per source, shared by its items

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get(DB_URL.name))

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
        item["extracted_title"] = article.title
        article.title = self.titles.strip(source, article.title)
        return item

    def close_spider(self) -> None:
        if self.session_factory is not None:
            self.session_factory.kw["bind"].dispose()

    def _stored_titles(self, source: str) -> list[str]:
        """Runs in a thread. The store pipeline has created and migrated the database by now."""
        try:
            if self.session_factory is None:
                self.session_factory = open_for_command(self.db_url)
            with self.session_factory() as session:
                return recent_titles(session, source, self.recent)
        except Exception as exc:  # noqa: BLE001 - without siblings the titles are stored as read
            logger.warning("could not read the stored titles of source %s (%s); its titles are kept as read",
                           source, first_line(exc))
            return []
