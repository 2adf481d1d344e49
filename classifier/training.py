"""Training: labelled records in, a TopicModel and its cross-validated report out.

Cross-validation is grouped by event (``classifier.grouping``). Per-label thresholds are chosen on
the out-of-fold probabilities; the reported scores use, for each fold, thresholds chosen on the
other folds only, so the report does not grade the thresholds on the data that picked them.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from classifier.estimator import GatedTopicClassifier, default_estimator
from classifier.evaluation import best_threshold, calibration, per_language, recall_by_topic_count, scores
from classifier.features import CharNgramCounter
from classifier.grouping import event_groups
from classifier.model import TopicModel, as_text
from classifier.taxonomy import Taxonomy
from newsmon.errors import ConfigError

log = logging.getLogger(__name__)

FOLDS = 5
# short texts the team wrote in its own words, per language: training material, never scored
DEFAULT_EXAMPLES = Path(__file__).with_name("examples")


def build_pipeline() -> Pipeline:
    """The whole model, from raw text to probabilities: saved and loaded as one object."""
    return Pipeline(
        [
            ("ngrams", CharNgramCounter(ngram_range=(2, 5), min_df=2, max_chars=3000)),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
            ("clf", GatedTopicClassifier()),
        ]
    )


def fit_pipeline(texts: list[str], Y: np.ndarray, groups: np.ndarray, taxonomy: Taxonomy) -> Pipeline:
    """Fit on the records plus the taxonomy's seed phrases: extra examples for the topic models (own
    groups, never for the gate) and the topics' seed vectors (``classifier.seeds``)."""
    seed_texts, seed_Y = [], []
    for j, label in enumerate(taxonomy.topics, 1):
        for phrase in taxonomy.seeds.get(label, []):
            row = np.zeros(Y.shape[1], dtype=int)
            row[0] = row[j] = 1
            seed_texts.append(phrase)
            seed_Y.append(row)
    if seed_texts:
        first = int(groups.max()) + 1 if len(groups) else 0
        groups = np.concatenate([groups, np.arange(first, first + len(seed_texts))])
        Y = np.vstack([Y, np.array(seed_Y)])
    topic_only = np.r_[np.zeros(len(texts), bool), np.ones(len(seed_texts), bool)]
    return build_pipeline().fit(texts + seed_texts, Y, clf__groups=groups, clf__topic_only=topic_only)


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Records of a labelled file (text, title, lang, relevant, topics, note), checked line by line."""
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read labelled data: {exc.strerror}", path=str(path)) from exc
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"not JSON ({exc.msg})", path=str(path), line=number) from exc
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ConfigError("each line needs a JSON object with a \"text\" string", path=str(path), line=number)
            if not isinstance(record.get("relevant"), bool):
                raise ConfigError("\"relevant\" must be true or false", path=str(path), line=number)
            topics = record.get("topics") or []
            if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
                raise ConfigError("\"topics\" must be a list of label names", path=str(path), line=number)
            record["topics"] = topics
            record["_where"] = f"{path}:{number}"
            yield record


def read_examples(folder: str | Path = DEFAULT_EXAMPLES) -> list[dict]:
    """The team-written examples (every ``*.jsonl`` in ``folder``, same format as labelled data)."""
    return [record for path in sorted(Path(folder).glob("*.jsonl")) for record in read_jsonl(path)]


def label_matrix(records: list[dict], taxonomy: Taxonomy) -> np.ndarray:
    """(n, 1 + n_topics) 0/1: relevance, then each topic; unknown labels are an error."""
    topics = taxonomy.topics
    Y = np.zeros((len(records), 1 + len(topics)), dtype=int)
    for i, record in enumerate(records):
        taxonomy.check(record["topics"], allow_relevance=False)
        Y[i, 0] = bool(record["relevant"])
        for label in record["topics"]:
            Y[i, 1 + topics.index(label)] = 1
    return Y


def texts_of(records: Iterable[dict]) -> list[str]:
    return [as_text(r.get("title") or None, r["text"]) for r in records]


def records_matrix(records: list[dict], taxonomy: Taxonomy) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, labels and event groups of labelled records."""
    texts, Y = texts_of(records), label_matrix(records, taxonomy)
    groups = event_groups(texts, [r.get("note") for r in records], [r.get("group") for r in records])
    return texts, Y, groups


