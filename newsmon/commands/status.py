"""`newsmon status`: is each source still yielding articles? The silent breakage, made loud."""
from __future__ import annotations

import click

from newsmon.options import db_option
from newsmon.tables import Column, render_table


@click.command()
@db_option
@click.option("--runs", "history", default=10, show_default=True, type=click.IntRange(2, 100),
              help="How many past runs to compare the last one with.")
def status(db_url: str, history: int) -> None:
    """Show per source the last successful run, articles found, errors and extraction failures.

    A WARNING line marks a source that used to yield articles and now yields none, or whose
    extraction-failure rate jumped. Exits 0 either way (it is a report, not a check).
    """
    from sqlalchemy import select

    from newsmon.clock import utcnow
    from newsmon.runstats import CONFIG_ERRORS
    from storage.db import open_for_command
    from storage.models import CrawlRun
    from storage.runs import mark_interrupted, source_reports

    factory = open_for_command(db_url)
    now = utcnow()
    with factory() as session, session.begin():
        mark_interrupted(session)
        last = session.scalars(select(CrawlRun).order_by(CrawlRun.started.desc()).limit(1)).first()
        reports = source_reports(session, now, history)
    if last is None:
        click.echo("No crawl recorded yet: run `newsmon crawl` or `newsmon nightly`.")
        return
    click.echo(f"Last run {last.id}: {last.status}, started {last.started:%Y-%m-%d %H:%M} UTC"
               + (f", took {(last.finished - last.started).total_seconds():.0f}s" if last.finished else ""))
    skipped = (last.stats or {}).get(CONFIG_ERRORS)
    if skipped:
        click.echo(f"WARNING sources file: {skipped} bad source entr{'y' if skipped == 1 else 'ies'} skipped "
                   f"by run {last.id} (`newsmon crawl` prints each with its line)")
    if not reports:
        click.echo("No finished run yet.")
        return
    columns = [Column(header) for header in
               ("source", "last success", "new (run)", "new (7d)", "fetched", "no article", "no date", "errors")]
    rows = []
    for report in reports:
        run = report.last_run
        rows.append((
            report.source,
            f"{report.last_success:%Y-%m-%d %H:%M}" if report.last_success else "never",
            str(run.articles_new),
            str(report.week_new),
            str(run.pages_fetched),
            _share(run.no_article_share),
            _share(run.no_date_share),
            ", ".join(f"{kind} {n}" for kind, n in sorted(run.errors.items())) or "-",
        ))
    click.echo(render_table(columns, rows))
    warnings = [(r.source, w) for r in reports for w in r.warnings]
    if warnings:
        click.echo("")
    for source, warning in warnings:
        click.echo(f"WARNING {source}: {warning}")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
