"""`newsmon db upgrade` and `newsmon db current`: schema migrations, only when asked for.

Read-only commands never migrate: upgrading the package and running `newsmon query` must not
change a database a team shares. `crawl`, `nightly` and `demo` migrate only a SQLite file.
"""
from __future__ import annotations

import click

from newsmon.options import db_option


@click.group()
def db() -> None:
    """Create or upgrade the database schema, or show its revision."""


@db.command()
@db_option
def upgrade(db_url: str) -> None:
    """Create the schema, or migrate it to this newsmon's version (back up a shared database first)."""
    from storage.db import check_location, make_engine, mask_url, parse_db_url, schema_revisions
    from storage.db import upgrade as migrate

    parsed = parse_db_url(db_url)
    check_location(parsed, create=True)
    engine = make_engine(parsed)
    try:
        before, head = schema_revisions(engine)
        if before != head:
            migrate(engine)
    finally:
        engine.dispose()
    where = mask_url(parsed)
    if before == head:
        click.echo(f"{where}: schema already at revision {head}")
    else:
        click.echo(f"{where}: schema upgraded from revision {before or '(none)'} to {head}")


@db.command()
@db_option
def current(db_url: str) -> None:
    """Show the schema revision of the database and the one this newsmon needs; exit 1 when behind."""
    from storage.db import check_location, make_engine, mask_url, parse_db_url, schema_revisions

    parsed = parse_db_url(db_url)
    check_location(parsed, create=False)
    engine = make_engine(parsed)
    try:
        revision, head = schema_revisions(engine)
    finally:
        engine.dispose()
    state = "up to date" if revision == head else "behind: run `newsmon db upgrade`"
    click.echo(f"{mask_url(parsed)}: revision {revision or '(no schema)'}, this newsmon needs {head} ({state})")
    if revision != head:
        click.get_current_context().exit(1)
