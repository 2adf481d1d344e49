"""Crawl runs and their stats per source, recorded for `newsmon status`."""
from __future__ import annotations

import os
import re
import socket
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, CrawlRun, CrawlRunSource

_SOURCE_KEY = re.compile(r"^newsmon/source/(?P<source>[^/]+)/(?P<what>.+)$")


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
    per_source: dict[str, CrawlRunSource] = {}
    errors: dict[str, dict[str, int]] = defaultdict(dict)
    for key, value in stats.items():
        match = _SOURCE_KEY.match(key)
        if not match or not isinstance(value, int):
            continue
        name, what = match["source"], match["what"]
        row = per_source.setdefault(name, CrawlRunSource(run_id=run.id, source=name, errors={}))
        if what == "pages_fetched":
            row.pages_fetched = value
        elif what == "articles":
            row.articles_stored = value
        elif what == "no_date":
            row.no_date = value
        elif what.startswith("dropped/"):
            if what in ("dropped/no-article", "dropped/too-short", "dropped/not-an-article"):
                row.no_article = (row.no_article or 0) + value
            errors[name][what] = value
        elif what.startswith("errors/"):
            errors[name][what.removeprefix("errors/")] = value
    for name, row in per_source.items():
        row.errors = errors.get(name, {})
        session.add(row)


def new_articles(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Articles first stored in [since, until], per source, as ``newsmon/source/<name>/articles_new``."""
    rows = session.execute(
        select(Article.source, func.count()).where(Article.first_seen >= since, Article.first_seen <= until)
        .group_by(Article.source)
    )
    return {f"newsmon/source/{source}/articles_new": count for source, count in rows}
