"""Stories in the database: what analysts and digests ask of them (read queries only).

Which story an article joins is decided when it is stored, by ``storage.storyindex.StoryIndex``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from newsmon.dedup import DedupSettings, text_change
from storage.batches import chunks
from storage.db import estimated_rows
from storage.fulltext import fts_count
from storage.queries import (ArticleFilter, counting_window, filtered, filters_only, matching_ids, tag_conditions,
                             tags_alone)
from storage.models import Article, ArticleRevision, ArticleTopic, Story


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
    first_published_offset: int | None = None  # the UTC offset the page giving first_published gave

    @property
    def outlet_count(self) -> int:
        return len(self.outlets)


def stories_overview(
    session: Session,
    article_ids: ArticleFilter | Select | Iterable[int] | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
    whole_story: bool = True,
) -> list[StoryRow]:
    """One row per story, newest stories (by their latest copy) first.

    ``article_ids``: which articles the user's query selected, as its ArticleFilter (preferred: the
    query can then walk stories newest first when matches are many), a ``select(Article.id)...``
    statement or a list of ids; None means every article. A story
    appears when any of its articles is selected. With ``whole_story`` (the default) the counts,
    dates, outlets and title describe the whole story, so "reported by 12 outlets" holds even
    when the filter kept one source; with ``whole_story=False`` only the selected articles count.
    ``limit`` caps the number of stories; ``offset`` skips that many first (paging).
    """
    a = Article
    selected = walkable = None
    if isinstance(article_ids, ArticleFilter):
        dialect = session.get_bind().dialect.name
        f = replace(article_ids, limit=None, offset=0)
        selected = matching_ids(session, f)
        walkable = filtered(dialect, f, walk_text=True).with_only_columns(Article.id)
    elif article_ids is not None:
        selected = article_ids if isinstance(article_ids, Select) else list(article_ids)
    story_ids = None
    if whole_story and walkable is not None and limit is not None and (many := _many(session, selected, article_ids)):
        since = _walk_start(session) if many is BOUNDED else None
        story_ids = _newest_stories(session, walkable, limit, offset, since)
        if since is not None and len(story_ids) < limit:
            story_ids = None  # the guess was wrong or the page lies further back: group every match
    if story_ids is not None:
        groups = _story_groups(session, a.story_id.in_(story_ids)) if story_ids else []
    else:
        where = a.story_id.is_not(None)
        if selected is not None:
            if whole_story:
                chosen = (selected.with_only_columns(Article.story_id) if isinstance(selected, Select)
                          else select(Article.story_id).where(Article.id.in_(selected)))
                where = a.story_id.in_(chosen.where(Article.story_id.is_not(None)).distinct())
            else:
                where = where & a.id.in_(selected)
        groups = _story_groups(session, where, limit, offset)

    details: dict[int, list[tuple[str, str | None, str]]] = {}
    offsets: dict[tuple[int, datetime], int | None] = {}  # (story, published) -> that page's offset
    for ids in chunks([g[0] for g in groups]):
        detail = (select(a.story_id, a.source, a.title, a.url, a.published, a.published_offset)
                  .where(a.story_id.in_(ids)))
        if selected is not None and not whole_story:
            detail = detail.where(a.id.in_(selected))
        for story_id, source, title, url, published, offset in session.execute(
                detail.order_by(a.story_id, a.first_seen, a.id)):
            details.setdefault(story_id, []).append((source, title, url))
            if published is not None:
                offsets.setdefault((story_id, published), offset)

    rows = []
    for story_id, first_seen, latest, first_published, count in groups:
        members = details.get(story_id, [])
        outlets = tuple(dict.fromkeys(source for source, _title, _url in members))
        _source, title, url = members[0] if members else (None, None, "")
        rows.append(StoryRow(story_id, first_seen, latest, first_published, count, outlets, title, url,
                             offsets.get((story_id, first_published))))
    return rows


DENSE = 2_000  # selections of at least this many articles are walked newest story first
BOUNDED = "bounded"  # what _many says when it did not count: walk, but no further back than WALK articles


def _many(session: Session, selected: Select, f: ArticleFilter) -> bool | str:
    """Whether ``selected`` holds at least DENSE articles (counting no further than that).

    On SQLite a full-text search is first asked of the index alone: counting its rowids is
    cheap, and joining them to articles (which the general probe does) is not. Two cases are not
    counted, and the walk that follows is bounded (see :func:`_walk_start`), so a wrong guess
    costs a bounded walk and then grouping: a search with other filters (finding where two large
    sets meet cost 67 ms for "treaty" and a topic at a million), and on PostgreSQL a search the
    planner expects in many articles (the GIN index gives every match before the first is
    counted: 36 ms for "treaty").
    """
    dialect = session.get_bind().dialect.name
    if counting_window(session, f) is not None:
        return BOUNDED
    if f.search and dialect == "sqlite":
        if fts_count(session, f.search, DENSE) < DENSE:
            return False  # the other filters can only select fewer
        if filters_only(f, "search"):
            return True
    if f.search and dialect == "postgresql":
        return BOUNDED if estimated_rows(session, selected) >= 10 * DENSE else _counted(session, selected)
    if tags_alone(f):  # counted in the topic's index, without joining articles
        return _counted(session, select(ArticleTopic.article_id).where(*tag_conditions(f)))
    return _counted(session, selected)


def _counted(session: Session, selected: Select) -> bool:
    probe = select(func.count()).select_from(selected.order_by(None).limit(DENSE).subquery())
    return (session.scalar(probe) or 0) >= DENSE


WALK = 20_000  # a bounded walk reads no further back than this many newest articles


def _walk_start(session: Session) -> datetime | None:
    """When the WALK-th newest article was first seen (None when there are fewer)."""
    return session.scalar(select(Article.first_seen).order_by(Article.first_seen.desc()).offset(WALK).limit(1))


def _story_groups(session: Session, where, limit: int | None = None, offset: int = 0) -> list:
    """(story, first seen, latest, first published, articles) for the stories ``where`` keeps, newest first.

    Ties on the latest copy's first sighting go to the story with the higher article id, as in
    :func:`_newest_stories` (a story's newest copy has its highest id, ids being given as copies
    are stored), so a listing paged partly by walking and partly by grouping neither repeats nor skips.
    """
    a = Article
    stmt = (select(a.story_id, func.min(a.first_seen), func.max(a.first_seen), func.min(a.published), func.count(a.id))
            .where(where).group_by(a.story_id).order_by(func.max(a.first_seen).desc(), func.max(a.id).desc()))
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return list(session.execute(stmt).all())


def _newest_stories(session: Session, selected: Select, limit: int, offset: int,
                    since: datetime | None = None) -> list[int]:
    """The ids of one page of stories with an article ``selected`` keeps, newest (by latest copy) first.

    Grouping every selected article costs time in proportion to the matches (1.2 s for a common
    topic at a million articles). When matches are many, walking the copies newest first and
    keeping each story's newest copy (one seek in ix_article_story_newest) whose story has a
    selected article finds a page after a few hundred rows, in the same order. ``since``: walk
    only the copies first seen from then on.
    """
    newest = aliased(Article)
    later = aliased(Article)
    is_newest = ~exists().where(
        later.story_id == newest.story_id,
        (later.first_seen > newest.first_seen) | ((later.first_seen == newest.first_seen) & (later.id > newest.id)))
    has_selected = exists(selected.with_only_columns(literal(1)).order_by(None).where(Article.story_id == newest.story_id))
    stmt = (select(newest.story_id).where(newest.story_id.is_not(None), is_newest, has_selected)
            .order_by(newest.first_seen.desc(), newest.id.desc()).limit(limit).offset(offset or None))
    if since is not None:
        stmt = stmt.where(newest.first_seen >= since)
    return list(session.scalars(stmt))


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
