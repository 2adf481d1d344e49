"""The classifier's own contract: taxonomy as data, features, training, save/load, predict, explain.

Trains on a tiny corpus of invented sentences (no shared data), in a few seconds.
"""
from __future__ import annotations

import json
import logging
import os
import random

import numpy as np
import pytest

from classifier import Tags, TopicModel, load_default_model
from classifier.features import CharNgramCounter
from classifier.model import metrics_path
from classifier.taxonomy import Taxonomy, load_taxonomy, topic_names
from classifier.training import train
from newsmon.errors import ConfigError, LabelError, ModelError

TOPICS = ["capacity-building", "sanctions", "military-ai", "un-governance", "safety", "human-rights",
          "sustainable-development"]
PHRASES = {
    "capacity-building": ["a training programme teaches AI skills to civil servants in developing countries",
                          "the fund helps the Global South close the digital divide with AI infrastructure"],
    "sanctions": ["Washington tightened export controls on advanced AI chips bound for China",
                  "more chip makers were added to the entity list under the new semiconductor rules"],
    "military-ai": ["diplomats in Geneva debated limits on lethal autonomous weapons and killer robots",
                    "the defence ministry unveiled an AI targeting programme for its drones"],
    "un-governance": ["the General Assembly adopted a resolution on artificial intelligence",
                      "the Secretary-General named members of the scientific panel on AI for the Global Dialogue"],
    "safety": ["the AI safety institute published evaluations of frontier model risks",
               "leaders at the safety summit signed a declaration on catastrophic AI risk and red-teaming"],
    "human-rights": ["the regulator fined the company for facial recognition that breached privacy law",
                     "campaigners warned that algorithmic bias in policing AI violates human rights"],
    "sustainable-development": ["data centres for AI use vast amounts of water and energy, a climate study found",
                                "AI tools for farmers and clinics could advance the sustainable development goals"],
}
NEGATIVES = ["the central bank left interest rates unchanged after its quarterly meeting",
             "bitcoin rose above a new record as exchange-traded funds drew inflows",
             "the football club signed a striker from a rival league for a record fee",
             "navies from six countries held a joint exercise in the Baltic sea this week",
             "the Security Council voted on a ceasefire resolution for the region",
             "oil tankers in the shadow fleet were sanctioned by the treasury department"]


def tiny_records(copies: int = 4, seed: int = 0) -> list[dict]:
    """Invented, labelled records: each topic phrase in a few framings, plus unrelated news."""
    rng = random.Random(seed)
    frames = ["{p}.", "Officials said on Monday that {p}.", "Analysis: {p}, experts say.", "{p}, according to a report."]
    records = []
    for label, phrases in PHRASES.items():
        for i, phrase in enumerate(phrases):
            for frame in rng.sample(frames, copies):
                records.append({"title": "", "text": frame.format(p=phrase), "lang": "en", "relevant": True,
                                "topics": [label], "note": f"{label} event {i}"})
    for i, negative in enumerate(NEGATIVES):
        for frame in rng.sample(frames, copies):
            records.append({"title": "", "text": frame.format(p=negative), "lang": "en", "relevant": False,
                            "topics": [], "note": f"unrelated news {i}"})
    return records


@pytest.fixture(scope="module")
def tiny_model() -> TopicModel:
    return train(tiny_records(), load_taxonomy(), sources=["tiny"], folds=2)


def test_taxonomy_is_data_with_definitions():
    taxonomy = load_taxonomy()
    assert taxonomy.relevance == "relevant"
    assert taxonomy.topics == TOPICS
    assert all(len(taxonomy.definitions[name]) > 20 for name in taxonomy.names)
    assert all(taxonomy.seeds[label] for label in TOPICS)


def test_adding_a_label_needs_no_code(tmp_path):
    path = tmp_path / "taxonomy.toml"
    path.write_text('[relevance]\nname = "relevant"\ndefinition = "about AI policy"\n\n'
                    '[[label]]\nname = "chips"\ndefinition = "semiconductor policy"\n\n'
                    '[[label]]\nname = "elections"\ndefinition = "AI in elections"\n')
    taxonomy = load_taxonomy(path)
    assert taxonomy.topics == ["chips", "elections"]
    assert topic_names(path) == ["chips", "elections"] and topic_names() == TOPICS
    text = path.read_text().replace('"elections"', '"ballots"', 1)
    path.write_text(text)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))  # a later edit
    assert topic_names(path) == ["chips", "ballots"]  # names are read again when the file changes


