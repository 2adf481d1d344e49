"""`newsmon demo`: the whole pipeline on a bundled news site served locally, offline."""
from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import click

DEMO_DB = "newsmon-demo.db"
DEMO_RAW = "newsmon-demo-raw"


@click.command()
@click.option("--db", "db_url", default=f"sqlite:///{DEMO_DB}", show_default=True,
              help="Database for the demo (replaced when it is the default SQLite file; asks first when it holds "
                   "corrections or digest deliveries).")
@click.option("--raw-dir", default=DEMO_RAW, show_default=True, help="Folder for the demo's raw pages.")
@click.option("--limit", type=int, default=0, help="Rows to print (0: all).")
@click.option("--serve", "serve", is_flag=True, help="Then open the demo database in the web workbench (`newsmon serve`).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="The workbench's port on 127.0.0.1 with --serve (0: any free port).")
@click.option("--yes", "replace", is_flag=True,
              help="Replace the demo database even when it holds analysts' corrections or digest deliveries.")
def demo(db_url: str, raw_dir: str, limit: int, serve: bool, port: int, replace: bool) -> None:
    """Serve the demo news site on 127.0.0.1, crawl it with the real spiders, store and print it;
    with --serve, then open the result in the web workbench."""
    from newsmon.commands.query import format_table, article_row
    from newsmon.crawling import crawl_settings, run_crawl
    from newsmon.demo.site import DemoSite, sources_toml
    from storage.db import mask_url, open_for_command
    from storage.queries import ArticleFilter, find_articles

    if db_url == f"sqlite:///{DEMO_DB}":
        _may_replace(Path(DEMO_DB), replace)
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
    from newsmon.commands.documents import print_table as print_documents, summary_row
    from storage.documents import documents_overview

    with open_for_command(db_url)() as session:
        rows = [article_row(a) for a in find_articles(session, ArticleFilter(limit=limit or None))]
        documents = [summary_row(d) for d in documents_overview(session)]
    click.echo(format_table(rows))
    click.echo("")
    click.echo("UN documents cited by these stories (stored in the languages shown, or cited only):")
    print_documents(documents)
    click.echo("")
    click.echo(f"Run {summary.run_id}: {summary.line()}")
    click.echo(f"Query it: newsmon query --db {mask_url(db_url)} --search \"export controls\"  (or --group-by story)")
    click.echo(f"Documents: newsmon document --db {mask_url(db_url)} A/C.2/81/L.12  (or newsmon query --cites A/RES/78/311)")
    if serve:
        from newsmon.commands.serve import run_server

        click.echo(f"To correct tags in the browser, first: newsmon users add NAME --db {mask_url(db_url)}", err=True)
        run_server(db_url, "127.0.0.1", port)


def _may_replace(path: Path, replace: bool) -> None:
    """The demo starts from an empty database; say so, and ask before losing anyone's work."""
    if not path.exists():
        return
    work = _user_work(path)
    if not work:
        click.echo(f"Replacing the previous demo database {path}", err=True)
        return
    message = f"{path} holds {work}; the demo replaces it"
    if replace:
        click.echo(f"{message} (--yes)", err=True)
        return
    if not sys.stdin.isatty():
        raise click.ClickException(f"{message}: run `newsmon demo --yes` to replace it, or keep it and "
                                   "give the demo another file with --db sqlite:///other.db")
    if not click.confirm(f"{message}. Replace it?", default=False, err=True):
        raise click.Abort()


def _user_work(path: Path) -> str:
    """'3 analysts' corrections and 2 digest deliveries' (what a re-run would lose), or ''."""
    import sqlite3

    found = []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        for table, what in (("correction", "analysts' corrections"), ("delivery", "digest deliveries")):
            try:
                count = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            except sqlite3.Error:  # an older or foreign file: nothing of ours to lose there
                count = 0
            if count:
                found.append(f"{count} {what}")
    return " and ".join(found)