def fit_records(records: list[dict], taxonomy: Taxonomy, extra: list[dict] | tuple = (), groups: np.ndarray | None = None) -> Pipeline:
    """Fit on labelled records plus ``extra`` training-only records (each its own group)."""
    texts, Y = texts_of(records), label_matrix(records, taxonomy)
    if groups is None:
        groups = records_matrix(records, taxonomy)[2]
    if extra:
        extra = list(extra)
        first = int(groups.max()) + 1 if len(groups) else 0
        texts = texts + texts_of(extra)
        Y = np.vstack([Y, label_matrix(extra, taxonomy)])
        groups = np.concatenate([groups, np.arange(first, first + len(extra))])
    return fit_pipeline(texts, Y, groups, taxonomy)


def out_of_fold(
    records: list[dict], taxonomy: Taxonomy, folds: int, extra: list[dict] | tuple = (), groups: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold probabilities of the records (folds grouped by event; ``extra`` joins every
    training side), their labels and each record's fold."""
    texts, Y, own_groups = records_matrix(records, taxonomy)
    groups = own_groups if groups is None else groups
    folds = min(folds, len(set(groups)))
    if folds < 2:
        raise ConfigError(f"too little data to cross-validate ({len(records)} records in {len(set(groups))} events)")
    proba, fold_of = np.zeros(Y.shape), np.zeros(len(Y), dtype=int)
    for k, (train, test) in enumerate(GroupKFold(folds, shuffle=True, random_state=0).split(texts, Y, groups)):
        pipeline = fit_records([records[i] for i in train], taxonomy, extra, groups[train])
        proba[test] = pipeline.predict_proba([texts[i] for i in test])
        fold_of[test] = k
        log.info("fold %d/%d done", k + 1, folds)
    return proba, Y, fold_of


def cross_validate(records: list[dict], taxonomy: Taxonomy, folds: int = FOLDS, extra: list[dict] | tuple = ()) -> dict:
    """Out-of-fold probabilities, thresholds and scores, with folds grouped by event."""
    _, _, groups = records_matrix(records, taxonomy)
    proba, Y, fold_of = out_of_fold(records, taxonomy, folds, extra, groups)
    folds = int(fold_of.max()) + 1
    predicted = np.zeros_like(Y)
    for k in range(folds):
        others, here = fold_of != k, fold_of == k
        for j in range(Y.shape[1]):
            predicted[here, j] = proba[here, j] >= best_threshold(proba[others, j], Y[others, j])
    labels = taxonomy.names
    thresholds = {label: best_threshold(proba[:, j], Y[:, j]) for j, label in enumerate(labels)}
    return {
        "folds": folds,
        "groups": int(len(set(groups))),
        "scores": scores(Y, predicted, labels),
        "per_language": per_language(Y, predicted, [r.get("lang") for r in records]),
        "recall_by_topic_count": recall_by_topic_count(Y, predicted, labels),
        "thresholds": thresholds,
        "calibration": calibration(proba, Y, [thresholds[label] for label in labels]),
        "_groups": groups,
    }


def train(
    records: list[dict],
    taxonomy: Taxonomy,
    sources: list[str],
    folds: int = FOLDS,
    extra: list[dict] | tuple = (),
    with_estimates: bool = True,
) -> TopicModel:
    """Cross-validate (for thresholds and the report), estimate how tags hold up on unseen news
    (``classifier.estimates``), then fit on everything. ``extra`` records (the team's written
    examples) are trained on and never scored."""
    from classifier.estimates import estimates

    if not records:
        raise ConfigError("no labelled records to train on")
    cv = cross_validate(records, taxonomy, folds, extra)
    groups = cv.pop("_groups")
    unseen = estimates(records, taxonomy, extra) if with_estimates else {}
    pipeline = fit_records(records, taxonomy, extra, groups)
    texts, Y = texts_of(records), label_matrix(records, taxonomy)
    extra_texts, extra_Y = texts_of(extra), label_matrix(list(extra), taxonomy).tolist()
    now = datetime.now(timezone.utc)
    # the version names what went in: data, examples, labels, seed phrases and hyperparameters
    recipe = json.dumps([texts, Y.tolist(), extra_texts, extra_Y, taxonomy.seeds, repr(build_pipeline().get_params()), repr(default_estimator())])
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:6]
    metrics = {
        "built": now.replace(tzinfo=None).isoformat(timespec="seconds"),
        "trained_on": {"records": len(records), "sources": sources},
        "cross_validation": {k: v for k, v in cv.items() if k != "thresholds"},
        **unseen,
    }
    return TopicModel(pipeline, taxonomy.names, cv["thresholds"], f"{now:%Y.%m.%d}-{digest}", metrics)
