"""The review queue (storage.review) and `newsmon review`, on real databases."""
from __future__ import annotations

import json
import shlex
from datetime import datetime

from click.testing import CliRunner
from sqlalchemy import select

from classifier import Tags
from newsmon.cli import cli
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.models import Article
from storage.queries import ArticleFilter
from storage.review import ReviewPolicy, review_queue, uncertainty
from storage.tagging import apply_tags, record_correction

LABELS = ["relevant", "sanctions", "safety"]
THRESHOLDS = {"relevant": 0.5, "sanctions": 0.4, "safety": 0.6}
# title -> (language, relevance, sanctions, safety): the "model" of these tests
PROBS = {
    "sure": ("en", 0.99, 0.95, 0.02),             # confident: reviewed last
    "edge-topic": ("en", 0.97, 0.43, 0.05),       # sanctions just above its threshold
    "missed-topic": ("en", 0.97, 0.90, 0.55),     # safety just below its threshold
    "no-topic": ("en", 0.95, 0.10, 0.10),         # relevant, but no topic
    "gated": ("en", 0.30, 0.45, 0.01),            # a topic the relevance gate rejected
    "rare-language": ("hi", 0.99, 0.95, 0.02),    # confident, but few Hindi training records
    "edge-relevance": ("en", 0.52, 0.45, 0.01),   # barely relevant
    "noise": ("en", 0.01, 0.0, 0.0),              # clearly irrelevant
}


def fake_probabilities(docs):
    return [PROBS[title][1:] for title, _text in docs]


POLICY = ReviewPolicy(THRESHOLDS, LABELS, {"en": 300, "hi": 2}, fake_probabilities, "test-1")


def seed(db_url: str) -> dict[str, int]:
    """One article per PROBS entry, tagged as a model with THRESHOLDS would tag it."""
    with open_database(db_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [
            ArticleRecord(url=f"https://a.example/{title}", fetched_url=f"https://a.example/{title}", source="src-a",
                          title=title, text=f"Text of {title}. " * 10, language=lang,
                          published=datetime(2026, 11, 1 + n))
            for n, (title, (lang, *_)) in enumerate(PROBS.items())
        ])
        ids = {a.title: a.id for a in session.scalars(select(Article))}
        for title, (_lang, rel, *topics) in PROBS.items():
            relevant = rel >= THRESHOLDS["relevant"]
            assigned = {label: p for label, p in zip(LABELS[1:], topics) if relevant and p >= THRESHOLDS[label]}
            apply_tags(session, session.get(Article, ids[title]), Tags(rel, relevant, assigned), "test-1")
    return ids


def queue(db_url: str, policy: ReviewPolicy = POLICY, **kwargs):
    with open_database(db_url, migrate=False)() as session:
        return review_queue(session, policy, **kwargs)


def test_uncertainty_peaks_at_the_threshold():
    assert uncertainty(0.4, 0.4) == 1.0
    assert uncertainty(0.0, 0.4) == 0.0 and uncertainty(1.0, 0.4) == 0.0
    assert uncertainty(0.2, 0.4) == 0.5 and abs(uncertainty(0.7, 0.4) - 0.5) < 1e-9


def test_queue_ranks_what_teaches_most_first(db_url):
    ids = seed(db_url)
    items = queue(db_url, limit=10)
    order = [item.title for item in items]
    assert set(order) == set(PROBS)
    assert order.index("sure") > order.index("rare-language")  # same probabilities, rarer language first
    assert set(order[-2:]) == {"sure", "noise"}  # nothing near a threshold, common language
    for title in ("edge-topic", "missed-topic", "no-topic", "gated", "edge-relevance"):
        assert order.index(title) < order.index("sure"), order
    by_title = {item.title: item for item in items}

    edge = by_title["edge-topic"]
    assert edge.article_id == ids["edge-topic"] and edge.source == "src-a" and edge.language == "en"
    assert "sanctions 0.43 just above its threshold 0.40" in edge.reasons
    assert [(s.remove, s.add) for s in edge.suggestions] == [(("sanctions",), ())]
    assert [(t.label, t.origin) for t in edge.tags] == [("sanctions", "model")]

    missed = by_title["missed-topic"]
    assert ("safety", 0.55, "near-miss") in [(t.label, t.confidence, t.origin) for t in missed.tags]
    assert any(s.add == ("safety",) for s in missed.suggestions)

    assert "relevant but no topic" in by_title["no-topic"].reasons
    assert any(s.irrelevant for s in by_title["no-topic"].suggestions)
    assert any("judged not relevant" in r for r in by_title["gated"].reasons)
    assert any(s.add == ("sanctions",) for s in by_title["gated"].suggestions)
    assert any(s.irrelevant for s in by_title["edge-relevance"].suggestions)
    assert "language hi: 2 training records" in by_title["rare-language"].reasons


