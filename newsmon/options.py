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


class Date(click.DateTime):
    """click's DateTime for --since/--until: 2026-11-01, 2026-11-01T08:00 (or a space, seconds, an
    offset such as +02:00 or Z), returned as stored (naive UTC, newsmon.clock.to_stored)."""

    name = "date"

    def __init__(self) -> None:
        times = [f"{sep}%H:%M{seconds}" for sep in ("T", " ") for seconds in ("", ":%S")]
        super().__init__(["%Y-%m-%d", *(f"%Y-%m-%d{time}{zone}" for time in times for zone in ("", "%z"))])

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE"

    def convert(self, value, param, ctx):
        from newsmon.clock import to_stored

        try:
            return to_stored(super().convert(value, param, ctx))
        except click.BadParameter:
            self.fail(f"{value!r} is not a date like 2026-11-01 or 2026-11-01T08:00", param, ctx)


DATE = Date()
