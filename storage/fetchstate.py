"""What the crawler remembers about URLs between runs: pages it has fetched, and entry pages' validators.

Rows are keyed by canonical URL. ``kind`` says what the URL is:

- ``article``: a stored article (written with the article by ``storage.articles``);
- ``page``: a page fetched that held no article, failed for good (404, 410, robots) or redirected
  to a stored one, so the next run need not ask again;
- ``feed``, ``sitemap``, ``listing``: entry pages, with their ETag / Last-Modified;
- ``sitemap-index``: a sitemap index; always asked in full, since a 304 would hide its children.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.batches import chunks
from storage.models import FetchState

PAGE_KINDS = ("article", "page")
ENTRY_KINDS = ("feed", "sitemap", "sitemap-index", "listing", "documents")
MAX_URL = 2048  # FetchState.url's length


@dataclass(frozen=True)
class KnownPage:
    """Enough of a FetchState row to decide whether to fetch a page again."""

    kind: str
    last_fetched: datetime | None
    entry_updated: datetime | None
    last_status: int | None


@dataclass(frozen=True)
class Validators:
    kind: str
    etag: str | None
    last_modified: str | None


@dataclass
class StateUpdate:
    """One fact learnt during a run, written at its end."""

    url: str
    source: str
    kind: str
    when: datetime
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    entry_updated: datetime | None = None


def _rows(session: Session, urls: Iterable[str], kinds: Sequence[str]) -> list[FetchState]:
    unique = list(dict.fromkeys(urls))
    rows: list[FetchState] = []
    for chunk in chunks(unique):
        rows.extend(session.scalars(
            select(FetchState).where(FetchState.url.in_(chunk), FetchState.kind.in_(kinds))
        ))
    return rows


def known_pages(session: Session, urls: Iterable[str]) -> dict[str, KnownPage]:
    """The article and page rows among ``urls``, in one query per 500 URLs."""
    return {
        row.url: KnownPage(row.kind, row.last_fetched, row.entry_updated, row.last_status)
        for row in _rows(session, urls, PAGE_KINDS)
    }


def entry_validators(session: Session, urls: Iterable[str]) -> dict[str, Validators]:
    return {
        row.url: Validators(row.kind, row.etag, row.last_modified)
        for row in _rows(session, urls, ENTRY_KINDS)
    }


def save_states(session: Session, updates: Sequence[StateUpdate]) -> None:
    """Insert or update one row per URL; the caller commits.

    An ``article`` update only adds its entry date to the row the article store wrote (and is
    ignored when that row is missing: the article was not stored). An ``article`` row is never
    turned into a ``page`` row, so a later failed fetch cannot hide that the article is stored.
    """
    latest: dict[str, StateUpdate] = {}
    for update in updates:
        if len(update.url) > MAX_URL:  # the column's size: such a page is simply fetched again
            continue
        latest[update.url] = _merge(latest.get(update.url), update)
    existing = {row.url: row for row in _rows(session, latest, PAGE_KINDS + ENTRY_KINDS)}
    for url, update in latest.items():
        row = existing.get(url)
        if row is None and update.kind == "article":
            continue  # only the article store says an article is stored
        if row is None:
            session.add(FetchState(
                url=url, source=update.source, kind=update.kind, etag=update.etag,
                last_modified=update.last_modified, first_seen=update.when,
                last_fetched=update.when, last_status=update.status, entry_updated=update.entry_updated,
            ))
            continue
        if row.kind == "article" and update.kind == "page":
            if update.entry_updated:
                row.entry_updated = update.entry_updated
            continue
        if update.kind != "article" or row.kind != "article":
            row.kind = update.kind
            row.last_fetched, row.last_status = update.when, update.status
        if update.kind in ENTRY_KINDS:
            row.etag, row.last_modified = update.etag, update.last_modified
        if update.entry_updated:
            row.entry_updated = update.entry_updated


def _merge(old: StateUpdate | None, new: StateUpdate) -> StateUpdate:
    """Two facts about one URL in one run: keep the newer, but never lose an entry date."""
    if old is None:
        return new
    if old.kind == "article" and new.kind == "page":
        new.kind = "article"
    if new.entry_updated is None or (old.entry_updated and old.entry_updated > new.entry_updated):
        new.entry_updated = old.entry_updated
    return new
