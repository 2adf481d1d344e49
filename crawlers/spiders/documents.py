"""`documents`: crawls ``kind = "documents"`` sources, pages, feeds or sitemaps that list official
documents (HTML and PDF), and yields each file as a DocumentItem.

Its own item pipelines (raw archive, reading in worker processes, store) are set in
``custom_settings``, so article pipelines never see a PDF and document pipelines never see news.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from scrapy.http import Response, TextResponse

from crawlers.items import DocumentItem
from crawlers.sources import Source
from crawlers.entries import entry_key
from crawlers.spiders.news import NewsSpider
from newsmon import runstats
from newsmon.clock import utcnow
from newsmon.reasons import Reason
from newsmon.runstats import SourceCount, source_key
from newsmon.urls import canonical_url

# Without a link_pattern, a documents page's links to PDFs and to docs.un.org-style symbol paths.
DEFAULT_LINKS = re.compile(r"\.pdf$|/(?:A|S|E|ST)/[A-Z0-9.]+/", re.IGNORECASE)
_XML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(rss|feed|urlset|sitemapindex|rdf:RDF)\b", re.S)


class DocumentsSpider(NewsSpider):
    name = "documents"
    kinds = ("documents",)
    custom_settings = {
        "ITEM_PIPELINES": {
            "crawlers.pipelines.rawarchive.RawArchivePipeline": 100,
            "crawlers.pipelines.documents.DocumentReadPipeline": 200,
            "crawlers.pipelines.documents.DocumentStorePipeline": 400,
        },
    }

    def parse_documents(self, response: Response, source: Source) -> Iterable[Any]:
        """A feed or sitemap of documents is read as one; any other page as a list of links."""
        root = _XML_START.match(response.body[:2048])
        if root:
            kind = root.group(1)
            yield from (self.parse_sitemap if kind in ("urlset", "sitemapindex") else self.parse_feed)(response, source)
            return
        if not isinstance(response, TextResponse):
            self.count_error(source, Reason.BAD_LISTING, response.url, "not an HTML page", entry=entry_key(response))
            return
        pattern = source.link_pattern or DEFAULT_LINKS
        seen: set[str] = set()
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            if url in seen or not pattern.search(url):
                continue
            seen.add(url)
            request = self.article_request(url, source, entry_url=entry_key(response))
            if request:
                yield request

    def parse_article(self, response: Response, source: Source, published, title, lang) -> Iterable[DocumentItem]:
        """A document file: PDFs are binary, so no binary-body check here (the read pipeline judges)."""
        self.count(runstats.PAGES_FETCHED, runstats.DOCUMENTS_FETCHED,
                   source_key(source.name, SourceCount.PAGES_FETCHED))
        yield DocumentItem(
            url=canonical_url(response.request.url),
            fetched_url=response.url,
            source=source.name,
            body=response.body,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
            fetched=utcnow(),
            hint_title=title,
            hint_lang=lang,
        )
