"""The `newsmon` command: one front door for crawl, query, tag, digest and the rest."""
from __future__ import annotations

import importlib
import logging
import sys

import click

from sqlalchemy.exc import SQLAlchemyError

from newsmon.errors import NewsmonError

# name -> "module:function"; modules load only when their command runs, so --help stays fast.
COMMANDS = {
    "crawl": "newsmon.commands.crawl:crawl",
    "db": "newsmon.commands.db:db",
    "demo": "newsmon.commands.demo:demo",
    "document": "newsmon.commands.documents:document",
    "documents": "newsmon.commands.documents:documents",
    "query": "newsmon.commands.query:query",
    "extract": "newsmon.commands.extract:extract",
    "reextract": "newsmon.commands.reextract:reextract",
    "digest": "newsmon.commands.digest:digest",
    "nightly": "newsmon.commands.nightly:nightly",
    "status": "newsmon.commands.status:status",
    "story": "newsmon.commands.story:story",
    "tag": "newsmon.commands.classify:tag",
    "label": "newsmon.commands.classify:label",
    "train": "newsmon.commands.classify:train",
    "retag": "newsmon.commands.classify:retag",
    "evaluate": "newsmon.commands.classify:evaluate",
    "review": "newsmon.commands.review:review",
    "serve": "newsmon.commands.serve:serve",
    "settings": "newsmon.commands.settings:settings",
    "users": "newsmon.commands.users:users",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="newsmon")
def cli(verbose: int) -> None:
    """Monitor news on international AI governance: crawl, extract, tag, store, query, alert."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main() -> None:
    try:
        code = cli(standalone_mode=False)  # a command's ctx.exit(n) comes back as n
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except NewsmonError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except SQLAlchemyError as exc:
        click.echo(f"Error: database: {_first_line(exc)}", err=True)
        sys.exit(1)
    if isinstance(code, int) and code:
        sys.exit(code)


def _first_line(exc: SQLAlchemyError) -> str:
    """The driver's own message (e.g. 'connection refused'), without SQLAlchemy's background link."""
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0]
