"""What spiders yield: a fetched page with the hints its feed or sitemap gave about it."""
from __future__ import annotations

import scrapy


class PageItem(scrapy.Item):
    url = scrapy.Field()  # canonical URL of the article
    fetched_url = scrapy.Field()  # the URL the response came from (after redirects)
    source = scrapy.Field()  # name of the source in the sources file
    body = scrapy.Field()  # raw response body (bytes)
    content_type = scrapy.Field()
    encoding = scrapy.Field()  # the encoding the crawler found for body (crawlers.spiders.pages), or None
    fetched = scrapy.Field()  # naive UTC datetime
    hint_published = scrapy.Field()  # date the feed/sitemap gave, used when the page has none
    hint_title = scrapy.Field()
    hint_lang = scrapy.Field()
    # Filled by pipelines:
    raw_ref = scrapy.Field()
    article = scrapy.Field()  # newsmon.extraction.ExtractedArticle
    extracted_title = scrapy.Field()  # the title as read, before its source's repeated furniture was cut
    tags = scrapy.Field()  # classifier.Tags
    model_version = scrapy.Field()
    citations = scrapy.Field()  # newsmon.citations.Citation values found in the article (crawlers.pipelines.citations)
    drop_reason = scrapy.Field()  # why a pipeline dropped the page (e.g. no-article)


class DocumentItem(scrapy.Item):
    """An official document file (PDF or HTML) from a ``kind = "documents"`` source."""

    url = scrapy.Field()  # canonical URL of the file
    fetched_url = scrapy.Field()
    source = scrapy.Field()
    body = scrapy.Field()  # raw bytes
    content_type = scrapy.Field()
    fetched = scrapy.Field()  # naive UTC datetime
    hint_title = scrapy.Field()
    hint_lang = scrapy.Field()
    # Filled by pipelines:
    raw_ref = scrapy.Field()
    document = scrapy.Field()  # newsmon.documents.ReadDocument
    drop_reason = scrapy.Field()
    drop_detail = scrapy.Field()
