"""Scores in the shape `newsmon evaluate --format json` prints, and per-language tables.

Column 0 of every label matrix is relevance, the rest are topics. Topic scores count every record;
a record predicted (or labelled) not relevant has the empty topic set.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)


def gate(Y: np.ndarray) -> np.ndarray:
    """Topics only where relevant."""
    Y = np.array(Y, dtype=int)
    Y[:, 1:] *= Y[:, [0]]
    return Y


def scores(Y_true: np.ndarray, Y_pred: np.ndarray, labels: Sequence[str]) -> dict:
    Y_true, Y_pred = gate(Y_true), gate(Y_pred)
    p, r, f, s = precision_recall_fscore_support(Y_true, Y_pred, average=None, zero_division=0)
    topics = slice(1, None)
    # a topic with neither a true nor a predicted example (a language without it) has no F1 and
    # stays out of the macro average; one predicted where none is true counts as 0
    defined = (Y_true[:, topics].any(axis=0) | Y_pred[:, topics].any(axis=0))
    return {
        "n": int(len(Y_true)),
        "relevance": {"precision": _r(p[0]), "recall": _r(r[0]), "f1": _r(f[0])},
        "micro_f1": _r(f1_score(Y_true[:, topics], Y_pred[:, topics], average="micro", zero_division=0)),
        "macro_f1": _r(float(np.mean(f[topics][defined]))) if defined.any() else 0.0,
        "per_label": {
            label: {"precision": _r(p[j]), "recall": _r(r[j]), "f1": _r(f[j]), "support": int(s[j])}
            for j, label in enumerate(labels) if j > 0
        },
    }


def per_language(Y_true: np.ndarray, Y_pred: np.ndarray, langs: Sequence[str | None]) -> dict:
    """Per language: records, relevance F1, and macro-F1 over the topics present in that language
    (a topic with no true example in a language has no defined F1 there)."""
    Y_true, Y_pred = gate(Y_true), gate(Y_pred)
    langs = np.array([lang or "?" for lang in langs])
    table = {}
    for lang in sorted(set(langs), key=lambda x: (-int((langs == x).sum()), x)):
        m = langs == lang
        present = [j for j in range(1, Y_true.shape[1]) if Y_true[m, j].any()]
        macro = np.mean([f1_score(Y_true[m, j], Y_pred[m, j], zero_division=0) for j in present]) if present else None
        table[lang] = {
            "n": int(m.sum()),
            "relevance_f1": _r(f1_score(Y_true[m, 0], Y_pred[m, 0], zero_division=0)),
            "macro_f1": None if macro is None else _r(float(macro)),
            "topics_present": len(present),
        }
    return table


def calibration(proba: np.ndarray, Y: np.ndarray, thresholds: Sequence[float], edges=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)) -> list[dict]:
    """For the topic tags a model would show (relevant, topic above its threshold): per band of
    confidence, how many there were, their mean confidence and how often they were right."""
    cuts = np.asarray(thresholds)
    shown = (proba >= cuts) & (proba[:, [0]] >= cuts[0])
    conf, right = proba[:, 1:][shown[:, 1:]], gate(Y)[:, 1:][shown[:, 1:]]
    bands = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf >= lo) & ((conf < hi) if hi < 1.0 else (conf <= hi))
        if m.any():
            bands.append({"band": f"{lo:.1f}-{hi:.1f}", "tags": int(m.sum()),
                          "mean_confidence": _r(conf[m].mean()), "precision": _r(right[m].mean())})
    return bands


def best_threshold(proba: np.ndarray, truth: np.ndarray) -> float:
    """The cut that maximises F1 on these (out-of-fold) predictions; ties go to the cut nearest 0.5."""
    if not truth.any():
        return 0.5
    f1 = [f1_score(truth, proba >= cut, zero_division=0) for cut in THRESHOLD_GRID]
    best = max(f1)
    ties = [cut for cut, value in zip(THRESHOLD_GRID, f1) if value >= best - 1e-9]
    return float(min(ties, key=lambda cut: abs(cut - 0.5)))


def recall_by_topic_count(Y: np.ndarray, predicted: np.ndarray, labels: Sequence[str]) -> dict:
    """Share of true topic labels found, on records with one topic and on records with two or more
    (overall and per topic): secondary topics are where recall is lost."""
    Y, predicted = gate(Y), gate(predicted)
    n_topics = Y[:, 1:].sum(axis=1)
    out: dict = {}
    for name, rows in (("1 topic", n_topics == 1), ("2+ topics", n_topics >= 2)):
        truth, found = Y[rows, 1:], predicted[rows, 1:]
        per_label = {
            label: _ratio(found[:, j - 1][truth[:, j - 1] == 1].sum(), truth[:, j - 1].sum())
            for j, label in enumerate(labels) if j > 0
        }
        out[name] = {"records": int(rows.sum()), "recall": _ratio((found & truth).sum(), truth.sum()), "per_label": per_label}
    return out


def _ratio(hit, total) -> float | None:
    return None if not total else round(float(hit) / float(total), 4)


def _r(x) -> float:
    return round(float(x), 4)
