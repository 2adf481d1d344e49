"""Analysts' queries: filter articles by date, source, language, topic and full text."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from storage.fulltext import matches
from storage.models import Article, ArticleTopic


@dataclass
class ArticleFilter:
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    sources: Sequence[str] = field(default_factory=tuple)
    languages: Sequence[str] = field(default_factory=tuple)
    search: str | None = None
    topics: Sequence[str] = field(default_factory=tuple)  # any of them
    min_confidence: float = 0.0
    relevant_only: bool = False
    cites: Sequence[str] = field(default_factory=tuple)  # UN document symbols: any of them
    limit: int | None = 50
    offset: int = 0  # rows to skip, for paging


def article_date():
    """An article's date for filtering and ordering: published, else when we first saw it."""
    return func.coalesce(Article.published, Article.first_seen)


def filtered(dialect: str, f: ArticleFilter) -> Select[tuple[Article]]:
    """The SELECT for ``f`` without order or limit, so other queries (stories, digests) can reuse it."""
    query = select(Article)
    if f.since:
        query = query.where(article_date() >= f.since)
    if f.until:
        query = query.where(article_date() < f.until)
    if f.sources:
        query = query.where(Article.source.in_(list(f.sources)))
    if f.languages:
        query = query.where(Article.language.in_(list(f.languages)))
    if f.search and f.search.strip():  # blank is no search (and not an FTS5 syntax error)
        query = query.where(matches(dialect, f.search))
    if f.topics or f.min_confidence:
        topic = exists().where(ArticleTopic.article_id == Article.id, ArticleTopic.confidence >= f.min_confidence)
        if f.topics:
            topic = topic.where(ArticleTopic.label.in_(list(f.topics)))
        query = query.where(topic)
    if f.relevant_only:
        query = query.where(Article.relevant.is_(True))
    if f.cites:
        from storage.documents import cites_clause

        query = query.where(cites_clause(f.cites))
    return query


def find_articles(session: Session, f: ArticleFilter) -> list[Article]:
    query = filtered(session.get_bind().dialect.name, f).order_by(article_date().desc(), Article.id.desc())
    if f.limit:
        query = query.limit(f.limit)
    if f.offset:
        query = query.offset(f.offset)
    return list(session.scalars(query))


def count_matching(session: Session, f: ArticleFilter, *, stories: bool = False) -> int:
    """How many articles (or distinct stories) match ``f``, ignoring its limit: "50 of 812 shown"."""
    query = filtered(session.get_bind().dialect.name, f)
    column = func.count(func.distinct(Article.story_id)) if stories else func.count(Article.id)
    return session.scalar(query.with_only_columns(column).order_by(None)) or 0


def known_sources(session: Session) -> set[str]:
    """Every source name that has an article or was ever crawled."""
    from storage.models import CrawlRunSource

    stored = session.scalars(select(Article.source).distinct())
    crawled = session.scalars(select(CrawlRunSource.source).distinct())
    return set(stored) | set(crawled)
