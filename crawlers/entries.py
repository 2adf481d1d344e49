"""Entry pages (feeds, sitemaps, listings) and the article requests they lead to, as requests say.

The spider marks its requests in ``meta``; the components that follow a request (fetch-state
middleware and extension) read the marks through these helpers rather than spelling the keys.
"""
from __future__ import annotations

from scrapy.http import Response


def is_article(meta: dict) -> bool:
    """A request (or response, by its meta) for an article page, not an entry page."""
    return meta.get("newsmon_kind") == "article"


def entry_key(response: Response) -> str:
    """The URL an entry page is remembered by: the one asked for, before any redirect."""
    return response.request.meta.get("redirect_urls", [response.request.url])[0]


def entry_state_kind(response: Response) -> str:
    """How an entry page is remembered in fetch_state: its source's kind, or ``sitemap-index``.

    A sitemap index is always asked in full next run: a 304 would hide its children.
    """
    meta = response.meta
    if meta.get("newsmon_index"):
        return "sitemap-index"
    return meta.get("newsmon_state_kind", meta.get("newsmon_kind"))
