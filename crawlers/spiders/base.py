"""The shared part of newsmon's spiders: read the sources file, request entry points, fetch articles.

Subclasses parse one kind of entry point (feed, sitemap, listing) into article links; every
article response becomes a PageItem. Extraction, tagging and storage happen in the pipelines.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers import signals
from crawlers.entries import is_article
from crawlers.failures import error_kind, failure_status
from crawlers.items import PageItem
from crawlers.sources import Source, load_sources
from crawlers.spiders.pages import looks_binary, page_encoding
from newsmon import runstats
from newsmon.clean import URL_MAX, clean_line, clean_url
from newsmon.clock import utcnow
from newsmon.reasons import Reason
from newsmon.runstats import SourceCount, source_key
from newsmon.settings import MAX_ARTICLES, SOURCES
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
        self.config_errors = 0

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.sources_file or crawler.settings.get(SOURCES.name)
        loaded = load_sources(path)
        spider.config_errors = len(loaded.errors)  # counted in start(): stats do not exist yet
        spider.default_max_articles = crawler.settings.getint(MAX_ARTICLES.name, 0) or None
        spider.sources = [
            s for s in loaded.sources
            if s.kind in cls.kinds and (spider.only_source in (None, s.name))
        ]
        if spider.only_source and not spider.sources:
            logger.error("no source named %r of kind %s in %s", spider.only_source, "/".join(cls.kinds), path)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.config_errors:
            self.crawler.stats.set_value(runstats.CONFIG_ERRORS, self.config_errors)
        for source in self.sources:
            for url in source.urls:
                yield self.entry_request(url, source)

    # -- entry points -------------------------------------------------------------------------
    # Which links are fetched (already seen, max_articles) and conditional requests are decided
    # on the way out, by crawlers.middlewares.fetchstate.

    def entry_request(self, url: str, source: Source, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_entry,
            errback=self.on_error,
            cb_kwargs={"source": source},
            meta={"newsmon_source": source.name, "newsmon_kind": source.kind,
                  "newsmon_max_articles": source.max_articles or getattr(self, "default_max_articles", None),
                  "handle_httpstatus_list": [304], **meta},
            dont_filter=True,
            priority=10,  # discover links before fetching articles
        )

    def parse_entry(self, response: Response, source: Source) -> Iterable[Any]:
        name = source.name
        self.count(source_key(name, SourceCount.ENTRY_PAGES))
        if response.status == 304:
            self.count(runstats.NOT_MODIFIED, source_key(name, SourceCount.NOT_MODIFIED))
            return
        found = list(getattr(self, f"parse_{source.kind}")(response, source))  # parse_feed, parse_sitemap...
        links = sum(1 for r in found if is_article(r.meta))
        self.crawler.stats.inc_value(source_key(name, SourceCount.LINKS_FOUND), links)
        yield from found

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
            self.count_error(source, Reason.BAD_LINK, url[:200] if url else url)
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
        self.count(runstats.PAGES_FETCHED, source_key(source.name, SourceCount.PAGES_FETCHED))
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        if looks_binary(response.body):
            self.count_error(source, Reason.BINARY_BODY, response.url, f"(served as {content_type or 'no type'})",
                             dropped=True)
            self.page_failed(response.request, source.name, Reason.BINARY_BODY, response.status,
                             response.meta.get("redirect_urls", []))
            return
        yield PageItem(
            url=canonical_url(response.request.url),
            fetched_url=response.url,
            source=source.name,
            body=response.body,
            content_type=content_type,
            encoding=page_encoding(response),
            fetched=utcnow(),
            hint_published=published,
            hint_title=title,
            hint_lang=lang,
        )

    # -- errors -------------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        source_name = request.meta.get("newsmon_source", "?")
        kind = error_kind(failure)
        self.count(runstats.source_error_key(source_name, kind))
        if is_article(request.meta):
            # An article page that failed counts among the pages dropped, with its reason.
            self.count(runstats.PAGES_FETCHED, runstats.dropped_key(kind),
                       source_key(source_name, SourceCount.ARTICLE_ERRORS))
            self.page_failed(request, source_name, kind, failure_status(failure))
        else:
            self.count(runstats.error_key(kind))
            self.crawler.signals.send_catch_log(signals.entry_failed, url=request.url)
        detail = failure.getErrorMessage() or type(failure.value).__name__
        logger.warning("%s: %s (source %s): %s", kind, request.url, source_name, detail)

    def count_error(self, source: Source, kind: str, url: str | None, detail: str = "", dropped: bool = False,
                    entry: str | None = None) -> None:
        """Count and log a problem found while parsing a page (``dropped``: an article page).

        ``entry``: the entry page (feed, sitemap, listing) to read in full next run, so its
        error is seen again rather than hidden behind a 304.
        """
        self.count(runstats.dropped_key(kind) if dropped else runstats.error_key(kind),
                   runstats.source_error_key(source.name, kind))
        logger.warning("%s: %s (source %s) %s", kind, url, source.name, detail)
        if entry:
            self.crawler.signals.send_catch_log(signals.entry_failed, url=entry)

    def page_failed(self, request: scrapy.Request, source: str, reason: str, status: int | None,
                    redirects: list[str] = ()) -> None:
        """Say that an article page gave no item (whoever keeps fetch state listens)."""
        self.crawler.signals.send_catch_log(
            signals.page_failed, url=request.url, source=source, reason=reason, status=status,
            entry=request.meta.get("newsmon_entry"), redirects=redirects,
        )

    def count(self, *keys: str) -> None:
        for key in keys:
            self.crawler.stats.inc_value(key)
