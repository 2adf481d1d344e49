"""Tags and analysts' corrections in the database (SQLite and PostgreSQL): corrections always win."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from classifier import Tags
from newsmon.errors import NewsmonError
from storage.models import Article, ArticleTopic, Correction
from storage.tagging import apply_tags, record_correction, training_records_from_corrections

NOW = datetime(2026, 11, 1, 8, 0)


def add_article(session, n: int = 1, **fields) -> Article:
    article = Article(url=f"https://example.org/{n}", fetched_url=f"https://example.org/{n}", source="test",
                      title=f"Title {n}", text=f"Text {n}", content_hash=f"{n:064d}", first_seen=NOW,
                      updated=NOW, language="en", **fields)
    session.add(article)
    session.flush()
    return article


def topics_of(session, article_id: int) -> dict[str, tuple[float, str]]:
    rows = session.scalars(select(ArticleTopic).where(ArticleTopic.article_id == article_id))
    return {r.label: (r.confidence, r.origin) for r in rows}


def test_apply_tags_writes_relevance_topics_and_version(session):
    article = add_article(session)
    apply_tags(session, article, Tags(0.93, True, {"sanctions": 0.81, "safety": 0.4}), "v1")
    session.commit()
    assert (article.relevance, article.model_version) == (0.93, "v1")
    assert topics_of(session, article.id) == {"sanctions": (0.81, "model"), "safety": (0.4, "model")}
    assert {t.model_version for t in article.topics} == {"v1"}
    # a new model version replaces the model's tags
    apply_tags(session, article, Tags(0.9, True, {"military-ai": 0.7}), "v2")
    session.commit()
    assert topics_of(session, article.id) == {"military-ai": (0.7, "model")}
    # not relevant: no topics, whatever the topic scores
    apply_tags(session, article, Tags(0.1, False, {}), "v3")
    session.commit()
    assert topics_of(session, article.id) == {} and article.relevance == 0.1


def test_corrections_win_over_the_model(session):
    article = add_article(session)
    apply_tags(session, article, Tags(0.9, True, {"sanctions": 0.8, "safety": 0.6}), "v1")
    record_correction(session, article.id, add=["military-ai"], remove=["safety"])
    session.commit()
    assert topics_of(session, article.id) == {"sanctions": (0.8, "model"), "military-ai": (1.0, "analyst")}
    # the next model run neither brings back the removed label nor drops the added one
    apply_tags(session, article, Tags(0.95, True, {"safety": 0.99, "sanctions": 0.7}), "v2")
    session.commit()
    assert topics_of(session, article.id) == {"sanctions": (0.7, "model"), "military-ai": (1.0, "analyst")}
    # even when the model thinks the article is noise: adding a topic made it relevant
    apply_tags(session, article, Tags(0.2, False, {}), "v3")
    session.commit()
    assert article.relevance == 1.0
    assert topics_of(session, article.id) == {"military-ai": (1.0, "analyst")}


def test_irrelevant_correction_overrides_relevance(session):
    article = add_article(session)
    apply_tags(session, article, Tags(0.97, True, {"un-governance": 0.9}), "v1")
    record_correction(session, article.id, irrelevant=True)
    session.commit()
    assert article.relevance == 0.0 and topics_of(session, article.id) == {}
    apply_tags(session, article, Tags(0.99, True, {"un-governance": 0.95}), "v2")
    session.commit()
    assert article.relevance == 0.0 and topics_of(session, article.id) == {}
    assert article.model_version == "v2" and article.relevant is False
    # a later verdict replaces the earlier one (one Correction row per label)
    record_correction(session, article.id, add=["un-governance"])
    session.commit()
    assert article.relevance == 1.0
    rows = session.scalars(select(Correction).where(Correction.article_id == article.id)).all()
    assert sorted((r.label, r.value) for r in rows) == [("relevant", True), ("un-governance", True)]


def test_bad_corrections_are_refused(session):
    article = add_article(session)
    with pytest.raises(NewsmonError, match="no article with id 999"):
        record_correction(session, 999, add=["safety"])
    with pytest.raises(NewsmonError, match="both add and remove safety"):
        record_correction(session, article.id, add=["safety"], remove=["safety"])
    with pytest.raises(NewsmonError, match="irrelevant"):
        record_correction(session, article.id, add=["safety"], irrelevant=True)


def test_training_records_from_corrections(session):
    kept = add_article(session, 1)
    noise = add_article(session, 2)
    add_article(session, 3)  # never corrected: not a training record
    apply_tags(session, kept, Tags(0.9, True, {"sanctions": 0.8, "safety": 0.6}), "v1")
    apply_tags(session, noise, Tags(0.8, True, {"safety": 0.7}), "v1")
    record_correction(session, kept.id, remove=["safety"])
    record_correction(session, noise.id, irrelevant=True)
    session.commit()
    records = {r["id"]: r for r in training_records_from_corrections(session)}
    assert set(records) == {f"article-{kept.id}", f"article-{noise.id}"}
    first = records[f"article-{kept.id}"]
    assert (first["title"], first["text"], first["lang"]) == ("Title 1", "Text 1", "en")
    assert first["relevant"] is True and first["topics"] == ["sanctions"]
    second = records[f"article-{noise.id}"]
    assert second["relevant"] is False and second["topics"] == []
