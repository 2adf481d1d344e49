"""The review queue: stored articles where an analyst's verdict would teach the model most.

The CLI (`newsmon review`) and the web pages rank with this one module. It takes plain values (a
ReviewPolicy: thresholds, training records per language and, optionally, a function giving the
current model's probabilities), so storage never imports the classifier. Candidates are the most
recent uncorrected, tagged articles matching an ArticleFilter; each is scored in Python:

- uncertainty: how close relevance or a topic's probability sits to its threshold (1 at the
  threshold, 0 at 0 or 1), the most uncertain of them;
- disagreement: relevant with no topic, or a topic the relevance gate rejected, or confident topics
  on an article that is barely relevant;
- rarity: the article's language had few training records, so the model's confidence there is
  worth least.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from storage.batches import chunks
from storage.models import Article, Correction
from storage.queries import ArticleFilter, article_date, filtered

NEAR = 0.15  # a probability within this of its threshold is "near" it
FEW_RECORDS = 40  # a language with fewer training records than this is "rare"
ENOUGH_RECORDS = 80  # rarity falls linearly to 0 here
WEIGHTS = {"uncertainty": 0.5, "disagreement": 0.3, "rarity": 0.2}
DEFAULT_POOL = 2000  # most recent candidates scored; the model reads about 2,000 articles a second
BATCH = 500

Docs = list[tuple[str | None, str]]


@dataclass(frozen=True)
class ReviewPolicy:
    """What the ranking needs to know about the model, as plain values.

    ``probabilities`` maps (title, text) pairs to rows of probabilities in ``labels`` order
    (relevance first). Without it, the stored relevance and tag confidences are used, which miss
    topics just below their thresholds (the store keeps only assigned tags)."""

    thresholds: Mapping[str, float]
    labels: Sequence[str]  # relevance label first, then the topics
    language_counts: Mapping[str, int] = field(default_factory=dict)
    probabilities: Callable[[Docs], Any] | None = None
    version: str | None = None

    @property
    def relevance_label(self) -> str:
        return self.labels[0]

    @property
    def topics(self) -> Sequence[str]:
        return self.labels[1:]

    @classmethod
    def from_model(cls, model: Any) -> ReviewPolicy:
        """From a classifier.TopicModel (duck-typed: labels, thresholds, metrics, predict_proba)."""
        per_language = (getattr(model, "metrics", None) or {}).get("cross_validation", {}).get("per_language", {})
        counts = {lang: int(row.get("n", 0)) for lang, row in per_language.items() if isinstance(row, dict)}
        proba = getattr(model, "predict_proba", None)
        return cls(dict(model.thresholds), list(model.labels), counts, proba, getattr(model, "version", None))


@dataclass(frozen=True)
class ReviewTag:
    """A topic as the analyst sees it: stored (``origin`` model/analyst) or a near miss (``near-miss``,
    the model's probability just below the threshold, not stored)."""

    label: str
    confidence: float
    threshold: float | None
    origin: str


@dataclass(frozen=True)
class Suggestion:
    """One correction that flips an uncertain verdict: what `newsmon label` would be given."""

    why: str
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    irrelevant: bool = False


@dataclass(frozen=True)
class ReviewItem:
    article_id: int
    title: str | None
    source: str
    language: str | None
    date: datetime  # naive UTC (published, else first seen), for order
    shown_date: datetime  # the date people read, in the page's own offset (Article.shown_date)
    url: str
    story_id: int | None
    relevance: float | None
    relevant: bool | None
    relevance_threshold: float
    tags: tuple[ReviewTag, ...]
    score: float
    reasons: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]


def review_queue(
    session: Session,
    policy: ReviewPolicy,
    limit: int = 20,
    article_filter: ArticleFilter | None = None,
    pool: int = DEFAULT_POOL,
) -> list[ReviewItem]:
    """The ``limit`` best articles to review among the ``pool`` most recent uncorrected, tagged
    ones matching ``article_filter``, best first."""
    base = replace(article_filter or ArticleFilter(), limit=None)
    corrected = exists().where(Correction.article_id == Article.id)
    query = (
        filtered(session.get_bind().dialect.name, base)
        .where(Article.relevance.is_not(None), ~corrected)
        .order_by(article_date().desc(), Article.id.desc())
        .limit(pool)
    )
    articles = list(session.scalars(query))
    items: list[ReviewItem] = []
    for batch in chunks(articles, BATCH):
        rows = _probabilities(policy, batch)
        items.extend(score_article(policy, article, row) for article, row in zip(batch, rows, strict=True))
    items.sort(key=lambda item: (-item.score, -item.date.timestamp(), -item.article_id))
    return items[:limit]


def _probabilities(policy: ReviewPolicy, articles: Sequence[Article]) -> list[dict[str, float]]:
    """Per article, label -> probability: the model's now, else what the store holds."""
    if policy.probabilities is not None:
        matrix = policy.probabilities([(a.title, a.text) for a in articles])
        return [{label: float(p) for label, p in zip(policy.labels, row, strict=True)} for row in matrix]
    rows = []
    for article in articles:
        row = {label: 0.0 for label in policy.topics}
        row.update({t.label: t.confidence for t in article.topics if t.origin == "model"})
        row[policy.relevance_label] = float(article.relevance or 0.0)
        rows.append(row)
    return rows


