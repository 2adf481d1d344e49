"""The migrations and storage/models.py describe one schema: what `alembic upgrade head` builds is
what the models declare (each index, column and table declared in both places must agree)."""
from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import make_engine
from storage.models import Base

# story.signature (0001) predates article_signature (0002); nothing reads it, no migration drops it.
KNOWN = {("remove_column", "story", "signature")}


def test_the_migrated_schema_is_the_models_schema(db_url):
    engine = make_engine(db_url)
    with engine.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # expression indexes (ix_article_date) cannot be reflected on SQLite
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    found = {(d[0], d[2], d[3].name) if d[0] == "remove_column" else (d[0], str(d[1])) for d in diffs}
    assert {d for d in found if "fts" not in str(d)} == KNOWN
