"""Full-text search per dialect: SQLite FTS5, PostgreSQL tsvector. Used by migrations and queries.

Chinese and Japanese are written without spaces, so a word tokenizer sees a whole sentence as one
"word" and `芯片` (chips) would never match. Both databases therefore index a text in which every
run of CJK characters is spelt as overlapping pairs ("人工智能" -> "人 人工 工智 智能 能"): a
query word of two or more CJK characters becomes the phrase of its pairs, one character matches
as a prefix. The same rewriting is a Python function on SQLite (registered on every connection,
see ``register_sqlite_functions``) and an SQL function on PostgreSQL, so both give the same hits.
"""
from __future__ import annotations

import re
import sqlite3

from sqlalchemy import ColumnElement, Connection, false, func, literal_column, select, text

from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from storage.models import Article

# 'simple' does no stemming or stop words: the same behaviour for every language we crawl.
PG_CONFIG = "simple"
PG_DOCUMENT = "to_tsvector('simple', coalesce(title, '') || ' ' || text)"  # revisions 0001-0007

# Kana, CJK ideographs (extension A, unified, compatibility) and Hangul syllables: scripts a word
# tokenizer cannot split. CJK punctuation (。、「」) is left out, it separates words anyway.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_RUN = re.compile(f"([{CJK}]+)")
_CJK_CHAR = re.compile(f"([{CJK}])")
_CJK_PAIR = re.compile(f"([{CJK}])([{CJK}])")
_WORD_PART = re.compile(f"[{CJK}]+|[^{CJK}]+")
FTS_TEXT_FUNCTION = "newsmon_fts_text"  # the rewriting, by this name in SQL on both databases


def fts_text(value: str | None) -> str:
    """The text as indexed: CJK runs apart from their neighbours and spelt as overlapping pairs.

    Doubling each CJK character and then splitting the doubled run into pairs gives the pairs
    with the run's first and last character alone at the ends: "AB" -> "A AB B".
    """
    if not value or not _CJK_CHAR.search(value):
        return value or ""
    doubled = _CJK_CHAR.sub(r"\1\1", _CJK_RUN.sub(r" \1 ", value))
    return _CJK_PAIR.sub(r"\1 \2", doubled)