def uncertainty(p: float, threshold: float) -> float:
    """1 at the threshold, falling linearly to 0 at 0 (below it) or 1 (above it)."""
    span = threshold if p < threshold else 1.0 - threshold
    if span <= 0:
        return 0.0
    return max(0.0, 1.0 - abs(p - threshold) / span)


def rarity(language: str | None, counts: Mapping[str, int]) -> float:
    """1 for a language the model never saw in training, 0 from ENOUGH_RECORDS up; 0 when unknown."""
    if not counts or not language:
        return 0.0
    return max(0.0, 1.0 - counts.get(language, 0) / ENOUGH_RECORDS)


def score_article(policy: ReviewPolicy, article: Article, probs: Mapping[str, float]) -> ReviewItem:
    """Score one article and say why, with the corrections that would flip its uncertain verdicts."""
    rel_label, cut = policy.relevance_label, policy.thresholds[policy.relevance_label]
    p_rel = probs[rel_label]
    relevant = p_rel >= cut
    stored = {t.label: t for t in article.topics}
    assigned = {label for label, t in stored.items() if t.origin == "model"} if policy.probabilities is None else {
        label for label in policy.topics if relevant and probs[label] >= policy.thresholds[label]
    }
    reasons: list[str] = []
    suggestions: list[Suggestion] = []
    best_topic = max(policy.topics, key=lambda label: probs[label]) if policy.topics else None

    u_rel = uncertainty(p_rel, cut)
    if abs(p_rel - cut) <= NEAR:
        reasons.append(f"relevance {p_rel:.2f} near its threshold {cut:.2f}")
        if relevant:
            suggestions.append(Suggestion("if it is not about AI governance", irrelevant=True))
        elif best_topic:
            suggestions.append(Suggestion(f"if it is relevant and about {best_topic}", add=(best_topic,)))

    u_topic = 0.0
    near_misses: list[ReviewTag] = []
    if p_rel >= cut - NEAR:  # topics of a clearly irrelevant article say nothing
        for label in policy.topics:
            p, t = probs[label], policy.thresholds[label]
            if abs(p - t) > NEAR:
                continue
            u_topic = max(u_topic, uncertainty(p, t))
            if label in assigned:
                reasons.append(f"{label} {p:.2f} just above its threshold {t:.2f}")
                suggestions.append(Suggestion(f"if it is not about {label}", remove=(label,)))
            else:
                reasons.append(f"{label} {p:.2f} just below its threshold {t:.2f}")
                suggestions.append(Suggestion(f"if it is about {label}", add=(label,)))
                near_misses.append(ReviewTag(label, p, t, "near-miss"))

    disagreement = 0.0
    gated = [label for label in policy.topics if probs[label] >= policy.thresholds[label]]
    if relevant and not assigned:
        disagreement = 1.0
        reasons.append("relevant but no topic")
        if best_topic and not any(s.add == (best_topic,) for s in suggestions):
            suggestions.append(Suggestion(f"if it is about {best_topic}", add=(best_topic,)))
        if not any(s.irrelevant for s in suggestions):
            suggestions.append(Suggestion("if it is not about AI governance", irrelevant=True))
    elif not relevant and gated:
        disagreement = 1.0
        reasons.append(f"{', '.join(gated)} above threshold but judged not relevant")
        for label in gated:
            if not any(s.add == (label,) for s in suggestions):
                suggestions.append(Suggestion(f"if it is relevant and about {label}", add=(label,)))
    elif relevant and p_rel < cut + NEAR and any(probs[label] >= 0.5 for label in assigned):
        disagreement = 0.5
        reasons.append("confident topics but relevance barely above its threshold")

    if not suggestions:  # nothing near a threshold: offer to flip the least certain verdict
        suggestions.append(_least_certain(policy, probs, relevant, assigned, best_topic))

    rare = rarity(article.language, policy.language_counts)
    if policy.language_counts and article.language and policy.language_counts.get(article.language, 0) < FEW_RECORDS:
        reasons.append(f"language {article.language}: {policy.language_counts.get(article.language, 0)} training records")

    score = (WEIGHTS["uncertainty"] * max(u_rel, u_topic) + WEIGHTS["disagreement"] * disagreement
             + WEIGHTS["rarity"] * rare)
    tags = [ReviewTag(t.label, t.confidence, policy.thresholds.get(t.label), t.origin) for t in stored.values()]
    tags.sort(key=lambda tag: -tag.confidence)
    return ReviewItem(
        article_id=article.id, title=article.title, source=article.source, language=article.language,
        date=article.published or article.first_seen, shown_date=article.shown_date, url=article.url, story_id=article.story_id,
        relevance=article.relevance, relevant=article.relevant, relevance_threshold=cut,
        tags=tuple(tags + near_misses), score=round(score, 4), reasons=tuple(reasons),
        suggestions=tuple(_unique(suggestions)),
    )


def _least_certain(
    policy: ReviewPolicy, probs: Mapping[str, float], relevant: bool, assigned: set[str], best_topic: str | None
) -> Suggestion:
    if relevant and assigned:
        label = min(assigned, key=lambda name: abs(probs.get(name, 1.0) - policy.thresholds[name]))
        return Suggestion(f"if it is not about {label}", remove=(label,))
    if relevant or not best_topic:
        return Suggestion("if it is not about AI governance", irrelevant=True)
    return Suggestion(f"if it is relevant and about {best_topic}", add=(best_topic,))


def _unique(suggestions: list[Suggestion]) -> list[Suggestion]:
    seen, out = set(), []
    for s in suggestions:
        key = (s.add, s.remove, s.irrelevant)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
