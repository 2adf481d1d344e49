"""Analysts' queries: filter articles by date, source, language, topic and full text."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from storage.fulltext import common_words, fts_count, has_words, matches
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


def filtered(dialect: str, f: ArticleFilter, *, as_set: bool = False, walk_text: bool = False,
             from_id: int | None = None) -> Select[tuple[Article]]:
    """The SELECT for ``f`` without order or limit, so other queries (stories, digests) can reuse it.

    How the planner may answer it: by default a topic is a per-row check, so "newest 50 with topic
    X" walks the date index. ``as_set`` (counts, selections used as a whole) makes topics an IN
    list it may start from instead. ``walk_text`` makes full text a membership test, never the
    starting point: for words so common that sorting every match by date is the slow part.
    ``from_id`` (a window of the newest articles, which it implies walking): the full-text matches
    tested against are those from this article id on, see :func:`find_articles`.
    """
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
        query = query.where(matches(dialect, f.search, walk=walk_text or from_id is not None, from_rowid=from_id))
    if f.topics or f.min_confidence:
        tagged = [ArticleTopic.confidence >= f.min_confidence]
        if f.topics:
            tagged.append(ArticleTopic.label.in_(list(f.topics)))
        if as_set:
            query = query.where(Article.id.in_(select(ArticleTopic.article_id).where(*tagged)))
        else:
            query = query.where(exists().where(ArticleTopic.article_id == Article.id, *tagged))
    if f.relevant_only:
        query = query.where(Article.relevant.is_(True))
    if f.cites:
        from storage.documents import cites_clause

        query = query.where(cites_clause(f.cites))
    return query


def newest_first(session: Session, f: ArticleFilter, from_id: int | None = None) -> Select[tuple[Article]]:
    """``filtered`` ordered newest first (by article date, then id), without limit or offset.

    A filter on one topic walks that topic's tags newest first (see :func:`one_topic`).
    """
    query = one_topic(session, f, from_id)
    if query is None:
        dialect = session.get_bind().dialect.name
        return filtered(dialect, f, walk_text=common_words(session, f.search), from_id=from_id).order_by(
            article_date().desc(), Article.id.desc())
    return query.order_by(ArticleTopic.article_date.desc(), ArticleTopic.article_id.desc())


def matching_ids(session: Session, f: ArticleFilter, from_id: int | None = None) -> Select[tuple[int]]:
    """``select(Article.id)`` of what ``f`` selects (ignoring limit and offset), in the form whose
    first rows are cheapest to read: for counts that stop at a cap.

    With one topic, its tags are the start (an IN list of the topic's tags was built whole first:
    42 ms for "safety" at a million, before the first row); otherwise topics are an IN list.
    """
    f = replace(f, limit=None, offset=0)
    query = one_topic(session, f, from_id)
    if query is None:
        query = filtered(session.get_bind().dialect.name, f, as_set=True, from_id=from_id)
    return query.with_only_columns(Article.id)


def one_topic(session: Session, f: ArticleFilter, from_id: int | None = None) -> Select[tuple[Article]] | None:
    """``filtered`` for a filter on exactly one topic, driven from that topic's tags; else None.

    The tag carries its article's date (ix_article_topic_label_date), so the topic's newest tags
    are one index walk and the other filters are checked on each tag's article. Walking every
    article newest first and probing its tags read 33,000 articles to find the newest 2,000 of
    one topic at a million; this reads about 2,000 tags.
    """
    if len(f.topics) != 1:
        return None
    others = replace(f, topics=(), min_confidence=0.0, since=None, until=None)
    walk = common_words(session, f.search)
    return (filtered(session.get_bind().dialect.name, others, walk_text=walk, from_id=from_id)
            .join(ArticleTopic, ArticleTopic.article_id == Article.id).where(*tag_conditions(f)))


def tag_conditions(f: ArticleFilter) -> list[ColumnElement[bool]]:
    """The one-topic filter's conditions on its tags: label, confidence and the article's date."""
    tag = ArticleTopic
    conditions = [tag.label == f.topics[0]]
    if f.min_confidence:
        conditions.append(tag.confidence >= f.min_confidence)
    if f.since:
        conditions.append(tag.article_date >= f.since)
    if f.until:
        conditions.append(tag.article_date < f.until)
    return conditions


def filters_only(f: ArticleFilter, *kept: str) -> bool:
    """Whether ``f`` filters on nothing but the fields named in ``kept`` (limit and offset aside)."""
    return not any(getattr(f, field.name) for field in fields(ArticleFilter)
                   if field.name not in (*kept, "limit", "offset"))


def tags_alone(f: ArticleFilter) -> bool:
    """Whether ``f`` is one topic with at most a minimum confidence and a date range: what its
    tags' index (ix_article_topic_label_date) answers without reading an article."""
    return len(f.topics) == 1 and filters_only(f, "topics", "min_confidence", "since", "until")