def test_bad_taxonomy_and_unknown_labels_are_clear(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[[label]]\nname = 'x'\n")
    with pytest.raises(ConfigError, match="relevance"):
        load_taxonomy(path)
    with pytest.raises(ConfigError, match="cannot read taxonomy"):
        topic_names(tmp_path / "missing.toml")
    with pytest.raises(LabelError, match="unknown label.*military; valid labels: relevant, capacity-building"):
        load_taxonomy().check(["safety", "military"])


def test_char_ngrams_count_every_script():
    counter = CharNgramCounter(ngram_range=(1, 2), min_df=1).fit(["ab", "美国 出口"])
    X = counter.transform(["ab ab", "美国", "zz"]).toarray()
    # " ab ab " has 7 chars and 6 bigrams, all seen; "zz" only shares the space unigram
    assert X[0].sum() == 7 + 6
    assert X[1].sum() > 0 and X[2].sum() == 2  # the two padding spaces
    assert (X >= 0).all()


def test_predict_api_shape(tiny_model):
    tags = tiny_model.predict([
        (None, "The commerce department imposed export controls on AI chips and added firms to the entity list."),
        ("Rates", "The central bank left interest rates unchanged after its meeting."),
    ])
    assert all(isinstance(t, Tags) for t in tags)
    chips, bank = tags
    assert chips.relevant and "sanctions" in chips.topics
    assert all(0.0 <= c <= 1.0 for c in chips.topics.values())
    assert 0.0 <= bank.relevance < chips.relevance <= 1.0
    assert tiny_model.predict([]) == []


class FixedPipeline:
    """Stands in for the fitted pipeline: fixed probabilities, to pin the gate and thresholds."""

    def __init__(self, rows):
        self.rows = np.array(rows)

    def predict_proba(self, texts):
        return self.rows[: len(texts)]


def test_gate_and_thresholds():
    labels = ["relevant", "sanctions", "safety"]
    model = TopicModel(FixedPipeline([[0.9, 0.7, 0.2], [0.3, 0.29, 0.29]]), labels,
                       {"relevant": 0.5, "sanctions": 0.6, "safety": 0.1}, "v1")
    relevant, noise = model.predict([(None, "a"), (None, "b")])
    assert relevant == Tags(relevance=0.9, relevant=True, topics={"sanctions": 0.7, "safety": 0.2})
    assert noise == Tags(relevance=0.3, relevant=False, topics={})  # topics only for relevant articles
    assert model.predict_labels([(None, "a"), (None, "b")]).tolist() == [[1, 1, 1], [0, 0, 0]]


def test_explain_names_the_words(tiny_model):
    text = "Diplomats debated lethal autonomous weapons and killer robots in Geneva."
    evidence = tiny_model.explain(None, text, top=3)
    assert "military-ai" in evidence
    words = [word for word, _ in evidence["military-ai"]]
    assert 0 < len(words) <= 3 and set(words) & {"autonomous", "weapons", "killer", "robots", "lethal"}


def test_save_load_round_trip(tiny_model, tmp_path):
    path = tiny_model.save(tmp_path / "m.joblib")
    meta = json.loads(metrics_path(path).read_text())
    assert meta["version"] == tiny_model.version and "cross_validation" in meta
    loaded = TopicModel.load(path)
    docs = [(None, "export controls on chips"), ("t", "killer robots")]
    assert loaded.predict(docs) == tiny_model.predict(docs)
    assert loaded.version == tiny_model.version


def test_load_refuses_another_sklearn_version(tiny_model, tmp_path):
    path = tiny_model.save(tmp_path / "m.joblib")
    sidecar = metrics_path(path)
    meta = json.loads(sidecar.read_text())
    sidecar.write_text(json.dumps({**meta, "sklearn_version": "0.1.0"}))
    with pytest.raises(ModelError, match="scikit-learn 0.1.0 but .* is installed"):
        TopicModel.load(path)


def test_load_refuses_an_older_layout_and_says_how_to_rebuild(tiny_model, tmp_path):
    import joblib

    path = tiny_model.save(tmp_path / "m.joblib")
    sidecar = metrics_path(path)
    meta = json.loads(sidecar.read_text())
    sidecar.write_text(json.dumps({**meta, "format": 1}))  # checked before unpickling
    with pytest.raises(ModelError, match=r"layout 1 but this newsmon reads layout 2; rebuild it with `newsmon train --output .*m.joblib`") as err:
        TopicModel.load(path)
    assert "\n" not in str(err.value)
    sidecar.unlink()  # no sidecar: the layout saved inside the file decides
    saved = joblib.load(path)
    joblib.dump({**saved, "format": 1}, path)
    with pytest.raises(ModelError, match="layout 1 .* `newsmon train --output"):
        TopicModel.load(path)


def test_load_explains_missing_or_broken_files(tmp_path, caplog):
    with pytest.raises(ModelError, match="newsmon train"):
        TopicModel.load(tmp_path / "absent.joblib")
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(b"not a pickle")
    with pytest.raises(ModelError, match="cannot read model"):
        TopicModel.load(broken)
    with caplog.at_level(logging.WARNING):
        assert load_default_model(tmp_path / "absent.joblib") is None
    assert "No classifier model" in caplog.text


def test_default_model_is_committed_and_tags():
    model = load_default_model()
    assert model is not None, "classifier/models/default.joblib must be committed"
    assert model.labels == ["relevant", *TOPICS]
    assert set(model.thresholds) == set(model.labels)
    (tags,) = model.predict([("US widens AI chip export controls",
                              "The Commerce Department added Chinese chip makers to the Entity List.")])
    assert tags.relevant and "sanctions" in tags.topics


def test_confidences_are_probabilities(tiny_model):
    proba = tiny_model.predict_proba([(None, r["text"]) for r in tiny_records(copies=1, seed=3)])
    assert proba.shape[1] == 8 and np.all((proba >= 0) & (proba <= 1))
    assert np.all(proba[:, 1:] <= proba[:, [0]] + 1e-9)  # P(relevant and topic) <= P(relevant)
