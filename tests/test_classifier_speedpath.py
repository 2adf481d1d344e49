"""The fast tagging path gives the same numbers as the straightforward one.

``GatedTopicClassifier.predict_proba`` stacks the calibrated linear models into one weight matrix;
``CharNgramCounter`` hashes blocks of documents and merges duplicate n-grams in one scipy pass. Both
must match the per-model / per-document computation exactly: the order of a row's entries decides
the float32 rounding downstream, so it is checked too. With seed similarities folded into the
topic weights (``classifier.seeds``) the match is up to float32 rounding.
"""
from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from classifier import features, load_default_model
from classifier.estimator import GatedTopicClassifier, _positive
from classifier.features import CharNgramCounter, encode, hash_slots

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


def per_model_proba(clf: GatedTopicClassifier, X) -> np.ndarray:
    """What predict_proba computed before the stacked path: each model's own predict_proba (topic
    models on ``X`` plus its seed similarities)."""
    out = np.empty((X.shape[0], clf.n_outputs_))
    out[:, 0] = _positive(clf.gate_, X)
    topic_X = clf.topic_features(X)
    for j, model in enumerate(clf.topics_, 1):
        out[:, j] = out[:, 0] * _positive(model, topic_X)
    return out


def synthetic(rows: int, seed: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Random sparse features and labels that depend on them: relevance on columns 0-39, topics 1
    and 2 on columns 40-79 and 80-119; topic 3 is never positive (a DummyClassifier, answered by its
    own predict_proba)."""
    rng = np.random.default_rng(seed)
    X = sp.random(rows, 400, density=0.05, format="csr", dtype=np.float32, random_state=seed + 1)
    Y = np.zeros((rows, 4), dtype=int)
    Y[:, 0] = (X[:, :40].sum(axis=1).A1 + rng.normal(0, 0.05, rows)) > 0.05
    Y[:, 1] = Y[:, 0] & (X[:, 40:80].sum(axis=1).A1 > 0.1)
    Y[:, 2] = Y[:, 0] & (X[:, 80:120].sum(axis=1).A1 > 0.1)
    return X, Y


@pytest.fixture(scope="module")
def fitted():
    X, Y = synthetic(240, 0)
    return GatedTopicClassifier().fit(X, Y), X


def test_stacked_predict_proba_equals_each_model(fitted):
    clf, X = fitted
    assert type(clf.topics_[-1]).__name__ == "DummyClassifier"
    for rows in (X, X[:1], X[5:12], X.astype(np.float64)):
        np.testing.assert_array_equal(clf.predict_proba(rows), per_model_proba(clf, rows))


def test_stacked_weights_are_not_pickled_and_follow_refits(fitted):
    clf, X = fitted
    clf.predict_proba(X[:3])
    assert "_stacked_models" in clf.__dict__
    loaded = pickle.loads(pickle.dumps(clf))
    assert "_stacked_models" not in loaded.__dict__
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    refit = pickle.loads(pickle.dumps(clf))
    refit.predict_proba(X[:3])
    Y = np.ones((X.shape[0], 2), dtype=int)
    Y[::3, 0] = 0
    Y[::2, 1] = 0
    refit.fit(X, Y)  # new models: the cached matrix must not be reused
    np.testing.assert_array_equal(refit.predict_proba(X), per_model_proba(refit, X))


def reference_counts(counter: CharNgramCounter, texts: list[str]) -> sp.csr_matrix:
    """Document by document: the n-grams of each n in text order, duplicates summed by scipy."""
    table = counter._lookup()
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


def test_default_model_fast_path_equals_each_model():
    model = load_default_model()
    if model is None:
        pytest.skip("no default model")
    X, clf = model.pipeline[:-1].transform(TEXTS), model.pipeline[-1]
    # seed similarities folded into the float32 n-gram weights: equal up to float32 rounding (tags show 4 decimals)
    np.testing.assert_allclose(clf.predict_proba(X), per_model_proba(clf, X), rtol=0, atol=1e-5)


@pytest.fixture(scope="module")
def fitted_with_seeds():
    """As ``fitted``, plus 20 seed rows (topic only) for topics 1 and 2: topic models get 3 more columns."""
    X, Y = synthetic(260, 2)
    seeds = np.zeros(260, bool)
    seeds[-20:] = True
    Y[-20:, 0], Y[-20:, 1:] = 1, 0
    Y[-20:-10, 1], Y[-10:, 2] = 1, 1
    return GatedTopicClassifier().fit(X, Y, topic_only=seeds), X


def test_stacked_path_with_folded_seeds_equals_each_model(fitted_with_seeds):
    clf, X = fitted_with_seeds
    assert clf.seed_vectors_.shape == (400, 3) and clf.topic_features(X).shape == (260, 403)
    assert type(clf.topics_[-1]).__name__ == "DummyClassifier"
    for rows in (X, X[:1], X.astype(np.float64)):
        np.testing.assert_allclose(clf.predict_proba(rows), per_model_proba(clf, rows), rtol=0, atol=1e-6)
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
    np.testing.assert_allclose(per_model_proba(changed, X), before, atol=1e-6)


def test_a_model_pickled_before_seeds_still_works(fitted):
    clf, X = fitted
    old = pickle.loads(pickle.dumps(clf))
    for name in ("seed_scale", "seed_vectors_", "seed_scale_"):
        old.__dict__.pop(name, None)
    loaded = pickle.loads(pickle.dumps(old))
    assert "GatedTopicClassifier" in repr(loaded) and loaded.get_params()["seed_scale"] == 0.0
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.weights().shape == clf.weights().shape