def register_sqlite_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Make ``newsmon_fts_text`` callable from SQL: the full-text triggers need it on every write."""
    dbapi_connection.create_function(FTS_TEXT_FUNCTION, 1, fts_text, deterministic=True)


# The full-text index of revision 0009: contentless (it stores only the index, the text stays in
# article), fed with the rewritten title and text by triggers.
_SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE article_fts USING fts5(
        title, text, content='', tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER article_fts_ai AFTER INSERT ON article BEGIN
        INSERT INTO article_fts(rowid, title, text)
        VALUES (new.id, {FTS_TEXT_FUNCTION}(new.title), {FTS_TEXT_FUNCTION}(new.text)); END""",
    f"""CREATE TRIGGER article_fts_ad AFTER DELETE ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text)
        VALUES ('delete', old.id, {FTS_TEXT_FUNCTION}(old.title), {FTS_TEXT_FUNCTION}(old.text)); END""",
    f"""CREATE TRIGGER article_fts_au AFTER UPDATE OF title, text ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text)
        VALUES ('delete', old.id, {FTS_TEXT_FUNCTION}(old.title), {FTS_TEXT_FUNCTION}(old.text));
        INSERT INTO article_fts(rowid, title, text)
        VALUES (new.id, {FTS_TEXT_FUNCTION}(new.title), {FTS_TEXT_FUNCTION}(new.text)); END""",
    f"""INSERT INTO article_fts(rowid, title, text)
        SELECT id, {FTS_TEXT_FUNCTION}(title), {FTS_TEXT_FUNCTION}(text) FROM article""",
]
# PostgreSQL: the same rewriting with three regexp_replace calls, its tsvector stored in article.fts.
_PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION {FTS_TEXT_FUNCTION}(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT regexp_replace(regexp_replace(regexp_replace(value,
        '([{CJK}]+)', ' \\1 ', 'g'), '([{CJK}])', '\\1\\1', 'g'), '([{CJK}])([{CJK}])', '\\1 \\2', 'g') $$"""
PG_DOCUMENT_CJK = f"to_tsvector('simple', {FTS_TEXT_FUNCTION}(coalesce(title, '') || ' ' || text))"
# Stored, not an expression index: a query that walks the date index tests each row against its
# tsvector, and recomputing it (three regexp_replace and a parse) cost 250 µs a row.
PG_COLUMN = "fts"


def create_fulltext(conn: Connection) -> None:
    """The index of revisions 0001-0007 (words only), kept for migrating up from 0001 and down from 0009."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("""CREATE VIRTUAL TABLE article_fts USING fts5(
            title, text, content='article', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"""))
        conn.execute(text("""CREATE TRIGGER article_fts_ai AFTER INSERT ON article BEGIN
            INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"""))
        conn.execute(text("""CREATE TRIGGER article_fts_ad AFTER DELETE ON article BEGIN
            INSERT INTO article_fts(article_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END"""))
        conn.execute(text("""CREATE TRIGGER article_fts_au AFTER UPDATE OF title, text ON article BEGIN
            INSERT INTO article_fts(article_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"""))
        conn.execute(text("INSERT INTO article_fts(article_fts) VALUES ('rebuild')"))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(f"CREATE INDEX ix_article_fulltext ON article USING gin (({PG_DOCUMENT}))"))


def drop_fulltext(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TABLE IF EXISTS article_fts"))
        for name in ("ai", "ad", "au"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS article_fts_{name}"))
    elif conn.dialect.name == "postgresql":
        conn.execute(text("DROP INDEX IF EXISTS ix_article_fulltext"))


def create_cjk_fulltext(conn: Connection) -> None:
    """Revision 0009: the index of rewritten text, filled from the articles already stored."""
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_CREATE:
            conn.execute(text(statement))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(_PG_FUNCTION))
        conn.execute(text(f"ALTER TABLE article ADD COLUMN {PG_COLUMN} tsvector GENERATED ALWAYS AS ({PG_DOCUMENT_CJK}) STORED"))
        conn.execute(text(f"CREATE INDEX ix_article_fts ON article USING gin ({PG_COLUMN})"))


def drop_cjk_fulltext(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        drop_fulltext(conn)
    elif conn.dialect.name == "postgresql":
        conn.execute(text("DROP INDEX IF EXISTS ix_article_fts"))
        conn.execute(text(f"ALTER TABLE article DROP COLUMN IF EXISTS {PG_COLUMN}"))
        conn.execute(text(f"DROP FUNCTION IF EXISTS {FTS_TEXT_FUNCTION}(text)"))


def _query_parts(query: str) -> tuple[list[str], list[str]]:
    """(phrases every match contains, single CJK characters it contains): words, never syntax.

    A word mixing scripts ("AI芯片") is split where the script changes, as the index splits it.
    """
    phrases, singles = [], []
    for word in query.split():
        for part in _WORD_PART.findall(word):
            if _CJK_CHAR.match(part):
                if len(part) == 1:
                    singles.append(part)
                else:
                    phrases.append(" ".join(part[i:i + 2] for i in range(len(part) - 1)))
            elif re.search(r"\w", part):
                phrases.append(part)
    return phrases, singles


def fts5_query(query: str) -> str:
    """An FTS5 query of quoted phrases (a stray '-' or ':' in user input is never syntax)."""
    phrases, singles = _query_parts(query)
    quoted = [f'"{p.replace(chr(34), chr(34) * 2)}"' for p in phrases]
    return " ".join(quoted + [f'"{c}" *' for c in singles])


def has_words(query: str | None) -> bool:
    """Whether ``query`` holds anything to search for (blank or punctuation only does not)."""
    return bool(query) and any(_query_parts(query))


def fts_rowids(query: str):
    """``SELECT rowid FROM article_fts WHERE article_fts MATCH ...`` (SQLite)."""
    return select(literal_column("rowid")).select_from(text("article_fts")).where(
        text("article_fts MATCH :fts_query").bindparams(fts_query=fts5_query(query)))


COMMON = 5_000  # words in more articles than this are searched by walking the date index


def common_words(session: Session, query: str | None) -> bool:
    """Whether ``query`` matches more than COMMON articles on SQLite (reading no more rowids than that).

    FTS5 lists matching rowids fast (10,000 in 1 ms) but the newest 50 of 100,000 matches means
    sorting them all by date; walking the date index and testing each row against the list
    stops after a few hundred rows instead. For rare words, sorting the few matches is faster.
    """
    if session.get_bind().dialect.name != "sqlite" or not has_words(query):
        return False
    return fts_count(session, query, COMMON + 1) > COMMON


def fts_count(session: Session, query: str, cap: int) -> int:
    """How many articles match ``query`` on SQLite, counting no further than ``cap``."""
    probe = select(func.count()).select_from(fts_rowids(query).limit(cap).subquery())
    return session.scalar(probe) or 0


def matches(dialect: str, query: str, *, walk: bool = False, from_rowid: int | None = None) -> ColumnElement[bool]:
    """A WHERE clause: the article's title or text contains every word of ``query``.

    ``walk`` (SQLite): test membership only (``id + 0`` keeps the planner from starting at the
    full-text matches), see :func:`common_words`. ``from_rowid``: the caller walks a window of the
    newest articles, none below that id; SQLite lists the matches from that rowid on only, and
    PostgreSQL tests each row without the GIN index (which would build a bitmap of every match
    first, 45 ms for a common word at a million, and AND it with the window's).
    """
    if not has_words(query):
        return false()  # only punctuation: nothing can contain it as a word
    if dialect == "sqlite":
        rowids = fts_rowids(query)
        if from_rowid is not None:
            rowids = rowids.where(literal_column("rowid") >= from_rowid)
        return (Article.id + 0 if walk else Article.id).in_(rowids)
    if dialect == "postgresql":  # in a window: an expression the GIN index cannot serve, so rows are tested one by one
        document = pg_document() if from_rowid is None else func.coalesce(pg_document(), literal_column("''::tsvector"))
        return document.op("@@")(pg_tsquery(query))
    pattern = f"%{query}%"
    return Article.text.ilike(pattern) | Article.title.ilike(pattern)


def pg_document() -> ColumnElement:
    """article.fts: the stored tsvector of the rewritten title and text (not mapped: never written)."""
    return literal_column(f"article.{PG_COLUMN}", type_=TSVECTOR)


def pg_tsquery(query: str) -> ColumnElement:
    """Phrases as plain words (plainto_tsquery: never query syntax), single CJK characters as prefixes."""
    phrases, singles = _query_parts(query)
    parts = []
    if phrases:
        parts.append(func.plainto_tsquery(PG_CONFIG, " ".join(phrases)))
    parts += [func.to_tsquery(PG_CONFIG, f"'{c}':*") for c in singles]  # one CJK character: no quote
    combined = parts[0] if parts else func.plainto_tsquery(PG_CONFIG, "")
    for part in parts[1:]:
        combined = combined.op("&&")(part)
    return combined
