"""`newsmon serve`: the analysts' workbench in a browser, and its JSON API."""
from __future__ import annotations

from pathlib import Path

import click

from newsmon.commands.classify import model_option
from newsmon.options import db_option, subscriptions_option

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8080


def run_server(db_url: str, host: str, port: int, model_path: Path | None = None,
               subscriptions_path: str | None = None) -> None:
    """Serve the workbench on host:port (0: any free port) until interrupted."""
    import gc
    import socket

    import uvicorn

    from newsmon.web.app import create_app
    from storage.db import mask_url, open_for_command

    app = create_app(factory=open_for_command(db_url), model_path=model_path,
                     subscriptions_path=subscriptions_path)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # connections wait in the backlog until uvicorn serves them
    except OSError as exc:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"newsmon workbench on http://{shown}:{port}/ (database {mask_url(db_url)}); Ctrl-C stops it", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"note: listening on {host}: anyone who reaches it can read the store; corrections need a sign-in",
                   err=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False))
    gc.collect()  # start-up's garbage goes first: frozen, it would never be freed
    gc.freeze()  # what start-up made lives as long as the server: full collections skip it (100 ms pauses otherwise)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


@click.command()
@db_option
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="0: any free port.")
@model_option
@subscriptions_option("The subscriptions file the Subscriptions page shows.")
def serve(db_url: str, host: str, port: int, model_path: Path | None, subscriptions_path: str) -> None:
    """Serve the analysts' workbench (search, stories, review queue, sources, corrections) and its JSON API.

    Sessions are signed with NEWSMON_SECRET_KEY (set it, or sign-ins end when the server restarts).
    """
    run_server(db_url, host, port, model_path, subscriptions_path)
