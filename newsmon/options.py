"""Options shared by several commands, declared once with their defaults and help."""
from __future__ import annotations

import click

from storage.db import DEFAULT_DB_URL

db_option = click.option(
    "--db",
    "db_url",
    envvar="NEWSMON_DB_URL",
    default=DEFAULT_DB_URL,
    show_default=True,
    help="SQLAlchemy database URL (env NEWSMON_DB_URL), e.g. postgresql://user@host/newsmon.",
)
