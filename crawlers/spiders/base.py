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

from crawlers.items import PageItem
from crawlers.sources import Source, load_sources
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

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.sources_file or crawler.settings.get("NEWSMON_SOURCES")
        loaded = load_sources(path)
        for error in loaded.errors:
            crawler.stats.inc_value("newsmon/config_errors")
        spider.sources = [
            s for s in loaded.sources
            if s.kind in cls.kinds and (spider.only_source in (None, s.name))
        ]
        if spider.only_source and not spider.sources:
            logger.error("no source named %r of kind %s in %s", spider.only_source, "/".join(cls.kinds), path)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources:
            for url in source.urls:
                yield self.entry_request(url, source)

    # -- entry points -------------------------------------------------------------------------

    def entry_request(self, url: str, source: Source, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_entry,
            errback=self.on_error,
            cb_kwargs={"source": source},
            meta={"newsmon_source": source.name, "newsmon_kind": source.kind, **meta},
            dont_filter=True,
            priority=10,  # discover links before fetching articles
        )

    def parse_entry(self, response: Response, source: Source) -> Iterable[Any]:
        self.crawler.stats.inc_value(f"newsmon/source/{source.name}/entry_pages")
        parser = {"feed": self.parse_feed, "sitemap": self.parse_sitemap, "listing": self.parse_listing}
        yield from parser[source.kind](response, source)

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
    ) -> scrapy.Request | None:
        """A request for an article page, or None when the link is unusable or the source's quota is met."""
        if not url or not is_http_url(url):
            self.count_error(source, "bad-link", url)
            return None
        if source.max_articles and self.queued[source.name] >= source.max_articles:
            self.crawler.stats.inc_value(f"newsmon/source/{source.name}/over_max_articles")
            return None
        self.queued[source.name] += 1
        return scrapy.Request(
            canonical_url(url),
            callback=self.parse_article,
            errback=self.on_error,
            cb_kwargs={"source": source, "published": published, "title": title, "lang": lang or source.lang},
            meta={"newsmon_source": source.name, "newsmon_kind": "article"},
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
        yield PageItem(
            url=canonical_url(response.request.url),
            fetched_url=response.url,
            source=source.name,
            body=response.body,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
            fetched=datetime.now(timezone.utc).replace(tzinfo=None),
            hint_published=published,
            hint_title=title,
            hint_lang=lang,
        )

    # -- errors -------------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        source_name = request.meta.get("newsmon_source", "?")
        kind = _error_kind(failure)
        self.crawler.stats.inc_value(f"newsmon/source/{source_name}/errors/{kind}")
        if request.meta.get("newsmon_kind") == "article":
            # An article page that failed counts among the pages dropped, with its reason.
            self.crawler.stats.inc_value("newsmon/pages_fetched")
            self.crawler.stats.inc_value(f"newsmon/dropped/{kind}")
        else:
            self.crawler.stats.inc_value(f"newsmon/errors/{kind}")
        logger.warning("%s: %s (source %s): %s", kind, request.url, source_name, failure.getErrorMessage())

    def count_error(self, source: Source, kind: str, url: str | None, detail: str = "") -> None:
        self.crawler.stats.inc_value(f"newsmon/errors/{kind}")
        self.crawler.stats.inc_value(f"newsmon/source/{source.name}/errors/{kind}")
        logger.warning("%s: %s (source %s) %s", kind, url, source.name, detail)


def _error_kind(failure: Failure) -> str:
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import DNSLookupError, TimeoutError, TCPTimedOutError, ConnectionRefusedError

    if failure.check(HttpError):
        return f"http-{failure.value.response.status}"
    if failure.check(DNSLookupError):
        return "dns"
    if failure.check(TimeoutError, TCPTimedOutError):
        return "timeout"
    if failure.check(ConnectionRefusedError):
        return "connection-refused"
    from scrapy.exceptions import IgnoreRequest

    if failure.check(IgnoreRequest):
        return "ignored"
    return type(failure.value).__name__.lower()
