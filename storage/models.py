"""Typed SQLAlchemy models: pure data, no I/O, no HTML.

All datetimes are naive UTC (SQLite keeps no time zone; PostgreSQL columns are
``timestamp without time zone``), so comparisons behave the same on both; ``newsmon.clock``
converts times to and from that form.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from newsmon.clock import article_time


class Base(DeclarativeBase):
    pass


class Story(Base):
    """One news story: every copy of the same text, across outlets, runs and URLs."""

    __tablename__ = "story"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime, index=True)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    # The table still has a nullable ``signature`` column (0001), no longer written or read: the
    # index is rebuilt from ``article_signature``. It stays until a migration rebuilds the table.

    articles: Mapped[list[Article]] = relationship(back_populates="story")


class Article(Base):
    """A stored article, unique by its canonical URL."""

    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)  # canonical form
    fetched_url: Mapped[str] = mapped_column(String(2048))
    source: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(Text, default=None)
    # The title as read from the page alone, when ``title`` lost furniture its source repeats on
    # every page (NULL: the same as ``title``); the next pages of the source are compared with it.
    extracted_title: Mapped[str | None] = mapped_column(Text, default=None)
    text: Mapped[str] = mapped_column(Text)
    # The page's own times, naive UTC (so coalesce(published, first_seen) sorts true instants), each
    # with the UTC offset the page gave in minutes (None: no zone given; newsmon.clock shows them).
    published: Mapped[datetime | None] = mapped_column(DateTime, index=True, default=None)
    published_offset: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    modified: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    modified_offset: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    author: Mapped[str | None] = mapped_column(Text, default=None)
    language: Mapped[str | None] = mapped_column(String(16), index=True, default=None)
    site: Mapped[str | None] = mapped_column(String(300), default=None)
    raw_ref: Mapped[str | None] = mapped_column(String(64), default=None)  # sha256 of the raw body
    # What the crawl decoded the raw body with, so reextract decodes it the same way.
    encoding: Mapped[str | None] = mapped_column(String(40), default=None)
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the extracted text
    first_seen: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated: Mapped[datetime] = mapped_column(DateTime)
    relevance: Mapped[float | None] = mapped_column(Float, default=None)
    # The verdict: the model's (its threshold is tuned per version) or an analyst's correction.
    # Indexed with source only (ix_article_source_relevant, migration 0011): true for ~40% of
    # articles, alone it only tempted PostgreSQL to AND a 400,000-row bitmap into other filters.
    relevant: Mapped[bool | None] = mapped_column(Boolean, default=None)
    model_version: Mapped[str | None] = mapped_column(String(64), default=None)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("story.id"), index=True, default=None)

    story: Mapped[Story | None] = relationship(back_populates="articles")
    topics: Mapped[list[ArticleTopic]] = relationship(
        back_populates="article", cascade="all, delete-orphan", lazy="selectin"
    )
    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleRevision.id"
    )

    @property
    def shown_date(self) -> datetime:
        """The date people read: published in the page's offset, else first seen (UTC)."""
        return article_time(self.published, self.published_offset, self.first_seen)


class ArticleRevision(Base):
    """A previous version of an article's text, kept when its page changed."""

    __tablename__ = "article_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(Text, default=None)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    raw_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    fetched: Mapped[datetime] = mapped_column(DateTime)

    article: Mapped[Article] = relationship(back_populates="revisions")


