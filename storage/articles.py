"""Writing articles: one row per canonical URL; a changed text becomes a revision, never a duplicate."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsmon.clean import AUTHOR_MAX, SITE_MAX, TITLE_MAX, URL_MAX, clean_line, clean_text, clean_url
from newsmon.clock import to_stored_with_offset, utcnow
from storage.batches import chunks
from storage.models import Article, ArticleRevision, FetchState
from storage.tagging import apply_tags


class StoryAssigner(Protocol):
    def assign(self, session: Session, article: Article) -> int: ...


@dataclass
class ArticleRecord:
    """Plain values for one article, as extraction produced them."""

    url: str  # canonical
    fetched_url: str
    source: str
    text: str
    title: str | None = None
    published: datetime | None = None  # aware when the page gave an offset; naive: wall clock, zone unknown
    author: str | None = None
    language: str | None = None
    site: str | None = None
    raw_ref: str | None = None
    encoding: str | None = None  # what the raw page was decoded with
    fetched: datetime | None = None
    tags: Any = None  # classifier.Tags (relevance, relevant, topics) or None
    model_version: str | None = None
    # newsmon.citations.Citation values the article cites (None: not scanned, keep the links)
    citations: Any = None
    modified: datetime | None = None  # the page's last-modified time, like ``published``
    # The title as read from the page alone, when ``title`` lost furniture its source repeats
    # (newsmon.sourcefurniture); None: the same as ``title``
    extracted_title: str | None = None

    def __post_init__(self) -> None:
        """Scraped strings are cleaned here, the one door every write goes through (newsmon.clean)."""
        self.url = clean_url(self.url)
        self.fetched_url = clean_url(self.fetched_url)[:URL_MAX]
        self.text = clean_text(self.text)
        self.title = clean_line(self.title, TITLE_MAX)
        self.extracted_title = _extracted_title(self.title, self.extracted_title)
        self.author = clean_line(self.author, AUTHOR_MAX)
        self.site = clean_line(self.site, SITE_MAX)


@dataclass
class UpsertResult:
    inserted: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _set_dates(article: Article, record: ArticleRecord) -> None:
    """The page's dates as stored (naive UTC) with their offsets; a date the page no longer gives is kept."""
    if record.published is not None:
        article.published, article.published_offset = to_stored_with_offset(record.published)
    if record.modified is not None:
        article.modified, article.modified_offset = to_stored_with_offset(record.modified)


def has_new_dates(article: Article, published: datetime | None, modified: datetime | None) -> bool:
    """Whether a fresh reading of an unchanged page dates it otherwise than stored (a date it no
    longer gives is kept, as in :func:`upsert_articles`)."""
    return (published is not None
            and to_stored_with_offset(published) != (article.published, article.published_offset)) or (
        modified is not None and to_stored_with_offset(modified) != (article.modified, article.modified_offset))


def redate(session: Session, article_id: int, published: datetime | None, modified: datetime | None) -> None:
    """Set the dates read again from an unchanged page (``newsmon reextract`` after an extractor
    upgrade, or on rows stored before offsets were kept) in place: the text did not change, so no revision."""
    article = session.get(Article, article_id)
    _set_dates(article, ArticleRecord(url=article.url, fetched_url=article.fetched_url, source=article.source,
                                      text=article.text, published=published, modified=modified))


def recent_titles(session: Session, source: str, limit: int) -> list[str]:
    """The titles of the source's latest ``limit`` articles as extracted, newest first: one query
    on the source index, for comparing a new page's title with its siblings'."""
    query = (select(func.coalesce(Article.extracted_title, Article.title))
             .where(Article.source == source, Article.title.is_not(None))
             .order_by(Article.id.desc()).limit(limit))
    return list(session.scalars(query))


