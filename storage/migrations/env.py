"""Alembic environment: the engine comes from storage.db (config.attributes), never from a file."""
from alembic import context

from storage.db import db_url_from_env, make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # storage.db.upgrade holds a lock on this connection
        run_migrations(connection)
        connection.commit()
        return
    engine = config.attributes.get("engine") or make_engine(db_url_from_env())
    with engine.connect() as connection:
        run_migrations(connection)


run_migrations_online()
