"""Dates with time and UTC offset, stored and shown end to end (issue 13, storage side).

A page published at 19:30 in Geneva (+02:00) is stored as 17:30 UTC with offset +120 minutes: it
sorts and filters as the instant it is, and prints as 2024-04-25T19:30:00+02:00, never as the
next day in UTC nor as a naive midnight.
"""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import DateTime, inspect, select, text

from alerts.render import Digest, digest_json, render_atom, render_html, render_markdown, render_slack, render_text
from alerts.select import DigestStory
from alerts.subscriptions import Subscription
from newsmon import clock
from newsmon.cli import cli
from storage.articles import ArticleRecord, redate, upsert_articles
from storage.articles import has_new_dates as article_has_new_dates
from storage.db import open_database
from storage.models import Article
from storage.storyindex import StoryIndex

GENEVA = timezone(timedelta(hours=2))
NEW_YORK = timezone(timedelta(hours=-4))
KATHMANDU = timezone(timedelta(hours=5, minutes=45))
LATE_IN_GENEVA = datetime(2024, 4, 25, 19, 30, tzinfo=GENEVA)  # 17:30 UTC, the example
TEXT = "Member states discussed capacity-building for artificial intelligence in Geneva today. " * 6


# -- newsmon.clock: the one place that converts ------------------------------------------------

def test_an_aware_time_is_stored_in_utc_with_its_offset():
    assert clock.to_stored_with_offset(LATE_IN_GENEVA) == (datetime(2024, 4, 25, 17, 30), 120)
    assert clock.to_stored_with_offset(datetime(2024, 4, 25, 19, 30, tzinfo=KATHMANDU)) == (datetime(2024, 4, 25, 13, 45), 345)
    assert clock.to_stored_with_offset(datetime(2024, 4, 25, 19, 30)) == (datetime(2024, 4, 25, 19, 30), None)
    assert clock.to_stored_with_offset(None) == (None, None)


def test_a_stored_time_comes_back_as_the_page_gave_it():
    assert clock.as_published(datetime(2024, 4, 25, 17, 30), 120) == LATE_IN_GENEVA
    assert clock.as_published(datetime(2024, 4, 25, 17, 30), 120).utcoffset() == timedelta(hours=2)
    assert clock.as_published(datetime(2024, 4, 25, 17, 30), None).tzinfo is None  # zone unknown stays naive
    assert clock.as_published(datetime(2024, 4, 25, 17, 30), 99999).tzinfo is None  # not an offset: unknown


@pytest.mark.parametrize("stored, offset, iso, rfc, human", [
    (datetime(2024, 4, 25, 17, 30), 120, "2024-04-25T19:30:00+02:00", "2024-04-25T19:30:00+02:00", "2024-04-25 19:30 +02:00"),
    (datetime(2024, 4, 26, 1, 5), -240, "2024-04-25T21:05:00-04:00", "2024-04-25T21:05:00-04:00", "2024-04-25 21:05 -04:00"),
    (datetime(2024, 4, 25, 13, 45), 345, "2024-04-25T19:30:00+05:45", "2024-04-25T19:30:00+05:45", "2024-04-25 19:30 +05:45"),
    (datetime(2024, 4, 25, 17, 30), 0, "2024-04-25T17:30:00+00:00", "2024-04-25T17:30:00Z", "2024-04-25 17:30 UTC"),
    (datetime(2024, 4, 25, 19, 30), None, "2024-04-25T19:30:00", "2024-04-25T19:30:00Z", "2024-04-25 19:30"),
    (datetime(2024, 4, 25), None, "2024-04-25T00:00:00", "2024-04-25T00:00:00Z", "2024-04-25"),  # only a day
])
def test_how_a_date_prints(stored, offset, iso, rfc, human):
    assert clock.iso(stored, offset) == iso
    assert clock.rfc3339(clock.as_published(stored, offset)) == rfc
    assert clock.shown(clock.as_published(stored, offset)) == human
    assert datetime.fromisoformat(iso) == clock.as_published(stored, offset)  # ISO round-trips


def test_first_seen_stands_in_as_utc_when_the_page_has_no_date():
    seen = datetime(2026, 12, 5, 9, 0)
    assert clock.article_time(None, None, seen) == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert clock.article_time(datetime(2024, 4, 25, 17, 30), 120, seen) == LATE_IN_GENEVA


# -- storage ----------------------------------------------------------------------------------

