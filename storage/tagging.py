"""Writing the classifier's tags and the analysts' corrections; corrections always win.

Plain values in (a Tags-like object: relevance, relevant, topics), no HTML, no model. An analyst's
Correction on a label keeps or removes that label whatever the model says later, and a correction
on ``relevant`` overrides the relevance score (1.0 or 0.0).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker

from newsmon.errors import NewsmonError
from newsmon.clock import utcnow
from storage.models import Article, ArticleTopic, Correction

RELEVANT = "relevant"
ANALYST = "analyst"


class TagsLike(Protocol):
    relevance: float
    relevant: bool
    topics: dict[str, float]


def corrections_of(session: Session, article_id: int) -> dict[str, bool]:
    rows = session.scalars(select(Correction).where(Correction.article_id == article_id))
    return {row.label: row.value for row in rows}


def apply_tags(session: Session, article: Article, tags: TagsLike, version: str | None) -> None:
    """Store the model's relevance and topics on ``article``; the caller commits.

    Costs one SELECT (the article's corrections) and no flush, so a batch stays a batch."""
    version = version or "unknown"
    article.relevance = float(tags.relevance)
    article.relevant = bool(tags.relevant)
    article.model_version = version
    model_topics = dict(tags.topics) if tags.relevant else {}
    _reconcile(session, article, model_topics, version, corrections_of(session, article.id))


def record_correction(
    session: Session,
    article_id: int,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    irrelevant: bool = False,
    analyst: str | None = None,
) -> Article:
    """Record an analyst's verdicts and apply them to the article's tags at once.

    Adding a topic also marks the article relevant (topics exist only on relevant articles).
    Label names are checked by the caller against the taxonomy. ``analyst``: who (the web
    workbench's signed-in name; None from the command line).
    """
    article = session.get(Article, article_id)
    if article is None:
        raise NewsmonError(f"no article with id {article_id}")
    both = sorted(set(add) & set(remove))
    if both:
        raise NewsmonError(f"cannot both add and remove {', '.join(both)}")
    if irrelevant and add:
        raise NewsmonError("an irrelevant article has no topics: drop --add or --irrelevant")
    verdicts = {label: True for label in add} | {label: False for label in remove}
    if irrelevant:
        verdicts[RELEVANT] = False
    elif add:
        verdicts[RELEVANT] = True
    existing = {c.label: c for c in session.scalars(select(Correction).where(Correction.article_id == article_id))}
    now = utcnow()
    for label, value in verdicts.items():
        row = existing.get(label)
        if row is None:
            session.add(Correction(article_id=article_id, label=label, value=value, created=now, analyst=analyst))
        else:
            row.value, row.created, row.analyst = value, now, analyst
    session.flush()
    model_topics = {t.label: t.confidence for t in article.topics if t.origin != ANALYST}
    _reconcile(session, article, model_topics, article.model_version or ANALYST, corrections_of(session, article_id))
    return article


def _reconcile(
    session: Session, article: Article, model_topics: dict[str, float], version: str, corrections: dict[str, bool]
) -> None:
    """Make the article's ArticleTopic rows = model topics, minus removed, plus added labels."""
    if RELEVANT in corrections:
        article.relevance = 1.0 if corrections[RELEVANT] else 0.0
        article.relevant = corrections[RELEVANT]
    wanted: dict[str, tuple[float, str, str]] = {}
    if corrections.get(RELEVANT, True):
        for label, confidence in model_topics.items():
            if label not in corrections:
                wanted[label] = (float(confidence), version, "model")
        for label, value in corrections.items():
            if value and label != RELEVANT:
                wanted[label] = (1.0, ANALYST, ANALYST)
    current = {t.label: t for t in article.topics}
    for label, row in current.items():
        if label not in wanted:
            article.topics.remove(row)
    for label, (confidence, row_version, origin) in wanted.items():
        row = current.get(label)
        if row is None:
            article.topics.append(ArticleTopic(label=label, confidence=confidence, model_version=row_version, origin=origin))
        else:
            row.confidence, row.model_version, row.origin = confidence, row_version, origin


def training_records_from_corrections(session: Session) -> Iterator[dict]:
    """One JSONL-shaped record per corrected article: its current (corrected) labels.

    Labels the analyst did not touch keep the model's verdict: the analyst saw them and let them
    stand. ``group`` keeps copies of one story in the same cross-validation fold.
    """
    ids = session.scalars(select(Correction.article_id).distinct().order_by(Correction.article_id))
    for article_id in list(ids):
        article = session.get(Article, article_id)
        corrections = corrections_of(session, article_id)
        topics = sorted(t.label for t in article.topics)
        verdict = article.relevant if article.relevant is not None else bool(topics)
        relevant = corrections.get(RELEVANT, verdict)
        yield {
            "id": f"article-{article.id}",
            "title": article.title or "",
            "text": article.text,
            "lang": article.language,
            "relevant": bool(relevant),
            "topics": topics if relevant else [],
            "note": "",  # grouped by story instead
            "group": f"story-{article.story_id}" if article.story_id else f"article-{article.id}",
        }


def tag_stored(
    factory: sessionmaker[Session],
    predict: Callable[[list[tuple[str | None, str]]], Sequence[TagsLike]],
    version: str,
    condition: ColumnElement[bool] | None = None,
    batch: int = 500,
) -> int:
    """Tag the stored articles matching ``condition`` with ``predict`` ((title, text) pairs -> tags),
    one transaction per batch so a long re-tag keeps what it finished; returns how many it tagged."""
    done, last_id = 0, 0
    while True:
        with factory() as session, session.begin():
            query = select(Article).where(Article.id > last_id).order_by(Article.id).limit(batch)
            if condition is not None:
                query = query.where(condition)
            articles = list(session.scalars(query))
            if not articles:
                return done
            for article, tags in zip(articles, predict([(a.title, a.text) for a in articles]), strict=True):
                apply_tags(session, article, tags, version)
            last_id, done = articles[-1].id, done + len(articles)
