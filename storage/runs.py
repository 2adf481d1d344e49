"""Crawl runs and their stats per source, recorded for `newsmon status`."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import CrawlRun, CrawlRunSource

_SOURCE_KEY = re.compile(r"^newsmon/source/(?P<source>[^/]+)/(?P<what>.+)$")


def start_run(session: Session, started: datetime) -> CrawlRun:
    run = CrawlRun(started=started, status="running", stats={})
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: CrawlRun, finished: datetime, status: str, stats: dict[str, object]) -> None:
    """Store the run's newsmon/* stats and split the per-source ones into CrawlRunSource rows."""
    run.finished, run.status = finished, status
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
