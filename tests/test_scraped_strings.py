"""Scraped strings are cleaned once at the boundary: no escape sequences reach a terminal, no
newline forges a log line, no NUL byte fails a batch, no 100 KB title is stored (issue 11, item 12)."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select, update

from localserver import LocalServer
from newsmon.clean import clean_line, clean_text, clean_url
from newsmon.cli import cli
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.models import Article

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b[31mRed\x1b[0m alert\n2026-01-01 ERROR forged\x00 line\u202e"
TEXT = ("The committee heard that capacity-building for artificial intelligence must reach the "
        "least developed countries, and that export controls should not block research. ") * 5


def test_the_cleaners():
    assert clean_line(HOSTILE) == "Red alert 2026-01-01 ERROR forged line"
    assert len(clean_line("x" * 100_000)) == 1000
    assert clean_text("para one\r\n\tpara\x00 two\x1b[1m") == "para one\n\tpara two"
    assert clean_url(" https://a.example/x\ny\x00z ") == "https://a.example/xy%00z"


def test_stored_strings_are_clean_and_printing_is_safe_even_for_old_rows(sqlite_url, tmp_path):
    from storage.storyindex import StoryIndex

    with open_database(sqlite_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [ArticleRecord(
            url="https://a.example/1", fetched_url="https://a.example/1", source="a", title=HOSTILE,
            author=HOSTILE, site="x" * 5000, language="en", text=TEXT + "\x00", published=datetime(2026, 11, 2))],
            stories=StoryIndex.load(session))
        article = session.scalars(select(Article)).one()
        assert article.title == clean_line(HOSTILE) and "\x00" not in article.text and len(article.site) == 300
        # A row written before cleaning existed:
        session.execute(update(Article).values(title=HOSTILE, source="a\x1b[2J", first_seen=datetime(2026, 1, 1)))
        story_id = article.story_id
    runner = CliRunner()
    subs = tmp_path / "subs.toml"
    subs.write_text(f'[[subscription]]\nname = "desk"\nchannel = "file"\npath = "{tmp_path}"\n'
                    'relevant_only = false\nlookback_days = 3650\n')
    for args in (["query"], ["query", "--group-by", "story"], ["story", str(story_id)],
                 ["digest", "--dry-run", "--subscriptions", str(subs)]):
        result = runner.invoke(cli, [*args, "--db", sqlite_url])
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\u202e" not in result.output and "\x00" not in result.output
        assert "\nforged" not in result.output and "2026-01-01 ERROR forged" in result.output, args


def test_a_hostile_feed_is_stored_clean_and_logs_one_line_per_event(tmp_path):
    with LocalServer() as server:
        server.route("/a/1.html", f"<html><body><article><p>{TEXT}</p><p>{TEXT}</p></article></body></html>")
        title = "Padded " + "x" * 100_000
        items = (f"<item><title>{title}</title><link>{server.url('/a/1.html')}</link></item>"
                 f"<item><title>t</title><link>{server.url('/missing')}\n2026-01-01 ERROR forged: "
                 f"line</link></item>")
        server.route("/rss.xml", f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
                     headers={"Content-Type": "application/rss+xml"})
        sources = tmp_path / "s.toml"
        sources.write_text(f'[[source]]\nname = "wire"\nkind = "feed"\nurl = "{server.url("/rss.xml")}"\n')
        db = f"sqlite:///{tmp_path / 'x.db'}"
        result = subprocess.run(
            [NEWSMON, "-v", "crawl", "--sources", str(sources), "--db", db, "--raw-dir", str(tmp_path / "raw"),
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSMON_EXTRACT_PROCESSES=0",
             "-s", "RETRY_TIMES=0"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not any(line.startswith("2026-01-01 ERROR forged") for line in result.stderr.splitlines())
    with open_database(db, migrate=False)() as session:
        stored = session.scalars(select(Article)).one()
    assert stored.title.startswith("Padded xxx") and len(stored.title) == 1000
