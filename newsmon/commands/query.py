"""`newsmon query`: what analysts ask of the store, as a table, CSV or JSON."""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import datetime

import click

from newsmon.clean import terminal_safe
from newsmon.clock import iso, shown
from newsmon.csvout import write_csv
from newsmon.options import DATE, db_option
from newsmon.tables import TITLE_WIDTH, Column, render_table

FORMATS = ("table", "csv", "json")
TABLE_PAGE = 50  # rows the table shows unless --limit says otherwise; exports are complete


@click.command()
@db_option
@click.option("--since", type=DATE, help="Only articles dated on or after this date (YYYY-MM-DD).")
@click.option("--until", type=DATE, help="Only articles dated before this date (YYYY-MM-DD).")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--lang", "languages", multiple=True, help="Only this language, e.g. fr (repeatable).")
@click.option("--search", help='Full-text search in title and text, e.g. "export controls".')
@click.option("--topic", "topics", multiple=True, help="Only articles tagged with this topic (repeatable: any of them).")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, help="Minimum confidence of --topic tags.")
@click.option("--relevant", "relevant_only", is_flag=True, help="Only articles the classifier finds relevant.")
@click.option("--cites", "cites", multiple=True, metavar="SYMBOL",
              help="Only articles citing this UN document, e.g. A/RES/78/265 (repeatable: any of them).")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help=f"At most this many rows (0: all). Default: all for csv and json; "
                   f"the newest {TABLE_PAGE} for the table, which says how many there are.")
@click.option("--group-by", "group_by", type=click.Choice(["article", "story"]), default="article", show_default=True,
              help="One row per article, or one per story (all copies of it across outlets).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
def query(db_url: str, since, until, sources, languages, search, topics, min_confidence, relevant_only,
          cites, limit: int | None, group_by: str, fmt: str) -> None:
    """Find stored articles by date, source, language, topic and full text.

    CSV and JSON exports hold every match unless --limit is given; the table shows the newest
    50 and says how many matched.
    """
    from storage.db import open_for_command
    from storage.queries import ArticleFilter, find_articles, total_matching
    from storage.stories import stories_overview

    from newsmon.names import language_problem, source_problem, topic_problem
    from storage.queries import known_sources

    if search is not None and not search.strip():
        raise click.BadParameter("give at least one word to search for", param_hint="--search")
    for problem in (language_problem(languages), topic_problem(topics)):
        if problem:
            raise click.UsageError(problem)
    if limit is None:
        limit = TABLE_PAGE if fmt == "table" else 0
    article_filter = ArticleFilter(
        since=since, until=until, sources=sources, languages=languages, search=search, topics=topics,
        min_confidence=min_confidence, relevant_only=relevant_only, cites=official_symbols(cites),
        limit=limit or None,
    )
    export = fmt != "table"  # an export says whether more match (one row more read), the table counts them
    fetch = limit + 1 if limit and export else limit
    total = None
    with open_for_command(db_url)() as session:
        problem = source_problem(sources, known_sources(session, sources)) if sources else None
        if problem:
            raise click.UsageError(problem)
        if group_by == "story":
            rows = [story_row(s) for s in stories_overview(session, article_filter, limit=fetch or None)]
            printers = {"table": print_story_table, "csv": print_story_csv, "json": print_json}
        else:
            found = find_articles(session, replace(article_filter, limit=fetch or None))
            rows = [article_row(a) for a in found]
            printers = {"table": print_table, "csv": print_csv, "json": print_json}
        if limit and not export and len(rows) == limit:  # counted as the workbench counts: up to TOTAL_CAP
            total = total_matching(session, article_filter, stories=group_by == "story")
    more = limit and export and len(rows) > limit
    rows = rows[:limit] if limit else rows
    printers[fmt](rows)
    what = "stories" if group_by == "story" else "articles"
    if more:
        click.echo(f"{len(rows)} {what} shown, more match (--limit 0 shows all)", err=True)
    elif total is not None and (total.is_lower_bound or total.count > len(rows)):
        of = f"at least {total.count:,}" if total.is_lower_bound else f"{total.count}"
        click.echo(f"{len(rows)} of {of} {what} shown (--limit 0 shows all)")


def official_symbols(symbols) -> tuple[str, ...]:
    """``a/res/78/265`` -> ``A/RES/78/265``: the spelling citations are stored under."""
    from newsmon.citations import normalise

    return tuple(normalise(s.strip()) or s.strip() for s in symbols)


def story_row(story) -> dict:
    return {
        "story_id": story.story_id,
        "first_seen": story.first_seen.isoformat(),
        "latest": story.latest.isoformat(),
        "first_published": iso(story.first_published, story.first_published_offset),
        "articles": story.articles,
        "outlet_count": story.outlet_count,
        "outlets": list(story.outlets),
        "title": story.title,
        "url": story.url,
    }


def print_story_csv(rows: list[dict]) -> None:
    columns = ["story_id", "first_seen", "latest", "first_published", "articles", "outlet_count", "outlets", "title", "url"]
    write_csv(sys.stdout, columns, ({**row, "outlets": ";".join(row["outlets"])} for row in rows))


def print_story_table(rows: list[dict]) -> None:
    if not rows:
        click.echo("No stories match.")
        return
    columns = (Column("STORY", right=True), Column("FIRST SEEN", 16), Column("LATEST", 16),
               Column("OUTLETS", right=True), Column("TITLE", TITLE_WIDTH), Column(""))
    click.echo(render_table(columns, (
        (str(r["story_id"]), r["first_seen"][:16], r["latest"][:16], str(r["outlet_count"]),
         terminal_safe(r["title"]) or "(no title)", f"[{terminal_safe(', '.join(r['outlets'][:4]))}]")
        for r in rows)))


def article_row(article) -> dict:
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "source": article.source,
        "published": iso(article.published, article.published_offset),
        "modified": iso(article.modified, article.modified_offset),
        "language": article.language,
        "author": article.author,
        "site": article.site,
        "first_seen": article.first_seen.isoformat(),
        "relevance": article.relevance,
        "relevant": article.relevant,
        "topics": {t.label: round(t.confidence, 3) for t in article.topics},
        "story_id": article.story_id,
        "text": article.text,
    }