def titles_as_read(session: Session, source: str, urls: Sequence[str]) -> list[tuple[int, str]]:
    """(id, title as extracted) of the source's stored articles at ``urls``, for judging their
    titles again once the source has siblings."""
    found: list[tuple[int, str]] = []
    for batch in chunks(list(urls)):
        found += session.execute(
            select(Article.id, func.coalesce(Article.extracted_title, Article.title))
            .where(Article.source == source, Article.url.in_(batch), Article.title.is_not(None))
            .order_by(Article.id)).all()
    return found


def retitle(session: Session, article_id: int, title: str | None, extracted_title: str | None) -> bool:
    """Set the title read again from an unchanged page in place (no revision: the text is the
    same); a page that gives no title keeps the stored one. Whether anything changed."""
    title = clean_line(title, TITLE_MAX)
    extracted_title = _extracted_title(title, extracted_title)
    article = session.get(Article, article_id)
    if title is None or (title, extracted_title) == (article.title, article.extracted_title):
        return False
    article.title, article.extracted_title = title, extracted_title
    return True


def _extracted_title(title: str | None, extracted_title: str | None) -> str | None:
    """The title as extracted, cleaned, when it is not the (cleaned) title itself."""
    extracted_title = clean_line(extracted_title, TITLE_MAX)
    return None if extracted_title == title else extracted_title


def upsert_articles(
    session: Session, records: Sequence[ArticleRecord], stories: StoryAssigner | None = None
) -> UpsertResult:
    """Insert new articles, revise changed ones, touch unchanged ones; the caller commits.

    One SELECT for the batch's articles, one for their fetch states and one flush for the new
    rows: a batch costs a few statements, not a few per article.
    """
    result = UpsertResult()
    by_url = {r.url: r for r in records}  # the last copy of a URL in one batch wins
    urls = list(by_url)
    existing = {a.url: a for a in session.scalars(select(Article).where(Article.url.in_(urls)))}
    states = {f.url: f for f in session.scalars(select(FetchState).where(FetchState.url.in_(urls)))}
    changed: list[tuple[Article, ArticleRecord]] = []
    for url, record in by_url.items():
        now = record.fetched or utcnow()
        digest = text_hash(record.text)
        article = existing.get(url)
        if article is None:
            article = Article(
                url=url, fetched_url=record.fetched_url, source=record.source, title=record.title,
                extracted_title=record.extracted_title,
                text=record.text, author=record.author,
                language=record.language, site=record.site, raw_ref=record.raw_ref,
                encoding=record.encoding, content_hash=digest, first_seen=now, updated=now,
            )
            _set_dates(article, record)
            session.add(article)
            changed.append((article, record))
        elif article.content_hash != digest:
            session.add(ArticleRevision(
                article_id=article.id, title=article.title, text=article.text,
                content_hash=article.content_hash, raw_ref=article.raw_ref, fetched=article.updated,
            ))
            article.title, article.text, article.content_hash = record.title, record.text, digest
            article.extracted_title = record.extracted_title
            article.raw_ref, article.updated, article.fetched_url = record.raw_ref, now, record.fetched_url
            article.encoding = record.encoding
            _set_dates(article, record)
            article.author = record.author or article.author
            article.language = record.language or article.language
            changed.append((article, record))
            result.updated.append(article.id)
        else:
            result.unchanged.append(article.id)
        state = states.get(url)
        if state is None:
            session.add(FetchState(url=url, source=record.source, kind="article", first_seen=now,
                                   last_fetched=now, last_status=200))
        else:
            state.last_fetched, state.last_status = now, 200
    session.flush()  # new articles get their ids here
    scanned = {article.id: record.citations for article, record in changed if record.citations is not None}
    if scanned:
        from storage.documents import replace_citations

        replace_citations(session, scanned)
    for article, record in changed:
        if article.id not in result.updated:
            result.inserted.append(article.id)
        if record.tags is not None:
            apply_tags(session, article, record.tags, record.model_version)
        if stories is not None:
            stories.assign(session, article)
    return result
