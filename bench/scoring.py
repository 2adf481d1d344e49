"""Shingle precision/recall/F1 as the article-extraction benchmark defines it.

Matches scrapinghub/article-extraction-benchmark `evaluate.py`: tokens are `\\w+` runs, each page
gives a multiset of overlapping 4-token shingles (a text of 1-3 tokens gives one shorter shingle),
per-page tp/fp/fn are normalised by their sum so long pages weigh no more than short ones, and
precision and recall are means over pages (pages with no predicted shingle are left out of
precision, pages with no true shingle out of recall, as upstream does).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str | None) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = 4) -> Counter:
    tokens = tokenize(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def page_counts(true: str | None, pred: str | None, n: int = 4) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page, divided by their sum."""
    t, p = shingles(true, n), shingles(pred, n)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn)


@dataclass(frozen=True)
class Score:
    f1: float
    precision: float
    recall: float
    pages: int


def score(counts: Iterable[tuple[float, float, float]]) -> Score:
    """Benchmark metrics from per-page (tp, fp, fn) triples."""
    counts = list(counts)
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(f1=f1, precision=p, recall=r, pages=len(counts))


def score_texts(pairs: Iterable[tuple[str | None, str | None]]) -> Score:
    """Benchmark metrics from (true text, predicted text) pairs."""
    return score(page_counts(t, p) for t, p in pairs)
