"""Engines and sessions for SQLite (default, WAL mode) and PostgreSQL, migrated with Alembic."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DB_URL = "sqlite:///newsmon.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def db_url_from_env(url: str | None = None) -> str:
    """The URL to use: the explicit one, else NEWSMON_DB_URL, else a SQLite file in the working folder."""
    return url or os.environ.get("NEWSMON_DB_URL") or DEFAULT_DB_URL


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets analysts query while a crawl writes; busy_timeout waits for the writer instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database and sa_url.database != ":memory:":
            Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(sa_url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if sa_url.get_backend_name() == "postgresql" and sa_url.drivername == "postgresql":
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    return create_engine(sa_url, pool_pre_ping=True)


def alembic_config(engine: Engine):
    from alembic.config import Config  # imported on use: a second of start-up for every command otherwise

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


MIGRATION_LOCK = 4_242_001  # PostgreSQL advisory lock: workers starting together migrate one at a time


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent, safe for concurrent workers on PostgreSQL)."""
    from alembic import command

    config = alembic_config(engine)
    if engine.dialect.name != "postgresql":
        command.upgrade(config, "head")
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()


def open_database(url: str | None = None, migrate: bool = True) -> sessionmaker[Session]:
    """A session factory for the database at ``url``, migrated to head first."""
    engine = make_engine(db_url_from_env(url))
    if migrate:
        upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)
