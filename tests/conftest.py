"""Shared fixtures: real SQLite files and a real PostgreSQL database, migrated with Alembic.

PostgreSQL tests skip with a reason when the server is absent, unless NEWSMON_REQUIRE_SERVICES=1
(set by .ci/run), in which case they fail.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from newsmon import settings
from storage.db import open_database

PG_ADMIN_URL = settings.TEST_PG.value()
REDIS_URL = settings.TEST_REDIS.value()
REQUIRE_SERVICES = settings.REQUIRE_SERVICES.value() == "1"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} ({settings.REQUIRE_SERVICES.env}=1)")
    pytest.skip(reason)


def chromium_executable() -> str:
    """Debian's headless Chromium (or NEWSMON_CHROMIUM) for the browser tests."""
    found = settings.CHROMIUM.value() or next(
        (p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
         if p and os.path.exists(p)), None)
    if found is None:
        service_missing("headless Chromium not found (apt-get install -y chromium)")
    return found


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session; yields its URL."""
    import psycopg

    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        service_missing(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    name = f"newsmon_test_{uuid.uuid4().hex[:8]}"
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        _dispose(open_database(url))
        return url
    url = request.getfixturevalue("postgres_server")
    factory = open_database(url)
    _truncate_all(factory)
    _dispose(factory)
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'test.db'}"
    _dispose(open_database(url))
    return url


@pytest.fixture
def session_factory(db_url) -> Iterator[sessionmaker[Session]]:
    factory = open_database(db_url, migrate=False)
    yield factory
    _dispose(factory)


def _dispose(factory: sessionmaker[Session]) -> None:
    """Close the pool's connections so no test leaks them into the next."""
    factory.kw["bind"].dispose()


@pytest.fixture
def session(session_factory) -> Iterator[Session]:
    with session_factory() as s:
        yield s


def _truncate_all(factory: sessionmaker[Session]) -> None:
    from sqlalchemy import text

    from storage.models import Base

    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with factory() as s:
        s.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        s.commit()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (only developers' machines have it)")
    return SHARED
