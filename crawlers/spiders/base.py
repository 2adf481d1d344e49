"""The shared part of newsmon's spiders: read the sources file, request entry points, fetch articles.

Subclasses parse one kind of entry point (feed, sitemap, listing) into article links; every
article response becomes a PageItem. Extraction, tagging and storage happen in the pipelines.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timezone
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.extensions.fetchstate import FetchStateTracker
from crawlers.items import PageItem
from crawlers.sources import Source, load_sources
from crawlers.spiders.pages import looks_binary, page_encoding
from newsmon.clean import URL_MAX, clean_line, clean_url
from newsmon.urls import canonical_url, is_http_url

logger = logging.getLogger(__name__)


class SourcesSpider(scrapy.Spider):
    """Crawls the sources of the kinds in ``kinds``; ``-a source=NAME`` restricts to one source."""

    kinds: tuple[str, ...] = ("feed", "sitemap", "listing")

    def __init__(self, *args: Any, source: str | None = None, sources_file: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.only_source = source
        self.sources_file = sources_file
        self.sources: list[Source] = []
        self.queued: Counter[str] = Counter()
        self.tracker: FetchStateTracker | None = None
        self.config_errors = 0

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.sources_file or crawler.settings.get("NEWSMON_SOURCES")
        loaded = load_sources(path)
        spider.config_errors = len(loaded.errors)  # counted in start(): stats do not exist yet
        spider.sources = [
            s for s in loaded.sources
            if s.kind in cls.kinds and (spider.only_source in (None, s.name))
        ]
        if spider.only_source and not spider.sources:
            logger.error("no source named %r of kind %s in %s", spider.only_source, "/".join(cls.kinds), path)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.tracker = self.crawler.get_extension(FetchStateTracker)
        if self.config_errors:
            self.crawler.stats.set_value("newsmon/config_errors", self.config_errors)
        requests = [self.entry_request(url, source) for source in self.sources for url in source.urls]
        await self.add_validators(requests)
        for request in requests:
            yield request

    # -- entry points -------------------------------------------------------------------------

    def entry_request(self, url: str, source: Source, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_entry,
            errback=self.on_error,
            cb_kwargs={"source": source},
            meta={"newsmon_source": source.name, "newsmon_kind": source.kind,
                  "handle_httpstatus_list": [304], **meta},
            dont_filter=True,
            priority=10,  # discover links before fetching articles
        )

    async def add_validators(self, requests: list[scrapy.Request]) -> None:
        """Make entry requests conditional with what the last finished run stored (batched)."""
        if not self.tracker or not requests:
            return
        known = await self.tracker.validators([r.url for r in requests])
        for request in requests:
            state = known.get(canonical_url(request.url))
            if state is None or state.kind == "sitemap-index":  # an index's 304 would hide its children
                continue
            if state.etag:
                request.headers[b"If-None-Match"] = state.etag
            if state.last_modified:
                request.headers[b"If-Modified-Since"] = state.last_modified

    async def parse_entry(self, response: Response, source: Source) -> AsyncIterator[Any]:
        name = source.name
        self.crawler.stats.inc_value(f"newsmon/source/{name}/entry_pages")
        if response.status == 304:
            self.crawler.stats.inc_value("newsmon/not_modified")
            self.crawler.stats.inc_value(f"newsmon/source/{name}/not_modified")
            if self.tracker:
                self.tracker.entry_fetched(response, name, response.meta.get("newsmon_state_kind", source.kind))
            return
        parser = {"feed": self.parse_feed, "sitemap": self.parse_sitemap, "listing": self.parse_listing}
        found = list(parser[source.kind](response, source))
        articles = [r for r in found if r.meta.get("newsmon_kind") == "article"]
        entries = [r for r in found if r.meta.get("newsmon_kind") != "article"]
        self.crawler.stats.inc_value(f"newsmon/source/{name}/links_found", len(articles))
        if self.tracker:
            articles = await self.tracker.select_articles(articles, name)
            await self.add_validators(entries)
            kind = "sitemap-index" if response.meta.get("newsmon_index") else source.kind
            self.tracker.entry_fetched(response, name, kind)
        for request in entries:
            yield request
        for request in articles:
            if source.max_articles and self.queued[name] >= source.max_articles:
                self.crawler.stats.inc_value(f"newsmon/source/{name}/over_max_articles")
                if self.tracker:  # the rest waits for the next run: read this page in full then
                    self.tracker.mark_dirty(entry_key(response))
                continue
            self.queued[name] += 1
            yield request

    def parse_feed(self, response: Response, source: Source) -> Iterable[Any]:
        raise NotImplementedError

    def parse_sitemap(self, response: Response, source: Source) -> Iterable[Any]:
        raise NotImplementedError

    def parse_listing(self, response: Response, source: Source) -> Iterable[Any]:
        raise NotImplementedError

    # -- articles -----------------------------------------------------------------------------

    def article_request(
        self,
        url: str,
        source: Source,
        published: datetime | None = None,
        title: str | None = None,
        lang: str | None = None,
        updated: datetime | None = None,
        entry_url: str | None = None,
    ) -> scrapy.Request | None:
        """A request for an article page, or None when the link is unusable.

        ``updated`` is the date the feed or sitemap says the page last changed: a stored page
        older than that is fetched again. ``entry_url`` is the page that listed the link.
        """
        url = clean_url(url) if url else url  # a newline in a feed's link must not forge a log line
        if not url or len(url) > URL_MAX or not is_http_url(url):
            self.count_error(source, "bad-link", url[:200] if url else url)
            return None
        return scrapy.Request(
            canonical_url(url),
            callback=self.parse_article,
            errback=self.on_error,
            cb_kwargs={"source": source, "published": published, "title": clean_line(title),
                       "lang": lang or source.lang},
            meta={"newsmon_source": source.name, "newsmon_kind": "article",
                  "newsmon_updated": updated, "newsmon_entry": entry_url},
        )

    def parse_article(
        self,
        response: Response,
        source: Source,
        published: datetime | None,
        title: str | None,
        lang: str | None,
    ) -> Iterable[PageItem]:
        self.crawler.stats.inc_value("newsmon/pages_fetched")
        self.crawler.stats.inc_value(f"newsmon/source/{source.name}/pages_fetched")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        if looks_binary(response.body):
            self.count_error(source, "binary-body", response.url, f"(served as {content_type or 'no type'})",
                             dropped=True)
            if self.tracker:
                self.tracker.page_done(response.request.url, source.name, response.status,
                                       response.meta.get("redirect_urls", []))
            return
        yield PageItem(
            url=canonical_url(response.request.url),
            fetched_url=response.url,
            source=source.name,
            body=response.body,
            content_type=content_type,
            encoding=page_encoding(response),
            fetched=datetime.now(timezone.utc).replace(tzinfo=None),
            hint_published=published,
            hint_title=title,
            hint_lang=lang,
        )

    # -- errors -------------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        source_name = request.meta.get("newsmon_source", "?")
        kind = error_kind(failure)
        self.crawler.stats.inc_value(f"newsmon/source/{source_name}/errors/{kind}")
        if request.meta.get("newsmon_kind") == "article":
            # An article page that failed counts among the pages dropped, with its reason.
            self.crawler.stats.inc_value("newsmon/pages_fetched")
            self.crawler.stats.inc_value(f"newsmon/dropped/{kind}")
            self.crawler.stats.inc_value(f"newsmon/source/{source_name}/article_errors")
            if self.tracker:
                if kind in PERMANENT:  # no need to ask again next run
                    self.tracker.page_done(request.url, source_name, _status(failure))
                else:  # ask its feed or sitemap in full next run, so the link comes back
                    self.tracker.mark_dirty(request.meta.get("newsmon_entry"))
        else:
            self.crawler.stats.inc_value(f"newsmon/errors/{kind}")
            if self.tracker:
                self.tracker.mark_dirty(request.url)
        detail = failure.getErrorMessage() or type(failure.value).__name__
        logger.warning("%s: %s (source %s): %s", kind, request.url, source_name, detail)

    def count_error(self, source: Source, kind: str, url: str | None, detail: str = "", dropped: bool = False,
                    entry: str | None = None) -> None:
        """Count and log a problem found while parsing a page (``dropped``: an article page).

        ``entry``: the entry page (feed, sitemap, listing) to read in full next run, so its
        error is seen again rather than hidden behind a 304.
        """
        self.crawler.stats.inc_value(f"newsmon/{'dropped' if dropped else 'errors'}/{kind}")
        self.crawler.stats.inc_value(f"newsmon/source/{source.name}/errors/{kind}")
        logger.warning("%s: %s (source %s) %s", kind, url, source.name, detail)
        if self.tracker and entry:
            self.tracker.mark_dirty(entry)


def entry_key(response: Response) -> str:
    """The URL an entry page is remembered by: the one asked for, before any redirect."""
    return response.request.meta.get("redirect_urls", [response.request.url])[0]


# Failures that another try tomorrow would not fix (until --refresh-days asks again).
PERMANENT = {"http-404", "http-410", "robots", "redirect-loop", "too-large",
             "binary-body", "bad-link"}


def _status(failure: Failure) -> int | None:
    response = getattr(failure.value, "response", None)
    return getattr(response, "status", None)


def error_kind(failure: Failure) -> str:
    """A short, stable name for why a request failed, used in stats and `newsmon status`."""
    from scrapy.exceptions import (
        CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
        DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
    )
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.defer import CancelledError
    from twisted.internet.error import (
        ConnectionDone, ConnectionLost, ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError,
    )
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

    if failure.check(HttpError):
        return f"http-{failure.value.response.status}"
    if failure.check(DNSLookupError, CannotResolveHostError):
        return "dns"
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return "timeout"
    if failure.check(ConnectionRefusedError, DownloadConnectionRefusedError):
        return "connection-refused"
    if failure.check(DownloadCancelledError, CancelledError):
        return "too-large"  # Scrapy cancels a download only when it passes DOWNLOAD_MAXSIZE
    if failure.check(ResponseDataLossError):
        return "truncated"
    if failure.check(ConnectionDone, ConnectionLost, ResponseFailed, ResponseNeverReceived):
        return "connection-lost"
    if failure.check(IgnoreRequest):
        message = str(failure.value)
        if "robots.txt" in message:
            return "robots"
        if "redirect" in message:
            return "redirect-loop"
        return "ignored"
    return type(failure.value).__name__.lower()
