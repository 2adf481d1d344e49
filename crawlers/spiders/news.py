"""Spiders for every kind of source: `news` crawls them all; `feeds`, `sitemaps`, `listings` one kind."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Response, TextResponse

from crawlers.feeds import FeedError, parse_feed
from crawlers.sitemaps import SitemapError, parse_sitemap
from crawlers.sources import Source
from crawlers.xmlsafety import UnsafeXML
from crawlers.entries import entry_key
from crawlers.spiders.base import SourcesSpider
from newsmon.reasons import Reason
from newsmon.urls import canonical_url

MAX_SITEMAP_DEPTH = 3  # index -> index -> urlset is the deepest real sites go


class NewsSpider(SourcesSpider):
    name = "news"

    def parse_feed(self, response: Response, source: Source) -> Iterable[Any]:
        try:
            entries = parse_feed(response.body)
        except FeedError as exc:
            self.count_error(source, _xml_error_kind(exc, Reason.BAD_FEED), response.url, str(exc), entry=entry_key(response))
            return
        for entry in entries:
            request = self.article_request(
                response.urljoin(entry.url), source, published=entry.published, title=entry.title,
                updated=entry.updated, entry_url=entry_key(response),
            )
            if request:
                yield request

    def parse_sitemap(self, response: Response, source: Source) -> Iterable[Any]:
        try:
            sitemap = parse_sitemap(response.body)
        except SitemapError as exc:
            self.count_error(source, _xml_error_kind(exc, Reason.BAD_SITEMAP), response.url, str(exc),
                             entry=entry_key(response))
            return
        if sitemap.is_index:
            response.meta["newsmon_index"] = True
            seen = response.meta.get("newsmon_sitemaps", ()) + (canonical_url(response.url),)
            if len(seen) > MAX_SITEMAP_DEPTH:
                self.count_error(source, Reason.SITEMAP_TOO_DEEP, response.url, entry=entry_key(response))
                return
            for entry in sitemap.entries:
                url = response.urljoin(entry.url)
                if canonical_url(url) in seen:
                    self.count_error(source, Reason.SITEMAP_LOOP, url, f"listed by {response.url}")
                    continue
                yield self.entry_request(url, source, newsmon_sitemaps=seen, newsmon_state_kind="sitemap")
            return
        for entry in sitemap.entries:
            request = self.article_request(
                response.urljoin(entry.url), source, published=entry.published, title=entry.title,
                lang=entry.lang, updated=entry.updated, entry_url=entry_key(response),
            )
            if request:
                yield request

    def parse_listing(self, response: Response, source: Source) -> Iterable[Any]:
        if not isinstance(response, TextResponse):
            self.count_error(source, Reason.BAD_LISTING, response.url, "not an HTML page", entry=entry_key(response))
            return
        seen: set[str] = set()
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            if not source.link_pattern.search(url) or url in seen:
                continue
            seen.add(url)
            request = self.article_request(url, source, entry_url=entry_key(response))
            if request:
                yield request


def _xml_error_kind(exc: Exception, default: Reason) -> Reason:
    """XML bombs and external entities get their own kind: an attack, not a broken feed."""
    return Reason.UNSAFE_XML if isinstance(exc.__cause__, UnsafeXML) else default


class FeedsSpider(NewsSpider):
    name = "feeds"
    kinds = ("feed",)


class SitemapsSpider(NewsSpider):
    name = "sitemaps"
    kinds = ("sitemap",)


class ListingsSpider(NewsSpider):
    name = "listings"
    kinds = ("listing",)
