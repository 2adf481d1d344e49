"""RSS and Atom feeds to article links, with feedparser; XML bombs are refused before parsing."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

import feedparser

from crawlers.xmlsafety import UnsafeXML, check_xml_safe
from newsmon.clock import from_timestamp


class FeedError(ValueError):
    """The body is not a usable feed; the message says why."""


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str | None
    published: datetime | None
    updated: datetime | None


def parse_feed(body: bytes) -> list[FeedEntry]:
    try:
        check_xml_safe(body)
    except UnsafeXML as exc:
        raise FeedError(str(exc)) from exc
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("not an RSS or Atom feed")
    entries = []
    for entry in parsed.entries:
        url = entry.get("link") or _first_link(entry)
        if not url:
            continue
        published = _to_datetime(entry.get("published_parsed") or entry.get("created_parsed"))
        updated = _to_datetime(entry.get("updated_parsed"))
        entries.append(FeedEntry(url.strip(), entry.get("title"), published or updated, updated))
    if parsed.bozo and not entries:  # broken XML that yields nothing usable: say why
        raise FeedError(f"malformed feed: {parsed.get('bozo_exception')}")
    return entries


def _first_link(entry) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _to_datetime(value) -> datetime | None:
    """feedparser gives UTC struct_time; store naive UTC."""
    if not value:
        return None
    return from_timestamp(calendar.timegm(value))
