"""Broken configuration is an error with its line, never a silent "done" (issue 11, item 3)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from localserver import LocalServer
from newsmon.cli import cli

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSMON_EXTRACT_PROCESSES=0",
        "-s", "RETRY_TIMES=0"]
GOOD = '[[source]]\nname = "wire"\nkind = "feed"\nurl = "http://127.0.0.1:9/rss.xml"\n'


@pytest.mark.parametrize("command", ["crawl", "nightly"])
@pytest.mark.parametrize("content,message", [
    ("", "no usable [[source]] entry"),
    (GOOD.replace("[[source]]", "[[sources]]"), "s.toml:1: unknown table '[[sources]]'"),
    (GOOD.replace('kind = "feed"', 'kind = "feed'), "s.toml:3: invalid TOML"),
])
def test_a_sources_file_with_nothing_to_crawl_is_an_error(tmp_path, command, content, message):
    sources = tmp_path / "s.toml"
    sources.write_text(content)
    result = CliRunner().invoke(cli, [command, "--sources", str(sources), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 1, result.output
    assert message in result.output and "done" not in result.output


def test_crawl_of_an_unknown_source_name_is_an_error(tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text(GOOD)
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(sources), "--source", "wrie",
                                      "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 1
    assert "no source named 'wrie' (sources: wire)" in result.output


def test_crawl_where_no_source_answered_exits_1(tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text(GOOD)
    result = subprocess.run([NEWSMON, "crawl", "--sources", str(sources), "--db", f"sqlite:///{tmp_path / 'x.db'}",
                             "--raw-dir", str(tmp_path / "raw"), *FAST],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "no source answered at all" in result.stdout


def test_one_bad_source_among_good_ones_is_a_warning_in_nightly_and_status(tmp_path):
    with LocalServer() as server:
        server.route("/rss.xml", "<rss version='2.0'><channel><title>t</title></channel></rss>",
                     headers={"Content-Type": "application/rss+xml"})
        sources = tmp_path / "s.toml"
        sources.write_text(GOOD.replace("http://127.0.0.1:9/rss.xml", server.url("/rss.xml"))
                           + '\n[[source]]\nname = "typo"\nkind = "blog"\nurl = "https://x.example/"\n')
        db = f"sqlite:///{tmp_path / 'x.db'}"
        result = subprocess.run([NEWSMON, "nightly", "--sources", str(sources), "--db", db,
                                 "--raw-dir", str(tmp_path / "raw"), "--subscriptions", str(tmp_path / "none.toml"),
                                 *FAST], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "WARNING: bad source entry skipped: " in result.stdout and "s.toml:6:" in result.stdout
    status = CliRunner().invoke(cli, ["status", "--db", db])
    assert "WARNING sources file: 1 bad source entry skipped" in status.output


def seed_article(db_url: str) -> None:
    from datetime import datetime

    from storage.articles import ArticleRecord, upsert_articles
    from storage.db import open_database

    with open_database(db_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [ArticleRecord(
            url="https://a.example/1", fetched_url="https://a.example/1", source="un-news", title="A title",
            language="en", text="Body text of the article. " * 20, published=datetime(2026, 11, 2))])


@pytest.mark.parametrize("option,value,message", [
    ("--topic", "sanction", "unknown topic 'sanction'; topics: "),
    ("--lang", "french", "unknown language 'french'"),
    ("--lang", "EN", "unknown language 'EN'"),
    ("--source", "un-newz", "unknown source 'un-newz'; sources seen: un-news"),
])
def test_query_with_an_unknown_name_is_an_error(sqlite_url, option, value, message):
    seed_article(sqlite_url)
    result = CliRunner().invoke(cli, ["query", "--db", sqlite_url, option, value])
    assert result.exit_code == 2 and message in result.output
    ok = CliRunner().invoke(cli, ["query", "--db", sqlite_url, "--topic", "sanctions", "--lang", "fr",
                                  "--source", "un-news"])
    assert ok.exit_code == 0 and "No articles match." in ok.output


@pytest.mark.parametrize("line,message", [
    ('topics = ["sanction"]', "desk: unknown topic 'sanction'"),
    ('languages = ["english"]', "desk: unknown language 'english'"),
    ('sources = ["un-newz"]', "desk: unknown source 'un-newz'; sources seen: un-news"),
])
def test_a_subscription_with_an_unknown_name_is_an_error(sqlite_url, tmp_path, line, message):
    seed_article(sqlite_url)
    subs = tmp_path / "subs.toml"
    subs.write_text(f'[[subscription]]\nname = "desk"\nchannel = "file"\npath = "{tmp_path / "out"}"\n{line}\n')
    result = CliRunner().invoke(cli, ["digest", "--dry-run", "--db", sqlite_url, "--subscriptions", str(subs)])
    assert result.exit_code == 1 and message in result.output
