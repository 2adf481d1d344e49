"""Options shared by several commands, declared once with their defaults and help."""
from __future__ import annotations

import logging

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


LOG_LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)


def _more_logging(_ctx: click.Context, _param: click.Parameter, count: int) -> int:
    """`newsmon crawl -v` as well as `newsmon -v crawl`: the more v's on either side, the more."""
    if count:
        root = logging.getLogger()
        level = LOG_LEVELS[min(LOG_LEVELS.index(_level(root.level)) + count, len(LOG_LEVELS) - 1)]
        root.setLevel(level)
    return count


def _level(level: int) -> int:
    return level if level in LOG_LEVELS else logging.WARNING


verbose_option = click.option(
    "-v", "--verbose", count=True, expose_value=False, callback=_more_logging,
    help="More log output (-vv for debug); the same as `newsmon -v`.",
)
