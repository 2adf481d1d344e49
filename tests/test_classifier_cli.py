"""`newsmon tag | evaluate | train | label | retag` as analysts run them (CliRunner)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from classifier.taxonomy import load_taxonomy
from classifier.training import train
from newsmon.cli import cli
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.models import Article
from test_classifier import tiny_records

CHIPS = "Washington tightened export controls on advanced AI chips and added firms to the entity list."


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    train(tiny_records(), load_taxonomy(), sources=["tiny"], folds=2).save(path)
    return str(path)


def run(*args: str, input: str | None = None, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def write_jsonl(path, records) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def test_tag_prints_relevance_tags_and_evidence(model_file, tmp_path):
    out = run("tag", "--model", model_file, input=CHIPS)
    assert out.startswith("relevance ") and "sanctions" in out and "evidence:" in out
    path = tmp_path / "a.txt"
    path.write_text(CHIPS)
    data = json.loads(run("tag", str(path), "--model", model_file, "--format", "json"))
    assert data["relevant"] is True and data["model_version"]
    assert data["topics"]["sanctions"]["confidence"] > 0
    assert data["topics"]["sanctions"]["evidence"]  # [word, weight] pairs
    assert "input is empty" in run("tag", "--model", model_file, input="  \n", code=1)


def test_tag_without_model_says_how_to_get_one(tmp_path):
    assert "newsmon train" in run("tag", "--model", str(tmp_path / "none.joblib"), input=CHIPS, code=1)


def test_evaluate_json_shape(model_file, tmp_path):
    records = [
        {"text": "New export controls on AI chips hit Chinese buyers of accelerators.", "relevant": True,
         "topics": ["sanctions"], "lang": "en", "title": "Chip rules"},
        {"text": "The General Assembly adopted its first resolution on artificial intelligence.", "relevant": True,
         "topics": ["un-governance"], "lang": "en"},
        {"text": "The football club won the cup after a penalty shoot-out.", "relevant": False, "topics": [],
         "lang": "en"},
    ]
    result = json.loads(run("evaluate", "--data", write_jsonl(tmp_path / "t.jsonl", records), "--model", model_file,
                            "--format", "json"))
    assert set(result) == {"n", "relevance", "micro_f1", "macro_f1", "per_label"}
    assert result["n"] == 3
    assert set(result["relevance"]) == {"precision", "recall", "f1"}
    assert set(result["per_label"]) == set(load_taxonomy().topics)
    assert all(set(v) == {"precision", "recall", "f1", "support"} for v in result["per_label"].values())
    assert result["per_label"]["sanctions"]["support"] == 1


def test_evaluate_and_train_refuse_bad_data(model_file, tmp_path):
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": "x", "relevant": True, "topics": ["chips"]}])
    out = run("evaluate", "--data", bad, "--model", model_file, code=1)
    assert "unknown label(s) chips; valid labels: capacity-building" in out
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "ok", "relevant": false}\nnot json\n')
    assert "broken.jsonl:2: not JSON" in run("train", "--data", str(broken), "--no-corrections", code=1)


def test_train_saves_a_model_with_metrics(tmp_path):
    data = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    output = tmp_path / "out" / "m.joblib"
    out = run("train", "--data", data, "--no-corrections", "--output", str(output), "--folds", "2")
    assert "sanctions" in out and "macro-F1" in out and "per language" in out
    meta = json.loads((tmp_path / "out" / "m.metrics.json").read_text())
    assert meta["cross_validation"]["scores"]["per_label"]["sanctions"]["support"] > 0
    assert meta["version"] in out
    assert "relevance" in run("tag", "--model", str(output), input=CHIPS)


def seed_articles(db_url: str) -> list[int]:
    with open_database(db_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [
            ArticleRecord(url="https://a.example/chips", fetched_url="https://a.example/chips", source="a",
                          title="Chip rules", text=CHIPS, language="en"),
            ArticleRecord(url="https://b.example/bank", fetched_url="https://b.example/bank", source="b",
                          title="Rates", text="The central bank left interest rates unchanged after its meeting.",
                          language="en"),
        ])
        return list(session.scalars(select(Article.id).order_by(Article.id)))


def stored(db_url: str, article_id: int) -> tuple[float | None, str | None, dict]:
    with open_database(db_url, migrate=False)() as session:
        article = session.get(Article, article_id)
        return article.relevance, article.model_version, {t.label: t.origin for t in article.topics}


def test_label_and_retag(db_url, model_file):
    chips, bank = seed_articles(db_url)
    out = run("retag", "--db", db_url, "--model", model_file)
    assert "re-tagged 2 articles" in out
    relevance, version, topics = stored(db_url, chips)
    assert version and relevance is not None and topics.get("sanctions") == "model"

    out = run("label", str(chips), "--add", "military-ai", "--remove", "sanctions", "--db", db_url)
    assert "military-ai (analyst)" in out and "sanctions" not in out
    run("label", str(bank), "--irrelevant", "--db", db_url)
    run("retag", "--db", db_url, "--model", model_file, "--since", "2000-01-01")
    topics = stored(db_url, chips)[2]
    assert topics["military-ai"] == "analyst" and "sanctions" not in topics  # corrections survive a retag
    assert stored(db_url, bank)[0] == 0.0 and stored(db_url, bank)[2] == {}

    assert "unknown label(s) military; valid labels" in run("label", str(chips), "--add", "military", "--db", db_url, code=1)
    assert "no article with id 999" in run("label", "999", "--add", "safety", "--db", db_url, code=1)
    assert "--add LABEL" in run("label", str(chips), "--db", db_url, code=2)
    assert "re-tagged 0 articles" in run("retag", "--db", db_url, "--model", model_file, "--since", "2999-01-01")


def test_train_learns_from_corrections(db_url, tmp_path):
    chips, _ = seed_articles(db_url)
    run("label", str(chips), "--add", "sanctions", "--db", db_url)
    data = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    output = tmp_path / "m.joblib"
    run("train", "--data", data, "--db", db_url, "--output", str(output), "--folds", "2")
    meta = json.loads((tmp_path / "m.metrics.json").read_text())
    assert meta["trained_on"]["records"] == len(tiny_records()) + 1
    assert "1 corrected articles in the database" in meta["trained_on"]["sources"]
