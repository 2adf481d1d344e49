"""`newsmon query` as analysts run it, on both databases."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from click.testing import CliRunner

from newsmon.cli import cli
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database


def seed(db_url: str) -> None:
    with open_database(db_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [
            ArticleRecord(url="https://a.example/chips", fetched_url="https://a.example/chips?utm_source=x",
                          source="a", title="New export controls on AI chips", language="en",
                          text="Export controls on advanced AI chips were tightened today. " * 8,
                          published=datetime(2026, 11, 2)),
            ArticleRecord(url="https://b.example/laws", fetched_url="https://b.example/laws", source="b",
                          title="Armes autonomes : reprise des discussions", language="fr",
                          text="Les discussions sur les armes autonomes reprennent à Genève. " * 8,
                          published=datetime(2026, 10, 2)),
        ])


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["query", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_query_json_has_required_fields(db_url):
    seed(db_url)
    rows = json.loads(run("--db", db_url, "--format", "json"))
    assert [r["url"] for r in rows] == ["https://a.example/chips", "https://b.example/laws"]
    for field in ("id", "url", "title", "source", "published", "language", "text"):
        assert field in rows[0]
    assert rows[0]["published"] == "2026-11-02T00:00:00"


def test_query_filters(db_url):
    seed(db_url)
    assert "chips" in run("--db", db_url, "--search", "export controls")
    out = run("--db", db_url, "--lang", "fr", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["source"] for r in rows] == ["b"]
    assert "No articles match." in run("--db", db_url, "--since", "2026-11-03")
    assert "Armes" in run("--db", db_url, "--until", "2026-11-01", "--source", "b")


def test_query_bad_date_is_a_clear_error(sqlite_url):
    result = CliRunner().invoke(cli, ["query", "--db", sqlite_url, "--since", "yesterday"])
    assert result.exit_code == 2
    assert "not a date" in result.output


def test_every_command_has_help():
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0
    for name in cli.list_commands(None):
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)


def test_query_group_by_story(db_url):
    from storage.storyindex import StoryIndex

    wire = ("GENEVA (Wire) - Diplomats meeting in Geneva agreed on Friday to open negotiations on a treaty "
            "governing lethal autonomous weapons, after a decade of talks under the Convention on Certain "
            "Conventional Weapons. Delegates said the mandate covers human control over the use of force, "
            "testing and accountability, and a first session is planned for the spring in New York. ") * 3
    with open_database(db_url, migrate=False)() as session, session.begin():
        index = StoryIndex.load(session)
        upsert_articles(session, [
            ArticleRecord(url="https://one.example/laws", fetched_url="https://one.example/laws", source="one",
                          title="Treaty talks on killer robots to open", text=wire, language="en"),
            ArticleRecord(url="https://two.example/laws", fetched_url="https://two.example/laws", source="two",
                          title="Geneva: autonomous weapons negotiations agreed", text="Advertisement. " + wire,
                          language="en"),
        ], stories=index)
    rows = json.loads(run("--db", db_url, "--group-by", "story", "--format", "json"))
    assert len(rows) == 1
    assert rows[0]["outlet_count"] == 2 and sorted(rows[0]["outlets"]) == ["one", "two"]
    assert "2" in run("--db", db_url, "--group-by", "story")


def test_query_topic_confidence_and_relevant(db_url):
    from types import SimpleNamespace

    from storage.models import Article
    from storage.tagging import apply_tags, record_correction

    seed(db_url)
    with open_database(db_url, migrate=False)() as session, session.begin():
        chips, laws = session.query(Article).order_by(Article.url).all()
        apply_tags(session, chips, SimpleNamespace(relevance=0.4, relevant=True, topics={"sanctions": 0.8}), "m1")
        apply_tags(session, laws, SimpleNamespace(relevance=0.9, relevant=True, topics={"military-ai": 0.6}), "m1")
        record_correction(session, laws.id, irrelevant=True)
    assert "chips" in run("--db", db_url, "--topic", "sanctions", "--min-confidence", "0.7")
    assert "No articles match." in run("--db", db_url, "--topic", "sanctions", "--min-confidence", "0.9")
    relevant = json.loads(run("--db", db_url, "--relevant", "--format", "json"))
    # The model's verdict counts (its threshold is its own, here below 0.5), and an analyst's wins.
    assert [r["url"] for r in relevant] == ["https://a.example/chips"]


def test_unreachable_database_is_a_one_line_error(tmp_path):
    import subprocess
    import sys

    for url in ("postgresql://nobody@127.0.0.1:1/newsmon", "not a url"):
        result = subprocess.run([sys.executable, "-c", "from newsmon.cli import main; main()", "query", "--db", url],
                                capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert result.returncode == 1
        assert result.stderr.startswith("Error: database: ") and "Traceback" not in result.stderr


def test_the_table_says_how_many_matched_counting_as_the_workbench_does(db_url, monkeypatch):
    import storage.queries

    seed(db_url)
    result = CliRunner().invoke(cli, ["query", "--db", db_url, "--limit", "1"])
    assert result.exit_code == 0 and "1 of 2 articles shown" in result.output
    monkeypatch.setattr(storage.queries, "TOTAL_CAP", 1)  # as if more matched than the workbench counts
    result = CliRunner().invoke(cli, ["query", "--db", db_url, "--limit", "1"])
    assert "1 of at least 1 articles shown" in result.output


def test_an_export_says_more_match_without_counting_them(db_url):
    seed(db_url)
    result = CliRunner().invoke(cli, ["query", "--db", db_url, "--limit", "1", "--format", "json"])
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 1
    assert "1 articles shown, more match (--limit 0 shows all)" in result.stderr
    result = CliRunner().invoke(cli, ["query", "--db", db_url, "--limit", "2", "--format", "json"])
    assert "more match" not in result.stderr
