"""One bad row never costs its batch, and two crawls writing one database at once both succeed
(issue 11, item 8)."""
from __future__ import annotations

import asyncio
from datetime import datetime
from types import SimpleNamespace

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from sqlalchemy import event, func, select

from crawlers.pipelines.store import StorePipeline
from newsmon.dedup import DedupSettings
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.models import Article

TEXT = "Member states discussed capacity-building for artificial intelligence in Geneva today. " * 6


def article(text: str | None, title: str = "A title") -> SimpleNamespace:
    return SimpleNamespace(text=text, title=title, published=datetime(2026, 11, 2), modified=None, author=None,
                           language="en", site=None)


def item(n: int, text: str | None = TEXT, title: str = "A title") -> dict:
    return {"url": f"https://a.example/{n}", "fetched_url": f"https://a.example/{n}", "source": "a",
            "article": article(f"{n} {text}" if text else text, title)}


def store(db_url: str, items: list[dict], hook=None) -> MemoryStatsCollector:
    stats = MemoryStatsCollector(SimpleNamespace(settings=Settings({"STATS_DUMP": False})))
    pipeline = StorePipeline(stats, db_url, batch_size=len(items), dedup=DedupSettings())

    async def crawl():
        await pipeline.open_spider()
        if hook:
            hook(pipeline.session_factory.kw["bind"])
        for one in items:
            await pipeline.process_item(one)
        await pipeline.close_spider()

    asyncio.run(crawl())
    pipeline.session_factory.kw["bind"].dispose()
    return stats


def count(db_url: str) -> int:
    factory = open_database(db_url, migrate=False)
    with factory() as session:
        n = session.scalar(select(func.count()).select_from(Article))
    factory.kw["bind"].dispose()
    return n


def test_one_bad_row_costs_only_itself(db_url):
    items = [item(n) for n in range(14)] + [item(99, text=None)]  # NOT NULL: this one cannot be stored
    items.insert(3, item(50, title="NUL\x00 in a feed title"))  # cleaned, so stored
    stats = store(db_url, items)
    assert count(db_url) == 15
    assert stats.get_value("newsmon/store_failed") == 1
    assert stats.get_value("newsmon/articles_stored") == 15


def test_a_concurrent_writer_of_the_same_urls_is_an_upsert_not_a_lost_batch(db_url):
    fired = []

    def race(engine):
        @event.listens_for(engine, "before_cursor_execute")
        def other_crawl_commits_first(conn, cursor, statement, *args):
            if statement.startswith("INSERT INTO article ") and not fired:
                fired.append(True)
                other = open_database(db_url, migrate=False)
                with other() as session, session.begin():
                    upsert_articles(session, [ArticleRecord(url="https://a.example/2", fetched_url="https://a.example/2",
                                                            source="a", text=f"2 {TEXT}", title="A title")])
                other.kw["bind"].dispose()

    stats = store(db_url, [item(n) for n in range(5)], hook=race)
    assert fired and count(db_url) == 5
    assert not stats.get_value("newsmon/store_failed")
