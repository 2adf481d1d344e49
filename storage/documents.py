"""UN documents and the articles that cite them: writing citation links and documents, and the
queries behind `newsmon documents`, `newsmon document` and `query --cites`.

Knows nothing of how citations are found (newsmon.citations) or how documents are fetched: callers
hand it symbols and plain values. A symbol cited by news but not stored has citation rows and no
document row; the listings show it as cited, with the link built from its symbol.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from newsmon.clock import article_time
from storage.models import Article, Citation, Document, DocumentFailure, DocumentVersion, FetchState


class CitedSymbol(Protocol):
    """One symbol an article cites and how it was written (newsmon.citations.Citation fits)."""

    symbol: str
    organ: str
    form: str  # official | news


def replace_citations(session: Session, found: Mapping[int, Sequence[CitedSymbol]]) -> int:
    """Set each article's citations to exactly ``found[article_id]``; returns the links written.

    Replacing (not adding) keeps a revised article's links true to its current text, and makes
    `documents --rescan` idempotent. The caller commits.
    """
    if not found:
        return 0
    session.execute(delete(Citation).where(Citation.article_id.in_(list(found))))
    written = 0
    for article_id, symbols in found.items():
        for cited in {c.symbol: c for c in symbols}.values():  # one link per symbol
            session.add(Citation(article_id=article_id, symbol=cited.symbol, organ=cited.organ, form=cited.form))
            written += 1
    session.flush()
    return written


@dataclass
class DocumentRecord:
    """One language version of a document, as the documents crawler read it."""

    symbol: str
    organ: str
    kind: str
    language: str
    url: str
    body: str
    title: str | None = None
    published: datetime | None = None
    source: str | None = None
    raw_ref: str | None = None
    content_type: str | None = None
    pages: int | None = None
    fetched: datetime | None = None


def upsert_document(session: Session, record: DocumentRecord, now: datetime) -> Document:
    """Store a document once per symbol, with one version per language (a newer copy replaces it)."""
    document = session.scalar(select(Document).where(Document.symbol == record.symbol))
    if document is None:
        document = Document(symbol=record.symbol, organ=record.organ, kind=record.kind, first_seen=now, updated=now)
        session.add(document)
        session.flush()
    if record.language == "en" or not document.title:
        document.title = record.title or document.title
    document.published = document.published or record.published
    document.source = document.source or record.source
    document.updated = now
    version = session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.language == record.language))
    if version is None:
        version = DocumentVersion(document_id=document.id, language=record.language)
        session.add(version)
    version.title, version.body, version.url = record.title, record.body, record.url
    version.raw_ref, version.content_type, version.pages = record.raw_ref, record.content_type, record.pages
    version.fetched = record.fetched or now
    session.flush()
    return document


def mark_stored(session: Session, url: str, source: str, now: datetime) -> None:
    """Remember a stored document's URL the way the article store remembers articles, so the
    incremental crawl does not fetch it again (crawlers.extensions.fetchstate)."""
    state = session.get(FetchState, url)
    if state is None:
        session.add(FetchState(url=url, source=source, kind="article", first_seen=now, last_fetched=now,
                               last_status=200))
    else:
        state.kind, state.last_fetched, state.last_status = "article", now, 200


def record_failure(session: Session, url: str, source: str, reason: str, detail: str, now: datetime) -> None:
    """Remember a document that could not be read (no text layer, encrypted, broken, too large)."""
    failure = session.get(DocumentFailure, url)
    if failure is None:
        session.add(DocumentFailure(url=url, source=source, reason=reason, detail=detail[:500], first_seen=now,
                                    last_seen=now))
    else:
        failure.reason, failure.detail, failure.last_seen = reason, detail[:500], now


def _article_date():
    return func.coalesce(Article.published, Article.first_seen)


def _story_key():
    """An article's story, or the article itself while it has none, so copies count once."""
    return func.coalesce(Article.story_id, -Article.id)


@dataclass
class DocumentSummary:
    symbol: str
    organ: str
    kind: str
    title: str | None
    stored: bool
    languages: tuple[str, ...]
    stories: int
    first_cited: datetime | None  # naive UTC, for order and --since
    last_cited: datetime | None
    first_shown: datetime | None = None  # the same dates as people read them: in the citing page's offset
    last_shown: datetime | None = None


