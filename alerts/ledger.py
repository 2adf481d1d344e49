"""The delivery ledger: which story went to which subscription, so none is sent twice.

Rows are written (and flushed, so the unique constraint is checked and, on PostgreSQL, a
concurrent run for the same subscription waits) before the channel is called, and committed
only after it accepted the digest; a failed delivery rolls them back.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from alerts.select import DigestStory, add_outlets, article_tags
from alerts.subscriptions import Subscription
from storage.models import Article, Delivery

# The window reaches back this far before the last delivery, so articles tagged or judged relevant
# a little after they arrived are still picked up; the ledger keeps the overlap from repeating.
GRACE = timedelta(days=2)


def last_delivery(session: Session, name: str) -> datetime | None:
    return session.scalar(select(func.max(Delivery.delivered)).where(Delivery.subscription == name))


def window_start(session: Session, sub: Subscription, now: datetime, since: datetime | None = None) -> datetime:
    """--since when given; else shortly before the last delivery; else ``lookback_days`` ago."""
    if since is not None:
        return since
    last = last_delivery(session, sub.name)
    if last is not None:
        return last - GRACE
    return now - timedelta(days=sub.lookback_days)


def record(session: Session, name: str, stories: list[DigestStory], now: datetime) -> None:
    """Add (or, for updated stories, refresh) ledger rows and flush them; the caller commits.

    New rows are guarded by the unique key (IntegrityError when another run added them). An
    updated story's row is only changed if it still holds the hash this run selected it with;
    otherwise another run delivered the update first, and StaleDataError says so.
    """
    for story in stories:
        if not story.updated:
            session.add(Delivery(subscription=name, story_id=story.story_id,
                                 content_hash=story.content_hash, delivered=now))
            continue
        result = session.execute(
            update(Delivery)
            .where(Delivery.subscription == name, Delivery.story_id == story.story_id,
                   Delivery.content_hash == story.seen_hash)
            .values(content_hash=story.content_hash, delivered=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise StaleDataError(f"story {story.story_id}: its ledger row changed since this run selected it")
    session.flush()


def delivered_stories(session: Session, sub: Subscription, limit: int) -> list[DigestStory]:
    """The latest ``limit`` stories delivered to ``sub``, newest delivery first (for the Atom feed)."""
    rows = session.execute(
        select(Delivery.story_id, Delivery.content_hash, Delivery.delivered)
        .where(Delivery.subscription == sub.name)
        .order_by(Delivery.delivered.desc(), Delivery.story_id.desc())
        .limit(limit)
    ).all()
    stories = []
    for story_id, content_hash, delivered in rows:
        articles = list(session.scalars(
            select(Article).where(Article.story_id == story_id).order_by(Article.first_seen, Article.id)
        ))
        if not articles:
            continue
        lead = next((a for a in articles if a.content_hash == content_hash), articles[0])
        tags = article_tags(session, [lead.id]).get(lead.id, {})
        topics = sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))
        stories.append(DigestStory.of(story_id, lead, topics, topics[0][0] if topics else "other",
                                      topics[0][1] if topics else 0.0, delivered=delivered))
    add_outlets(session, stories)
    stories.sort(key=lambda s: (s.delivered, s.date), reverse=True)
    return stories
