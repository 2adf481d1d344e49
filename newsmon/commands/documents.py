"""`newsmon documents` and `newsmon document SYMBOL`: the UN documents behind the news, both ways."""
from __future__ import annotations

import csv
import json
import sys

import click

from newsmon.commands.query import FORMATS
from newsmon.options import DATE, db_option
from newsmon.tables import TITLE_WIDTH, Column, clip, render_table


@click.command()
@db_option
@click.option("--since", type=DATE, help="Only documents cited (or stored) on or after this date (YYYY-MM-DD).")
@click.option("--organ", "organs", multiple=True, metavar="GA|SC|HRC|ECOSOC|...",
              help="Only documents of this organ (repeatable).")
@click.option("--limit", type=click.IntRange(min=0), default=0, help="At most this many rows (0: all).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--rescan", is_flag=True, help="First scan every stored article for citations again (after an upgrade "
                                             "of the citation finder, or for articles stored before it existed).")
def documents(db_url: str, since, organs, limit: int, fmt: str, rescan: bool) -> None:
    """List UN documents cited by stored articles or stored themselves, with the stories citing them."""
    from storage.db import open_for_command
    from storage.documents import documents_overview

    factory = open_for_command(db_url)
    try:
        if rescan:
            scanned, links = rescan_articles(factory)
            click.echo(f"Scanned {scanned} articles: {links} citation links.", err=True)
        with factory() as session:
            rows = [summary_row(s) for s in documents_overview(session, since, [o.upper() for o in organs],
                                                               limit or None)]
    finally:
        factory.kw["bind"].dispose()
    {"table": print_table, "csv": print_csv, "json": print_json}[fmt](rows)


def rescan_articles(factory, batch_size: int = 500) -> tuple[int, int]:
    """Scan every stored article again, one committed batch at a time; returns (articles, links)."""
    from sqlalchemy import select

    from newsmon.citations import article_citations
    from storage.documents import replace_citations
    from storage.models import Article

    scanned = links = 0
    last_id = 0
    while True:
        with factory() as session, session.begin():
            batch = session.execute(
                select(Article.id, Article.title, Article.text).where(Article.id > last_id)
                .order_by(Article.id).limit(batch_size)).all()
            if not batch:
                return scanned, links
            links += replace_citations(session, {row.id: article_citations(row.title, row.text) for row in batch})
            scanned += len(batch)
            last_id = batch[-1].id


def summary_row(summary) -> dict:
    from newsmon.citations import official_url

    return {
        "symbol": summary.symbol,
        "organ": summary.organ,
        "kind": summary.kind,
        "title": summary.title,
        "stored": summary.stored,
        "languages": list(summary.languages),
        "stories": summary.stories,
        "first_cited": summary.first_shown.isoformat() if summary.first_shown else None,  # the page's offset
        "last_cited": summary.last_shown.isoformat() if summary.last_shown else None,
        "url": official_url(summary.symbol),
    }


DOCUMENT_COLUMNS = (Column("SYMBOL"), Column("ORGAN"), Column("KIND"), Column("STORIES", right=True),
                    Column("FIRST"), Column("LAST"), Column("STORED"), Column("TITLE", TITLE_WIDTH))


def print_table(rows: list[dict]) -> None:
    if not rows:
        click.echo("No documents match.")
        return
    click.echo(render_table(DOCUMENT_COLUMNS, (
        (r["symbol"], r["organ"], r["kind"], str(r["stories"]), (r["first_cited"] or "-")[:10],
         (r["last_cited"] or "-")[:10], ",".join(r["languages"]) if r["stored"] else "cited only",
         r["title"] or r["url"])
        for r in rows)))


def print_csv(rows: list[dict]) -> None:
    columns = ["symbol", "organ", "kind", "stories", "first_cited", "last_cited", "stored", "languages", "title", "url"]
    writer = csv.DictWriter(sys.stdout, columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "languages": ";".join(row["languages"])})


def print_json(rows) -> None:
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@click.command()
@db_option
@click.argument("symbol")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def document(db_url: str, symbol: str, fmt: str) -> None:
    """Show document SYMBOL (e.g. A/RES/78/265): metadata, languages, official link, stories citing it."""
    from newsmon.citations import find_citations
    from storage.db import open_for_command
    from storage.documents import document_detail

    found = find_citations(symbol)
    official = found[0].symbol if found and found[0].form == "official" else symbol.strip()
    factory = open_for_command(db_url)
    try:
        with factory() as session:
            detail = document_detail(session, official)
            data = detail_data(official, detail)
    finally:
        factory.kw["bind"].dispose()
    if fmt == "json":
        print_json(data)
    else:
        print_detail(data)


def detail_data(symbol: str, detail) -> dict:
    from newsmon.citations import kind_of, official_url, organ_of

    document = detail.document if detail else None
    return {
        "symbol": symbol,
        "organ": document.organ if document else organ_of(symbol),
        "kind": document.kind if document else kind_of(symbol),
        "title": document.title if document else None,
        "published": document.published.isoformat() if document and document.published else None,
        "stored": document is not None,
        "url": official_url(symbol),
        "languages": [
            {"language": v.language, "title": v.title, "url": v.url, "pages": v.pages,
             "official_url": official_url(symbol, v.language), "chars": len(v.body)}
            for v in (detail.versions if detail else [])
        ],
        "cited_by": [
            {"id": a.id, "date": a.shown_date.isoformat(), "source": a.source,
             "language": a.language, "title": a.title, "url": a.url, "story_id": a.story_id}
            for a in (detail.citing if detail else [])
        ],
    }


def print_detail(data: dict) -> None:
    click.echo(f"{data['symbol']}  ({data['organ']} {data['kind']})")
    if data["title"]:
        click.echo(f"  {data['title']}")
    if data["published"]:
        click.echo(f"  dated {data['published'][:10]}")
    click.echo(f"  official copy: {data['url']}")
    if data["stored"]:
        languages = ", ".join(f"{v['language']} ({v['pages']} p.)" if v["pages"] else v["language"]
                              for v in data["languages"])
        click.echo(f"  stored in: {languages}")
    else:
        click.echo("  not stored: cited by news only")
    stories = {a["story_id"] or -a["id"] for a in data["cited_by"]}
    click.echo(f"  cited by {len(data['cited_by'])} article{'s' if len(data['cited_by']) != 1 else ''} "
               f"in {len(stories)} stor{'ies' if len(stories) != 1 else 'y'}")
    for a in data["cited_by"]:
        click.echo(f"    {a['date'][:10]}  #{a['id']:<5} {a['source']:<16} {a['language'] or '':<3} "
                   f"{clip(a['title'] or '(no title)', 60)}")
