"""Stories in the database: which story an article belongs to, and what analysts and digests ask of them.

An article joins the story of a stored copy of its text (``newsmon.dedup``), else starts a story
of its own. Each article's signature is kept in ``article_signature`` so that
:meth:`StoryIndex.load` rebuilds the in-memory LSH index at start without re-reading texts, and
matching a new article costs a few look-ups, not a scan of the store.
"""
from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from newsmon.dedup import CopyIndex, DedupSettings, Signature, Signer, text_change
from storage.models import Article, ArticleRevision, ArticleSignature, Story

logger = logging.getLogger(__name__)

_CHUNK = 500  # ids per IN (...) list
# Each refresh re-reads this many ids below the highest one seen: on PostgreSQL a worker takes its
# id at flush but commits later, so a lower id can become visible after higher ones were read.
REREAD_IDS = 1000


class StoryIndex:
    """Assigns articles to stories; load once per process (or crawl) and reuse.

    Not thread-safe. Several processes may each hold one: every :meth:`assign` first picks up
    signatures that others committed since (by article id), then verifies any match against the
    database, so rolled-back or deleted articles are dropped instead of trusted.
    """

    def __init__(
        self, settings: DedupSettings | None = None, now: datetime | None = None, refresh_seconds: float = 1.0
    ) -> None:
        self.settings = settings or DedupSettings()
        self.signer = Signer(self.settings)
        self.copies = CopyIndex(self.settings)
        self.refresh_seconds = refresh_seconds  # look for other processes' articles at most this often
        self._seen_up_to = 0  # highest article id read from article_signature
        self._refreshed = float("-inf")
        now = now or datetime.now(UTC).replace(tzinfo=None)
        days = self.settings.window_days
        self._since = now - timedelta(days=days) if days > 0 else None

    @classmethod
    def load(
        cls,
        session: Session,
        settings: DedupSettings | None = None,
        now: datetime | None = None,
        refresh_seconds: float = 1.0,
        freeze_gc: bool = True,
    ) -> StoryIndex:
        """An index of the signatures of articles first seen within ``settings.window_days`` of
        ``now`` (default: the current UTC time); 100,000 of them take a few seconds.

        ``freeze_gc`` moves the index's million small objects out of the garbage collector's
        sight (``gc.freeze()``), which otherwise rescans them now and then during ``assign``
        (it halves the mean assign time at 100,000 articles).
        """
        index = cls(settings, now, refresh_seconds)
        index.refresh(session)
        if freeze_gc:
            gc.freeze()
        return index

    def __len__(self) -> int:
        return len(self.copies)

    def refresh(self, session: Session) -> int:
        """Index signatures stored since the last refresh (by any process); returns how many it added.

        Reads from ``REREAD_IDS`` below the highest id seen, so articles committed out of id order
        are not missed; ids already indexed are skipped.
        """
        self._refreshed = time.monotonic()
        start = self._seen_up_to - REREAD_IDS if self._seen_up_to else 0
        stmt = (
            select(ArticleSignature.article_id, Article.story_id, ArticleSignature.signature)
            .join(Article, Article.id == ArticleSignature.article_id)
            .where(ArticleSignature.article_id > start, Article.story_id.is_not(None))
            .order_by(ArticleSignature.article_id)
        )
        if self._since is not None:
            stmt = stmt.where(Article.first_seen >= self._since)
        count = 0

        def rows() -> Iterator[tuple[int, int, Signature]]:
            nonlocal count
            for article_id, story_id, data in session.execute(stmt).yield_per(5000):
                self._seen_up_to = max(self._seen_up_to, article_id)
                if article_id in self.copies:
                    continue  # read before (the overlap)
                count += 1
                try:
                    signature = Signature.from_bytes(data)
                except ValueError as exc:
                    logger.warning("article %s: unreadable signature skipped (%s)", article_id, exc)
                    continue
                if len(signature.hashvalues) != self.settings.num_perm:
                    logger.warning("article %s: signature of another num_perm skipped; run resign()", article_id)
                    continue
                yield article_id, story_id, signature

        self.copies.bulk_add(rows())
        return count

    def assign(self, session: Session, article: Article) -> int:
        """Put ``article`` (flushed: it has an id) in its story and return the story id.

        A new article joins the story of its best verified copy, else gets a new story. An article
        that already has a story keeps it when its text changes: its identity is its URL, and the
        change shows up as a revision and through :func:`story_changed`. Sets ``article.story_id``,
        creates the Story when new, moves ``Story.last_seen`` and stores the article's signature.
        Looks for articles other processes stored at most every ``refresh_seconds``. The caller commits.
        """
        if article.id is None:
            raise ValueError("assign() needs a flushed article (with an id)")
        signature = self.signer.sign(article.text or "")
        if time.monotonic() - self._refreshed >= self.refresh_seconds:
            self.refresh(session)
        seen = article.updated or article.first_seen
        story = session.get(Story, article.story_id) if article.story_id is not None else None
        if story is None:
            story = self._find_story(session, signature, exclude=article.id)
        if story is None:
            story = Story(first_seen=article.first_seen, last_seen=seen, signature=signature.to_bytes())
            session.add(story)
            session.flush()
        else:
            story.last_seen = max(story.last_seen, seen)
            story.first_seen = min(story.first_seen, article.first_seen)
        article.story_id = story.id
        _save_signature(session, article.id, signature.to_bytes())
        self.copies.add(article.id, story.id, signature)
        return story.id

    def assign_unassigned(self, session: Session, batch: int = 1000) -> int:
        """Assign every stored article that has no story yet, oldest first; returns how many."""
        done = 0
        while True:
            articles = session.scalars(
                select(Article).where(Article.story_id.is_(None)).order_by(Article.first_seen, Article.id).limit(batch)
            ).all()
            if not articles:
                return done
            for article in articles:
                self.assign(session, article)
            done += len(articles)

    def resign(self, session: Session, batch: int = 1000) -> int:
        """Recompute every stored article's signature (after changing ``num_perm`` or ``shingle``)
        and reload the index; stories are kept. Returns how many articles were signed."""
        done, last = 0, 0
        while True:
            rows = session.execute(
                select(Article.id, Article.text).where(Article.id > last).order_by(Article.id).limit(batch)
            ).all()
            if not rows:
                break
            for article_id, text in rows:
                _save_signature(session, article_id, self.signer.sign(text or "").to_bytes())
            done, last = done + len(rows), rows[-1][0]
        self.copies, self._seen_up_to = CopyIndex(self.settings), 0
        self.refresh(session)
        return done

    def _find_story(self, session: Session, signature: Signature, exclude: int) -> Story | None:
        for match in self.copies.matches(signature):
            if match.key == exclude:
                continue
            story_id = session.scalar(select(Article.story_id).where(Article.id == match.key))
            if story_id is None:  # the article is gone (deleted, or its transaction rolled back)
                self.copies.discard(match.key)
                continue
            story = session.get(Story, story_id)
            if story is not None:
                return story
        return None


