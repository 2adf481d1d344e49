"""Every view that prints a date or groups by day uses the day the page gave, in its own offset
(issue 13): `newsmon documents`, `newsmon document SYMBOL`, the review queue (CLI and web), the
workbench's story page and the digest's order and per-day chart.

23:30 in Geneva (+02:00) is 21:30 UTC, the same day. The two other pages are where the UTC day is
wrong: 23:30 in New York (-04:00) is 03:30 UTC the next day, and 00:30 in Geneva is 22:30 UTC the
day before.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner
from sqlalchemy import select

from alerts.render import Digest, render_text
from alerts.select import daily_counts, select_stories
from alerts.subscriptions import Subscription
from classifier import Tags
from newsmon.citations import article_citations
from newsmon.cli import cli
from newsmon.commands.review import item_json, item_lines
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.models import Article
from storage.review import ReviewPolicy, review_queue
from storage.storyindex import StoryIndex
from storage.tagging import apply_tags

GENEVA = timezone(timedelta(hours=2))
NEW_YORK = timezone(timedelta(hours=-4))
LATE_IN_GENEVA = datetime(2024, 4, 25, 23, 30, tzinfo=GENEVA)  # 21:30 UTC on the 25th
LATE_IN_NEW_YORK = datetime(2024, 4, 25, 23, 30, tzinfo=NEW_YORK)  # 03:30 UTC on the 26th
EARLY_IN_GENEVA = datetime(2024, 4, 26, 0, 30, tzinfo=GENEVA)  # 22:30 UTC on the 25th
FETCHED = datetime(2024, 4, 26, 6, 0)
GA = "The United Nations General Assembly adopted resolution 78/265 on safe, secure and trustworthy AI."
HRC = "The Human Rights Council adopted resolution 53/29 on new and emerging digital technologies."
# name -> (published, text, topic): distinct stories, each citing a UN document
PAGES = {
    "geneva-late": (LATE_IN_GENEVA, GA, "safety"),
    "new-york-late": (LATE_IN_NEW_YORK, GA, "sanctions"),
    "geneva-early": (EARLY_IN_GENEVA, HRC, "safety"),
}
LABELS = ["relevant", "sanctions", "safety"]
THRESHOLDS = {"relevant": 0.5, "sanctions": 0.5, "safety": 0.5}


def seed(db_url: str, fetched: datetime = FETCHED) -> dict[str, int]:
    factory = open_database(db_url, migrate=False)
    try:
        with factory() as session, session.begin():
            records = []
            for name, (published, lead, _topic) in PAGES.items():
                text = f"{lead} Delegates from {name} spoke about {name} for a long time. " * 4
                url = f"https://{name}.example/story"
                records.append(ArticleRecord(url=url, fetched_url=url, source=name, title=f"Vote reported by {name}",
                                             text=text, published=published, language="en", fetched=fetched,
                                             citations=article_citations(name, text)))
            upsert_articles(session, records, StoryIndex.load(session))
            ids = {a.source: a.id for a in session.scalars(select(Article))}
            for name, (_published, _text, topic) in PAGES.items():
                apply_tags(session, session.get(Article, ids[name]), Tags(0.9, True, {topic: 0.9}), "test-1")
        return ids
    finally:
        factory.kw["bind"].dispose()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_documents_list_first_and_last_citations_on_the_pages_days(db_url):
    seed(db_url)
    rows = {r["symbol"]: r for r in json.loads(run("documents", "--db", db_url, "--format", "json"))}
    assert (rows["A/RES/78/265"]["first_cited"], rows["A/RES/78/265"]["last_cited"]) == (
        "2024-04-25T23:30:00+02:00", "2024-04-25T23:30:00-04:00")  # first and last by instant
    assert rows["A/HRC/RES/53/29"]["first_cited"] == "2024-04-26T00:30:00+02:00"
    table = {line.split()[0]: line.split() for line in run("documents", "--db", db_url).splitlines()[1:]}
    assert table["A/RES/78/265"][4:6] == ["2024-04-25", "2024-04-25"]  # not the 26th, New York's UTC day
    assert table["A/HRC/RES/53/29"][4:6] == ["2024-04-26", "2024-04-26"]  # not the 25th, its UTC day


def test_document_detail_dates_each_citing_page_in_its_offset(db_url):
    ids = seed(db_url)
    detail = json.loads(run("document", "A/RES/78/265", "--db", db_url, "--format", "json"))
    assert [(a["id"], a["date"]) for a in detail["cited_by"]] == [
        (ids["geneva-late"], "2024-04-25T23:30:00+02:00"), (ids["new-york-late"], "2024-04-25T23:30:00-04:00")]
    text = run("document", "A/RES/78/265", "--db", db_url)
    assert f"2024-04-25  #{ids['new-york-late']:<5}" in text and "2024-04-26" not in text
    assert f"2024-04-26  #{ids['geneva-early']:<5}" in run("document", "A/HRC/RES/53/29", "--db", db_url)


def test_the_review_queue_shows_the_pages_date(db_url):
    ids = seed(db_url)
    with open_database(db_url, migrate=False)() as session:
        items = {i.article_id: i for i in review_queue(session, ReviewPolicy(THRESHOLDS, LABELS), limit=10)}
        session.get_bind().dispose()
    new_york, early = items[ids["new-york-late"]], items[ids["geneva-early"]]
    assert new_york.date == datetime(2024, 4, 26, 3, 30)  # ordering stays in UTC
    assert item_json(new_york, [])["date"] == "2024-04-25T23:30:00-04:00"
    assert "2024-04-25 23:30 -04:00" in item_lines(new_york, [])[0]
    assert "2024-04-26 00:30 +02:00" in item_lines(early, [])[0]


def test_workbench_review_and_story_pages_show_the_pages_date(sqlite_url):
    from starlette.testclient import TestClient

    from newsmon.web.app import create_app

    ids = seed(sqlite_url)
    app = create_app(sqlite_url, secret_key="test-secret-key-0123456789")
    try:
        with TestClient(app) as web:
            review = web.get("/review?limit=10").text
            assert "2024-04-25 23:30 -04:00" in review and "2024-04-26 00:30 +02:00" in review
            assert "2024-04-25 23:30 -04:00" in web.get(f"/articles/{ids['new-york-late']}").text
            assert web.get("/api/review?limit=10").json()["articles"][0]["date"][-6:] in ("+02:00", "-04:00")
    finally:
        app.state.workbench.factory.kw["bind"].dispose()


def test_the_digest_orders_and_charts_stories_by_the_pages_day(db_url):
    seed(db_url)
    end = FETCHED + timedelta(hours=1)
    sub = Subscription(name="desk", channel="file", path="x")
    with open_database(db_url, migrate=False)() as session:
        stories = select_stories(session, sub, FETCHED - timedelta(hours=1), end)
        days, per_topic = daily_counts(session, sub, end)
        session.get_bind().dispose()
    assert [s.source for s in stories][0] == "geneva-early"  # the newest day on its page, not in UTC
    assert days[-1] == end.date()
    assert per_topic["sanctions"] == {datetime(2024, 4, 25).date(): 1}  # New York's evening, not UTC's 26th
    assert per_topic["safety"] == {datetime(2024, 4, 25).date(): 1, datetime(2024, 4, 26).date(): 1}
    text = render_text(Digest(sub, stories, end, FETCHED - timedelta(hours=1)))
    assert "25 Apr 2024, 23:30 -04:00" in text and "26 Apr 2024, 00:30 +02:00" in text


def test_a_page_already_on_tomorrows_date_waits_for_tomorrows_chart(db_url):
    seed(db_url, fetched=datetime(2024, 4, 25, 22, 45))
    sub = Subscription(name="desk", channel="file", path="x")
    with open_database(db_url, migrate=False)() as session:
        _days, per_topic = daily_counts(session, sub, datetime(2024, 4, 25, 23, 0))  # 01:00 on the 26th in Geneva
        session.get_bind().dispose()
    assert per_topic["safety"] == {datetime(2024, 4, 25).date(): 1}  # Geneva's 00:30 on the 26th is not drawn yet
