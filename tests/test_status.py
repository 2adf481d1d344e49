"""`newsmon status`: per-source health from recorded runs, and warnings for silent breakage."""
from __future__ import annotations

import socket
import subprocess
from datetime import datetime, timedelta

from click.testing import CliRunner

from newsmon.cli import cli
from storage.models import Article, CrawlRun
from storage.runs import finish_run, mark_interrupted, source_reports, start_run

NOW = datetime(2026, 11, 22, 3, 0)


def add_run(session, days_ago: int, per_source: dict[str, dict[str, int]], status: str = "finished") -> CrawlRun:
    started = NOW - timedelta(days=days_ago)
    stats = {f"newsmon/source/{name}/{key}": value for name, values in per_source.items() for key, value in values.items()}
    run = CrawlRun(started=started, finished=started + timedelta(minutes=5), status=status, stats=stats)
    session.add(run)
    session.flush()
    return run


HEALTHY = {"entry_pages": 1, "links_found": 10, "pages_fetched": 5, "articles_new": 5, "dropped/no-article": 0}


def history(session) -> None:
    for days in (4, 3, 2):
        add_run(session, days, {
            "steady": HEALTHY,
            "listing": {**HEALTHY, "dropped/no-article": 1},
            "extractor": {**HEALTHY, "pages_fetched": 10, "dropped/no-article": 1},
            "blocked": HEALTHY,
            "dead-feed": HEALTHY,
        })
    add_run(session, 1, {
        "steady": {"entry_pages": 1, "not_modified": 1},  # nothing new: fine
        "listing": {"entry_pages": 1, "links_found": 0},  # redesign: the link pattern matches nothing
        "extractor": {**HEALTHY, "pages_fetched": 10, "dropped/no-article": 8, "articles_new": 2},
        "blocked": {"entry_pages": 1, "links_found": 6, "article_errors": 6, "errors/http-403": 6},
        "dead-feed": {"errors/http-404": 1},
    })
    session.add(Article(url="https://a.example/1", fetched_url="https://a.example/1", source="steady", text="t",
                        content_hash="h", first_seen=NOW - timedelta(days=2), updated=NOW))
    session.add(Article(url="https://a.example/2", fetched_url="https://a.example/2", source="steady", text="t",
                        content_hash="h2", first_seen=NOW - timedelta(days=30), updated=NOW))
    session.commit()


def test_reports_and_warnings(session):
    history(session)
    reports = {r.source: r for r in source_reports(session, NOW)}
    assert set(reports) == {"steady", "listing", "extractor", "blocked", "dead-feed"}
    assert reports["steady"].warnings == []
    assert reports["steady"].week_new == 1
    assert reports["steady"].last_success == NOW - timedelta(days=1)
    assert "found no article links" in reports["listing"].warnings[0]
    assert reports["extractor"].warnings == ["extraction found no article in 80% of fetched pages (before: 10%)"]
    assert reports["extractor"].last_run.no_article_share == 0.8
    assert "fetched 6 pages but stored no article" in reports["blocked"].warnings[0]
    assert reports["blocked"].last_run.errors == {"http-403": 6}
    dead = reports["dead-feed"]
    assert dead.last_success == NOW - timedelta(days=2)
    assert dead.last_run.errors == {"http-404": 1}
    assert dead.warnings[0].startswith("its feeds/sitemaps/listings failed (http-404)")


def test_status_command_prints_table_and_warnings(db_url, session):
    history(session)
    result = CliRunner().invoke(cli, ["status", "--db", db_url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Last run ")
    header = next(line for line in lines if line.startswith("source"))
    for column in ("last success", "new (run)", "new (7d)", "no article", "no date", "errors"):
        assert column in header
    assert any(line.startswith("dead-feed") and "http-404 1" in line for line in lines)
    warnings = [line for line in lines if line.startswith("WARNING")]
    assert {line.split()[1].rstrip(":") for line in warnings} == {"listing", "extractor", "blocked", "dead-feed"}


def test_status_with_no_runs(db_url):
    result = CliRunner().invoke(cli, ["status", "--db", db_url])
    assert result.exit_code == 0
    assert "No crawl recorded yet" in result.output


def test_a_killed_run_is_marked_interrupted_and_a_live_one_is_not(session):
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = socket.gethostname()
    killed = CrawlRun(started=NOW, status="running", stats={"host": host, "pid": dead.pid})
    elsewhere = CrawlRun(started=NOW, status="running", stats={"host": host + "-other", "pid": dead.pid})
    session.add_all([killed, elsewhere])
    session.flush()
    live = start_run(session, NOW)
    assert killed.status == "interrupted"
    assert elsewhere.status == "running"  # another machine's run: its process is not ours to judge
    assert mark_interrupted(session) == 0
    finish_run(session, live, NOW + timedelta(minutes=1), "finished", {"newsmon/source/x/pages_fetched": 2})
    session.commit()
    assert live.status == "finished" and live.stats["pid"] and live.sources[0].pages_fetched == 2


def test_a_single_source_crawl_keeps_the_other_sources(session):
    history(session)
    add_run(session, 0, {"steady": HEALTHY})  # `newsmon crawl --source steady`
    session.commit()
    reports = {r.source: r for r in source_reports(session, NOW)}
    assert set(reports) == {"steady", "listing", "extractor", "blocked", "dead-feed"}
    assert reports["steady"].last_success == NOW
    assert reports["dead-feed"].last_run.errors == {"http-404": 1}  # its own latest run, a day earlier


def test_an_empty_crashed_run_does_not_hide_earlier_runs(db_url, session):
    history(session)
    add_run(session, 0, {}, status="failed")  # crashed before crawling: no newsmon/* stats
    session.commit()
    reports = {r.source: r for r in source_reports(session, NOW)}
    assert set(reports) == {"steady", "listing", "extractor", "blocked", "dead-feed"}
    assert "found no article links" in reports["listing"].warnings[0]
    result = CliRunner().invoke(cli, ["status", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "No finished run yet" not in result.output
    assert any(line.startswith("steady") for line in result.output.splitlines())
