"""What the workbench and the JSON API add to storage.queries: totals, facets, attention over time.

Every function takes the same ArticleFilter as `newsmon query`, so a page, its download, its API
twin and the CLI always agree on which articles a search selects.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Select, Subquery, case, func, select
from sqlalchemy.orm import Session

from newsmon.clock import as_published
from storage.models import Article, ArticleTopic
from storage.batches import in_batches
from storage.db import estimated_rows
from storage.fulltext import has_words
from storage.queries import (ArticleFilter, article_date, as_datetime, counting_window, filtered, matching_ids,
                             newest_first, one_topic, tag_conditions, tags_alone, total_matching)


def selected_ids(session: Session, f: ArticleFilter) -> Select:
    """``select(Article.id)`` of the articles ``f`` selects, ignoring its limit and offset."""
    dialect = session.get_bind().dialect.name
    return filtered(dialect, replace(f, limit=None, offset=0), as_set=True).with_only_columns(Article.id)


SAMPLE = 1_000  # facets and the chart count the newest this many matches, not every one


def newest_matches(session: Session, f: ArticleFilter, size: int = SAMPLE) -> Subquery:
    """The newest ``size`` articles ``f`` selects (id, story, date, language, source, and the UTC
    offset of the date: None when the page gave none or the date is when we first saw it), as a subquery.

    Counting every match costs time in proportion to the matches (facets took 1 s for one
    language at a million articles); the newest ``size`` read the date index backwards and stop.
    """
    query = newest_first(session, replace(f, limit=None, offset=0))
    day = article_date().label("day")
    offset = case((Article.published.is_(None), None), else_=Article.published_offset).label("offset")
    return (query.with_only_columns(Article.id, Article.story_id, day, Article.language, Article.source, offset)
            .limit(size).subquery("newest"))


@dataclass(frozen=True)
class Facets:
    """Articles per topic, language and source for the current filter, most first.

    ``sample`` is None when every match was counted, else how many (the newest) were.
    """

    topics: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    sample: int | None = None


def _newest_tagged(session: Session, f: ArticleFilter, sample: int) -> tuple[list, bool]:
    """Rows (id, story, date, language, source, offset, topic or None) of the newest ``sample``
    matches, one per counted topic, and whether there were more matches than that.

    Their topics are read by article id in batches (primary key lookups) and the confidence is
    compared here: joined in SQL, PostgreSQL hashed all 500,000 tags at a million articles and
    SQLite scanned the (label, confidence) index instead. Both are read as plain rows, past the
    ORM (its row handling cost 5 ms for 2,000 rows at a million articles).
    """
    connection = session.connection()
    newest = newest_matches(session, f, sample + 1)
    articles = connection.execute(select(newest)).all()
    sampled = len(articles) > sample
    if sampled:
        _day, oldest = min(((as_datetime(row[2]), row[0]) for row in articles))
        articles = [row for row in articles if row[0] != oldest]
    labels: dict[int, list[str]] = defaultdict(list)
    dialect = session.get_bind().dialect.name
    for among in in_batches(dialect, ArticleTopic.article_id, [row[0] for row in articles]):
        for article_id, label, confidence in connection.execute(
                select(ArticleTopic.article_id, ArticleTopic.label, ArticleTopic.confidence).where(among)):
            if confidence >= f.min_confidence:
                labels[article_id].append(label)
    rows = [(*row, label) for row in articles for label in (labels.get(row[0]) or [None])]
    return rows, sampled


Newest = tuple[list, bool]  # what _newest_tagged read: rows, and whether they are a sample


def facets(session: Session, f: ArticleFilter, top: int = 30, sample: int = SAMPLE,
           newest: Newest | None = None) -> Facets:
    """``newest``: the rows :func:`_newest_tagged` read for ``f`` and ``sample``, when already read."""
    rows, sampled = newest or _newest_tagged(session, f, sample)
    articles = {row[0]: row for row in rows}
    topics = Counter(row[6] for row in rows if row[6] is not None)

    def most(counter: Counter) -> list[tuple[str, int]]:
        return sorted(((value if value is not None else "", n) for value, n in counter.items()),
                      key=lambda kv: (-kv[1], kv[0]))[:top]

    return Facets(topics=most(topics), languages=most(Counter(row[3] for row in articles.values())),
                  sources=most(Counter(row[4] for row in articles.values())), sample=sample if sampled else None)


@dataclass(frozen=True)
class Attention:
    """Stories per period by topic (Media Cloud's "attention over time"): ``days`` is the start of
    each period (a day, or a week when the range is long), ``counts[topic][i]`` its stories."""

    days: list[date]
    counts: dict[str, list[int]]
    period: str  # "day" or "week"
    sample: int | None = None  # None: every match counted; else the newest this many were

    @property
    def peak(self) -> int:
        return max((sum(column) for column in zip(*self.counts.values())), default=0)


MAX_BARS = 120  # more days than this are grouped by week


EXACT_CHART = 20_000  # up to this many matches the chart counts them all, in SQL
EXACT_JOINED = 5_000  # the same, where each match's tags are joined to it (not one topic alone): 30 ms for 15,000


def attention(session: Session, f: ArticleFilter, sample: int = SAMPLE, exact: int = EXACT_CHART,
              newest: Newest | None = None) -> Attention:
    """Distinct stories (an article without a story counts alone) per day and topic.

    Every match counts when there are at most ``exact`` (90 days of one topic at a million
    articles are 7,700); beyond, the newest ``sample`` do and the chart starts where they do.
    """
    f = replace(f, limit=None, offset=0)
    rows = _stories_per_day(session, f, exact)
    sampled = rows is None
    if sampled:
        rows = _sampled_stories_per_day(f, (newest or _newest_tagged(session, f, sample))[0])
    if not rows:
        return Attention([], {}, "day")
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for value, label, n in rows:
        per_day[value][label] = n
    first, last = min(per_day), max(per_day)
    period, step = ("day", 1) if (last - first).days < MAX_BARS else ("week", 7)
    if period == "week":
        first = first - timedelta(days=first.weekday())
    days = [first + timedelta(days=i) for i in range(0, (last - first).days + 1, step)]
    labels = sorted({label for counts in per_day.values() for label in counts})
    counts = {label: [0] * len(days) for label in labels}
    for value, by_label in per_day.items():
        slot = (value - first).days // step
        for label, n in by_label.items():
            counts[label][slot] += n  # a story on two days of one week counts twice: fine for a chart
    return Attention(days, counts, period, sample if sampled else None)


def facets_and_attention(session: Session, f: ArticleFilter) -> tuple[Facets, Attention]:
    """The counts and the chart the search page shows beside its results, reading the newest
    matches once for both (each read them: 2,000 rows twice at a million articles)."""
    newest = _newest_tagged(session, replace(f, limit=None, offset=0), SAMPLE)
    return facets(session, f, newest=newest), attention(session, f, newest=newest)


def _stories_per_day(session: Session, f: ArticleFilter, exact: int) -> list[tuple[date, str, int]] | None:
    """(day, topic, distinct stories) over every match of ``f``, grouped in SQL, each tag on the
    day its page gave (``ArticleTopic.page_day``); None when more than ``exact`` articles match
    (EXACT_JOINED when each match's tags are joined to it), are only counted as a lower bound (a
    search with other filters), or PostgreSQL's planner expects more than that for a search.

    One topic and a date range alone are counted in its tags' index ordered by day and story
    (ix_article_topic_label_day), without reading an article or sorting: the date range is the
    days it can fall on (a page's offset is within a day of UTC), then each tag's date exactly.
    """
    tag = ArticleTopic
    story = func.coalesce(tag.story_id, -tag.article_id)
    dialect = session.get_bind().dialect.name
    if counting_window(session, f) is not None:
        return None  # its count would be a lower bound: sampled without counting
    exact = exact if tags_alone(f) else min(exact, EXACT_JOINED)
    if dialect == "postgresql" and has_words(f.search) and estimated_rows(session, matching_ids(session, f)) > exact:
        return None  # sampled without counting: the GIN index gives every match first (90 ms at a million)
    if total_matching(session, f, cap=exact).is_lower_bound:
        return None
    if tags_alone(f):
        days = [tag.page_day >= (f.since - timedelta(days=1)).date()] if f.since else []
        days += [tag.page_day <= (f.until + timedelta(days=1)).date()] if f.until else []
        grouped = (select(tag.page_day, func.count(func.distinct(story))).where(*tag_conditions(f), *days)
                   .group_by(tag.page_day))
        return [(_as_date(value), f.topics[0], n) for value, n in session.execute(grouped)]
    columns = (tag.page_day.label("day"), tag.label.label("label"), story.label("story"))
    if (query := one_topic(session, f)) is not None:  # its tags are the ones counted: one pass over them
        query = query.with_only_columns(*columns)
    else:
        query = select(*columns).where(tag.article_id.in_(matching_ids(session, f)), tag.confidence >= f.min_confidence)
        if f.topics:
            query = query.where(tag.label.in_(list(f.topics)))
    rows = query.subquery()  # grouped outside: PostgreSQL would not match the day's parameters in GROUP BY
    grouped = select(rows.c.day, rows.c.label, func.count(func.distinct(rows.c.story))).group_by(rows.c.day, rows.c.label)
    return [(_as_date(value), label, n) for value, label, n in session.execute(grouped)]


def _sampled_stories_per_day(f: ArticleFilter, tagged: list) -> list[tuple[date, str, int]]:
    """(day, topic, distinct stories) over the newest matches of ``f`` (rows of :func:`_newest_tagged`)."""
    stories: dict[tuple[date, str], set[int]] = defaultdict(set)
    for article_id, story_id, day, _language, _source, offset, label in tagged:
        if label is not None and (not f.topics or label in f.topics):
            shown = as_published(as_datetime(day), offset).date()  # the page's own day
            stories[(shown, label)].add(story_id if story_id is not None else -article_id)
    return [(day, label, len(ids)) for (day, label), ids in stories.items()]


def _as_date(value) -> date:
    """SQLite's date() gives 'YYYY-MM-DD', PostgreSQL's a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def articles_per_day(session: Session, since: datetime, until: datetime) -> dict[str, dict[date, int]]:
    """New articles per source and day of first sighting, for the sources health page."""
    day = func.date(Article.first_seen)
    rows = session.execute(
        select(Article.source, day, func.count())
        .where(Article.first_seen >= since, Article.first_seen < until)
        .group_by(Article.source, day)
    ).all()
    result: dict[str, dict[date, int]] = defaultdict(dict)
    for source, value, n in rows:
        result[source][_as_date(value)] = n
    return dict(result)


def story_tags(session: Session, story_ids: list[int]) -> dict[int, tuple[list[str], dict[str, float]]]:
    """Per story: its copies' languages, and each topic's highest confidence among its copies."""
    languages: dict[int, set[str]] = defaultdict(set)
    topics: dict[int, dict[str, float]] = defaultdict(dict)
    if not story_ids:
        return {}
    for story_id, language in session.execute(
        select(Article.story_id, Article.language).where(Article.story_id.in_(story_ids)).distinct()
    ):
        if language:
            languages[story_id].add(language)
    for story_id, label, best in session.execute(
        select(Article.story_id, ArticleTopic.label, func.max(ArticleTopic.confidence))
        .join(ArticleTopic, ArticleTopic.article_id == Article.id)
        .where(Article.story_id.in_(story_ids)).group_by(Article.story_id, ArticleTopic.label)
    ):
        topics[story_id][label] = round(float(best), 3)
    return {sid: (sorted(languages[sid]), dict(sorted(topics[sid].items(), key=lambda kv: -kv[1]))) for sid in story_ids}
