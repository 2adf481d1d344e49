"""How the model does on news it has never seen: estimates harsher than grouped cross-validation.

Grouped cross-validation (``training.cross_validate``) keeps copies of one event on one side, but
every fold still trains on the same outlets, languages and years it tests on, so it overstates how
tags hold up on other outlets and events (0.885 there against 0.771 on a separate set of news). Two
estimates come closer:

- **new collection**: train on one collection of labelled records, test on another gathered later
  for other weak spots (and the reverse); the mean of both directions is the headline number.
- **leave one language out**: for each non-English language with enough records, train without it
  and test on it: what a language the labelled data barely covers gets.

Thresholds are chosen on the training side only (out-of-fold, by an inner grouped cross-validation),
so the test side grades thresholds it did not pick. Extra training material (the team's written
examples) joins every training side and is never scored.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

import numpy as np

from classifier.evaluation import best_threshold, per_language, recall_by_topic_count, scores
from classifier.taxonomy import Taxonomy
from classifier.training import fit_records, label_matrix, out_of_fold, texts_of

log = logging.getLogger(__name__)

MIN_LANGUAGE_RECORDS = 40
THRESHOLD_FOLDS = 3
# the shared data's documented collections: ids t001-t398 (first batch), t401-t716 (second batch)
SECOND_COLLECTION_FROM = 401


def collection_of(record: dict) -> str | None:
    """A record's collection: its ``collection`` field, else read from a ``tNNN`` id (the shared
    data's two batches), else None (not part of the new-collection estimate)."""
    if record.get("collection") is not None:
        return str(record["collection"])
    match = re.fullmatch(r"t(\d+)", str(record.get("id", "")))
    if not match:
        return None
    return "batch 1" if int(match.group(1)) < SECOND_COLLECTION_FROM else "batch 2"


def collection_splits(records: Sequence[dict]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, train rows, test rows) both ways between the records' first two collections; records
    of no collection (analysts' corrections) join both training sides."""
    labels = np.array([collection_of(r) or "" for r in records], dtype=object)
    names = sorted({c for c in labels if c})[:2]
    if len(names) < 2:
        return []
    a, b = names
    unassigned = labels == ""
    return [
        (f"{a} -> {b}", np.flatnonzero((labels == a) | unassigned), np.flatnonzero(labels == b)),
        (f"{b} -> {a}", np.flatnonzero((labels == b) | unassigned), np.flatnonzero(labels == a)),
    ]


def language_splits(
    records: Sequence[dict], min_records: int = MIN_LANGUAGE_RECORDS, exclude: tuple[str, ...] = ("en",)
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(language, rows of the other languages, rows of this language) for each language with
    ``min_records`` or more records, most records first."""
    langs = np.array([r.get("lang") or "?" for r in records])
    counts = {lang: int((langs == lang).sum()) for lang in set(langs.tolist())}
    chosen = sorted((lang for lang, n in counts.items() if n >= min_records and lang not in exclude), key=lambda x: (-counts[x], x))
    return [(lang, np.flatnonzero(langs != lang), np.flatnonzero(langs == lang)) for lang in chosen]


def held_out_scores(
    records: Sequence[dict],
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    taxonomy: Taxonomy,
    extra: Sequence[dict] = (),
    threshold_folds: int = THRESHOLD_FOLDS,
) -> dict:
    """Fit on ``train_rows`` (+ ``extra``), thresholds from their out-of-fold predictions; score
    ``test_rows``."""
    train = [records[i] for i in train_rows]
    test = [records[i] for i in test_rows]
    proba, Y, _ = out_of_fold(train, taxonomy, threshold_folds, extra)
    cuts = np.array([best_threshold(proba[:, j], Y[:, j]) for j in range(Y.shape[1])])
    pipeline = fit_records(train, taxonomy, extra)
    Y_test = label_matrix(test, taxonomy)
    predicted = (pipeline.predict_proba(texts_of(test)) >= cuts).astype(int)
    return report(Y_test, predicted, taxonomy.names, [r.get("lang") for r in test])


def report(Y: np.ndarray, predicted: np.ndarray, labels: Sequence[str], langs: Sequence[str | None]) -> dict:
    """Scores, per-language table and recall on records with several topics."""
    return {
        "scores": scores(Y, predicted, labels),
        "per_language": per_language(Y, predicted, langs),
        "recall_by_topic_count": recall_by_topic_count(Y, predicted, labels),
    }


def mean_report(reports: Sequence[dict]) -> dict:
    """The headline numbers averaged over the directions (or languages) of an estimate."""
    def mean(values) -> float:
        return round(float(np.mean(list(values))), 4)

    return {
        "macro_f1": mean(r.get("macro_f1", r["scores"]["macro_f1"]) for r in reports),
        "micro_f1": mean(r["scores"]["micro_f1"] for r in reports),
        "relevance_f1": mean(r["scores"]["relevance"]["f1"] for r in reports),
    }


def estimates(
    records: Sequence[dict],
    taxonomy: Taxonomy,
    extra: Sequence[dict] = (),
    progress: Callable[[str], None] = log.info,
) -> dict:
    """Both estimates; an estimate the records cannot support (one collection, no language with
    enough records) is absent."""
    out: dict = {}
    directions = {}
    for name, train, test in collection_splits(records):
        progress(f"new-collection estimate: {name}")
        directions[name] = held_out_scores(records, train, test, taxonomy, extra)
    if directions:
        out["new_collection"] = {"directions": directions, "mean": mean_report(list(directions.values()))}
    languages = {}
    for lang, train, test in language_splits(records):
        progress(f"leave-one-language-out estimate: {lang}")
        report = languages[lang] = held_out_scores(records, train, test, taxonomy, extra)
        # macro-F1 over the topics present in the language, as in every per-language table; a
        # topic predicted there but absent counts in micro-F1
        report["macro_f1"] = report["per_language"][lang]["macro_f1"]
    if languages:
        out["leave_one_language_out"] = {"languages": languages, "mean": mean_report(list(languages.values()))}
    return out
