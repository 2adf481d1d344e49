"""`newsmon digest`: deliver each subscription's new stories once (email, webhook, file, Atom)."""
from __future__ import annotations

from datetime import datetime

import click

from newsmon.clean import clean_text
from newsmon.errors import ConfigError
from newsmon.options import DATE, db_option, subscriptions_option


@click.command()
@click.option("--subscription", "names", multiple=True, metavar="NAME",
              help="Only this subscription (repeatable). Default: all.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option("--since", type=DATE,
              help="Collect stories that arrived since DATE (UTC) instead of since the last digest; "
                   "stories already delivered are still never sent again.")
@subscriptions_option("The subscriptions TOML file.", dest="path")
@db_option
def digest(names: tuple[str, ...], dry_run: bool, since: datetime | None, path: str, db_url: str) -> None:
    """Send each subscription the stories that are new since its last digest.

    Exits non-zero when any subscription failed or had a bad entry, so cron notices; the others
    still run, and a failed delivery is retried by the next run.

    Email reads NEWSMON_SMTP_HOST, NEWSMON_SMTP_PORT, NEWSMON_SMTP_USER, NEWSMON_SMTP_PASSWORD,
    NEWSMON_SMTP_TLS (implicit TLS; on by default for port 465), NEWSMON_SMTP_STARTTLS (on by
    default when a user is set and implicit TLS is off) and NEWSMON_MAIL_FROM from the environment.
    """
    from alerts.run import RunOptions, run_digests
    from alerts.subscriptions import load_subscriptions
    from storage.db import open_for_command

    try:
        config = load_subscriptions(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc))
    for warning in config.warnings:
        click.echo(f"warning: {warning}", err=True)
    errors = list(config.errors)
    subs = config.subscriptions
    if names:
        known = {s.name for s in subs} | config.failed_names()
        unknown = [n for n in names if n not in known]
        if unknown:
            listed = ", ".join(sorted(known)) or "none"
            raise click.ClickException(f"no subscription named {', '.join(unknown)} in {path} (known: {listed})")
        subs = [s for s in subs if s.name in names]
        errors = [e for e in errors if e.name in names]
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if not subs and not errors:
        click.echo(f"{path}: no subscriptions", err=True)
        return

    factory = open_for_command(db_url)
    try:
        subs, unknown = _check_sources(factory, subs, path)
        for error in unknown:
            click.echo(f"error: {error}", err=True)
        failed = len(errors) + len(unknown)
        outcomes = run_digests(factory, subs, RunOptions(dry_run=dry_run, since=since))
    finally:
        factory.kw["bind"].dispose()
    for outcome in outcomes:
        if outcome.preview:
            click.echo(f"=== {outcome.subscription} ===")
            click.echo(clean_text(outcome.preview))  # stored titles may predate cleaning
        if outcome.failed:
            failed += 1
            click.echo(f"error: {outcome.message}", err=True)
        else:
            click.echo(f"{outcome.subscription}: {outcome.message}")
    if failed:
        raise click.ClickException(f"{failed} subscription(s) failed; see the errors above")


def _check_sources(factory, subs: list, path: str) -> tuple[list, list]:
    """Subscriptions whose sources the database knows, and an error for each of the others."""
    from newsmon.errors import SubscriptionError
    from newsmon.names import source_problem
    from storage.queries import known_sources

    with factory() as session:
        known = known_sources(session)
    kept, bad = [], []
    for sub in subs:
        problem = source_problem(sub.sources, known)
        if problem:
            bad.append(SubscriptionError(f"{sub.name}: {problem}", path, sub.line, sub.name))
        else:
            kept.append(sub)
    return kept, bad
