"""Event groups for cross-validation, so copies of one story never sit on both sides of a split.

Two records share a group when they carry the same ``group`` key (e.g. one stored story), when their texts are near-duplicates (char 5-gram TF-IDF cosine >= 0.5)
or when the first clause of their ``note`` names the same event (at least two shared content words
covering 3/4 of the shorter note, e.g. "Bletchley Declaration, Nov 2023; Kazakh outlet"). Groups
are the connected components of those links.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfTransformer

from classifier.features import CharNgramCounter

TEXT_SIMILARITY = 0.5
NOTE_OVERLAP = 0.75
# words that say what kind of page or label a note is, not which event it covers
_GENERIC = set(
    """a an the and or of on in to for by with at from about as is not news ai unsure short outlet
    site blog page relevance label passing mention hard negative copy scraped machine translated
    machine-translated incl including re vs via its new first report press release article journal
    wiki mirror daily agency item items same non regional national traditional chinese english
    french spanish arabic russian portuguese german jan feb mar apr may june july jun jul aug sept
    sep oct nov dec""".split()
)


def note_words(note: str) -> set[str]:
    """Content words of a note's first clause (before ';'): the event it names."""
    words = (w.strip(".-") for w in re.findall(r"[\w€$%.-]+", note.split(";")[0].lower()))
    return {w for w in words if len(w) > 1 and w not in _GENERIC and not w.isdigit()}


def event_groups(
    texts: Sequence[str], notes: Sequence[str | None], keys: Sequence[str | None] | None = None
) -> np.ndarray:
    """A group id per record."""
    n = len(texts)
    if n < 2:
        return np.zeros(n, dtype=int)
    rows, cols = _similar_texts(texts)
    first_with_key: dict[str, int] = {}
    for i, key in enumerate(keys or []):
        if key is not None:
            rows.append(first_with_key.setdefault(key, i))
            cols.append(i)
    # notes repeat (and most are distinct only in their outlet), so compare each distinct word set once
    by_words: dict[frozenset[str], list[int]] = {}
    for i, note in enumerate(notes):
        words = frozenset(note_words(note or ""))
        if len(words) >= 2:
            by_words.setdefault(words, []).append(i)
    for members in by_words.values():
        rows.extend(members[:1] * (len(members) - 1))
        cols.extend(members[1:])
    distinct = list(by_words)
    for a, words_a in enumerate(distinct):
        for words_b in distinct[a + 1 :]:
            shared = len(words_a & words_b)
            if shared >= 2 and shared >= NOTE_OVERLAP * min(len(words_a), len(words_b)):
                rows.append(by_words[words_a][0])
                cols.append(by_words[words_b][0])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _similar_texts(texts: Sequence[str], chunk: int = 500) -> tuple[list[int], list[int]]:
    """Pairs of near-duplicate texts, compared a chunk of rows at a time to bound memory."""
    counts = CharNgramCounter(ngram_range=(5, 5), min_df=2, max_chars=None).fit_transform(list(texts))
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32)
    rows: list[int] = []
    cols: list[int] = []
    for lo in range(0, tfidf.shape[0], chunk):
        sim = (tfidf[lo : lo + chunk] @ tfidf.T).tocoo()
        linked = (sim.data >= TEXT_SIMILARITY) & (sim.row + lo < sim.col)
        rows.extend((sim.row[linked] + lo).tolist())
        cols.extend(sim.col[linked].tolist())
    return rows, cols
