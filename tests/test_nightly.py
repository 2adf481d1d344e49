"""`newsmon nightly` end to end, and the cron wrapper: lock, dated logs, log rotation, exit codes."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from localserver import LocalServer
from newsmon.cli import cli
from storage.db import open_database
from storage.models import Article, CrawlRun

ROOT = Path(__file__).resolve().parents[1]
WRAPPER = ROOT / "cron" / "newsmon-nightly.sh"
NEWSMON = str(Path(sys.executable).with_name("newsmon"))
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSMON_EXTRACT_PROCESSES=0"]
TEXT = ("Member states asked the secretariat for a report on artificial intelligence capacity-building, "
        "with options for shared compute, data and training for developing countries. ") * 5


def test_nightly_crawls_skips_missing_steps_and_exits_zero(tmp_path):
    with LocalServer() as server:
        for n in range(3):
            server.route(f"/a/{n}.html", f"<html><head><title>Report {n}</title></head><body><article>"
                                         f"<h1>Report {n}</h1><p>{n} {TEXT}</p><p>{TEXT}</p></article></body></html>")
        items = "".join(f"<item><title>Report {n}</title><link>{server.url(f'/a/{n}.html')}</link></item>"
                        for n in range(3))
        server.route("/rss.xml", f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
                     headers={"Content-Type": "application/rss+xml", "ETag": '"v1"'})
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "wire"\nkind = "feed"\nurl = "{server.url("/rss.xml")}"\n')
        db = f"sqlite:///{tmp_path / 'n.db'}"
        command = [NEWSMON, "nightly", "--sources", str(sources), "--db", db, "--raw-dir", str(tmp_path / "raw"),
                   "--subscriptions", str(tmp_path / "none.toml"), *FAST]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        lines = result.stdout.splitlines()
        assert lines[0].startswith("nightly crawl: ok") and "3 articles stored" in lines[0]
        assert lines[1].startswith("nightly tag: ")  # ok once a classifier is installed, skipped before
        assert lines[2].startswith("nightly digest: skipped") and "none.toml" in lines[2]
        assert lines[-1] == "nightly: done"
        with open_database(db)() as session:
            assert session.scalar(select(func.count()).select_from(Article)) == 3
            assert session.scalars(select(CrawlRun)).one().status == "finished"

        status = CliRunner().invoke(cli, ["status", "--db", db])
        assert status.exit_code == 0, status.output
        assert "wire" in status.output and "WARNING" not in status.output


def test_nightly_fails_when_no_source_answers_at_all(tmp_path):
    with LocalServer() as server:
        dead = server.url("/rss.xml")  # the server stops below: nothing listens there any more
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "wire"\nkind = "feed"\nurl = "{dead}"\n')
    command = [NEWSMON, "nightly", "--sources", str(sources), "--db", f"sqlite:///{tmp_path / 'n.db'}",
               "--raw-dir", str(tmp_path / "raw"), "--subscriptions", str(tmp_path / "none.toml"),
               *FAST, "-s", "RETRY_TIMES=0"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 1
    assert "nightly crawl: failed" in result.stdout and "no source answered" in result.stdout
    assert "nightly digest: skipped" in result.stdout  # later steps still ran
    assert "nightly: FAILED (crawl)" in result.stderr


def test_nightly_refuses_a_missing_sources_file(tmp_path):
    result = CliRunner().invoke(cli, ["nightly", "--sources", str(tmp_path / "nope.toml"),
                                      "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0
    assert "sources file not found" in result.output


def test_nightly_help_documents_its_options():
    result = CliRunner().invoke(cli, ["nightly", "--help"])
    assert result.exit_code == 0
    for option in ("--sources", "--db", "--raw-dir", "--refresh-days", "--subscriptions"):
        assert option in result.output


# -- the cron wrapper -------------------------------------------------------------------------------

@pytest.fixture
def fake_newsmon(tmp_path) -> Path:
    """Stands in for newsmon: sleeps FAKE_SLEEP seconds, prints its arguments, exits FAKE_EXIT."""
    script = tmp_path / "fake-newsmon"
    script.write_text('#!/bin/sh\necho "fake newsmon $*"\nsleep "${FAKE_SLEEP:-0}"\nexit "${FAKE_EXIT:-0}"\n')
    script.chmod(0o755)
    return script


def wrapper_env(tmp_path: Path, fake: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "NEWSMON_HOME": str(tmp_path), "NEWSMON_BIN": str(fake), **extra}


def test_wrapper_logs_to_a_dated_file_and_is_quiet_on_success(tmp_path, fake_newsmon):
    result = subprocess.run(["bash", str(WRAPPER), "--refresh-days", "30"], capture_output=True, text=True,
                            env=wrapper_env(tmp_path, fake_newsmon), timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    logs = list((tmp_path / "logs").glob("nightly-*.log"))
    assert len(logs) == 1
    text = logs[0].read_text()
    assert "fake newsmon -v nightly --refresh-days 30" in text
    assert "exit status 0" in text


def test_wrapper_reports_a_failed_night(tmp_path, fake_newsmon):
    result = subprocess.run(["bash", str(WRAPPER)], capture_output=True, text=True,
                            env=wrapper_env(tmp_path, fake_newsmon, FAKE_EXIT="1"), timeout=30)
    assert result.returncode == 1
    assert "newsmon nightly failed" in result.stderr and "fake newsmon" in result.stderr


def test_wrapper_never_runs_two_nights_at_once(tmp_path, fake_newsmon):
    env = wrapper_env(tmp_path, fake_newsmon, FAKE_SLEEP="3")
    first = subprocess.Popen(["bash", str(WRAPPER)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not list((tmp_path / "logs").glob("nightly-*.log")) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = subprocess.run(["bash", str(WRAPPER)], capture_output=True, text=True, env=env, timeout=10)
        assert second.returncode == 75
        assert "skipped" in second.stderr and "still holds" in second.stderr
    finally:
        assert first.wait(timeout=20) == 0
    assert len(list((tmp_path / "logs").glob("nightly-*.log"))) == 1


def test_wrapper_keeps_only_the_newest_logs(tmp_path, fake_newsmon):
    logs = tmp_path / "logs"
    logs.mkdir()
    for day in range(1, 6):
        (logs / f"nightly-2026-01-0{day}T023000Z.log").write_text("old")
    result = subprocess.run(["bash", str(WRAPPER)], capture_output=True, text=True,
                            env=wrapper_env(tmp_path, fake_newsmon, NEWSMON_KEEP_LOGS="3"), timeout=30)
    assert result.returncode == 0, result.stderr
    kept = sorted(p.name for p in logs.glob("nightly-*.log"))
    assert len(kept) == 3
    assert kept[:2] == ["nightly-2026-01-04T023000Z.log", "nightly-2026-01-05T023000Z.log"]
    assert kept[2].startswith("nightly-20") and kept[2] > "nightly-2026-01-05"


def test_crontab_line_runs_the_wrapper():
    lines = [line for line in (ROOT / "cron" / "crontab").read_text().splitlines()
             if line and not line.startswith("#") and "=" not in line.split()[0]]
    assert len(lines) == 1
    fields = lines[0].split()
    assert len(fields) >= 6 and fields[5].endswith("cron/newsmon-nightly.sh")


def test_tag_step_tags_only_untagged_articles(session_factory):
    from dataclasses import dataclass
    from datetime import datetime

    from newsmon.commands import nightly

    @dataclass
    class FakeTags:
        relevance: float
        relevant: bool
        topics: dict

    class FakeModel:  # the classifier's interface: predict([(title, text)]) and a version
        version = "fake-1"

        def __init__(self):
            self.seen: list[str] = []

        def predict(self, docs):
            self.seen += [text for _title, text in docs]
            return [FakeTags(0.9, True, {"export-controls": 0.8}) for _ in docs]

    now = datetime(2026, 11, 22)
    with session_factory() as session, session.begin():
        for n in range(5):
            session.add(Article(url=f"https://a.example/{n}", fetched_url=f"https://a.example/{n}", source="s",
                                text=f"text {n}", content_hash=str(n), first_seen=now, updated=now,
                                model_version="old" if n == 0 else None))
    model = FakeModel()
    assert nightly.tag_untagged(session_factory, model, batch=2) == 4
    assert sorted(model.seen) == ["text 1", "text 2", "text 3", "text 4"]
    with session_factory() as session:
        versions = {a.url[-1]: a.model_version for a in session.scalars(select(Article))}
        assert versions == {"0": "old", "1": "fake-1", "2": "fake-1", "3": "fake-1", "4": "fake-1"}
    assert nightly.tag_untagged(session_factory, model) == 0
