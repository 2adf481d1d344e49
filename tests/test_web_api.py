"""The workbench's JSON API on both databases: the same rows as `newsmon query`, clear 4xx errors."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from newsmon.cli import cli
from newsmon.web.app import create_app
from websample import seed_workbench


@pytest.fixture
def client(db_url):
    ids = seed_workbench(db_url)
    app = create_app(db_url, secret_key="test-secret-key-0123456789")
    with TestClient(app) as test_client:
        test_client.ids = ids
        yield test_client
    app.state.workbench.factory.kw["bind"].dispose()


def cli_json(db_url: str, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["query", "--db", db_url, "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("params, cli_args", [
    ("", []),
    ("topic=military-ai&min_confidence=0.6", ["--topic", "military-ai", "--min-confidence", "0.6"]),
    ("lang=fr&lang=zh", ["--lang", "fr", "--lang", "zh"]),
    ("source=a&relevant=1", ["--source", "a", "--relevant"]),
    ("since=2026-11-02&until=2026-11-04", ["--since", "2026-11-02", "--until", "2026-11-04"]),
    ("q=export+controls&topic=sanctions", ["--search", "export controls", "--topic", "sanctions"]),
])
def test_api_articles_are_newsmon_query_rows(client, db_url, params, cli_args):
    body = client.get(f"/api/articles?{params}").json()
    expected = cli_json(db_url, *cli_args)
    assert body["total"] == len(expected)
    assert body["articles"] == expected


def test_api_paging_and_totals(client):
    first = client.get("/api/articles?limit=3").json()
    second = client.get("/api/articles?limit=3&offset=3").json()
    assert first["total"] == second["total"] == 7
    assert first["total_is_lower_bound"] is False  # counted to the end: under the cap
    assert len(first["articles"]) == 3 and len(second["articles"]) == 3
    assert not {a["id"] for a in first["articles"]} & {a["id"] for a in second["articles"]}


def test_api_stories_group_copies(client, db_url):
    body = client.get("/api/stories?topic=military-ai").json()
    assert body["total"] == 2
    wire = next(s for s in body["stories"] if s["outlet_count"] == 2)
    assert sorted(wire["outlets"]) == ["one", "two"] and wire["languages"] == ["en"]
    assert wire["topics"] == {"military-ai": 0.81}
    story_cli = json.loads(CliRunner().invoke(cli, ["query", "--db", db_url, "--format", "json", "--group-by", "story",
                                                    "--topic", "military-ai"]).output)
    assert [{k: s[k] for k in story_cli[0]} for s in body["stories"]] == story_cli


@pytest.mark.parametrize("url, status, words", [
    ("/api/articles?topic=robots", 400, "unknown topic 'robots'"),
    ("/api/articles?lang=french", 400, "unknown language 'french'"),
    ("/api/articles?since=yesterday", 400, "not a date"),
    ("/api/articles?since=2026-11-05&until=2026-11-01", 400, "since must be before until"),
    ("/api/articles?min_confidence=2", 400, "min_confidence"),
    ("/api/articles?min_confidence=abc", 400, "min_confidence"),
    ("/api/articles?limit=0", 400, "limit"),
    ("/api/articles?limit=100000", 400, "limit"),
    ("/api/articles?offset=-1", 400, "offset"),
    ("/api/articles?offset=100", 404, "past the end"),
    ("/api/stories?offset=100", 404, "past the end"),
    ("/api/articles?relevant=maybe", 400, "relevant"),
    ("/api/articles?q=" + "word+" * 30, 400, "too long"),
    ("/api/articles?q=" + "x" * 5000, 400, "too long"),
    ("/api/nothing", 404, "no such page"),
])
def test_api_bad_input_is_a_clear_4xx(client, url, status, words):
    response = client.get(url)
    assert response.status_code == status, response.text
    assert words in response.json()["error"]


def test_api_search_syntax_is_words(client):
    for q in ['"', "AND OR NOT", "chips*", "a:b", "-(", "芯片"]:
        assert client.get("/api/articles", params={"q": q}).status_code == 200


def test_csv_download_is_the_whole_result_and_spreadsheet_safe(client):
    response = client.get("/search.csv?lang=en")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 5
    formula = next(r for r in rows if r["source"] == "d")
    assert formula["title"] == "'=1+1 Derby ends in a draw"  # shown as text, never run as a formula
    assert all(not r["title"].startswith(("=", "+", "-", "@")) for r in rows)


def test_a_total_past_the_cap_is_a_lower_bound_and_the_page_says_so(client, monkeypatch):
    from newsmon.web import api
    from storage.queries import total_matching

    monkeypatch.setattr(api, "total_matching", lambda session, f, **kw: total_matching(session, f, cap=2, **kw))
    body = client.get("/api/articles?limit=1").json()
    assert (body["total"], body["total_is_lower_bound"]) == (2, True)
    assert client.get("/api/articles?limit=1&offset=5").status_code == 200  # never "past the end" on a guess
    page = client.get("/?view=article&limit=1").text
    assert "at least 2 articles" in page and "page 1 of at least 2" in page