def record(n: int, published: datetime | None, modified: datetime | None = None, text: str = TEXT) -> ArticleRecord:
    return ArticleRecord(url=f"https://a.example/{n}", fetched_url=f"https://a.example/{n}", source=f"s{n}",
                         text=f"{n} {text}", title=f"Story {n}", published=published, modified=modified,
                         language="en", fetched=datetime(2026, 12, 5, 8, 0))


def test_upsert_stores_utc_with_offsets_and_keeps_modified_apart(session):
    changed = datetime(2024, 4, 26, 8, 0, tzinfo=NEW_YORK)
    upsert_articles(session, [record(1, LATE_IN_GENEVA, changed), record(2, datetime(2024, 4, 25, 19, 30))])
    first, second = session.scalars(select(Article).order_by(Article.id)).all()
    assert (first.published, first.published_offset) == (datetime(2024, 4, 25, 17, 30), 120)
    assert (first.modified, first.modified_offset) == (datetime(2024, 4, 26, 12, 0), -240)
    assert (second.published, second.published_offset, second.modified) == (datetime(2024, 4, 25, 19, 30), None, None)
    assert first.shown_date == LATE_IN_GENEVA

    # A revision that no longer gives a date keeps the stored one, with its offset.
    upsert_articles(session, [record(1, None, None, text="Revised. " + TEXT)])
    session.refresh(first)
    assert (first.published, first.published_offset, first.modified_offset) == (datetime(2024, 4, 25, 17, 30), 120, -240)


def seed(db_url: str) -> None:
    """Three articles whose wall clocks and instants disagree on the order."""
    factory = open_database(db_url, migrate=False)
    with factory() as session, session.begin():
        upsert_articles(session, [
            record(1, datetime(2024, 4, 25, 23, 30, tzinfo=GENEVA)),  # 21:30 UTC: later by its wall clock ...
            record(2, datetime(2024, 4, 25, 22, 0, tzinfo=UTC)),  # ... but this one is later in fact
            record(3, datetime(2024, 4, 25, 19, 30, tzinfo=NEW_YORK), datetime(2024, 4, 26, 9, 0, tzinfo=NEW_YORK)),
        ], StoryIndex.load(session))
    factory.kw["bind"].dispose()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_json_prints_each_date_in_its_pages_offset_and_sorts_by_instant(db_url):
    seed(db_url)
    rows = json.loads(run("query", "--db", db_url, "--format", "json"))
    assert [(r["id"], r["published"], r["modified"]) for r in rows] == [
        (3, "2024-04-25T19:30:00-04:00", "2024-04-26T09:00:00-04:00"),  # 23:30 UTC
        (2, "2024-04-25T22:00:00+00:00", None),
        (1, "2024-04-25T23:30:00+02:00", None),  # 21:30 UTC
    ]


@pytest.mark.parametrize("since, until, ids", [
    ("2024-04-25T23:45+02:00", None, [3, 2]),  # 21:45 UTC: after article 1, whatever its wall clock says
    ("2024-04-25T21:45", None, [3, 2]),  # no offset: UTC, as stored
    (None, "2024-04-25T18:00-04:00", [1]),  # 22:00 UTC, exclusive: article 2 is at 22:00
    ("2024-04-25", "2024-04-26", [3, 2, 1]),
])
def test_since_and_until_compare_instants(db_url, since, until, ids):
    seed(db_url)
    args = ["query", "--db", db_url, "--format", "json"]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    assert [r["id"] for r in json.loads(run(*args))] == ids


def test_csv_and_table_show_the_pages_offset(db_url):
    seed(db_url)
    rows = list(csv.DictReader(io.StringIO(run("query", "--db", db_url, "--format", "csv"))))
    assert (rows[0]["published"], rows[0]["modified"]) == ("2024-04-25T19:30:00-04:00", "2024-04-26T09:00:00-04:00")
    assert rows[2]["published"] == "2024-04-25T23:30:00+02:00" and rows[2]["modified"] == ""
    table = run("query", "--db", db_url)
    assert "2024-04-25 23:30 +02:00" in table and "2024-04-25 22:00 UTC" in table


def test_story_rows_and_the_story_command_use_the_pages_offset(db_url):
    seed(db_url)
    stories = json.loads(run("query", "--db", db_url, "--format", "json", "--group-by", "story"))
    assert {s["first_published"] for s in stories} == {
        "2024-04-25T23:30:00+02:00", "2024-04-25T22:00:00+00:00", "2024-04-25T19:30:00-04:00"}
    factory = open_database(db_url, migrate=False)
    with factory() as session:
        story_id = session.scalar(select(Article.story_id).where(Article.id == 1))
    factory.kw["bind"].dispose()
    assert "2024-04-25 23:30 +02:00" in run("story", "--db", db_url, str(story_id))


