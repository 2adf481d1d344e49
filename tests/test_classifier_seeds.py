"""Seed similarity: one feature per topic for the topic models, folded into the n-gram weights."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from classifier.estimator import GatedTopicClassifier
from classifier.features import CharNgramCounter
from classifier.seeds import fold, seed_vectors, with_seed_similarity
from test_classifier_fastpath import public_reference

DOCS = [
    "экспортный контроль на чипы ужесточён",
    "декларация Блетчли о безопасности ИИ подписана",
    "курс биткоина вырос",
]
SEEDS = ["экспортный контроль на ИИ-чипы", "декларация Блетчли; безопасность ИИ", "саммит по безопасности ИИ"]
# relevance, then two topics; the seed rows name their topic
Y = np.array([[1, 1, 0], [1, 0, 1], [0, 0, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1]])
SEED_ROWS = np.array([False, False, False, True, True, True])


def _tfidf(texts: list[str]):
    counter = CharNgramCounter(min_df=1)
    return TfidfTransformer(sublinear_tf=True).fit_transform(counter.fit_transform(texts))


def test_a_topic_vector_is_the_elementwise_max_of_its_phrases():
    X = _tfidf(DOCS + SEEDS)
    vectors = seed_vectors(X, Y, SEED_ROWS)
    assert vectors.shape == (X.shape[1], 2)
    np.testing.assert_allclose(vectors[:, 0].toarray().ravel(), X[3].toarray().ravel())
    np.testing.assert_allclose(vectors[:, 1].toarray().ravel(), X[4:6].toarray().max(axis=0))


def test_similarity_columns_are_scaled_dot_products_and_each_doc_is_nearest_its_topic():
    X = _tfidf(DOCS + SEEDS)
    vectors = seed_vectors(X, Y, SEED_ROWS)
    out = with_seed_similarity(X[:3], vectors, 2.0)
    assert out.shape == (3, X.shape[1] + 2) and out.dtype == X.dtype
    extra = out[:, -2:].toarray()
    np.testing.assert_allclose(extra, 2.0 * (X[:3] @ vectors).toarray(), rtol=1e-5)
    assert extra[0, 0] > extra[0, 1] and extra[1, 1] > extra[1, 0]
    assert extra[2].max() < min(extra[0, 0], extra[1, 1])


def test_folded_weights_give_the_same_decision_values():
    X = _tfidf(DOCS + SEEDS)
    vectors = seed_vectors(X, Y, SEED_ROWS)
    coef = np.random.default_rng(0).normal(size=X.shape[1] + 2).astype(np.float32)
    direct = with_seed_similarity(X, vectors, 2.0) @ coef
    folded = X @ fold(coef, vectors, 2.0)
    np.testing.assert_allclose(folded, direct, atol=1e-5)


def test_the_gate_ignores_seeds_and_topic_models_use_them():
    X = _tfidf(DOCS + SEEDS)
    clf = GatedTopicClassifier(calibration_folds=1).fit(X, Y, topic_only=SEED_ROWS)
    assert clf.seed_vectors_.shape == (X.shape[1], 2)
    assert clf.topic_features(X).shape[1] == X.shape[1] + 2
    proba = clf.predict_proba(X)
    straight = public_reference(clf, X, Y, topic_only=SEED_ROWS).predict_proba(X)
    np.testing.assert_allclose(proba, straight, atol=1e-6)
    assert clf.weights().shape == (3, X.shape[1])
    without = GatedTopicClassifier(calibration_folds=1, seed_scale=0).fit(X, Y, topic_only=SEED_ROWS)
    assert without.seed_vectors_ is None and without.topic_features(X) is X
    assert sp.issparse(clf.topic_features(X))
