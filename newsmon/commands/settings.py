"""`newsmon settings`: every setting newsmon reads, with its effective value (secrets masked)."""
from __future__ import annotations

import click


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Also the cron wrapper's and the test suite's variables.")
@click.option("--markdown", is_flag=True, help="Print the README's settings table instead (generated from the declarations).")
def settings(show_all: bool, markdown: bool) -> None:
    """Show each setting's environment variable, its effective value and where the value comes from.

    Values come from the environment, else the default; passwords and keys print as ***. Crawl
    settings without a variable are set per run with `-s NAME=VALUE`. Every setting is declared,
    with its default and help, in newsmon/settings.py.
    """
    from newsmon.settings import SETTINGS, markdown_table, shown

    if markdown:
        click.echo(markdown_table())
        return
    rows = []
    for setting in SETTINGS:
        if setting.group != "newsmon" and not show_all:
            continue
        origin = "environment" if setting.raw() is not None else "default" if setting.env else "default (-s NAME=VALUE per crawl)"
        rows.append((setting.env or setting.name, shown(setting), origin))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, value, origin in rows:
        click.echo(f"{name:<{widths[0]}}  {value:<{widths[1]}}  {origin}".rstrip())