class ArticleTopic(Base):
    """A topic tag on an article: the model's, or an analyst's correction (origin='analyst')."""

    __tablename__ = "article_topic"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    confidence: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16), default="model")
    # The article's date (coalesce(published, first_seen)) and story, copied by the database's
    # triggers (migration 0011) and never written from Python: a topic's newest tags, and its
    # stories, are one index walk.
    article_date: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    story_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The day its page gave (the date in the page's own offset, newsmon.clock.article_time), kept
    # by triggers too (migration 0012): the chart counts each story on it, in the index alone.
    page_day: Mapped[date | None] = mapped_column(Date, nullable=True)

    article: Mapped[Article] = relationship(back_populates="topics")


class Correction(Base):
    """An analyst's verdict on one label of one article; it wins over the model."""

    __tablename__ = "correction"
    __table_args__ = (UniqueConstraint("article_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(64))  # a topic, or "relevant"
    value: Mapped[bool] = mapped_column(Boolean)
    created: Mapped[datetime] = mapped_column(DateTime)
    analyst: Mapped[str | None] = mapped_column(String(100), default=None)  # who; None from the CLI


class FetchState(Base):
    """What the crawler knows about a URL across runs: seen pages and conditional-request validators."""

    __tablename__ = "fetch_state"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)  # canonical form
    source: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # article | feed | sitemap | listing
    etag: Mapped[str | None] = mapped_column(String(512), default=None)
    last_modified: Mapped[str | None] = mapped_column(String(64), default=None)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_fetched: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    entry_updated: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class CrawlRun(Base):
    """One crawl, with its stats per source, for `newsmon status`."""

    __tablename__ = "crawl_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started: Mapped[datetime] = mapped_column(DateTime, index=True)
    finished: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    status: Mapped[str] = mapped_column(String(32), default="running")
    stats: Mapped[dict] = mapped_column(JSON, default=dict)

    sources: Mapped[list[CrawlRunSource]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )


class CrawlRunSource(Base):
    __tablename__ = "crawl_run_source"

    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_run.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    articles_stored: Mapped[int] = mapped_column(Integer, default=0)
    no_article: Mapped[int] = mapped_column(Integer, default=0)
    no_date: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[dict] = mapped_column(JSON, default=dict)  # kind -> count

    run: Mapped[CrawlRun] = relationship(back_populates="sources")


class Delivery(Base):
    """Ledger: which story went to which subscription, so it is never sent twice."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("subscription", "story_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription: Mapped[str] = mapped_column(String(200), index=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    delivered: Mapped[datetime] = mapped_column(DateTime)


Index("ix_article_source_published", Article.source, Article.published)
# storage.queries.article_date(): every listing orders by it (migration 0007).
Index("ix_article_date", func.coalesce(Article.published, Article.first_seen), Article.id)
Index("ix_article_source_date", Article.source, func.coalesce(Article.published, Article.first_seen), Article.id)
Index("ix_article_story_newest", Article.story_id, Article.first_seen, Article.id)
Index("ix_article_topic_label_confidence", ArticleTopic.label, ArticleTopic.confidence, ArticleTopic.article_id)
Index("ix_article_source_relevant", Article.source, Article.relevant)
Index("ix_article_topic_label_date", ArticleTopic.label, ArticleTopic.article_date, ArticleTopic.article_id,
      ArticleTopic.confidence, ArticleTopic.story_id)
# The chart: a topic's stories per day its pages gave, in order (migration 0012).
Index("ix_article_topic_label_day", ArticleTopic.label, ArticleTopic.page_day, ArticleTopic.story_id,
      ArticleTopic.article_date, ArticleTopic.confidence, ArticleTopic.article_id)


class ArticleSignature(Base):
    """MinHash signature of an article's current text (newsmon.dedup), so the story index is
    rebuilt at start from these rows instead of re-reading every text."""

    __tablename__ = "article_signature"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column()


class Analyst(Base):
    """An account that may correct tags in the web workbench; the password is an argon2 hash."""

    __tablename__ = "analyst"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(DateTime)


class Document(Base):
    """A UN document stored from a documents source: once per symbol, with its language versions.

    A symbol that news cites but the store lacks has Citation rows and no Document row.
    """

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(120), unique=True)  # official form, e.g. A/RES/78/265
    organ: Mapped[str] = mapped_column(String(16), index=True)  # GA, SC, HRC, ECOSOC, or the series prefix
    kind: Mapped[str] = mapped_column(String(16))  # resolution, draft, record, report...
    title: Mapped[str | None] = mapped_column(Text, default=None)
    published: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    source: Mapped[str | None] = mapped_column(String(200), default=None)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    updated: Mapped[datetime] = mapped_column(DateTime)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentVersion.language"
    )


class DocumentVersion(Base):
    """One language version of a document (a UN symbol exists in up to six languages)."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(Text, default=None)
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(2048))
    raw_ref: Mapped[str | None] = mapped_column(String(64), default=None)  # sha256 of the raw file (RawStore)
    content_type: Mapped[str | None] = mapped_column(String(100), default=None)
    pages: Mapped[int | None] = mapped_column(Integer, default=None)  # PDF pages
    fetched: Mapped[datetime] = mapped_column(DateTime)

    document: Mapped[Document] = relationship(back_populates="versions")


class Citation(Base):
    """An article cites a UN document, by its official symbol (newsmon.citations)."""

    __tablename__ = "citation"

    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)
    organ: Mapped[str] = mapped_column(String(16))
    form: Mapped[str] = mapped_column(String(16))  # official | news: how the article wrote it


class DocumentFailure(Base):
    """A document file that could not be read, with the reason: no text layer, encrypted, broken, too large."""

    __tablename__ = "document_failure"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
