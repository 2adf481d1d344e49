"""Incremental crawling: skip article pages fetched before, ask entry pages conditionally.

The fetch-state spider middleware (``crawlers.middlewares.fetchstate``) asks this extension, in
one query per entry page, which of its links are known (``storage.fetchstate``); the spider's
failures reach it as signals (``crawlers.signals``), dropped pages as Scrapy's ``item_dropped``. What a run learns (validators of feeds and sitemaps, pages with no
article, entry dates) is written once, when the spider closes, after the store pipeline has
flushed, so the two never write the same row at once.

Validators are saved only when the run finished and every article an entry page listed was
handled: after a crash, a timeout or a 503 the page is asked in full again, so no link it lists
is lost behind a 304.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawlers import signals as newsmon_signals
from crawlers.entries import entry_key
from newsmon import runstats
from newsmon.clock import utcnow
from newsmon.reasons import Reason, is_permanent
from newsmon.runstats import SourceCount, source_key
from newsmon.settings import DB_URL, INCREMENTAL, REFRESH_DAYS
from newsmon.urls import canonical_url
from storage.fetchstate import (
    KnownPage, StateUpdate, Validators, entry_validators, known_pages, save_states,
)

logger = logging.getLogger(__name__)


class FetchStateTracker:
    def __init__(self, stats, db_url: str, refresh_days: float) -> None:
        self.stats = stats
        self.db_url = db_url
        self.refresh_days = refresh_days
        self.session_factory = None
        self._open_lock = asyncio.Lock()
        self.entries: dict[str, StateUpdate] = {}  # entry pages fetched this run
        self.pages: list[StateUpdate] = []  # article and page facts
        self.dirty: set[str] = set()  # entry pages whose links were not all handled

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool(INCREMENTAL.name, INCREMENTAL.default):
            raise NotConfigured
        tracker = cls(crawler.stats, settings.get(DB_URL.name), settings.getfloat(REFRESH_DAYS.name, REFRESH_DAYS.default))
        crawler.signals.connect(tracker.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(tracker.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(tracker.item_error, signal=signals.item_error)
        crawler.signals.connect(tracker.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(tracker.page_failed, signal=newsmon_signals.page_failed)
        crawler.signals.connect(tracker.mark_dirty, signal=newsmon_signals.entry_failed)
        return tracker

    async def _factory(self):
        async with self._open_lock:
            if self.session_factory is None:
                from storage.db import open_database

                self.session_factory = await asyncio.to_thread(open_database, self.db_url, False)
        return self.session_factory

    async def _read(self, function, urls: list[str]):
        if not urls:
            return {}
        factory = await self._factory()

        def run():
            with factory() as session:
                return function(session, urls)

        return await asyncio.to_thread(run)

    # -- entry pages --------------------------------------------------------------------------

    async def validators(self, urls: list[str]) -> dict[str, Validators]:
        return await self._read(entry_validators, [canonical_url(u) for u in urls])

    def entry_fetched(self, response: Response, source: str, kind: str) -> None:
        """Remember an entry page's validators (from a 200, or kept from the request on a 304)."""
        etag = _header(response.headers, b"ETag")
        modified = _header(response.headers, b"Last-Modified")
        if response.status == 304:  # a 304 may omit them: keep the ones that were sent
            etag = etag or _header(response.request.headers, b"If-None-Match")
            modified = modified or _header(response.request.headers, b"If-Modified-Since")
        # Keyed by the URL the sources file (or sitemap index) gave, not where it redirected to.
        url = canonical_url(entry_key(response))
        self.entries[url] = StateUpdate(url, source, kind, utcnow(), response.status, etag, modified)

    def mark_dirty(self, url: str | None) -> None:
        """An entry page whose links were not all handled: forget its validators, read it in full next run."""
        if url:
            self.dirty.add(canonical_url(url))

    # -- article pages ------------------------------------------------------------------------

    async def select_articles(self, requests: list[Request], source: str) -> list[Request]:
        """The requests worth making: pages never fetched, stale ones, and ones whose entry is newer."""
        known = await self._read(known_pages, [r.url for r in requests])
        cutoff = utcnow() - timedelta(days=self.refresh_days) if self.refresh_days > 0 else None
        chosen = []
        for request in requests:
            reason = _refetch_reason(known.get(request.url), request.meta.get("newsmon_updated"), cutoff)
            if reason is None:
                self.stats.inc_value(runstats.ALREADY_SEEN)
                self.stats.inc_value(source_key(source, SourceCount.ALREADY_SEEN))
                continue
            if reason != "new":
                self.stats.inc_value(runstats.refetch_key(reason))
            chosen.append(request)
        return chosen

    def page_done(self, url: str, source: str, status: int | None, redirects: Sequence[str] = ()) -> None:
        """A page that needs no fetch next run: no article in it, or gone for good."""
        now = utcnow()
        for each in (url, *redirects):
            self.pages.append(StateUpdate(canonical_url(each), source, "page", now, status))

    def page_failed(self, url: str, source: str, reason: str, status: int | None, entry: str | None = None,
                    redirects: Sequence[str] = ()) -> None:
        """An article page that gave no item (signal ``crawlers.signals.page_failed``)."""
        if is_permanent(reason):  # no need to ask again next run
            self.page_done(url, source, status, redirects)
        else:  # ask its feed or sitemap in full next run, so the link comes back
            self.mark_dirty(entry)

    def item_scraped(self, item, response: Response, spider) -> None:
        request = response.request
        updated = request.meta.get("newsmon_updated")
        now = utcnow()
        self.pages.append(StateUpdate(item["url"], item["source"], "article", now, 200, entry_updated=updated))
        for alias in request.meta.get("redirect_urls", []):
            self.pages.append(StateUpdate(canonical_url(alias), item["source"], "page", now, 200, entry_updated=updated))

    def item_dropped(self, item, response: Response, exception, spider) -> None:
        request = getattr(response, "request", None)
        if request is None or "url" not in item:
            return
        if not is_permanent(item.get("drop_reason")):  # e.g. an extractor crash: try again next run
            self.mark_dirty(request.meta.get("newsmon_entry"))
            return
        self.page_done(item["url"], item["source"], response.status, request.meta.get("redirect_urls", []))

    def item_error(self, item, response: Response, spider, failure) -> None:
        request = getattr(response, "request", None)
        if request is not None:
            self.mark_dirty(request.meta.get("newsmon_entry"))

    # -- end of run ---------------------------------------------------------------------------

    async def spider_closed(self, spider, reason: str) -> None:
        if self.stats.get_value(runstats.STORE_FAILED):
            # Some extracted articles never reached the database: remember nothing of this run,
            # so the next run reads every entry page in full and fetches them again.
            reason, self.pages = Reason.STORE_FAILED.value, []
        updates = list(self.pages)
        if reason == "finished":
            updates += [u for url, u in self.entries.items() if url not in self.dirty]
        else:
            logger.info("run ended (%s): entry pages will be asked in full next time", reason)
        for url in self.dirty:  # forget old validators too, so the next run reads these in full
            if url in self.entries:
                entry = self.entries[url]
                updates.append(StateUpdate(url, entry.source, entry.kind, entry.when, entry.status))
        if not updates:
            return
        factory = await self._factory()

        def write():
            with factory() as session, session.begin():
                save_states(session, updates)

        try:
            await asyncio.to_thread(write)
        except Exception:  # noqa: BLE001 - losing these only costs refetches next run
            logger.exception("could not save fetch state; the next run will fetch more pages")
        self.stats.set_value(runstats.FETCH_STATE_SAVED, len(updates))


def _refetch_reason(known: KnownPage | None, updated: datetime | None, cutoff: datetime | None) -> str | None:
    if known is None:
        return "new"
    if cutoff is not None and (known.last_fetched is None or known.last_fetched < cutoff):
        return "stale"
    if updated is not None:
        reference = known.entry_updated or known.last_fetched
        if reference is None or updated > reference:
            return "updated"
    return None


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
