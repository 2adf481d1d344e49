"""Sitemaps, sitemap indexes and Google News sitemaps to links with their dates, parsed safely."""
from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from crawlers.xmlsafety import UnsafeXML, check_xml_safe
from newsmon.clock import to_stored

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed


class SitemapError(ValueError):
    pass


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    published: datetime | None = None
    title: str | None = None
    lang: str | None = None
    updated: datetime | None = None  # <lastmod>: when the page last changed


@dataclass
class Sitemap:
    is_index: bool
    entries: list[SitemapEntry] = field(default_factory=list)


def parse_sitemap(body: bytes) -> Sitemap:
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
                body = handle.read(MAX_SITEMAP_BYTES + 1)
        except OSError as exc:
            raise SitemapError(f"bad gzip: {exc}") from exc
        if len(body) > MAX_SITEMAP_BYTES:
            raise SitemapError("sitemap larger than 50 MB uncompressed")
    try:
        check_xml_safe(body)
    except UnsafeXML as exc:
        raise SitemapError(str(exc)) from exc
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"malformed XML: {exc}") from exc
    if root is None:
        raise SitemapError("empty or malformed XML")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"not a sitemap (root element <{kind}>)")
    sitemap = Sitemap(is_index=kind == "sitemapindex")
    for node in root:
        if not isinstance(node.tag, str):
            continue
        fields = _fields(node)
        if fields.get("loc"):
            sitemap.entries.append(
                SitemapEntry(
                    url=fields["loc"],
                    published=_parse_date(fields.get("publication_date") or fields.get("lastmod")),
                    title=fields.get("title"),
                    lang=fields.get("language"),
                    updated=_parse_date(fields.get("lastmod")),
                )
            )
    return sitemap


def _fields(node) -> dict[str, str]:
    """Flatten <url> children, including the news: extension's nested fields, by local name."""
    values: dict[str, str] = {}
    for child in node.iter():
        if child is node or not isinstance(child.tag, str):
            continue
        text = (child.text or "").strip()
        if text:
            values.setdefault(etree.QName(child).localname, text)
    return values


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return to_stored(parsed)