def test_queue_leaves_out_corrected_and_untagged_and_follows_the_filter(db_url):
    ids = seed(db_url)
    with open_database(db_url, migrate=False)() as session, session.begin():
        record_correction(session, ids["edge-topic"], remove=["sanctions"])
        upsert_articles(session, [ArticleRecord(url="https://a.example/untagged", fetched_url="https://a.example/untagged",
                                                source="src-b", title="sure", text="x " * 50, language="en")])
    titles = [item.title for item in queue(db_url, limit=100)]
    assert "edge-topic" not in titles and len(titles) == len(PROBS) - 1
    assert [i.title for i in queue(db_url, limit=100, article_filter=ArticleFilter(languages=["hi"]))] == ["rare-language"]
    assert len(queue(db_url, limit=3)) == 3
    assert len(queue(db_url, limit=100, pool=2)) == 2  # only the two most recent are considered


def test_queue_without_the_model_uses_the_stored_tags(db_url):
    seed(db_url)
    stored_only = ReviewPolicy(THRESHOLDS, LABELS, {}, None)
    by_title = {item.title: item for item in queue(db_url, stored_only, limit=100)}
    assert "sanctions 0.43 just above its threshold 0.40" in by_title["edge-topic"].reasons
    assert "relevant but no topic" in by_title["no-topic"].reasons
    assert not any(t.origin == "near-miss" for item in by_title.values() for t in item.tags)


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_review_command_prints_label_commands_that_work(sqlite_url):
    """With the committed model: each item's command, run as printed, corrects it."""
    with open_database(sqlite_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [
            ArticleRecord(url="https://a.example/chips", fetched_url="https://a.example/chips", source="wire",
                          title="Export controls on AI chips tightened \x1b[31m", language="en",
                          text="Washington tightened export controls on advanced AI chips and added firms to the "
                               "entity list, officials said, as allies weigh similar licensing rules. " * 3),
            ArticleRecord(url="https://b.example/panel", fetched_url="https://b.example/panel", source="un",
                          title="Le panel scientifique de l'ONU sur l'IA présente son rapport", language="fr",
                          text="Le groupe scientifique international indépendant sur l'intelligence artificielle "
                               "a présenté ses premières conclusions à l'Assemblée générale. " * 3),
        ])
    assert "Nothing to review" in run("review", "--db", sqlite_url)
    run("retag", "--db", sqlite_url)
    out = run("review", "--db", sqlite_url, "--limit", "5")
    assert "\x1b" not in out  # scraped titles cannot drive the terminal
    assert "wire  en" in out and "Export controls on AI chips" in out and "relevance " in out

    items = json.loads(run("review", "--db", sqlite_url, "--format", "json"))
    assert {item["source"] for item in items} == {"wire", "un"}
    first = items[0]
    assert {"id", "title", "source", "language", "tags", "score", "reasons", "corrections"} <= set(first)
    command = first["corrections"][0]["command"]
    assert command in out
    args = shlex.split(command)
    assert args[:3] == ["newsmon", "label", str(first["id"])] and args[-2:] == ["--db", sqlite_url]
    run(*args[1:])
    left = json.loads(run("review", "--db", sqlite_url, "--format", "json"))
    assert first["id"] not in [item["id"] for item in left]  # corrected: reviewed, so no longer queued


def test_review_bad_options_are_clear(sqlite_url, tmp_path):
    assert "--limit" in run("review", "--db", sqlite_url, "--limit", "0", code=2)
    assert "no classifier model" in run("review", "--db", sqlite_url, "--model", str(tmp_path / "none.joblib"), code=1)
