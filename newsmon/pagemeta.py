"""What a page says about itself in its markup: `<meta>` tags and schema.org JSON-LD, read once.

Headline (newsmon.headline) and dates (newsmon.pagedates) both start from these facts. They are
read from the page as fetched, before any pruning for the body. Scraped markup is untrusted:
malformed JSON-LD is skipped, and every value is a plain string.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

# schema.org types whose headline and dates are the article's own (not a list, site or breadcrumb)
_ARTICLE_TYPES = ("article", "posting", "report", "review", "story", "blog", "creativework", "webpage")
_NOT_ARTICLE_TYPES = ("breadcrumb", "itemlist", "website", "organization", "person", "imageobject",
                      "videoobject", "searchaction", "collectionpage")
_MAX_JSONLD_CHARS = 500_000  # a bigger script is data, not page metadata


@dataclass
class PageFacts:
    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name/property -> contents
    articles: list[dict] = field(default_factory=list)  # JSON-LD objects of article-like types
    site_names: list[str] = field(default_factory=list)  # publisher / WebSite names in JSON-LD
    lang: str | None = None  # the page's declared language, as written (<html lang>, content-language)

    def first(self, *names: str) -> str | None:
        """The first non-empty content among these meta names, in the order given."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None


def read_facts(tree) -> PageFacts:
    facts = PageFacts()
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content:
            facts.meta.setdefault(key.strip().lower(), []).append(content)
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        for obj in _objects(_load(script.text)):
            kind = _type_of(obj)
            if kind in {"website", "organization", "newsmediaorganization"}:
                _add_name(facts.site_names, obj.get("name"))
            elif any(t in kind for t in _ARTICLE_TYPES) and not any(t in kind for t in _NOT_ARTICLE_TYPES):
                facts.articles.append(obj)
                publisher = obj.get("publisher")
                for pub in publisher if isinstance(publisher, list) else [publisher]:
                    if isinstance(pub, dict):
                        _add_name(facts.site_names, pub.get("name"))
    # article types first, a bare WebPage last: its name is often the <title> with the site's name
    facts.articles.sort(key=lambda obj: _type_of(obj) == "webpage")
    lang = tree.get("lang") or tree.get("xml:lang") or facts.first("content-language", "og:locale")
    facts.lang = lang.strip() if lang else None
    return facts


def _load(text: str | None):
    if not text or len(text) > _MAX_JSONLD_CHARS:
        return None
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # malformed, or nested deeper than the parser goes
        return None


def _objects(data, depth: int = 0) -> Iterator[dict]:
    """Top-level objects, those of an @graph, and those of lists; not nested properties."""
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if graph is not None:
            yield from _objects(graph, depth + 1)
        if "@type" in data:
            yield data
        main = data.get("mainEntity")
        if isinstance(main, dict):
            yield from _objects(main, depth + 1)


def _type_of(obj: dict) -> str:
    kind = obj.get("@type")
    if isinstance(kind, list):
        kind = " ".join(k for k in kind if isinstance(k, str))
    return kind.lower() if isinstance(kind, str) else ""


def _add_name(names: list[str], value) -> None:
    if isinstance(value, str) and value.strip() and value.strip() not in names:
        names.append(value.strip())


def text_of(value) -> str | None:
    """A JSON-LD property as one string (the first of a list; a nested object's @value)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None
