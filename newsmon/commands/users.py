"""`newsmon users add|list`: the analysts who may correct tags in the web workbench."""
from __future__ import annotations

import sys

import click

from newsmon.commands.classify import user_errors
from newsmon.options import db_option


@click.group()
def users() -> None:
    """Analysts' accounts for the web workbench (passwords are stored as argon2 hashes)."""


@users.command("add")
@click.argument("name")
@db_option
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (for scripts).")
def add(name: str, db_url: str, password_stdin: bool) -> None:
    """Create analyst NAME, or set a new password for NAME; asks for the password."""
    from newsmon.accounts import add_analyst, check_name
    from storage.db import open_for_command

    with user_errors():
        check_name(name)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with user_errors():
        factory = open_for_command(db_url)
        try:
            with factory() as session, session.begin():
                add_analyst(session, name, password)
        finally:
            factory.kw["bind"].dispose()
    click.echo(f"analyst {name} can now sign in to `newsmon serve`")


@users.command("list")
@db_option
def list_(db_url: str) -> None:
    """The analysts' names and when each account was created."""
    from newsmon.accounts import list_analysts
    from storage.db import open_for_command

    factory = open_for_command(db_url)
    try:
        with factory() as session:
            for analyst in list_analysts(session):
                click.echo(f"{analyst.name}\t{analyst.created:%Y-%m-%d %H:%M}")
    finally:
        factory.kw["bind"].dispose()
