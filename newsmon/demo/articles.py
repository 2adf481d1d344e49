"""The demo site's articles: one TOML file per article under ``articles/``, loaded on demand.

Each record says which channels publish it (rss, atom, sitemap, listing) so the site can give
every channel its own subset and a crawler has duplicates to fold together.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources

from newsmon.clock import as_published, iso, to_stored_with_offset

CHANNELS = frozenset({"rss", "atom", "sitemap", "listing"})
LANGUAGES = frozenset({"en", "fr", "es", "zh"})
TRACKING_QUERY = "utm_source=rss&utm_medium=feed"  # added to the feed link of ``tracked`` articles


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    author: str
    published: datetime  # naive UTC, for order and paths; ``local`` is what the page shows
    lang: str
    summary: str
    body: tuple[str, ...]
    channels: frozenset[str]
    topics: tuple[str, ...] = ()
    relevant: bool = True  # False for the few off-topic items a classifier should reject
    tracked: bool = False
    offset: int | None = None  # the page's UTC offset in minutes; None: its time is given without a zone
    modified: datetime | None = None  # naive UTC: when the page says it was last updated (a few pages)
    modified_offset: int | None = None

    @property
    def local(self) -> datetime:
        """The publication time as the page gives it, in its own offset (naive when it gives none)."""
        return as_published(self.published, self.offset)

    @property
    def modified_iso(self) -> str | None:
        return iso(self.modified, self.modified_offset)

    @property
    def path(self) -> str:
        return f"/news/{self.published:%Y}/{self.published:%m}/{self.slug}.html"

    @property
    def text(self) -> str:
        return "\n".join(self.body)

    @property
    def word_count(self) -> int:
        if self.lang == "zh":  # no spaces between words: count characters the way editors do
            return sum(len(p) for p in self.body) // 2
        return sum(len(p.split()) for p in self.body)


@lru_cache(maxsize=1)
def load_articles() -> tuple[DemoArticle, ...]:
    """All demo articles, oldest first; raises ValueError on a malformed data file."""
    folder = resources.files("newsmon.demo").joinpath("articles")
    articles = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            articles.append(_parse(entry.name, tomllib.loads(entry.read_text(encoding="utf-8"))))
    slugs = [a.slug for a in articles]
    if len(set(slugs)) != len(slugs):
        raise ValueError("duplicate slug among demo articles")
    return tuple(sorted(articles, key=lambda a: (a.published, a.slug)))


def _parse(name: str, data: dict) -> DemoArticle:
    try:
        published = data["published"]
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        published, offset = to_stored_with_offset(published)  # TOML gives offset or local date-times
        modified, modified_offset = to_stored_with_offset(data.get("modified"))
        article = DemoArticle(
            slug=data["slug"],
            title=data["title"].strip(),
            author=data["author"].strip(),
            published=published,
            lang=data["lang"],
            summary=" ".join(data["summary"].split()),
            body=tuple(" ".join(p.split()) for p in data["body"]),
            channels=frozenset(data["channels"]),
            topics=tuple(data.get("topics", ())),
            relevant=bool(data.get("relevant", True)),
            tracked=bool(data.get("tracked", False)),
            offset=offset,
            modified=modified,
            modified_offset=modified_offset,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{name}: bad demo article record ({exc!r})") from exc
    if not article.channels or not article.channels <= CHANNELS:
        raise ValueError(f"{name}: channels must be a non-empty subset of {sorted(CHANNELS)}")
    if article.lang not in LANGUAGES:
        raise ValueError(f"{name}: lang must be one of {sorted(LANGUAGES)}")
    return article