def test_workbench_story_page_and_search_rows_show_the_pages_time(sqlite_url):
    from starlette.testclient import TestClient

    from newsmon.web.app import create_app

    seed(sqlite_url)
    app = create_app(sqlite_url, secret_key="test-secret-key-0123456789")
    with TestClient(app) as web:
        rows = web.get("/?view=article").text
        assert "2024-04-25 23:30 +02:00" in rows and "2024-04-25 19:30 -04:00" in rows
        assert "2024-04-25 23:30 +02:00" in web.get("/articles/1").text
    app.state.workbench.factory.kw["bind"].dispose()


# -- digests ----------------------------------------------------------------------------------

def digest_story(published: datetime | None) -> DigestStory:
    stored, offset = clock.to_stored_with_offset(published)
    article = Article(id=7, url="https://a.example/7", source="geneva-wire", title="Late vote", text=TEXT,
                      published=stored, published_offset=offset, first_seen=datetime(2026, 12, 5, 9, 0),
                      language="en", content_hash="h")
    return DigestStory.of(7, article, [("sanctions", 0.9)], "sanctions", 0.9)


def test_digests_show_the_pages_day_and_time_and_atom_its_offset():
    story = digest_story(LATE_IN_GENEVA)
    assert story.date == datetime(2024, 4, 25, 17, 30)  # ordering and windows stay in UTC
    sub = Subscription(name="desk", channel="file", path="x", topics=("sanctions",))
    now = datetime(2026, 12, 5, 9, 0)
    digest = Digest(sub, [story], now, now - timedelta(days=1))
    for rendered in (render_text(digest), render_markdown(digest), render_html(digest)):
        assert "25 Apr 2024, 19:30 +02:00" in rendered
    assert "25 Apr" in render_slack(digest)
    assert digest_json(digest)["stories"][0]["date"] == "2024-04-25T19:30:00+02:00"
    atom = ET.fromstring(render_atom(sub, [story], now))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.findtext("a:entry/a:published", namespaces=ns) == "2024-04-25T19:30:00+02:00"
    assert atom.findtext("a:updated", namespaces=ns) == "2026-12-05T09:00:00Z"


def test_digests_without_a_page_date_or_zone():
    undated = digest_story(None)
    assert undated.shown_date == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # first seen, in UTC
    day_only = digest_story(datetime(2024, 4, 25))
    sub = Subscription(name="desk", channel="file", path="x")
    now = datetime(2026, 12, 5, 9, 0)
    text_ = render_text(Digest(sub, [undated, day_only], now, now - timedelta(days=1)))
    assert "05 Dec 2026, 09:00 UTC" in text_ and "| 25 Apr 2024 |" in text_  # a day alone: no time
    entries = ET.fromstring(render_atom(sub, [day_only], now)).findall("{http://www.w3.org/2005/Atom}entry")
    assert entries[0].findtext("{http://www.w3.org/2005/Atom}published") == "2024-04-25T00:00:00Z"


# -- migration 0008 ---------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    """A database with no schema yet, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    import psycopg

    from conftest import PG_ADMIN_URL

    request.getfixturevalue("postgres_server")  # skips when PostgreSQL is absent
    name = "newsmon_test_offsets"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def index_names(conn) -> set[str]:
    if conn.dialect.name == "sqlite":
        return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())
    return set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'article'")).scalars())


