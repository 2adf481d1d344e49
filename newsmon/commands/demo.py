"""`newsmon demo`: the whole pipeline on a bundled news site served locally, offline."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

DEMO_DB = "newsmon-demo.db"
DEMO_RAW = "newsmon-demo-raw"


@click.command()
@click.option("--db", "db_url", default=f"sqlite:///{DEMO_DB}", show_default=True,
              help="Database for the demo (recreated when it is the default SQLite file).")
@click.option("--raw-dir", default=DEMO_RAW, show_default=True, help="Folder for the demo's raw pages.")
@click.option("--limit", type=int, default=0, help="Rows to print (0: all).")
@click.option("--serve", "serve", is_flag=True, help="Then open the demo database in the web workbench (`newsmon serve`).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="The workbench's port on 127.0.0.1 with --serve (0: any free port).")
def demo(db_url: str, raw_dir: str, limit: int, serve: bool, port: int) -> None:
    """Serve the demo news site on 127.0.0.1, crawl it with the real spiders, store and print it;
    with --serve, then open the result in the web workbench."""
    from newsmon.commands.query import format_table, article_row
    from newsmon.crawling import crawl_settings, run_crawl
    from newsmon.demo.site import DemoSite, sources_toml
    from storage.db import mask_url, open_for_command
    from storage.queries import ArticleFilter, find_articles

    if db_url == f"sqlite:///{DEMO_DB}":
        for suffix in ("", "-wal", "-shm"):
            Path(DEMO_DB + suffix).unlink(missing_ok=True)
        shutil.rmtree(raw_dir, ignore_errors=True)
    with DemoSite() as site, tempfile.TemporaryDirectory() as folder:
        sources = Path(folder) / "demo-sources.toml"
        sources.write_text(sources_toml(site.base_url), encoding="utf-8")
        click.echo(f"Demo site at {site.base_url}; crawling {sources.name} into {mask_url(db_url)}", err=True)
        # Localhost needs no politeness delay; everything else is the production configuration.
        settings = crawl_settings(sources, db_url, raw_dir, {
            "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        })
        summary = run_crawl(settings)
    with open_for_command(db_url)() as session:
        rows = [article_row(a) for a in find_articles(session, ArticleFilter(limit=limit or None))]
    click.echo(format_table(rows))
    click.echo("")
    click.echo(f"Run {summary.run_id}: {summary.line()}")
    click.echo(f"Query it: newsmon query --db {mask_url(db_url)} --search \"export controls\"  (or --group-by story)")
    if serve:
        from newsmon.commands.serve import run_server

        click.echo(f"To correct tags in the browser, first: newsmon users add NAME --db {mask_url(db_url)}", err=True)
        run_server(db_url, "127.0.0.1", port)
