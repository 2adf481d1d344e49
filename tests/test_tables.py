"""The CLI's tables (newsmon/tables.py, drawn by rich): wide characters align, scraped text stays text."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from click.testing import CliRunner

from newsmon.cli import cli
from newsmon.tables import Column, clip, render_table
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.models import CrawlRun


def columns_of(line: str) -> int:
    """Terminal columns a line takes: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def start_of(line: str, cell: str) -> int:
    """The terminal column at which ``cell`` starts in ``line``."""
    return columns_of(line[: line.index(cell)])


def test_wide_characters_keep_the_next_columns_aligned():
    lines = render_table([Column("SOURCE"), Column("LANG"), Column("TITLE")], [
        ("人民日报", "zh", "人工智能治理"),
        ("ap", "en", "AI rules"),
        ("朝日新聞デジタル", "ja", "AI規制"),
    ]).splitlines()
    assert lines[0].startswith("SOURCE")
    assert len({start_of(line, lang) for line, lang in zip(lines, ("LANG", "zh", "en", "ja"))}) == 1
    assert len({start_of(line, title) for line, title in
                zip(lines, ("TITLE", "人工智能治理", "AI rules", "AI規制"))}) == 1
    assert all(line == line.rstrip() for line in lines)


def test_long_cells_are_clipped_to_their_column_in_terminal_columns():
    lines = render_table([Column("T", 10), Column("N", right=True)], [("中" * 20, "1"), ("x" * 30, "22")]).splitlines()
    for line in lines[1:]:
        title = line.split("  ")[0].rstrip()
        assert title.endswith("…") and columns_of(title) <= 10
    assert {start_of(line, n) + len(n) for line, n in zip(lines, ("N", "1", "22"))} == {columns_of(lines[2])}
    assert clip("中" * 40, 9).endswith("…") and columns_of(clip("中" * 40, 9)) <= 9
    assert clip("short", 60) == "short"


def test_scraped_markup_escapes_and_line_breaks_print_as_plain_text():
    hostile = "[bold red]Breaking[/] :warning: \x1b[31mred\x1b[0m\nforged\u202e"
    out = render_table([Column("TITLE")], [(hostile,)])
    assert "[bold red]Breaking[/] :warning: red forged" in out
    assert "\x1b" not in out and "\u202e" not in out and "⚠" not in out
    assert len(out.splitlines()) == 2


def test_query_table_aligns_cjk_titles_and_sources(sqlite_url):
    with open_database(sqlite_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [
            ArticleRecord(url=f"https://{host}/1", fetched_url=f"https://{host}/1", source=source, title=title,
                          language=lang, text="AI governance text. " * 20, published=datetime(2026, 11, day))
            for host, source, title, lang, day in (
                ("a.example", "人民网", "人工智能全球治理倡议 [bold]发布[/bold]", "zh", 3),
                ("b.example", "reuters", "AI rules agreed", "en", 2),
            )
        ])
    result = CliRunner().invoke(cli, ["query", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("ID")
    assert len({start_of(line, lang) for line, lang in zip(lines, ("LANG", "zh", "en"))}) == 1
    assert len({start_of(line, title) for line, title in zip(lines, ("TITLE", "人工智能", "AI rules"))}) == 1
    assert "[bold]发布[/bold]" in lines[1]  # rich markup in a scraped title is printed, not applied


def test_status_table_aligns_a_cjk_source_name(db_url):
    started = datetime(2026, 11, 22, 3, 0) - timedelta(days=1)
    stats = {f"newsmon/source/{name}/{key}": value for name in ("新华社", "ap")
             for key, value in {"entry_pages": 1, "links_found": 3, "pages_fetched": 3, "articles_new": 3}.items()}
    with open_database(db_url, migrate=False)() as session, session.begin():
        session.add(CrawlRun(started=started, finished=started + timedelta(minutes=5), status="finished", stats=stats))
    result = CliRunner().invoke(cli, ["status", "--db", db_url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    table = [next(line for line in lines if line.startswith(name)) for name in ("source", "新华社", "ap ")]
    assert len({start_of(line, cell) for line, cell in zip(table, ("last success", "2026-11-21", "2026-11-21"))}) == 1
    assert table[1].endswith("  -") and table[2].endswith("  -")  # no errors: the last column
    assert start_of(table[0], "errors") == columns_of(table[1]) - 1 == columns_of(table[2]) - 1


def test_documents_table_aligns_wide_titles_and_prints_markup_as_text(capsys):
    from newsmon.commands.documents import print_table

    row = dict(symbol="A/RES/78/265", organ="GA", kind="resolution", stories=3, first_cited="2026-10-04T10:00",
               last_cited="2026-11-11T08:00", stored=True, languages=["zh"], url="https://docs.un.org/x")
    print_table([{**row, "title": "抓住安全、可靠和值得信赖的人工智能系统带来的机遇"},
                 {**row, "symbol": "S/PV.9381", "organ": "SC", "stored": False, "title": "[bold]x[/bold] :warning:"}])
    lines = capsys.readouterr().out.splitlines()
    assert len({start_of(line, cell) for line, cell in zip(lines, ("TITLE", "抓住", "[bold]"))}) == 1
    assert "[bold]x[/bold] :warning:" in lines[2] and "cited only" in lines[2]
