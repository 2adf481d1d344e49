"""`newsmon serve`: the analysts' workbench in a browser, and its JSON API."""
from __future__ import annotations

from pathlib import Path

import click

from newsmon.commands.classify import model_option
from newsmon.options import db_option

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8080


def run_server(db_url: str, host: str, port: int, model_path: Path | None = None) -> None:
    """Serve the workbench on host:port until interrupted."""
    import uvicorn

    from newsmon.web.app import create_app

    app = create_app(db_url, model_path=model_path)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"newsmon workbench on http://{shown}:{port}/ (database {db_url}); Ctrl-C stops it", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"note: listening on {host}: anyone who reaches it can read the store; corrections need a sign-in",
                   err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


@click.command()
@db_option
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@model_option
def serve(db_url: str, host: str, port: int, model_path: Path | None) -> None:
    """Serve the analysts' workbench (search, stories, review queue, sources, corrections) and its JSON API.

    Sessions are signed with NEWSMON_SECRET_KEY (set it, or sign-ins end when the server restarts).
    """
    run_server(db_url, host, port, model_path)
