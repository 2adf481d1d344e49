"""Options shared by several commands; each takes its environment variable and default from
newsmon/settings.py, where every setting is declared once."""
from __future__ import annotations

import logging
from typing import Any

import click

from newsmon.settings import DB_URL, RAW_DIR, SOURCES, SUBSCRIPTIONS, Setting


def setting_option(setting: Setting, *param_decls: str, help: str, **attrs: Any):
    """A click option whose environment variable and default are ``setting``'s; its help names the variable."""
    attrs.setdefault("default", setting.default)
    attrs.setdefault("show_default", setting.default is not None)
    return click.option(*param_decls, envvar=setting.env, help=f"{help} (env {setting.env})", **attrs)


db_option = setting_option(DB_URL, "--db", "db_url", help="SQLAlchemy database URL, e.g. postgresql://user@host/newsmon.")
sources_option = setting_option(SOURCES, "--sources", "sources_path", type=click.Path(dir_okay=False),
                                help="Sources file (TOML).")
raw_dir_option = setting_option(RAW_DIR, "--raw-dir", help="Folder where raw pages are kept for re-extraction.")


def subscriptions_option(help: str, dest: str = "subscriptions_path"):
    """``--subscriptions PATH``: the subscriptions file, with what this command does with it."""
    return setting_option(SUBSCRIPTIONS, "--subscriptions", dest, type=click.Path(dir_okay=False), help=help)


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