def test_migration_0008_keeps_stored_dates_and_downgrades(empty_url):
    from alembic import command

    from storage.db import alembic_config, make_engine

    engine = make_engine(empty_url)
    config = alembic_config(engine)
    command.upgrade(config, "0006")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO article (url, fetched_url, source, text, content_hash, first_seen, updated, published) "
            "VALUES ('https://a.example/old', 'https://a.example/old', 's', 'old text', 'h', "
            ":seen, :seen, :published)"), {"seen": datetime(2026, 1, 2, 3, 4), "published": datetime(2025, 5, 4)})
    command.upgrade(config, "0008")
    with engine.connect() as conn:
        assert {"ix_article_date", "ix_article_source_date"} <= index_names(conn)
        assert conn.execute(text("SELECT published, published_offset, modified, modified_offset FROM article")
                            .columns(published=DateTime, modified=DateTime)).one() \
            == (datetime(2025, 5, 4), None, None, None)
    command.upgrade(config, "head")  # the later migrations, so query accepts the schema
    engine.dispose()
    rows = json.loads(run("query", "--db", empty_url, "--format", "json"))
    assert rows[0]["published"] == "2025-05-04T00:00:00" and rows[0]["modified"] is None  # zone unknown: no offset

    engine = make_engine(empty_url)
    command.downgrade(alembic_config(engine), "0006")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT published FROM article").columns(published=DateTime)).scalar_one() == datetime(2025, 5, 4)
        assert not {c["name"] for c in inspect(conn).get_columns("article")} & {"published_offset", "modified", "modified_offset"}
        assert {"ix_article_date", "ix_article_source_date"} <= index_names(conn)  # 0007's date indexes survive
    command.upgrade(alembic_config(engine), "head")
    engine.dispose()


# -- the demo site ----------------------------------------------------------------------------

def test_demo_pages_give_their_time_in_their_own_offset():
    from newsmon.demo.articles import load_articles
    from newsmon.demo.pages import build_site

    articles = {a.slug: a for a in load_articles()}
    site = build_site("http://127.0.0.1:1", tuple(articles.values()))
    chips = articles["chip-export-rules-tightened-for-advanced-accelerators"]
    page = site[chips.path].body.decode()
    assert '<meta property="article:published_time" content="2026-10-12T09:30:00-04:00">' in page
    assert '<meta property="article:modified_time" content="2026-10-13T08:15:00-04:00">' in page
    assert "12 October 2026, 09:30 UTC-04:00" in page
    assert chips.published == datetime(2026, 10, 12, 13, 30)  # stored and ordered in UTC
    zoneless = next(a for a in articles.values() if a.offset is None)
    assert f'content="{zoneless.local.isoformat()}"' in site[zoneless.path].body.decode()
    assert "<pubDate>Mon, 12 Oct 2026 09:30:00 -0400</pubDate>" in site["/feed.rss"].body.decode()


# -- reading the dates again from kept pages --------------------------------------------------

def test_has_new_dates_and_redate(session):
    upsert_articles(session, [record(1, datetime(2024, 4, 26))])  # stored before offsets were kept
    article = session.scalar(select(Article))
    assert clock.to_stored_with_offset(LATE_IN_GENEVA) != (article.published, article.published_offset)
    assert article_has_new_dates(article, LATE_IN_GENEVA, None)
    assert not article_has_new_dates(article, None, None)  # a date the page no longer gives is kept
    assert not article_has_new_dates(article, datetime(2024, 4, 26), None)
    redate(session, article.id, LATE_IN_GENEVA, None)
    assert (article.published, article.published_offset) == (datetime(2024, 4, 25, 17, 30), 120)
    assert not article.revisions  # the text did not change


DATED_PAGE = (
    "<!DOCTYPE html><html><head><title>Late vote in Geneva</title>"
    '<meta property="article:published_time" content="2024-04-25"></head><body><article><h1>Late vote in Geneva</h1>'
    f"<p>{TEXT}</p><p>Delegates met in Geneva on Thursday evening to vote on the text on autonomous weapons.</p>"
    "</article></body></html>"
).encode()


def test_reextract_redates_unchanged_pages(db_url, tmp_path):
    from newsmon.extraction import extract_article
    from storage.rawstore import RawStore

    url = "https://news.example.org/late-vote"
    ref = RawStore(tmp_path / "raw").put(DATED_PAGE)
    page = extract_article(DATED_PAGE, url)
    factory = open_database(db_url, migrate=False)
    with factory() as session, session.begin():  # the bug: the evening pushed to the next day
        upsert_articles(session, [ArticleRecord(url=url, fetched_url=url, source="desk", text=page.text,
                                                title=page.title, published=datetime(2024, 4, 26), raw_ref=ref,
                                                encoding="utf-8")])
    args = ["reextract", "--db", db_url, "--raw-dir", str(tmp_path / "raw")]
    assert "0 would change, 0 unchanged, 1 would get new dates" in run(*args, "--dry-run")
    assert "0 changed, 0 unchanged, 1 got new dates" in run(*args)
    assert "0 changed, 1 unchanged, 0 failed" in run(*args)
    with factory() as session:
        assert session.scalar(select(Article.published)) == datetime(2024, 4, 25)
    factory.kw["bind"].dispose()
