"""Storing articles on SQLite and PostgreSQL: unique by canonical URL, revisions, full text."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from storage.articles import ArticleRecord, upsert_articles
from storage.models import Article, ArticleRevision, FetchState
from storage.queries import ArticleFilter, find_articles

TEXT = "The General Assembly adopted a resolution on artificial intelligence capacity-building. " * 5


def record(url="https://news.example/a", text=TEXT, **kw) -> ArticleRecord:
    defaults = dict(fetched_url=url, source="demo", title="Assembly adopts AI resolution",
                    published=datetime(2026, 11, 1, 9), language="en")
    return ArticleRecord(url=url, text=text, **{**defaults, **kw})


def test_same_url_twice_updates_never_duplicates(session):
    with session.begin():
        first = upsert_articles(session, [record()])
    with session.begin():
        again = upsert_articles(session, [record()])
    assert len(first.inserted) == 1 and again.unchanged == first.inserted
    assert session.scalar(select(func.count(Article.id))) == 1
    assert session.get(FetchState, "https://news.example/a").kind == "article"


def test_changed_text_becomes_a_revision(session):
    with session.begin():
        (article_id,) = upsert_articles(session, [record()]).inserted
    with session.begin():
        result = upsert_articles(session, [record(text=TEXT + " Updated with the vote count.")])
    assert result.updated == [article_id]
    revisions = session.scalars(select(ArticleRevision)).all()
    assert [r.text for r in revisions] == [TEXT]
    assert session.get(Article, article_id).text.endswith("vote count.")


def test_one_batch_with_two_copies_of_a_url_stores_one(session):
    with session.begin():
        result = upsert_articles(session, [record(), record(title="Copy")])
    assert len(result.inserted) == 1
    assert session.scalar(select(Article.title)) == "Copy"


def test_filters_and_full_text(session):
    with session.begin():
        upsert_articles(session, [
            record("https://a.example/1", text="Export controls on advanced chips tighten. " * 10, source="a",
                   published=datetime(2026, 10, 1)),
            record("https://b.example/2", text="Les armes autonomes au menu des discussions à Genève. " * 10,
                   source="b", language="fr", published=datetime(2026, 11, 2)),
            record("https://c.example/3", text="人工智能能力建设决议获得通过。" * 10, source="c", language="zh",
                   published=datetime(2026, 11, 3)),
        ])

    def urls(**kw):
        return [a.url for a in find_articles(session, ArticleFilter(**kw))]

    assert urls(search="export controls") == ["https://a.example/1"]
    assert urls(search="armes autonomes") == ["https://b.example/2"]
    assert urls(languages=["fr"]) == ["https://b.example/2"]
    assert urls(sources=["a", "c"]) == ["https://c.example/3", "https://a.example/1"]
    assert urls(since=datetime(2026, 11, 1)) == ["https://c.example/3", "https://b.example/2"]
    assert urls(until=datetime(2026, 11, 1)) == ["https://a.example/1"]
    assert urls(search='chips" OR "x') == []  # user input is never query syntax
    assert len(urls(limit=2)) == 2
