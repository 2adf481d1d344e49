"""`newsmon digest` as cron runs it: dry run, exit codes, bad entries, retry, on both databases."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from alerts.run import utcnow
from localserver import LocalServer
from newsmon.cli import cli
from storage.db import open_database
from storage.models import Delivery
from test_alerts_support import WebhookReceiver, add_article


@contextmanager
def session_for(db_url: str):
    factory = open_database(db_url, migrate=False)
    try:
        with factory() as session:
            yield session
    finally:
        factory.kw["bind"].dispose()


def seed(db_url: str) -> None:
    with session_for(db_url) as s:
        add_article(s, title="UN panel on AI meets", topics={"un-governance": 0.9}, first_seen=utcnow() - dt.timedelta(hours=2))
        add_article(s, title="Chip curbs widen", topics={"sanctions": 0.8}, first_seen=utcnow() - dt.timedelta(hours=1))
        s.commit()


def deliveries(db_url: str) -> int:
    with session_for(db_url) as s:
        return s.scalar(select(func.count()).select_from(Delivery))


def digest(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["digest", *args], env=env, catch_exceptions=False)


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def write(tmp_path, text: str) -> str:
    path = tmp_path / "subs.toml"
    path.write_text(text)
    return str(path)


def test_help():
    result = CliRunner().invoke(cli, ["digest", "--help"])
    assert result.exit_code == 0
    for option in ("--subscription", "--dry-run", "--since", "--subscriptions", "--db"):
        assert option in result.output


def test_dry_run_prints_and_records_nothing(tmp_path, db_url):
    seed(db_url)
    folder = tmp_path / "out"
    subs = write(tmp_path, f'[[subscription]]\nname = "un"\nchannel = "file"\npath = "{folder}"\n'
                           'topics = ["un-governance"]\n\n'
                           '[[subscription]]\nname = "mail"\nchannel = "email"\nto = ["a@example.org"]\n')
    result = digest("--db", db_url, "--subscriptions", subs, "--dry-run", env={"NEWSMON_SMTP_HOST": ""})
    assert result.exit_code == 0, result.output + result.stderr
    assert "=== un ===" in result.output and "UN panel on AI meets" in result.output
    assert "Chip curbs widen" not in result.output.split("=== mail ===")[0]
    assert "would email a@example.org" in result.output  # no SMTP settings needed for a dry run
    assert "warning: a real run would fail: mail: cannot send email: NEWSMON_SMTP_HOST is not set" in result.output
    assert "nothing recorded" in result.output
    assert not folder.exists() and deliveries(db_url) == 0


def test_bad_entry_is_reported_the_rest_runs_and_the_exit_code_is_non_zero(tmp_path, db_url):
    seed(db_url)
    folder = tmp_path / "out"
    subs = write(tmp_path, '[[subscription]]\nname = "broken"\nchannel = "carrier-pigeon"\n\n'
                           f'[[subscription]]\nname = "un"\nchannel = "file"\npath = "{folder}"\n')
    result = digest("--db", db_url, "--subscriptions", subs)
    assert result.exit_code == 1
    assert f"{subs}:3: broken: 'channel' must be one of" in result.stderr
    assert "1 subscription(s) failed" in result.stderr
    assert "un: wrote" in result.output and len(list(folder.iterdir())) == 2
    assert deliveries(db_url) == 2


def test_failed_delivery_exits_non_zero_and_the_next_run_sends(tmp_path, db_url, server):
    seed(db_url)
    hook = WebhookReceiver(server, [503, 200])
    subs = write(tmp_path, f'[[subscription]]\nname = "hook"\nchannel = "webhook"\nurl = "{hook.url}"\n')
    first = digest("--db", db_url, "--subscriptions", subs)
    assert first.exit_code == 1 and "webhook answered HTTP 503" in first.stderr
    assert deliveries(db_url) == 0
    second = digest("--db", db_url, "--subscriptions", subs)
    assert second.exit_code == 0 and "hook: posted 2 stories, HTTP 200" in second.output
    third = digest("--db", db_url, "--subscriptions", subs)
    assert third.exit_code == 0 and "nothing new" in third.output
    assert len(hook.bodies) == 2 and deliveries(db_url) == 2


def test_missing_smtp_settings_exit_non_zero(tmp_path, sqlite_url):
    seed(sqlite_url)
    subs = write(tmp_path, '[[subscription]]\nname = "mail"\nchannel = "email"\nto = ["a@example.org"]\n')
    result = digest("--db", sqlite_url, "--subscriptions", subs,
                    env={"NEWSMON_SMTP_HOST": "", "NEWSMON_MAIL_FROM": ""})
    assert result.exit_code == 1
    assert "mail: cannot send email: NEWSMON_SMTP_HOST is not set" in result.stderr
    assert "Traceback" not in result.stderr + result.output


def test_subscription_and_since_options(tmp_path, sqlite_url):
    seed(sqlite_url)
    subs = write(tmp_path, f'[[subscription]]\nname = "a"\nchannel = "file"\npath = "{tmp_path / "a"}"\n\n'
                           f'[[subscription]]\nname = "b"\nchannel = "file"\npath = "{tmp_path / "b"}"\n')
    unknown = digest("--db", sqlite_url, "--subscriptions", subs, "--subscription", "c")
    assert unknown.exit_code == 1 and "no subscription named c" in unknown.stderr and "known: a, b" in unknown.stderr
    bad_date = digest("--db", sqlite_url, "--subscriptions", subs, "--since", "yesterday")
    assert bad_date.exit_code == 2 and "is not a date" in bad_date.stderr
    future = (utcnow() + dt.timedelta(days=1)).date().isoformat()
    nothing = digest("--db", sqlite_url, "--subscriptions", subs, "--subscription", "b", "--since", future)
    assert nothing.exit_code == 0 and "b: nothing new" in nothing.output and "a:" not in nothing.output
    only_b = digest("--db", sqlite_url, "--subscriptions", subs, "--subscription", "b")
    assert only_b.exit_code == 0 and "b: wrote" in only_b.output
    assert not (tmp_path / "a").exists()


def test_missing_subscriptions_file(tmp_path, sqlite_url):
    result = digest("--db", sqlite_url, "--subscriptions", str(tmp_path / "none.toml"))
    assert result.exit_code == 1 and "subscriptions file not found" in result.stderr
