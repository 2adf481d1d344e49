"""Seed similarity: per topic, how much of an article's weight falls on that topic's seed phrases.

Why: character n-grams learnt from the labelled articles do not carry across scripts. A Russian or
Arabic article on an event that the labelled data covers only in English shares no n-gram with it.
The taxonomy's seed phrases name each topic in every language, so "similarity to the safety seeds"
is one feature whose weight the topic model learns from all languages at once and applies to each:
English articles teach how much it counts, the Russian seeds let a Russian article score on it.

A topic's seed vector is the element-wise maximum of its phrases' TF-IDF rows; the feature is
``scale`` x the dot product of an article's TF-IDF row with it. Being linear, it folds into the
n-gram weights after training (``fold``), so tagging costs nothing extra and explanations credit the
n-grams themselves. Grouped cross-validation scored it within noise of the best single phrase's
cosine (0.885 against 0.888), which cannot be folded and cost ~20% of tagging speed; it chose scale
1.5 over 2 and 3.

Each seed phrase is also a training row of its topic, so its own similarity is at least ``scale``:
the seed rows are easy positives for this feature. Cross-validation measures the gain on articles.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def seed_vectors(X, Y: np.ndarray, seed_rows: np.ndarray) -> sp.csc_matrix:
    """(n_features, n_topics): per topic, the element-wise max over its seed rows of ``X``. Column 0
    of ``Y`` is relevance; a seed row's topic columns say whose phrase it is."""
    X = sp.csr_matrix(X)
    columns = []
    for topic in range(1, Y.shape[1]):
        mine = np.flatnonzero(np.asarray(seed_rows, bool) & (Y[:, topic] == 1))
        columns.append(X[mine].max(axis=0).T if len(mine) else sp.csc_matrix((X.shape[1], 1)))
    return sp.hstack(columns, format="csc", dtype=np.float32) if columns else sp.csc_matrix((X.shape[1], 0))


def with_seed_similarity(X, vectors: sp.spmatrix, scale: float) -> sp.csr_matrix:
    """``X`` with one more column per topic: ``scale`` x its dot product with the topic's vector."""
    similarity = (sp.csr_matrix(X) @ vectors) * scale
    out = sp.hstack([X, similarity], format="csr", dtype=np.result_type(X.dtype, np.float32))
    out.sort_indices()  # liblinear's input check sorts a copy of unsorted input in every fit
    return out


def fold(coef: np.ndarray, vectors: sp.spmatrix, scale: float) -> np.ndarray:
    """Weights over ``[X, seed similarities]`` as weights over ``X`` alone (same decision values up
    to rounding): each similarity's weight is spread over the n-grams of its seed vector."""
    n = vectors.shape[0]
    folded = np.asarray(coef[:n], dtype=np.float64) + scale * (vectors @ np.asarray(coef[n:], dtype=np.float64))
    return folded.astype(coef.dtype)
