"""The story index: which story a newly stored article belongs to (the live service the store uses).

An article joins the story of a stored copy of its text (``newsmon.dedup``), else starts a story
of its own. Each article's signature is kept in ``article_signature`` so that
:meth:`StoryIndex.load` rebuilds the in-memory LSH index at start without re-reading texts, and
matching a new article costs a few look-ups, not a scan of the store. What analysts and digests
ask of stories once stored is in ``storage.stories``.
"""
from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from newsmon.clock import utcnow
from newsmon.dedup import CopyIndex, DedupSettings, Signature, Signer
from storage.models import Article, ArticleSignature, Story

logger = logging.getLogger(__name__)

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
        now = now or utcnow()
        days = self.settings.window_days
        self._since = now - timedelta(days=days) if days > 0 else None

    @classmethod
    def load(
        cls,
        session: Session,
        settings: DedupSettings | None = None,
        now: datetime | None = None,
        refresh_seconds: float = 1.0,
        freeze_gc: bool = False,
    ) -> StoryIndex:
        """An index of the signatures of articles first seen within ``settings.window_days`` of
        ``now`` (default: the current UTC time); 100,000 of them take a few seconds.

        ``freeze_gc`` moves the index's million small objects out of the garbage collector's
        sight (``gc.freeze()``), which otherwise rescans them now and then during ``assign``
        (it halves the mean assign time at 100,000 articles). It affects the whole process, so
        only the process's owner asks for it (the crawl's store pipeline does).
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
            story = Story(first_seen=article.first_seen, last_seen=seen)
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
        done = 0
        texts = session.execute(select(Article.id, Article.text).order_by(Article.id).execution_options(yield_per=batch))
        for rows in texts.partitions():  # ``batch`` texts in memory at a time (a server-side cursor on PostgreSQL)
            for article_id, text in rows:
                _save_signature(session, article_id, self.signer.sign(text or "").to_bytes())
            done += len(rows)
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
