"""The fast tagging path gives the same numbers as the straightforward one.

``GatedTopicClassifier.predict_proba`` answers from one stacked weight matrix (``classifier.fastpath``);
``CharNgramCounter`` hashes blocks of documents and merges duplicate n-grams in one scipy pass. Both
must match the per-model / per-document computation exactly: the order of a row's entries decides
the float32 rounding downstream, so it is checked too. The per-model computation is scikit-learn's
own ``CalibratedClassifierCV`` with float64 weights (tests/test_classifier_fastpath.py:
``public_reference``), so the match is up to float32 rounding; the exact pins against the previous
code are in tests/test_classifier_fastpath.py.
"""
from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from classifier import features, load_default_model
from classifier.estimator import GatedTopicClassifier
from classifier.features import CharNgramCounter, encode, hash_slots
from test_classifier_fastpath import public_reference, synthetic

TEXTS = [
    "Washington tightened export controls on advanced AI chips bound for China in 2024.",
    "the General Assembly adopted a resolution on artificial intelligence",
    "",
    " ",
    "a",
    "美国 出口 管制 人工智能 芯片 2023 年",
    "Санкции против нефти и\tполитика   в области ИИ",
    "غزة والذكاء الاصطناعي",
    "x\n\u3000 y \xa0 z  😀 ab",
] * 3


@pytest.fixture(scope="module")
def fitted():
    X, Y = synthetic(240, 0)
    return GatedTopicClassifier().fit(X, Y), X


def test_stacked_predict_proba_equals_each_model(fitted):
    clf, X = fitted
    reference = public_reference(clf, X, synthetic(240, 0)[1])
    assert reference.constant == [3]
    for rows in (X, X[:1], X[5:12], X.astype(np.float64)):  # float32 weights against float64 ones
        np.testing.assert_allclose(clf.predict_proba(rows), reference.predict_proba(rows), rtol=0, atol=1e-6)


def test_nothing_is_cached_or_added_by_predicting(fitted):
    clf, X = fitted
    before = pickle.dumps(clf)
    clf.predict_proba(X[:3])
    clf.predict_proba(X.astype(np.float64))
    assert pickle.dumps(clf) == before
    refit = pickle.loads(before)
    Y = np.ones((X.shape[0], 2), dtype=int)
    Y[::3, 0] = 0
    Y[::2, 1] = 0
    refit.fit(X, Y)
    np.testing.assert_allclose(refit.predict_proba(X), public_reference(refit, X, Y).predict_proba(X), rtol=0, atol=1e-6)


def reference_counts(counter: CharNgramCounter, texts: list[str]) -> sp.csr_matrix:
    """Document by document: the n-grams of each n in text order, duplicates summed by scipy."""
    table = counter.column_of_slot_
    indices, indptr = [], [0]
    for text in texts:
        codes = encode([text], counter.max_chars)
        row = [table[slots] for _, slots in hash_slots(codes, counter.ngram_range, counter.hash_bits)]
        row = np.concatenate(row) if row else np.zeros(0, np.int32)
        indices.append(row[row >= 0])
        indptr.append(indptr[-1] + len(indices[-1]))
    shape = (len(texts), counter.n_features_out_)
    cols = np.concatenate(indices).astype(np.int32)
    dup = sp.csr_matrix((np.ones(len(cols), np.float32), cols, np.array(indptr)), shape=shape)
    return dup + sp.csr_matrix(shape, dtype=np.float32)


@pytest.mark.parametrize("chunk, block", [(1000, 64), (4, 3), (1, 1)])
def test_counts_equal_document_by_document(monkeypatch, chunk, block):
    monkeypatch.setattr(features, "_CHUNK", chunk)
    monkeypatch.setattr(features, "_BLOCK", block)
    counter = CharNgramCounter(min_df=1).fit(TEXTS)
    got, want = counter.transform(TEXTS), reference_counts(counter, TEXTS)
    assert got.dtype == np.float32 and got.shape == want.shape
    for name in ("indptr", "indices", "data"):  # same entries in the same order
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name))
    fitted = CharNgramCounter(min_df=1).fit_transform(TEXTS)
    assert (fitted != got).nnz == 0


def test_nul_in_a_text_is_whitespace():
    counter = CharNgramCounter(min_df=1).fit(["ab cd", "ab\x00cd"])
    counts = counter.transform(["ab cd", "ab\x00cd", "x"])
    assert counts.shape[0] == 3
    assert (counts[0] != counts[1]).nnz == 0


@pytest.fixture(scope="module")
def fitted_with_seeds():
    """As ``fitted``, plus 20 seed rows (topic only) for topics 1 and 2: topic models get 3 more columns."""
    X, Y = synthetic(260, 2)
    return GatedTopicClassifier().fit(X, _seeded_labels(), topic_only=SEED_ROWS), X


SEED_ROWS = np.r_[np.zeros(240, bool), np.ones(20, bool)]


def _seeded_labels() -> np.ndarray:
    Y = synthetic(260, 2)[1]
    Y[-20:, 0], Y[-20:, 1:] = 1, 0
    Y[-20:-10, 1], Y[-10:, 2] = 1, 1
    return Y


def test_stacked_path_with_folded_seeds_equals_each_model(fitted_with_seeds):
    clf, X = fitted_with_seeds
    assert clf.seed_vectors_.shape == (400, 3) and clf.topic_features(X).shape == (260, 403)
    reference = public_reference(clf, X, _seeded_labels(), topic_only=SEED_ROWS)
    assert reference.constant == [3]
    for rows in (X, X[:1], X.astype(np.float64)):
        got, want = clf.predict_proba(rows), reference.predict_proba(rows)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    assert clf.weights().shape == (4, 400)


def test_the_gate_is_the_same_with_and_without_seeds(fitted_with_seeds):
    clf, X = fitted_with_seeds
    seeds = np.zeros(260, bool)
    seeds[-20:] = True
    Y = np.zeros((260, 4), dtype=int)  # only the gate's column matters here
    Y[:, 0] = [int(p >= 0.5) for p in clf.predict_proba(X)[:, 0]]
    with_seeds = GatedTopicClassifier().fit(X, Y, topic_only=seeds)
    without = GatedTopicClassifier(seed_scale=0).fit(X, Y, topic_only=seeds)
    np.testing.assert_array_equal(with_seeds.weights()[0], without.weights()[0])


def test_seed_scale_is_frozen_at_fit(fitted_with_seeds):
    clf, X = fitted_with_seeds
    before = clf.predict_proba(X)
    changed = pickle.loads(pickle.dumps(clf))
    changed.set_params(seed_scale=3.0)
    np.testing.assert_array_equal(changed.predict_proba(X), before)


def test_ngram_columns_are_the_counted_ngrams():
    """What explanations read (``ngram_columns``) is what ``transform`` counts, position by position."""
    counter = CharNgramCounter(min_df=2).fit(TEXTS)
    for text in TEXTS[:9] + ["x\x00y 2024 export controls"]:
        columns = np.concatenate([np.zeros(0, np.int32)] + [cols for _, cols in counter.ngram_columns(text)])
        counted = np.bincount(columns[columns >= 0], minlength=counter.n_features_out_)
        np.testing.assert_array_equal(counted, counter.transform([text]).toarray()[0])
