"""`newsmon nightly`: crawl, then tag what is untagged, then send digests; one line per step.

Meant for cron (see cron/newsmon-nightly.sh). A broken source is not a failed night: it shows
in `newsmon status`. The night fails (exit 1) only when a step itself fails: the crawl crashed
or did not finish, tagging raised, or a digest could not be delivered. A step whose component
is not installed (no classifier model yet, no digest command) is skipped, not failed.
"""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from newsmon.commands.crawl import _parse_overrides
from newsmon.options import db_option, raw_dir_option, setting_option, sources_option, subscriptions_option, verbose_option
from newsmon.settings import MODEL, REFRESH_DAYS

logger = logging.getLogger(__name__)

TAG_BATCH = 200


@dataclass
class StepResult:
    step: str
    status: str  # ok | skipped | failed
    message: str
    seconds: float = 0.0


@click.command()
@sources_option
@db_option
@raw_dir_option
@setting_option(REFRESH_DAYS, "--refresh-days", type=click.IntRange(min=0),
                help="Fetch again stored articles last fetched more than N days ago (0: never).")
@subscriptions_option("Subscriptions for the digest step (skipped when the file is absent).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@verbose_option
def nightly(sources_path: str, db_url: str, raw_dir: str, refresh_days: int, subscriptions_path: str,
            overrides: tuple[str, ...]) -> None:
    """Crawl only what is new, tag untagged articles, send digests. Exits 1 only if a step failed."""
    from newsmon.crawling import checked_sources, resolve_sources
    from newsmon.errors import ConfigError

    sources = resolve_sources(sources_path)
    if not sources.exists():
        raise click.ClickException(f"sources file not found: {sources}")
    try:
        loaded = checked_sources(sources)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for error in loaded.errors:  # one bad entry among good ones: the night runs, and says so
        click.echo(f"nightly: WARNING: bad source entry skipped: {error}")
    settings = {**_parse_overrides(overrides), REFRESH_DAYS.name: refresh_days}
    steps: list[tuple[str, Callable[[], StepResult]]] = [
        ("crawl", lambda: crawl_step(sources, db_url, raw_dir, settings)),
        ("tag", lambda: tag_step(db_url)),
        ("digest", lambda: digest_step(db_url, Path(subscriptions_path))),
    ]
    results = []
    for name, step in steps:
        started = time.monotonic()
        try:
            result = step()
        except Exception as exc:  # noqa: BLE001 - one failed step must not stop the night
            logger.exception("%s step crashed", name)
            result = StepResult(name, "failed", f"{type(exc).__name__}: {exc}")
        result.seconds = time.monotonic() - started
        results.append(result)
        click.echo(f"nightly {result.step}: {result.status} ({result.seconds:.1f}s): {result.message}")
        sys.stdout.flush()
    failed = [r.step for r in results if r.status == "failed"]
    if failed:
        click.echo(f"nightly: FAILED ({', '.join(failed)})", err=True)
        sys.exit(1)
    click.echo("nightly: done")


def crawl_step(sources: Path, db_url: str, raw_dir: str, overrides: dict[str, object]) -> StepResult:
    from newsmon.crawling import crawl_settings, run_crawl

    summary = run_crawl(crawl_settings(sources, db_url, raw_dir, overrides))
    # Not one source answered: the network or the machine, not the sources.
    return StepResult("crawl", "ok" if summary.ok else "failed", f"run {summary.run_id}: {summary.line()}")


def tag_step(db_url: str) -> StepResult:
    """Tag articles the crawl stored without tags (model absent at crawl time, or a crash)."""
    from classifier import load_default_model
    from newsmon.errors import ModelError
    from storage.db import open_for_command

    try:
        model = load_default_model(MODEL.value())  # as the crawl's settings
    except ModelError as exc:  # e.g. built with another scikit-learn: the crawl went on untagged
        return StepResult("tag", "failed", str(exc))
    if model is None:
        return StepResult("tag", "skipped", "no trained model (run `newsmon train` first)")
    tagged = tag_untagged(open_for_command(db_url), model)
    return StepResult("tag", "ok", f"{tagged} untagged articles tagged with model {model.version}")


def tag_untagged(factory, model, batch: int = TAG_BATCH) -> int:
    """Tag every article with no model version, ``batch`` per transaction."""
    from storage.models import Article
    from storage.tagging import tag_stored

    return tag_stored(factory, model.predict, model.version, Article.model_version.is_(None), batch)


def digest_step(db_url: str, subscriptions: Path) -> StepResult:
    """Run `newsmon digest` when there are subscriptions; it raises ClickException when one failed."""
    if not subscriptions.exists():
        return StepResult("digest", "skipped", f"no subscriptions file at {subscriptions}")
    from newsmon.commands.digest import digest

    try:
        digest.main(["--db", db_url, "--subscriptions", str(subscriptions)],
                    prog_name="newsmon digest", standalone_mode=False)
    except click.ClickException as exc:
        return StepResult("digest", "failed", exc.format_message())
    return StepResult("digest", "ok", "digests sent (see the lines above)")