def documents_overview(session: Session, since: datetime | None = None, organs: Sequence[str] = (),
                       limit: int | None = None) -> list[DocumentSummary]:
    """Cited and stored documents, most recently cited first, with how many stories cite them.

    ``since`` keeps documents cited (or stored) on or after that date.
    """
    cited = (
        select(Citation.symbol, func.min(Citation.organ).label("organ"),
               func.count(func.distinct(_story_key())).label("stories"),
               func.min(_article_date()).label("first"), func.max(_article_date()).label("last"))
        .join(Article, Article.id == Citation.article_id)
        .group_by(Citation.symbol)
    )
    rows: dict[str, DocumentSummary] = {}
    ends = _cited_ends(session)
    for symbol, organ, stories, first, last in session.execute(cited):
        rows[symbol] = DocumentSummary(symbol, organ, "", None, False, (), stories, first, last, *ends[symbol])
    documents = session.scalars(select(Document)).all()
    languages = _languages(session, [d.id for d in documents])
    for document in documents:
        row = rows.get(document.symbol) or DocumentSummary(document.symbol, document.organ, document.kind, None,
                                                           True, (), 0, None, None)
        row.title, row.kind, row.stored = document.title, document.kind, True
        row.organ, row.languages = document.organ, languages.get(document.id, ())
        rows[document.symbol] = row
    from newsmon.citations import kind_of  # the kind of a document we only know by its symbol

    result = []
    for row in rows.values():
        row.kind = row.kind or kind_of(row.symbol)
        if organs and row.organ not in organs:
            continue
        if since and not ((row.last_cited and row.last_cited >= since) or (not row.last_cited and row.stored)):
            continue
        result.append(row)
    result.sort(key=lambda r: (r.last_cited or datetime.min, r.symbol), reverse=True)
    return result[:limit] if limit else result


def _cited_ends(session: Session) -> dict[str, tuple[datetime, datetime]]:  # symbol -> (first, last)
    """Per symbol, the dates of its first and last citing articles as people read them
    (newsmon.clock.article_time): the day a page gave in its own offset, not the UTC day."""
    date = _article_date()
    ranked = (
        select(Citation.symbol, Article.published, Article.published_offset, Article.first_seen,
               func.row_number().over(partition_by=Citation.symbol, order_by=(date, Article.id)).label("up"),
               func.row_number().over(partition_by=Citation.symbol,
                                      order_by=(date.desc(), Article.id.desc())).label("down"))
        .join(Article, Article.id == Citation.article_id)
        .subquery("ranked")
    )
    first: dict[str, datetime] = {}
    last: dict[str, datetime] = {}
    for row in session.execute(select(ranked).where(or_(ranked.c.up == 1, ranked.c.down == 1))):
        shown = article_time(row.published, row.published_offset, row.first_seen)
        if row.up == 1:
            first[row.symbol] = shown
        if row.down == 1:
            last[row.symbol] = shown
    return {symbol: (first[symbol], last[symbol]) for symbol in first}


def _languages(session: Session, document_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    ids = list(document_ids)
    if not ids:
        return {}
    query = select(DocumentVersion.document_id, DocumentVersion.language).where(DocumentVersion.document_id.in_(ids))
    for document_id, language in session.execute(query.order_by(DocumentVersion.language)):
        found.setdefault(document_id, []).append(language)
    return {k: tuple(v) for k, v in found.items()}


@dataclass
class DocumentDetail:
    symbol: str
    document: Document | None
    versions: list[DocumentVersion] = field(default_factory=list)
    citing: list[Article] = field(default_factory=list)  # oldest first


def document_detail(session: Session, symbol: str) -> DocumentDetail | None:
    """A document's stored versions and the articles citing it over time; None when neither exists."""
    document = session.scalar(select(Document).where(Document.symbol == symbol))
    versions = []
    if document is not None:
        versions = list(session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                                        .order_by(DocumentVersion.language)))
    citing = list(session.scalars(
        select(Article).join(Citation, Citation.article_id == Article.id).where(Citation.symbol == symbol)
        .order_by(_article_date(), Article.id)))
    if document is None and not citing:
        return None
    return DocumentDetail(symbol, document, versions, citing)


def citations_of(session: Session, article_ids: Sequence[int]) -> dict[int, list[str]]:
    """The symbols each article cites, for digests and the story view."""
    found: dict[int, list[str]] = {}
    if not article_ids:
        return found
    query = select(Citation.article_id, Citation.symbol).where(Citation.article_id.in_(list(article_ids)))
    for article_id, symbol in session.execute(query.order_by(Citation.article_id, Citation.symbol)):
        found.setdefault(article_id, []).append(symbol)
    return found


def cites_clause(symbols: Sequence[str]):
    """A WHERE clause for articles citing any of ``symbols`` (`newsmon query --cites`)."""
    from sqlalchemy import exists

    return exists().where(Citation.article_id == Article.id, Citation.symbol.in_(list(symbols)))
