"""Evidence for a tag: the words whose character n-grams pushed that label's score up most.

Each n-gram's contribution (TF-IDF value x the label's weight) is shared out over the characters it
covers; a word scores the sum over its characters. Chinese and Japanese runs have no spaces, so for
them the best four-character window stands in for a word.
"""
from __future__ import annotations

import re

import numpy as np
from sklearn.pipeline import Pipeline

from classifier.features import encode

_WORD = re.compile(r"\w+")
_CJK_WINDOW = 4


def evidence(pipeline: Pipeline, text: str, output: int, top: int = 5) -> list[tuple[str, float]]:
    counter = pipeline.named_steps["ngrams"]
    counts = counter.transform([text])
    values = pipeline.named_steps["tfidf"].transform(counts)
    weights = pipeline.named_steps["clf"].weights()[output]
    per_column = np.zeros(counts.shape[1])
    row = values.tocsr()
    per_column[row.indices] = row.data * weights[row.indices]
    occurrences = np.zeros(counts.shape[1])
    occurrences[counts.indices] = counts.data
    share = np.divide(per_column, occurrences, out=np.zeros_like(per_column), where=occurrences > 0)

    shown = "".join(map(chr, encode([text], counter.max_chars, fold_digits=False)))
    scores = np.zeros(len(shown) + 1)
    for n, cols in counter.ngram_columns(text):
        starts = np.flatnonzero(cols >= 0)
        spread = share[cols[starts]] / n
        for k in range(n):  # each n-gram credits its n characters equally
            np.add.at(scores, starts + k, spread)

    best: dict[str, float] = {}
    for match in _WORD.finditer(shown):
        word, lo = match.group(), match.start()
        if len(word) > _CJK_WINDOW and any(ord(ch) >= 0x2E80 for ch in word):
            sums = np.convolve(scores[lo : lo + len(word)], np.ones(_CJK_WINDOW), mode="valid")
            i = int(np.argmax(sums))
            word, value = word[i : i + _CJK_WINDOW], float(sums[i])
        else:
            value = float(scores[lo : lo + len(word)].sum())
        if value > best.get(word, 0.0):
            best[word] = value
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return [(word, round(value, 3)) for word, value in ranked if value > 0]
