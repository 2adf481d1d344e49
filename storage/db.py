"""Engines and sessions for SQLite (default, WAL mode) and PostgreSQL, migrated with Alembic.

Who may create and migrate a database is decided here, once: ``open_database`` for the library
and tests, ``open_for_command`` for the CLI, where only writers (crawl, nightly, demo) create a
SQLite file and migrate it, a shared PostgreSQL is migrated only by ``newsmon db upgrade``, and
every other command refuses a missing database or a schema that is behind.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from sqlalchemy import URL, Engine, Select, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from newsmon.errors import DatabaseError
from newsmon.settings import DB_URL

DEFAULT_DB_URL = DB_URL.default
MIGRATIONS = Path(__file__).with_name("migrations")
BACKENDS = ("sqlite", "postgresql")


def db_url_from_env(url: str | None = None) -> str:
    """The URL to use: the explicit one, else NEWSMON_DB_URL, else a SQLite file in the working folder."""
    return url or DB_URL.value()


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ***, for anything printed or logged."""
    try:
        return (url if isinstance(url, URL) else make_url(url)).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<not a database URL>"


def parse_db_url(url: str) -> URL:
    """The URL, or a DatabaseError a user can act on (never the password, never a traceback)."""
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 - an out-of-range port fails here, not at connect time
    except (ArgumentError, ValueError):
        raise DatabaseError("not a database URL; use sqlite:///path/newsmon.db or "
                            "postgresql://user@host/dbname") from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise DatabaseError(f"{backend!r} databases are not supported; use sqlite:///path/newsmon.db or "
                            "postgresql://user@host/dbname", mask_url(parsed))
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise DatabaseError(f"port {parsed.port} is out of range", mask_url(parsed))
    return parsed


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets analysts query while a crawl writes; busy_timeout waits for the writer instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    from storage.fulltext import register_sqlite_functions  # the full-text triggers call it

    register_sqlite_functions(dbapi_connection)


# Our sessions' PostgreSQL settings (the server's defaults stay as the team set them). Measured at
# a million articles (bench/query_scale.py): with 4 MB a common word's bitmap of 150,000 matches
# turned lossy and each of its pages was re-checked (count, full text: 110 ms -> 56 ms); a
# parallel plan spent longer starting its workers than an index walk of 2,000 rows takes
# (chart: 65 ms -> 19 ms). Workbench queries are short and many, so they run in one process.
# random_page_cost 1.1 (SSD, hot cache; the default 4 assumes spinning disks): with 4, counting
# 6,000 tags' stories chose to hash-join all million articles (160 ms) over 6,000 lookups (19 ms).
POSTGRESQL_SESSION = {"work_mem": "64MB", "max_parallel_workers_per_gather": "0", "random_page_cost": "1.1"}


def _postgresql_settings(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        for name, value in POSTGRESQL_SESSION.items():
            cursor.execute(f"SET {name} = '{value}'")
    dbapi_connection.commit()  # a SET inside the transaction the pool rolls back would be undone


def estimated_rows(session: Session, statement: Select) -> float:
    """How many rows PostgreSQL's planner expects ``statement`` to return (EXPLAIN, nothing run):
    for choosing between two ways to the same answer, never as an answer."""
    compiled = statement.compile(session.get_bind(), compile_kwargs={"render_postcompile": True})
    plan = session.connection().exec_driver_sql("EXPLAIN (FORMAT JSON) " + compiled.string, compiled.params).scalar_one()
    return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def make_engine(url: str | URL) -> Engine:
    sa_url = parse_db_url(url) if isinstance(url, str) else url
    if sa_url.get_backend_name() == "sqlite":
        engine = create_engine(sa_url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if sa_url.get_backend_name() == "postgresql" and sa_url.drivername == "postgresql":
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(sa_url, pool_pre_ping=True)
    except ImportError:
        raise DatabaseError(f"no driver for {sa_url.drivername}: pip install 'newsmon[postgresql]'",
                            mask_url(sa_url)) from None
    if sa_url.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _postgresql_settings)
    return engine


def alembic_config(engine: Engine):
    from alembic.config import Config  # imported on use: a second of start-up for every command otherwise

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


MIGRATION_LOCK = 4_242_001  # PostgreSQL advisory lock: workers starting together migrate one at a time


# Alembic keeps its running context in module globals: two threads migrating at once (two crawlers'
# store pipelines opening in one process) break each other, so one migrates at a time.
_MIGRATING = threading.Lock()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent, safe for concurrent workers on PostgreSQL)."""
    with _MIGRATING:
        _upgrade(engine)


def _upgrade(engine: Engine) -> None:
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


def schema_revisions(engine: Engine) -> tuple[str | None, str]:
    """(the database's Alembic revision or None when it has no schema yet, this code's head)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def check_schema(engine: Engine) -> None:
    """A DatabaseError when the schema is not this code's head: say how to upgrade, never do it."""
    current, head = schema_revisions(engine)
    if current == head:
        return
    where = mask_url(engine.url)
    if current is None:
        raise DatabaseError(f"has no newsmon schema yet; create it with `newsmon db upgrade --db {where}`", where)
    raise DatabaseError(f"the schema is at revision {current} and this newsmon needs {head}; "
                        f"run `newsmon db upgrade --db {where}` (back up a shared database first)", where)


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL, None for in-memory databases and other backends."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None  # a URI filename: SQLite's own rules apply
    return Path(url.database)


def check_location(url: URL, *, create: bool) -> None:
    """For a SQLite file: its folder must exist, and the file too unless ``create``."""
    path = sqlite_file(url)
    if path is None:
        return
    if not path.parent.is_dir():
        raise DatabaseError(f"folder {path.parent} does not exist (is --db misspelt?)", mask_url(url))
    if not path.exists() and not create:
        raise DatabaseError("does not exist (is --db misspelt? `newsmon crawl` creates it)", mask_url(url))


def open_database(url: str | None = None, migrate: bool = True) -> sessionmaker[Session]:
    """A session factory for the database at ``url``, migrated to head first (library and tests)."""
    engine = make_engine(db_url_from_env(url))
    if migrate:
        upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


def open_for_command(url: str | None = None, *, writer: bool = False) -> sessionmaker[Session]:
    """The CLI's door to the database.

    ``writer`` (crawl, nightly, demo, db upgrade): may create a SQLite file (not its folder) and
    migrate it. PostgreSQL, shared by a team, is migrated only by `newsmon db upgrade`. Everything
    else needs an existing database at this code's schema, so a misspelt --db is an error rather
    than a new empty database.
    """
    parsed = parse_db_url(db_url_from_env(url))
    check_location(parsed, create=writer)
    engine = make_engine(parsed)
    try:
        if writer and sqlite_file(parsed) is not None:
            upgrade(engine)
        else:
            check_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return sessionmaker(engine, expire_on_commit=False)
