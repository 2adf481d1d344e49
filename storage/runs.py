"""Crawl runs and their stats per source, recorded for `newsmon status`, and each source's health."""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsmon.reasons import NO_ARTICLE_FOUND, Reason
from newsmon.runstats import DROPPED, SourceCount, per_source, source_key
from storage.models import Article, CrawlRun, CrawlRunSource


def start_run(session: Session, started: datetime) -> CrawlRun:
    """Record a new run; runs of this host whose process is gone become ``interrupted``."""
    mark_interrupted(session)
    run = CrawlRun(started=started, status="running", stats={"host": socket.gethostname(), "pid": os.getpid()})
    session.add(run)
    session.flush()
    return run


def mark_interrupted(session: Session) -> int:
    """A run killed (kill -9, power loss) never finishes its row: say so, once its process is gone."""
    host, count = socket.gethostname(), 0
    for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
        stats = run.stats or {}
        if stats.get("host") == host and isinstance(stats.get("pid"), int) and not _alive(stats["pid"]):
            run.status, count = "interrupted", count + 1
    return count


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def finish_run(session: Session, run: CrawlRun, finished: datetime, status: str, stats: dict[str, object]) -> None:
    """Store the run's newsmon/* stats and split the per-source ones into CrawlRunSource rows."""
    run.finished, run.status = finished, status
    stats = {**(run.stats or {}), **stats, **new_articles(session, run.started, finished)}
    run.stats = {k: v for k, v in stats.items() if isinstance(v, (int, float, str))}
    for name, counted in per_source(stats).items():
        row = CrawlRunSource(run_id=run.id, source=name, errors={f"{DROPPED}/{r}": n for r, n in counted.dropped.items()})
        row.errors.update(counted.errors)
        for column, what in _ROW_COUNTS.items():
            if what in counted.counts:  # absent: the column's default
                setattr(row, column, counted.counts[what])
        found_nothing = [n for reason, n in counted.dropped.items() if reason in NO_ARTICLE_FOUND]
        if found_nothing:
            row.no_article = sum(found_nothing)
        session.add(row)


_ROW_COUNTS = {"pages_fetched": SourceCount.PAGES_FETCHED, "articles_stored": SourceCount.ARTICLES,
               "no_date": SourceCount.NO_DATE}


def new_articles(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Articles first stored in [since, until], per source, as ``newsmon/source/<name>/articles_new``."""
    rows = session.execute(
        select(Article.source, func.count()).where(Article.first_seen >= since, Article.first_seen <= until)
        .group_by(Article.source)
    )
    return {source_key(source, SourceCount.ARTICLES_NEW): count for source, count in rows}


# -- health per source, for `newsmon status` -----------------------------------------------------

NOT_ARTICLE = frozenset({Reason.BINARY_BODY})  # errors on fetched pages that never reached extraction
MIN_PAGES_FOR_RATE = 3  # fewer pages say nothing about an extraction-failure rate
RATE_ALERT, RATE_JUMP = 0.5, 0.3


@dataclass
class SourceRun:
    """One source in one finished run, read back from the run's stats."""

    run_id: int
    started: datetime
    entry_pages: int = 0
    not_modified: int = 0
    links_found: int = 0
    pages_fetched: int = 0
    article_errors: int = 0
    articles_new: int = 0
    no_article: int = 0
    no_date: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        """Its entry pages answered with links, or said nothing changed."""
        return self.links_found > 0 or self.not_modified > 0

    @property
    def no_article_share(self) -> float | None:
        return self.no_article / self.pages_fetched if self.pages_fetched else None

    @property
    def no_date_share(self) -> float | None:
        return self.no_date / self.pages_fetched if self.pages_fetched else None


@dataclass
class SourceReport:
    source: str
    last_success: datetime | None
    last_run: SourceRun
    week_new: int
    warnings: list[str] = field(default_factory=list)


_RUN_COUNTS = frozenset(SourceCount) & set(SourceRun.__dataclass_fields__)


def source_runs(run: CrawlRun) -> dict[str, SourceRun]:
    """Each source's counters in ``run``, from the stats stored on its row (the one representation)."""
    result: dict[str, SourceRun] = {}
    for name, counted in per_source(run.stats or {}).items():
        row = result[name] = SourceRun(run.id, run.started)
        for what, value in counted.counts.items():
            if what in _RUN_COUNTS:
                setattr(row, what, value)
        for family, problems in ((DROPPED, counted.dropped), ("errors", counted.errors)):
            for kind, value in problems.items():
                if family == DROPPED or kind in NOT_ARTICLE:
                    row.no_article += value
                row.errors[kind] = row.errors.get(kind, 0) + value
    return result


def source_reports(session: Session, now: datetime, history: int = 10) -> list[SourceReport]:
    """Per source seen in the last ``history`` finished runs: its latest run's yield, errors, and warnings.

    Sources come from all those runs, not only the latest: `crawl --source X` records X alone, and
    the others must not vanish. Runs without per-source stats (crashed before crawling) are skipped.
    """
    per_run: list[dict[str, SourceRun]] = []  # newest first
    finished = select(CrawlRun).where(CrawlRun.finished.is_not(None)).order_by(CrawlRun.started.desc())
    for run in session.scalars(finished.limit(history * 10)).all():  # bounded: crashed runs are rare
        if sources := source_runs(run):
            per_run.append(sources)
            if len(per_run) >= history:
                break
    if not per_run:
        return []
    week = dict(session.execute(
        select(Article.source, func.count()).where(Article.first_seen >= now - timedelta(days=7))
        .group_by(Article.source)
    ).all())
    reports = []
    for name in sorted(set().union(*per_run)):
        rows = [r[name] for r in per_run if name in r]
        last, before = rows[0], rows[1:]
        success = next((r.started for r in rows if r.answered), None)
        reports.append(SourceReport(name, success, last, week.get(name, 0), _warnings(last, before)))
    return reports


def _warnings(last: SourceRun, before: list[SourceRun]) -> list[str]:
    warnings = []
    yielded = [r.articles_new for r in before if r.articles_new]
    if yielded and last.articles_new == 0 and last.not_modified == 0:
        usual = sum(yielded) / len(yielded)
        if last.entry_pages == 0:
            failed = ", ".join(sorted(last.errors)) or "no answer"
            warnings.append(f"its feeds/sitemaps/listings failed ({failed}); it used to yield ~{usual:.0f} new articles a run")
        elif last.links_found == 0:
            warnings.append(f"found no article links (it used to yield ~{usual:.0f} new articles a run)")
        elif last.pages_fetched + last.article_errors > 0:
            tried = last.pages_fetched + last.article_errors
            warnings.append(f"fetched {tried} pages but stored no article (it used to yield ~{usual:.0f} a run)")
    share = last.no_article_share
    if share is not None and last.pages_fetched >= MIN_PAGES_FOR_RATE and share >= RATE_ALERT:
        earlier = [r.no_article_share for r in before if r.pages_fetched >= MIN_PAGES_FOR_RATE]
        baseline = sum(earlier) / len(earlier) if earlier else None
        if baseline is None or share - baseline >= RATE_JUMP:
            was = f" (before: {baseline:.0%})" if baseline is not None else ""
            warnings.append(f"extraction found no article in {share:.0%} of fetched pages{was}")
    return warnings
