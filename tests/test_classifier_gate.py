"""Quality gate: a model trained on 75% of the shared data (split by event) is scored on the rest,
and the new-collection estimate (train on one batch of the shared data, test on the other, both
ways: ``classifier.estimates``) is computed; every score must stay at or above its floor in
classifier/eval_floors.json. The team-written examples train and are never scored.

Floors are raised as the model improves, never lowered silently: a change that drops a score below
its floor fails here. `python tests/test_classifier_gate.py` prints the measured scores.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import GroupShuffleSplit

from classifier import load_default_model
from classifier.evaluation import per_language, scores
from classifier.grouping import event_groups
from classifier.model import TopicModel
from classifier.taxonomy import load_taxonomy
from classifier.estimates import collection_splits, held_out_scores, mean_report
from classifier.training import fit_records, label_matrix, read_examples, read_jsonl, texts_of

FLOORS = Path(__file__).resolve().parents[1] / "classifier" / "eval_floors.json"


def heldout_scores(data: Path) -> dict:
    """Train on the split's training events, score the held-out events with the default model's
    thresholds (thresholds are per label, chosen on cross-validated predictions)."""
    floors = json.loads(FLOORS.read_text())
    taxonomy = load_taxonomy()
    records = list(read_jsonl(data))
    texts, Y = texts_of(records), label_matrix(records, taxonomy)
    groups = event_groups(texts, [r.get("note") for r in records])
    split = GroupShuffleSplit(n_splits=1, test_size=floors["split"]["test_size"], random_state=floors["split"]["seed"])
    train, test = next(split.split(texts, Y, groups))
    pipeline = fit_records([records[i] for i in train], taxonomy, read_examples(), groups[train])
    default = load_default_model()
    model = TopicModel(pipeline, taxonomy.names, default.thresholds, "gate")
    predicted = model.predict_labels([(None, texts[i]) for i in test])
    result = scores(Y[test], predicted, taxonomy.names)
    result["per_language"] = per_language(Y[test], predicted, [records[i].get("lang") for i in test])
    return result


def new_collection_scores(data: Path) -> dict:
    """The mean over both directions of the new-collection estimate (thresholds chosen on the
    training side only)."""
    taxonomy, records, examples = load_taxonomy(), list(read_jsonl(data)), read_examples()
    reports = [held_out_scores(records, train, test, taxonomy, examples) for _, train, test in collection_splits(records)]
    return mean_report(reports)


def test_heldout_scores_stay_above_floors(shared_dir):
    floors = json.loads(FLOORS.read_text())
    result = heldout_scores(shared_dir / "data" / "realnews-train.jsonl")
    below = []
    if result["relevance"]["f1"] < floors["relevance_f1"]:
        below.append(f"relevance F1 {result['relevance']['f1']} < {floors['relevance_f1']}")
    if result["macro_f1"] < floors["macro_f1"]:
        below.append(f"macro-F1 {result['macro_f1']} < {floors['macro_f1']}")
    for label, floor in floors["per_label_f1"].items():
        if result["per_label"][label]["f1"] < floor:
            below.append(f"{label} F1 {result['per_label'][label]['f1']} < {floor}")
    for lang, floor in floors["per_language_macro_f1"].items():
        got = result["per_language"].get(lang, {}).get("macro_f1")
        if got is None or got < floor:
            below.append(f"{lang} macro-F1 {got} < {floor}")
    assert not below, "below the pinned floors: " + "; ".join(below)


def test_new_collection_estimate_stays_above_floors(shared_dir):
    floors = json.loads(FLOORS.read_text())["new_collection"]
    result = new_collection_scores(shared_dir / "data" / "realnews-train.jsonl")
    below = [f"{key} {result[key]} < {floor}" for key, floor in floors.items() if result[key] < floor]
    assert not below, "new-collection estimate below the pinned floors: " + "; ".join(below)


if __name__ == "__main__":
    measured = heldout_scores(Path(__file__).resolve().parents[2] / "shared" / "data" / "realnews-train.jsonl")
    print(json.dumps({k: v for k, v in measured.items()}, indent=1))
    print(json.dumps({"new_collection": new_collection_scores(Path(__file__).resolve().parents[2] / "shared" / "data" / "realnews-train.jsonl")}))
    assert np.isfinite(measured["macro_f1"])
