"""Story selection: filters, one entry per story, order, the ledger window, updated stories."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

from sqlalchemy import select

from alerts.ledger import record, window_start
from alerts.select import daily_counts, group_stories, select_stories
from alerts.subscriptions import Subscription
from storage.models import Article, ArticleRevision, Correction
from test_alerts_support import NOW, add_article

ALL = Subscription(name="all", channel="file", path="x")
START = NOW - dt.timedelta(days=1)


def titles(session, sub, start=START, end=NOW):
    return [s.title for s in select_stories(session, sub, start, end)]


def test_filters(session):
    add_article(session, title="sanctions en", source="reuters", topics={"sanctions": 0.9})
    add_article(session, title="sanctions fr", source="le-monde", language="fr", topics={"sanctions": 0.8})
    add_article(session, title="low confidence", source="reuters", topics={"sanctions": 0.3})
    add_article(session, title="irrelevant", source="reuters", relevance=0.1, topics={"sanctions": 0.9})
    add_article(session, title="unscored", source="reuters", relevance=None, topics={"sanctions": 0.9})
    add_article(session, title="safety", source="bbc", topics={"safety": 0.9})
    add_article(session, title="export controls on chips", source="bbc", topics={"sanctions": 0.7},
                text="Washington tightened export controls on advanced chips and tools.")
    add_article(session, title="old", source="bbc", first_seen=NOW - dt.timedelta(days=3))
    no_story = add_article(session, title="no story", source="bbc")
    no_story.story_id = None
    session.flush()

    sanctions = replace(ALL, topics=("sanctions",), min_confidence=0.5)
    assert sorted(titles(session, sanctions)) == ["export controls on chips", "sanctions en", "sanctions fr"]
    assert titles(session, replace(sanctions, languages=("fr",))) == ["sanctions fr"]
    assert sorted(titles(session, replace(sanctions, sources=("reuters", "bbc")))) == [
        "export controls on chips", "sanctions en"]
    assert titles(session, replace(sanctions, keywords="export chips")) == ["export controls on chips"]
    assert sorted(titles(session, replace(sanctions, relevant_only=False))) == [
        "export controls on chips", "irrelevant", "sanctions en", "sanctions fr", "unscored"]
    assert "no story" not in titles(session, ALL)  # articles without a story are skipped
    assert "old" not in titles(session, ALL)
    assert "old" in titles(session, ALL, start=NOW - dt.timedelta(days=5))


def test_analyst_corrections_win(session):
    a = add_article(session, title="model says relevant", topics={"sanctions": 0.9})
    b = add_article(session, title="model says irrelevant", relevance=0.2, topics={"sanctions": 0.9})
    c = add_article(session, title="tag removed", topics={"sanctions": 0.9})
    d = add_article(session, title="tag added", topics={})
    for article, label, value in ((a, "relevant", False), (b, "relevant", True), (c, "sanctions", False),
                                  (d, "sanctions", True)):
        session.add(Correction(article_id=article.id, label=label, value=value, created=NOW))
        if label == "relevant":
            article.relevant = value  # as storage.tagging.record_correction does
    session.flush()
    sub = replace(ALL, topics=("sanctions",))
    assert sorted(titles(session, sub)) == ["model says irrelevant", "tag added"]
    shown = {s.title: s.topics for s in select_stories(session, ALL, START, NOW)}
    assert shown["tag removed"] == [] and shown["tag added"] == [("sanctions", 1.0)]


def test_one_entry_per_story_with_outlets_grouped_and_ordered(session):
    lead = add_article(session, title="lead", source="reuters", topics={"sanctions": 0.7},
                       first_seen=NOW - dt.timedelta(hours=5))
    add_article(session, title="copy", source="ft", topics={"sanctions": 0.9}, story=lead.story)
    add_article(session, title="copy 2", source="ft", url="javascript:alert(1)", story=lead.story)
    add_article(session, title="copy 3", source="nikkei", story=lead.story)
    add_article(session, title="confident", source="bbc", topics={"sanctions": 0.95})
    add_article(session, title="yesterday", source="bbc", topics={"sanctions": 0.99},
                first_seen=NOW - dt.timedelta(hours=20), published=NOW - dt.timedelta(days=1))
    add_article(session, title="un", source="bbc", topics={"un-governance": 0.8, "sanctions": 0.6})
    stories = select_stories(session, ALL, START, NOW)
    assert [s.title for s in stories] == ["confident", "un", "lead", "yesterday"]  # day, then confidence
    lead_story = stories[2]
    assert lead_story.source == "reuters" and lead_story.outlet_count == 2  # ft and nikkei
    assert [o.source for o in lead_story.outlets] == ["ft", "ft", "nikkei"]
    assert lead_story.outlets[1].url is None  # javascript: links dropped
    groups = group_stories(stories, replace(ALL, topics=("un-governance", "sanctions")))
    assert [(g, [s.title for s in ss]) for g, ss in groups] == [
        ("un-governance", ["un"]), ("sanctions", ["confident", "lead", "yesterday"])]


def test_ledger_window_and_no_redelivery(session):
    sub = replace(ALL, lookback_days=2)
    add_article(session, title="first", first_seen=NOW - dt.timedelta(days=1))
    add_article(session, title="too old", first_seen=NOW - dt.timedelta(days=3))
    start = window_start(session, sub, NOW)
    assert start == NOW - dt.timedelta(days=2)
    stories = select_stories(session, sub, start, NOW)
    assert [s.title for s in stories] == ["first"]
    record(session, sub.name, stories, NOW)

    later = NOW + dt.timedelta(hours=12)
    add_article(session, title="late tag", first_seen=NOW - dt.timedelta(hours=1))  # arrived before, tagged after
    add_article(session, title="new", first_seen=NOW + dt.timedelta(hours=1))
    start = window_start(session, sub, later)
    assert start == NOW - dt.timedelta(days=2)  # the last delivery minus the grace period
    assert sorted(titles(session, sub, start, later)) == ["late tag", "new"]
    # --since far back: everything not yet delivered, nothing twice
    since = window_start(session, sub, later, since=NOW - dt.timedelta(days=30))
    assert sorted(titles(session, sub, since, later)) == ["late tag", "new", "too old"]
    # a new copy of a delivered story is not a new story
    first = session.scalars(select(Article).where(Article.title == "first")).one()
    add_article(session, title="copy of first", source="ft", story=first.story, first_seen=later - dt.timedelta(hours=1))
    assert "copy of first" not in titles(session, sub, start, later)


def test_changed_text_is_resent_marked_updated_only_when_configured(session):
    sub = replace(ALL, mark_updated=True)
    draft = ("The committee will vote on the draft resolution tomorrow after member states agreed on the final "
             "wording of the paragraphs on capacity building, the scientific panel and the dialogue. Delegates "
             "said the text would be adopted without a vote. Several delegations asked for more time to consult "
             "their capitals on the budget. ")
    article = add_article(session, title="draft", text=draft)
    [story] = select_stories(session, sub, START, NOW)
    record(session, sub.name, [story], NOW)
    later = NOW + dt.timedelta(hours=6)
    session.add(ArticleRevision(article_id=article.id, title=article.title, text=article.text,
                                content_hash=article.content_hash, fetched=later))
    article.text = draft + "Corrected spelling."
    article.content_hash, article.updated = hashlib.sha256(article.text.encode()).hexdigest(), later
    session.flush()
    assert titles(session, sub, NOW, later + dt.timedelta(hours=1)) == []  # a small edit is not news
    session.add(ArticleRevision(article_id=article.id, title=article.title, text=article.text,
                                content_hash=article.content_hash, fetched=later))
    article.text = "The General Assembly adopted the resolution by consensus after a night of talks on AI."
    article.content_hash = hashlib.sha256(article.text.encode()).hexdigest()
    session.flush()
    # the ledger holds the first text's hash: compared with it, the text changed a lot
    [updated] = select_stories(session, sub, NOW, later + dt.timedelta(hours=1))
    assert updated.updated and updated.story_id == story.story_id
    assert select_stories(session, replace(sub, mark_updated=False), NOW, later + dt.timedelta(hours=1)) == []
    record(session, sub.name, [updated], later)
    assert select_stories(session, sub, NOW, later + dt.timedelta(hours=1)) == []


def test_daily_counts_for_the_chart(session):
    for days_ago, topic in ((0, "sanctions"), (0, "safety"), (2, "sanctions"), (40, "sanctions")):
        add_article(session, topics={topic: 0.9}, first_seen=NOW - dt.timedelta(days=days_ago, hours=1))
    days, per_topic = daily_counts(session, ALL, NOW)
    assert len(days) == 30 and days[-1] == NOW.date()
    assert sum(per_topic["sanctions"].values()) == 2 and sum(per_topic["safety"].values()) == 1


def test_a_lead_without_a_safe_link_is_not_its_own_copy(session):
    lead = add_article(session, title="lead", source="odd", url="javascript:void(0)")
    add_article(session, title="copy", source="ft", story=lead.story)
    [story] = select_stories(session, ALL, START, NOW)
    assert story.url is None and [o.source for o in story.outlets] == ["ft"] and story.outlet_count == 1
