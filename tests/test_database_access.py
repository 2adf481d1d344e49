"""Who may create and migrate a database (issue 11, items 4, 5 and 13)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from storage.db import alembic_config, make_engine, mask_url, schema_revisions

NEWSMON = str(Path(sys.executable).with_name("newsmon"))


@pytest.mark.parametrize("command", [["query"], ["status"], ["story", "1"], ["db", "current"],
                                     ["label", "1", "--irrelevant"], ["retag"]])
def test_read_commands_refuse_a_missing_database_and_create_nothing(tmp_path, command):
    db = tmp_path / "newsmon.db"
    result = CliRunner().invoke(cli, [*command, "--db", f"sqlite:///{tmp_path / 'newsmn.db'}"])
    assert result.exit_code != 0
    assert "newsmn.db: does not exist (is --db misspelt?" in str(result.exception or "") + result.output
    assert list(tmp_path.iterdir()) == [] and not db.exists()


@pytest.mark.parametrize("command", [["query"], ["crawl"], ["db", "upgrade"]])
def test_a_missing_folder_is_an_error_even_for_writers(tmp_path, command):
    result = subprocess.run([NEWSMON, *command, "--db", f"sqlite:///{tmp_path / 'typo' / 'newsmon.db'}"],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 1
    assert "typo does not exist (is --db misspelt?)" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def migrate_to(url: str, revision: str) -> None:
    from alembic import command

    engine = make_engine(url)
    command.upgrade(alembic_config(engine), revision)
    engine.dispose()


def revision_of(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return schema_revisions(engine)[0]
    finally:
        engine.dispose()


def test_read_commands_never_migrate_and_db_upgrade_does(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate_to(url, "0001")
    runner = CliRunner()
    for command in (["query"], ["status"], ["story", "1"]):
        result = runner.invoke(cli, [*command, "--db", url])
        assert result.exit_code != 0
        assert "schema is at revision 0001" in str(result.exception) and "newsmon db upgrade" in str(result.exception)
    assert revision_of(url) == "0001"
    current = runner.invoke(cli, ["db", "current", "--db", url])
    assert current.exit_code == 1 and "revision 0001" in current.output and "behind" in current.output
    upgraded = runner.invoke(cli, ["db", "upgrade", "--db", url])
    assert upgraded.exit_code == 0 and "upgraded from revision 0001" in upgraded.output
    head = revision_of(url)
    assert head != "0001"
    current = runner.invoke(cli, ["db", "current", "--db", url])
    assert current.exit_code == 0 and "up to date" in current.output
    again = runner.invoke(cli, ["db", "upgrade", "--db", url])
    assert again.exit_code == 0 and f"already at revision {head}" in again.output
    assert runner.invoke(cli, ["query", "--db", url]).exit_code == 0


def test_db_upgrade_creates_a_new_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0 and "upgraded from revision (none)" in result.output
    assert CliRunner().invoke(cli, ["query", "--db", url]).output.startswith("No articles match.")


@pytest.mark.postgres
def test_a_shared_postgresql_is_migrated_only_by_db_upgrade(postgres_server):
    import psycopg

    from conftest import PG_ADMIN_URL
    from newsmon.errors import DatabaseError
    from storage.db import open_for_command

    name = "newsmon_test_fresh_schema"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        for writer in (False, True):  # crawl, nightly and demo do not migrate PostgreSQL either
            with pytest.raises(DatabaseError, match="has no newsmon schema yet"):
                open_for_command(url, writer=writer)
        assert revision_of(url) is None
        assert CliRunner().invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
        open_for_command(url).kw["bind"].dispose()
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_passwords_are_masked_wherever_a_url_is_printed(tmp_path):
    url = "postgresql://analyst:s3cret-pw@127.0.0.1:1/newsmon"
    assert mask_url(url) == "postgresql://analyst:***@127.0.0.1:1/newsmon"
    for command in (["demo", "--db", url], ["db", "current", "--db", url], ["db", "upgrade", "--db", url],
                    ["query", "--db", url], ["query", "--db", "mysql://analyst:s3cret-pw@h/db"],
                    ["query", "--db", "postgresql://analyst:s3cret-pw@h:99999/db"]):
        result = subprocess.run([NEWSMON, *command], capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert result.returncode == 1, command
        assert "s3cret-pw" not in result.stdout + result.stderr, command
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 2, result.stderr


def test_demo_does_not_silently_wipe_analysts_work(tmp_path):
    from storage.articles import ArticleRecord, upsert_articles
    from storage.db import open_database
    from storage.tagging import record_correction

    demo_db = tmp_path / "newsmon-demo.db"
    factory = open_database(f"sqlite:///{demo_db}")
    with factory() as session, session.begin():
        upsert_articles(session, [ArticleRecord(url="https://a.example/1", fetched_url="https://a.example/1",
                                                source="demo-rss", text="Body text. " * 30, title="T")])
        record_correction(session, 1, irrelevant=True)
    factory.kw["bind"].dispose()
    before = demo_db.read_bytes()
    result = subprocess.run([NEWSMON, "demo"], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "holds 1 analysts' corrections" in result.stderr and "newsmon demo --yes" in result.stderr
    assert demo_db.read_bytes() == before
