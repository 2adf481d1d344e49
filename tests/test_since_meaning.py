"""`--since` means one thing everywhere: the article's date, published else first seen (issue 11, item 7)."""
from __future__ import annotations

import json
from datetime import datetime

from click.testing import CliRunner
from sqlalchemy import update

from newsmon.cli import cli
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.models import Article

TEXT = "The Security Council discussed sanctions and export controls on advanced AI chips. " * 6


def test_retag_since_selects_what_query_since_selects(sqlite_url):
    with open_database(sqlite_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [
            ArticleRecord(url=f"https://a.example/{n}", fetched_url=f"https://a.example/{n}", source="a",
                          title=f"Article {n}", language="en", text=f"{n} {TEXT}", published=published)
            for n, published in enumerate([datetime(2026, 10, 1), datetime(2026, 11, 5), None])
        ])
        session.execute(update(Article).values(first_seen=datetime(2026, 11, 20)))  # all found late
    runner = CliRunner()
    queried = json.loads(runner.invoke(cli, ["query", "--db", sqlite_url, "--since", "2026-11-01",
                                             "--format", "json"]).output)
    assert sorted(r["title"] for r in queried) == ["Article 1", "Article 2"]
    retagged = runner.invoke(cli, ["retag", "--db", sqlite_url, "--since", "2026-11-01"])
    assert retagged.exit_code == 0, retagged.output
    assert "re-tagged 2 articles" in retagged.output
    seen = runner.invoke(cli, ["retag", "--db", sqlite_url, "--seen-since", "2026-11-01"])
    assert "re-tagged 3 articles" in seen.output
