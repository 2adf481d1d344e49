"""One digest run: per subscription select, render, record, deliver, commit, in one transaction.

A subscription that fails (bad settings, SMTP down, webhook 500, disk full) rolls back its ledger
rows and is reported; the others still run, and the caller exits non-zero.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from alerts.channels import Transports, make_channel
from alerts.chart import legend, png_chart, sparkline, svg_chart
from alerts.ledger import last_delivery, record, window_start
from alerts.render import Digest
from alerts.select import daily_counts, select_stories
from alerts.subscriptions import Subscription
from newsmon.clock import utcnow_seconds as utcnow  # digest windows to the whole second
from newsmon.errors import DeliveryError

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    dry_run: bool = False
    since: datetime | None = None
    clock: Callable[[], datetime] = utcnow
    transports: Transports = field(default_factory=Transports)


@dataclass
class Outcome:
    subscription: str
    status: str  # sent | empty | dry-run | failed
    stories: int = 0
    message: str = ""
    preview: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def build_digest(session: Session, sub: Subscription, now: datetime, since: datetime | None) -> Digest:
    start = window_start(session, sub, now, since)
    stories = select_stories(session, sub, start, now)
    if not stories and not sub.send_empty:
        return Digest(sub, stories, now, start)  # will not be sent: no chart needed
    days, per_topic = daily_counts(session, sub, now)
    last = last_delivery(session, sub.name)
    if since is not None:
        period = f"since {since:%d %b %Y %H:%M} UTC"
    elif last is not None:
        period = f"since the last digest ({last:%d %b %Y %H:%M} UTC)"
    else:
        period = "in the last day" if sub.lookback_days == 1 else f"in the last {sub.lookback_days} days"
    has_chart = any(per_topic.values())
    return Digest(sub, stories, now, start, chart_svg=svg_chart(days, per_topic), sparkline=sparkline(days, per_topic),
                  period=period, chart_png=png_chart(days, per_topic) if has_chart else b"",
                  chart_legend=legend(per_topic))


def run_subscription(factory: sessionmaker[Session], sub: Subscription, options: RunOptions) -> Outcome:
    channel = make_channel(sub, options.transports)
    now = options.clock()
    with factory() as session:
        try:
            if not options.dry_run:
                channel.check()
            digest = build_digest(session, sub, now, options.since)
            n = len(digest.stories)
            if not n and not sub.send_empty:
                return Outcome(sub.name, "empty", 0, "nothing new; not sent (send_empty = false)")
            if options.dry_run:
                preview = channel.preview(digest, session)
                try:
                    channel.check()
                except DeliveryError as exc:
                    preview += f"\nwarning: a real run would fail: {exc}"
                return Outcome(sub.name, "dry-run", n, f"would send {n} stories; nothing recorded", preview=preview)
            record(session, sub.name, digest.stories, now)
            receipt = channel.deliver(digest, session)
        except DeliveryError as exc:
            session.rollback()
            return Outcome(sub.name, "failed", 0, f"{exc}; nothing recorded, the next run retries")
        except (IntegrityError, StaleDataError):  # new rows / updated rows another run wrote first
            session.rollback()
            return Outcome(sub.name, "failed", 0, f"{sub.name}: another digest run recorded these stories "
                           "at the same time; nothing sent by this run")
        except SQLAlchemyError as exc:
            session.rollback()
            log.debug("database error", exc_info=True)
            reason = getattr(exc, "orig", None) or exc
            return Outcome(sub.name, "failed", 0, f"{sub.name}: database error, nothing sent: {reason}")
        try:
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            return Outcome(sub.name, "failed", n, f"{sub.name}: delivered ({receipt}) but the ledger could "
                           f"not be saved, so the next run may send these stories again: {exc}")
    return Outcome(sub.name, "sent", n, receipt)


def run_digests(factory: sessionmaker[Session], subs: list[Subscription], options: RunOptions) -> list[Outcome]:
    """Every subscription runs, whatever happens to the others."""
    outcomes = []
    for sub in subs:
        try:
            outcomes.append(run_subscription(factory, sub, options))
        except Exception as exc:  # a bug must not stop the other subscriptions' digests
            log.error("%s: unexpected error", sub.name, exc_info=log.isEnabledFor(logging.DEBUG))
            outcomes.append(Outcome(sub.name, "failed", 0, f"{sub.name}: unexpected error, nothing recorded "
                                    f"({exc.__class__.__name__}: {exc}); run with -vv for details"))
    return outcomes