_UPSERTS: dict[str, Any] = {}


def _upsert_statement(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (article_id) DO UPDATE, built once per dialect (building costs ~0.5 ms)."""
    if dialect not in _UPSERTS:
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        stmt = insert(ArticleSignature.__table__)
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["article_id"], set_={"signature": stmt.excluded.signature}
        )
    return _UPSERTS[dialect]


def _save_signature(session: Session, article_id: int, data: bytes) -> None:
    """Insert or replace an article's signature in one statement (no read first)."""
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        session.execute(_upsert_statement(dialect), {"article_id": article_id, "signature": data})
        return
    row = session.get(ArticleSignature, article_id)
    if row is None:
        session.add(ArticleSignature(article_id=article_id, signature=data))
    else:
        row.signature = data


# ---------------------------------------------------------------- queries


class StoryRow(NamedTuple):
    """One row of ``newsmon query --group-by story``."""

    story_id: int
    first_seen: datetime  # when the first copy was stored
    latest: datetime  # when the newest copy was stored
    first_published: datetime | None  # earliest publication date any copy gives
    articles: int
    outlets: tuple[str, ...]  # distinct sources, in the order they reported the story
    title: str | None  # the earliest article's title
    url: str  # the earliest article's URL

    @property
    def outlet_count(self) -> int:
        return len(self.outlets)


def _chunks(ids: list[int], size: int = _CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def stories_overview(
    session: Session,
    article_ids: Select | Iterable[int] | None = None,
    *,
    limit: int | None = None,
    whole_story: bool = True,
) -> list[StoryRow]:
    """One row per story, newest stories (by their latest copy) first.

    ``article_ids``: which articles the user's query selected, as a ``select(Article.id)...``
    statement (preferred: it stays in SQL) or a list of ids; None means every article. A story
    appears when any of its articles is selected. With ``whole_story`` (the default) the counts,
    dates, outlets and title describe the whole story, so "reported by 12 outlets" holds even
    when the filter kept one source; with ``whole_story=False`` only the selected articles count.
    ``limit`` caps the number of stories.
    """
    a = Article
    selected = None
    if article_ids is not None:
        selected = article_ids if isinstance(article_ids, Select) else list(article_ids)
    stmt = select(
        a.story_id,
        func.min(a.first_seen),
        func.max(a.first_seen),
        func.min(a.published),
        func.count(a.id),
    ).where(a.story_id.is_not(None))
    if selected is not None:
        if whole_story:
            stmt = stmt.where(a.story_id.in_(select(Article.story_id).where(Article.id.in_(selected))))
        else:
            stmt = stmt.where(a.id.in_(selected))
    stmt = stmt.group_by(a.story_id).order_by(func.max(a.first_seen).desc(), a.story_id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    groups = session.execute(stmt).all()

    details: dict[int, list[tuple[str, str | None, str]]] = {}
    for ids in _chunks([g[0] for g in groups]):
        detail = select(a.story_id, a.source, a.title, a.url).where(a.story_id.in_(ids))
        if selected is not None and not whole_story:
            detail = detail.where(a.id.in_(selected))
        for story_id, source, title, url in session.execute(detail.order_by(a.story_id, a.first_seen, a.id)):
            details.setdefault(story_id, []).append((source, title, url))

    rows = []
    for story_id, first_seen, latest, first_published, count in groups:
        members = details.get(story_id, [])
        outlets = tuple(dict.fromkeys(source for source, _title, _url in members))
        _source, title, url = members[0] if members else (None, None, "")
        rows.append(StoryRow(story_id, first_seen, latest, first_published, count, outlets, title, url))
    return rows


class Outlet(NamedTuple):
    source: str
    url: str
    title: str | None
    published: datetime | None


def story_outlets(session: Session, story_id: int) -> list[Outlet]:
    """The outlets that reported a story, each with its earliest copy, in reporting order.

    For digests: "also reported by N outlets" is ``len(story_outlets(...)) - 1`` plus their links.
    """
    rows = session.execute(
        select(Article.source, Article.url, Article.title, Article.published)
        .where(Article.story_id == story_id)
        .order_by(Article.first_seen, Article.id)
    ).all()
    seen: dict[str, Outlet] = {}
    for source, url, title, published in rows:
        seen.setdefault(source, Outlet(source, url, title, published))
    return list(seen.values())


def _lead_article(session: Session, story_id: int) -> tuple[int, str, str] | None:
    row = session.execute(
        select(Article.id, Article.content_hash, Article.text)
        .where(Article.story_id == story_id)
        .order_by(Article.first_seen, Article.id)
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def story_content_hash(session: Session, story_id: int) -> str | None:
    """The hash that stands for a story's text now (its earliest article's current text).

    Digests record it when they deliver the story and later pass it to :func:`story_changed`.
    None when the story has no articles.
    """
    lead = _lead_article(session, story_id)
    return None if lead is None else lead[1]


def story_changed(
    session: Session, story_id: int, since_hash: str, settings: DedupSettings | None = None
) -> bool:
    """Whether the story's text changed substantially since the version with ``since_hash``.

    Finds the articles of the story whose page had the text ``since_hash`` and has changed since
    (an ``article_revision`` row) and compares that text with each one's current text: changed
    when at least ``settings.change_threshold`` of its shingles differ in one of them. False when
    no article of the story moved away from that text, including a hash the story never had
    (nothing to compare: better one missed update than a story delivered twice).
    """
    settings = settings or DedupSettings()
    pairs = session.execute(
        select(ArticleRevision.text, Article.text)
        .join(Article, Article.id == ArticleRevision.article_id)
        .where(Article.story_id == story_id, ArticleRevision.content_hash == since_hash)
        .limit(20)
    ).all()
    return any(text_change(old, new, settings) >= settings.change_threshold for old, new in pairs)


def get_story(session: Session, story_id: int) -> Story | None:
    """The story with its articles (earliest first) and their revisions, or None."""
    return session.get(Story, story_id)


def story_articles(session: Session, story_id: int) -> list[Article]:
    return list(
        session.scalars(select(Article).where(Article.story_id == story_id).order_by(Article.first_seen, Article.id))
    )