def find_articles(session: Session, f: ArticleFilter) -> list[Article]:
    """One page of what ``f`` selects, newest first.

    A word in many articles is tested against the list of its matches, built whole (160,000 for
    "treaty" at a million articles on SQLite: 20 ms before the first row). The page is first
    looked for among the newest articles (see :func:`recent_window`), where only the matches from
    their lowest id on are listed; when that window holds fewer than the page, the next is as wide
    as the matches found say it must be, and after WINDOWS tries the list is built whole.
    """
    wanted = (f.limit or 0) + f.offset
    size = WINDOW * wanted if f.limit and WINDOW * wanted <= MAX_WINDOW and common_words(session, f.search) else 0
    for _ in range(WINDOWS if size else 0):
        window = recent_window(session, size, f.since, f.until)
        if window is None:
            break
        page = _page(session, replace(f, since=window[0]), window[1])
        if len(page) == f.limit or window[0] == f.since:  # full, or all the filter allows
            return page
        found = f.offset + len(page) if page else 0
        size = int(size * min(8.0, 1.5 * wanted / max(found, 1)))
        if size > MAX_WINDOW:
            break
    return _page(session, f)


WINDOW = 80  # the first window is this many newest articles per row asked for
WINDOWS = 3  # windows tried before the whole list
MAX_WINDOW = 200_000  # wider windows cost about what listing every match does (deep pages go there)


def _page(session: Session, f: ArticleFilter, from_id: int | None = None) -> list[Article]:
    query = newest_first(session, f, from_id)
    if f.limit:
        query = query.limit(f.limit)
    if f.offset:
        query = query.offset(f.offset)
    return list(session.scalars(query))


def recent_window(session: Session, size: int, since: datetime | None = None,
                  until: datetime | None = None) -> tuple[datetime, int] | None:
    """(start, lowest id) of the window of the newest ``size`` articles dated from ``since`` and
    before ``until``; None when there are no more than that.

    Every article in the window has an id from ``lowest id`` on, so there a full-text match needs
    listing only from that id (ids grow as articles are stored: about ``size`` ids when dates
    follow storing). One walk of ix_article_date's newest ``size + 1`` entries: the window is what
    is newer than the last of them, so all of it was read.
    """
    day = article_date()
    before = [day < until] if until else []
    newest = select(day.label("day"), Article.id.label("id")).where(*before).order_by(day.desc()).limit(size + 1).subquery()
    oldest, lowest, read = session.execute(select(func.min(newest.c.day), func.min(newest.c.id), func.count())).one()
    if read <= size:
        return None
    start = as_datetime(oldest) + timedelta(microseconds=1)  # dates are stored to the microsecond
    return (max(start, since) if since else start), lowest


