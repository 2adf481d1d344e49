"""Bad input gives one line and a non-zero exit, never a traceback (issue 11, item 14)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

NEWSMON = str(Path(sys.executable).with_name("newsmon"))


def newsmon(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSMON, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.parametrize("url,message", [
    ("mysql://u@h/db", "'mysql' databases are not supported"),
    ("postgresql://u@h:99999/db", "port 99999 is out of range"),
    ("postgresql://u@h:port/db", "not a database URL"),
    ("not a url", "not a database URL"),
])
def test_an_unusable_database_url_is_one_line(tmp_path, url, message):
    result = newsmon("query", "--db", url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: database") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_tag_and_evaluate_of_a_file_that_is_not_utf8_are_one_line(tmp_path):
    latin1 = tmp_path / "article.txt"
    latin1.write_bytes("Résolution sur la coopération numérique et l'IA. ".encode("latin-1") * 20)
    jsonl = tmp_path / "labelled.jsonl"
    jsonl.write_bytes('{"text": "Résolution", "relevant": true}\n'.encode("latin-1"))
    for args in (["tag", str(latin1)], ["evaluate", "--data", str(jsonl)]):
        result = newsmon(*args, cwd=tmp_path)
        assert result.returncode == 1, args
        assert "not UTF-8 text" in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_a_blank_search_is_a_usage_error_not_an_fts5_syntax_error(sqlite_url, tmp_path):
    result = newsmon("query", "--db", sqlite_url, "--search", "   ", cwd=tmp_path)
    assert result.returncode == 2 and "give at least one word" in result.stderr
    assert "Traceback" not in result.stderr and "fts5" not in result.stderr


def test_an_unreachable_host_robots_txt_error_is_one_line(tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nname = "wire"\nkind = "feed"\nurl = "http://127.0.0.1:9/rss.xml"\n')
    result = newsmon("crawl", "--sources", str(sources), "--db", f"sqlite:///{tmp_path / 'x.db'}",
                     "--raw-dir", str(tmp_path / "raw"), "-s", "RETRY_TIMES=0", cwd=tmp_path)
    assert "robotstxt: Error downloading" in result.stderr
    assert "Traceback" not in result.stderr
