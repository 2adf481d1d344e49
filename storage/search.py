"""What the workbench and the JSON API add to storage.queries: totals, facets, attention over time.

Every function takes the same ArticleFilter as `newsmon query`, so a page, its download, its API
twin and the CLI always agree on which articles a search selects.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from storage.models import Article, ArticleTopic
from storage.queries import ArticleFilter, article_date, filtered


def selected_ids(session: Session, f: ArticleFilter) -> Select:
    """``select(Article.id)`` of the articles ``f`` selects, ignoring its limit and offset."""
    return filtered(session.get_bind().dialect.name, replace(f, limit=None, offset=0)).with_only_columns(Article.id)


@dataclass(frozen=True)
class Facets:
    """Articles per topic, language and source for the current filter, most first."""

    topics: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    sources: list[tuple[str, int]]


def facets(session: Session, f: ArticleFilter, top: int = 30) -> Facets:
    ids = selected_ids(session, f)

    def counts(column, query) -> list[tuple[str, int]]:
        rows = session.execute(query.group_by(column).order_by(func.count().desc(), column).limit(top)).all()
        return [(value if value is not None else "", n) for value, n in rows]

    topic_query = select(ArticleTopic.label, func.count()).where(
        ArticleTopic.article_id.in_(ids), ArticleTopic.confidence >= f.min_confidence)
    return Facets(
        topics=counts(ArticleTopic.label, topic_query),
        languages=counts(Article.language, select(Article.language, func.count()).where(Article.id.in_(ids))),
        sources=counts(Article.source, select(Article.source, func.count()).where(Article.id.in_(ids))),
    )


@dataclass(frozen=True)
class Attention:
    """Stories per period by topic (Media Cloud's "attention over time"): ``days`` is the start of
    each period (a day, or a week when the range is long), ``counts[topic][i]`` its stories."""

    days: list[date]
    counts: dict[str, list[int]]
    period: str  # "day" or "week"

    @property
    def peak(self) -> int:
        return max((sum(column) for column in zip(*self.counts.values())), default=0)


MAX_BARS = 120  # more days than this are grouped by week


def attention(session: Session, f: ArticleFilter) -> Attention:
    """Distinct stories (an article without a story counts alone) per day and topic."""
    ids = selected_ids(session, f)
    day = func.date(article_date())
    story = func.coalesce(Article.story_id, -Article.id)
    rows = session.execute(
        select(day, ArticleTopic.label, func.count(distinct(story)))
        .join(ArticleTopic, ArticleTopic.article_id == Article.id)
        .where(Article.id.in_(ids), ArticleTopic.confidence >= f.min_confidence)
        .group_by(day, ArticleTopic.label)
    ).all()
    if f.topics:
        rows = [row for row in rows if row[1] in f.topics]
    if not rows:
        return Attention([], {}, "day")
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for value, label, n in rows:
        per_day[_as_date(value)][label] = n
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
    return Attention(days, counts, period)


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