def as_datetime(value) -> datetime:
    """A date read back from SQL: SQLite gives computed dates (coalesce, min) as text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


TOTAL_CAP = 10_000  # the workbench counts matches up to here and then says "at least 10,000"
COUNT_WINDOW = 10_000  # a search with other filters is counted among this many newest articles


def counting_window(session: Session, f: ArticleFilter, stories: bool = False) -> tuple[datetime, int] | None:
    """Where counting ``f`` stops going back, as :func:`recent_window` gives it, or None (count all).

    A search combined with other filters is two large sets whose meeting may be small: "treaty"
    and one topic at a million articles are 160,000 and 76,000 articles, 12,000 in both, and
    finding them all cost 0.3-0.4 s on either database. Such a filter is counted among the
    newest COUNT_WINDOW articles of its date range, as a lower bound. So are the stories of any
    search (finding the stories of 20,000 matches cost 60-80 ms).
    """
    if not has_words(f.search) or (filters_only(f, "search") and not stories):
        return None
    # Asked up to three times a page (totals, stories, chart): kept in the session, for as long as
    # no article is added. A window gone stale otherwise can only count fewer: still a lower bound.
    key = ("counting_window", COUNT_WINDOW, f.since, f.until, session.scalar(select(func.max(Article.id))))
    if key not in session.info:
        window = recent_window(session, COUNT_WINDOW, f.since, f.until)
        session.info[key] = None if window is None or window[0] == f.since else window
    return session.info[key]


class Total(NamedTuple):
    """A count of matches that stops at a cap: ``count`` is exact unless ``is_lower_bound``."""

    count: int
    is_lower_bound: bool


def total_matching(session: Session, f: ArticleFilter, *, stories: bool = False, cap: int | None = None,
                   from_id: int | None = None) -> Total:
    """How many articles (or stories) match ``f``, counted no further than ``cap``.

    An exact count visits every match: 0.45 s for a common topic at a million articles. Counting
    the first ``cap + 1`` costs at most that many rows, and a page needs no more than "at least
    10,000". Paging past the cap still works: the cap grows to cover the page asked for. Articles
    of one topic (and a date range) are counted in its tags' index alone, and on SQLite a search
    alone in the full-text index (joining each match to its article cost 40 ms at a million). A
    search with other filters is counted in its :func:`counting_window`, as a lower bound.
    """
    cap = max(TOTAL_CAP if cap is None else cap, (f.offset or 0) + (f.limit or 0))
    if from_id is None and (window := counting_window(session, f, stories)) is not None:
        since, lowest = window
        return Total(total_matching(session, replace(f, since=since), stories=stories, cap=cap, from_id=lowest).count,
                     True)
    dialect = session.get_bind().dialect.name
    if not stories and tags_alone(f):
        query = select(ArticleTopic.article_id).where(*tag_conditions(f))
    elif not stories and dialect == "sqlite" and filters_only(f, "search") and has_words(f.search):
        n = fts_count(session, f.search, cap + 1)  # the full-text index alone
        return Total(min(n, cap), n > cap)
    elif stories and tags_alone(f):
        return _story_total(session, select(ArticleTopic.story_id).where(*tag_conditions(f)), cap, ArticleTopic.story_id)
    elif stories:
        copies = matching_ids(session, f, from_id).with_only_columns(Article.story_id)
        return _story_total(session, copies, cap, Article.story_id)
    else:
        query = matching_ids(session, f, from_id)
    n = session.scalar(select(func.count()).select_from(query.order_by(None).limit(cap + 1).subquery())) or 0
    return Total(min(n, cap), n > cap)


STORY_SCAN = 2  # stories are counted among the first STORY_SCAN x cap matching articles


def _story_total(session: Session, copies: Select[tuple[int]], cap: int, story: ColumnElement[int]) -> Total:
    """Distinct stories among the first ``STORY_SCAN * cap`` matching articles (``copies`` selects
    their ``story`` column); a lower bound when more articles match than that. DISTINCT before
    LIMIT made PostgreSQL sort every match of a common topic first (160 ms at a million); a story
    has a few copies, so twice the cap in articles usually holds more than ``cap`` stories anyway.
    One topic's stories are read from its tags' index alone (tags carry their article's story)."""
    scan = STORY_SCAN * cap
    first = copies.where(story.is_not(None)).order_by(None).limit(scan + 1).subquery()
    rows, n = session.execute(select(func.count(), func.count(func.distinct(first.c[0])))).one()
    return Total(min(n, cap), n > cap or rows > scan)


def known_sources(session: Session, asked: Sequence[str] = ()) -> set[str]:
    """Every source name that has an article or was ever crawled.

    With ``asked``: when each of those names has an article (one index seek each), just them.
    Listing every name reads the whole source index, 60 ms at a million articles, so it is left
    for when a name is unknown and the message lists the known ones.
    """
    from storage.models import CrawlRunSource

    if asked and all(session.scalar(select(exists().where(Article.source == name))) for name in asked):
        return set(asked)
    stored = session.scalars(select(Article.source).distinct())
    crawled = session.scalars(select(CrawlRunSource.source).distinct())
    return set(stored) | set(crawled)
