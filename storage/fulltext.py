"""Full-text search per dialect: SQLite FTS5, PostgreSQL tsvector. Used by migrations and queries."""
from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, func, literal_column, select, text

from storage.models import Article

# 'simple' does no stemming or stop words: the same behaviour for every language we crawl.
PG_CONFIG = "simple"
PG_DOCUMENT = "to_tsvector('simple', coalesce(title, '') || ' ' || text)"

_SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE article_fts USING fts5(
        title, text, content='article', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER article_fts_ai AFTER INSERT ON article BEGIN
        INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END""",
    """CREATE TRIGGER article_fts_ad AFTER DELETE ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END""",
    """CREATE TRIGGER article_fts_au AFTER UPDATE OF title, text ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END""",
]


def create_fulltext(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_CREATE:
            conn.execute(text(statement))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(f"CREATE INDEX ix_article_fulltext ON article USING gin (({PG_DOCUMENT}))"))


def drop_fulltext(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TABLE IF EXISTS article_fts"))
        for name in ("ai", "ad", "au"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS article_fts_{name}"))
    elif conn.dialect.name == "postgresql":
        conn.execute(text("DROP INDEX IF EXISTS ix_article_fulltext"))


def _fts5_query(query: str) -> str:
    """Quote each word so user input is never FTS5 syntax (a stray '-' or ':' would be an error)."""
    words = [w.replace('"', '""') for w in query.split()]
    return " ".join(f'"{w}"' for w in words if w)


def matches(dialect: str, query: str) -> ColumnElement[bool]:
    """A WHERE clause: the article's title or text contains every word of ``query``."""
    if dialect == "sqlite":
        ids = select(literal_column("rowid")).select_from(text("article_fts")).where(
            text("article_fts MATCH :fts_query").bindparams(fts_query=_fts5_query(query))
        )
        return Article.id.in_(ids)
    if dialect == "postgresql":
        document = func.to_tsvector(PG_CONFIG, func.coalesce(Article.title, "") + " " + Article.text)
        return document.op("@@")(func.plainto_tsquery(PG_CONFIG, query))  # words, never query syntax
    pattern = f"%{query}%"
    return Article.text.ilike(pattern) | Article.title.ilike(pattern)