def print_json(rows: list[dict]) -> None:
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


CSV_COLUMNS = ["id", "published", "modified", "source", "language", "title", "url", "relevance", "relevant", "topics", "story_id"]


def csv_rows(rows: list[dict]):
    """Article rows as CSV cells (topics joined with ';'), for the CLI and the workbench's download."""
    return ({**row, "topics": ";".join(row["topics"])} for row in rows)


def print_csv(rows: list[dict]) -> None:
    write_csv(sys.stdout, CSV_COLUMNS, csv_rows(rows))


def print_table(rows: list[dict]) -> None:
    click.echo(format_table(rows))


ARTICLE_COLUMNS = (Column("ID", 24), Column("DATE", 24), Column("SOURCE", 24), Column("LANG", 24),
                   Column("TOPICS", 32), Column("TITLE", TITLE_WIDTH))


def format_table(rows: list[dict]) -> str:
    if not rows:
        return "No articles match."
    return render_table(ARTICLE_COLUMNS, (
        (str(r["id"]), date_cell(r["published"]), r["source"], r["language"], _topics_cell(r),
         terminal_safe(r["title"]) or "(no title)")
        for r in rows))


def date_cell(published: str | None) -> str:
    """An ISO date from :func:`article_row` as the table shows it: ``2024-04-25 19:30 +02:00``."""
    return shown(datetime.fromisoformat(published)) if published else ""


def _topics_cell(row: dict) -> str:
    """Tags with confidence, most confident first; '-' for an article judged not relevant."""
    if row.get("relevant") is False:
        return "-"
    tags = sorted(row["topics"].items(), key=lambda kv: -kv[1])
    return " ".join(f"{label} {confidence:.2f}" for label, confidence in tags)
