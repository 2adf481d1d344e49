"""Which links a run fetches: the spider middleware between the spider and the fetch-state tracker.

The spider yields every entry request and every article link it finds; this middleware, on the
way out, makes entry requests conditional (``If-None-Match``/``If-Modified-Since`` from the last
finished run), keeps only the article links worth fetching (never fetched, stale, or listed as
updated), caps each source at its ``max_articles``, and tells the tracker which entry pages were
read. The database reads are batched: one per entry page, one for the start requests.

Without the tracker (``NEWSMON_INCREMENTAL = False``) it only applies ``max_articles``.
"""
from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawlers.entries import entry_key, entry_state_kind, is_article
from crawlers.extensions.fetchstate import FetchStateTracker
from newsmon.runstats import SourceCount, source_key
from newsmon.urls import canonical_url


class FetchStateMiddleware:
    def __init__(self, stats, tracker: FetchStateTracker | None) -> None:
        self.stats = stats
        self.tracker = tracker
        self.queued: Counter[str] = Counter()  # article requests let through, per source
        self._parsed: weakref.WeakSet[Response] = weakref.WeakSet()  # responses that reached a callback

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.get_extension(FetchStateTracker))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        found = [each async for each in start]
        await self.add_validators(_requests(found))
        for each in found:
            yield each

    def process_spider_input(self, response: Response) -> None:
        # Called only once HttpErrorMiddleware let the response through: the callback, not the
        # errback, produces what follows (an entry page that failed is the tracker's to forget).
        self._parsed.add(response)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if is_article(response.meta) or response not in self._parsed:
            async for each in result:
                yield each
            return
        found = [each async for each in result]
        articles = [r for r in _requests(found) if is_article(r.meta)]
        others = [each for each in found if not (isinstance(each, Request) and is_article(each.meta))]
        source = response.meta["newsmon_source"]
        if self.tracker:
            articles = await self.tracker.select_articles(articles, source)
            await self.add_validators(_requests(others))
            self.tracker.entry_fetched(response, source, entry_state_kind(response))
        for each in others:
            yield each
        limit = response.meta.get("newsmon_max_articles")
        for request in articles:
            if limit and self.queued[source] >= limit:
                self.stats.inc_value(source_key(source, SourceCount.OVER_MAX_ARTICLES))
                if self.tracker:  # the rest waits for the next run: read this page in full then
                    self.tracker.mark_dirty(entry_key(response))
                continue
            self.queued[source] += 1
            yield request

    async def add_validators(self, requests: list[Request]) -> None:
        """Make entry requests conditional with what the last finished run stored (batched)."""
        entries = [r for r in requests if not is_article(r.meta)]
        if not self.tracker or not entries:
            return
        known = await self.tracker.validators([r.url for r in entries])
        for request in entries:
            state = known.get(canonical_url(request.url))
            if state is None or state.kind == "sitemap-index":  # an index's 304 would hide its children
                continue
            if state.etag:
                request.headers[b"If-None-Match"] = state.etag
            if state.last_modified:
                request.headers[b"If-Modified-Since"] = state.last_modified


def _requests(found: Iterable[Any]) -> list[Request]:
    return [each for each in found if isinstance(each, Request)]
