"""The owned fast path (``classifier.fastpath``) is scikit-learn's calibrated model, to the last digits.

Three pins: against ``CalibratedClassifierCV(method="sigmoid", ensemble=False)`` fitted here the
way the classifier used it before (public scikit-learn only); against probabilities the previous
code (commit 77ff046, which read scikit-learn's private calibrators) gave on the same synthetic data;
and, when ``../shared`` is present, against that code's probabilities on the shared training data.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from classifier.estimator import GatedTopicClassifier, default_estimator
from classifier.fastpath import SigmoidLinear, StackedSigmoids, fit_sigmoid

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data" / "realnews-train.jsonl"


def synthetic(rows: int, seed: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Random sparse features and labels that depend on them: relevance on columns 0-39, topics 1
    and 2 on columns 40-79 and 80-119; topic 3 is never positive (a constant label)."""
    rng = np.random.default_rng(seed)
    X = sp.random(rows, 400, density=0.05, format="csr", dtype=np.float32, random_state=seed + 1)
    Y = np.zeros((rows, 4), dtype=int)
    Y[:, 0] = (X[:, :40].sum(axis=1).A1 + rng.normal(0, 0.05, rows)) > 0.05
    Y[:, 1] = Y[:, 0] & (X[:, 40:80].sum(axis=1).A1 > 0.1)
    Y[:, 2] = Y[:, 0] & (X[:, 80:120].sum(axis=1).A1 > 0.1)
    return X, Y


class public_reference:
    """The gated classifier computed the straightforward way with scikit-learn's public estimators:
    per label a ``CalibratedClassifierCV`` (or a ``DummyClassifier``, or a plain fit when there are
    too few examples to calibrate), each answering through its own ``predict_proba``; topic models
    on ``clf.topic_features(X)`` (seed similarities as columns, not folded). Its weights stay
    float64 where the classifier keeps float32 (half the model file): equal to about 1e-7."""

    def __init__(self, clf: GatedTopicClassifier, X, Y, groups=None, topic_only=None) -> None:
        Y = np.asarray(Y)
        X = X.tocsr().astype(np.float64)
        X.sort_indices()
        groups = np.arange(len(Y)) if groups is None else np.asarray(groups)
        gate_rows = np.ones(len(Y), bool) if topic_only is None else ~np.asarray(topic_only, bool)
        self.clf, self.constant = clf, []
        self.gate = self._fit(clf, X[gate_rows], Y[gate_rows, 0], groups[gate_rows], 0)
        relevant = Y[:, 0] == 1
        X_topics = clf.topic_features(X[relevant])
        self.topics = [self._fit(clf, X_topics, Y[relevant, j], groups[relevant], j) for j in range(1, Y.shape[1])]

    def _fit(self, clf, X, y, groups, output: int):
        base = clf.estimator or default_estimator()
        n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
        if min(n_pos, n_neg) == 0:
            self.constant.append(output)
            return DummyClassifier(strategy="prior").fit(X, y)
        folds = min(clf.calibration_folds, n_pos, n_neg, len(np.unique(groups)))
        if folds < 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                return clone(base).fit(X, y)
        splits = list(StratifiedGroupKFold(folds, shuffle=True, random_state=clf.random_state).split(X, y, groups))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # 20 passes on purpose (estimator.py)
            return CalibratedClassifierCV(clone(base), method="sigmoid", cv=splits, ensemble=False).fit(X, y)

    def predict_proba(self, X) -> np.ndarray:
        def positive(model, features):
            proba = model.predict_proba(features)
            return proba[:, list(model.classes_).index(1)] if 1 in model.classes_ else np.zeros(X.shape[0])

        out = np.column_stack([positive(self.gate, X)] + [positive(m, self.clf.topic_features(X)) for m in self.topics])
        out[:, 1:] *= out[:, [0]]
        return out


def test_equals_calibrated_classifier_cv_without_seeds():
    X, Y = synthetic(300, 5)
    groups = np.arange(300) // 3  # near-copies share a group
    clf = GatedTopicClassifier().fit(X, Y, groups=groups)
    reference = public_reference(clf, X, Y, groups)
    assert reference.constant == [3]
    np.testing.assert_allclose(clf.predict_proba(X), reference.predict_proba(X), rtol=0, atol=1e-6)


def test_too_few_to_calibrate_is_a_plain_logistic_regression():
    X, Y = synthetic(200, 7)
    Y[:, 3] = 0
    Y[np.flatnonzero(Y[:, 0])[0], 3] = 1  # one positive: no calibration folds
    clf = GatedTopicClassifier().fit(X, Y)
    reference = public_reference(clf, X, Y)
    assert isinstance(reference.topics[2], LogisticRegression)
    np.testing.assert_allclose(clf.predict_proba(X), reference.predict_proba(X), rtol=0, atol=1e-6)


# probabilities of rows 0, 26, 52, ... of the seeded synthetic data (tests/test_classifier_speedpath.py,
# ``fitted_with_seeds``) computed by the code before this module existed (commit 77ff046)
BEFORE_SEEDED = [
    [0.9399978626156351, 0.7896513590030597, 0.8296089155533874, 0.0],
    [0.9050743490687397, 0.8202918327648691, 0.7681978546538553, 0.0],
    [0.9075145349606059, 0.8273868601998067, 0.3476064467328262, 0.0],
    [0.9321685001732606, 0.8512680129943409, 0.3468944214526405, 0.0],
    [0.914788149531088, 0.852080855389146, 0.7279902541313692, 0.0],
    [0.9219799037224364, 0.810558278034546, 0.8844324040347368, 0.0],
    [0.9161398438107153, 0.8278274245941463, 0.8234150283180343, 0.0],
    [0.9258363116246906, 0.8176887255911375, 0.8690923292156967, 0.0],
    [0.5012681934803537, 0.4295878854495638, 0.34184517636536205, 0.0],
    [0.9060682201334689, 0.7817587245650833, 0.511992307114803, 0.0],
]


def test_same_probabilities_as_before_with_seeds():
    X, Y = synthetic(260, 2)
    seeds = np.r_[np.zeros(240, bool), np.ones(20, bool)]
    Y[-20:, 0], Y[-20:, 1:] = 1, 0
    Y[-20:-10, 1], Y[-10:, 2] = 1, 1
    clf = GatedTopicClassifier().fit(X, Y, topic_only=seeds)
    np.testing.assert_allclose(clf.predict_proba(X[::26]), BEFORE_SEEDED, rtol=0, atol=1e-9)


# the code before this module (commit 77ff046) fitted on the shared records and the team's examples
# (``fit_records``, the default model's final fit) and scored the shared records: per-label sums
# and the first three rows
BEFORE_SHARED_SUMS = [418.8264684522884, 83.38000376533672, 74.53338935019607, 69.35031646588824,
                      110.40553977493525, 77.62414084759119, 96.23728891426936, 70.99943917653086]
BEFORE_SHARED_ROWS = [
    [9.9959654371972184e-01, 9.8969091422891264e-01, 7.2570067113520082e-04, 2.9270397851202047e-03,
     4.1177107643110542e-02, 5.0576019146005092e-03, 5.8858769872578827e-02, 9.9340619002355512e-01],
    [9.9993502749011876e-01, 3.7462453858465423e-02, 3.5721109336834069e-04, 4.5704615213865698e-03,
     9.8002472061838308e-01, 9.8382544857223020e-01, 5.1883282077287230e-03, 9.9964166186000802e-01],
    [2.8113238649221766e-05, 4.5720439324561175e-07, 1.1257260939058979e-06, 7.5636170176317315e-07,
     6.6471194813393221e-07, 7.0159737010877031e-06, 4.2653385965444384e-06, 3.1365973219270844e-06],
]


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_DATA.is_file(), reason="no ../shared/data/realnews-train.jsonl")
def test_same_probabilities_as_before_on_the_shared_data():
    from classifier.taxonomy import load_taxonomy
    from classifier.training import fit_records, read_examples, read_jsonl, texts_of

    records = list(read_jsonl(SHARED_DATA))
    proba = fit_records(records, load_taxonomy(), read_examples()).predict_proba(texts_of(records))
    np.testing.assert_allclose(proba[:3], BEFORE_SHARED_ROWS, rtol=0, atol=1e-9)
    np.testing.assert_allclose(proba.sum(axis=0), BEFORE_SHARED_SUMS, rtol=0, atol=1e-8)


def test_fit_sigmoid_is_platt_scaling():
    rng = np.random.default_rng(0)
    decision = rng.normal(0, 2, 500)
    y = (rng.random(500) < 1 / (1 + np.exp(-decision))).astype(int)
    a, b = fit_sigmoid(decision, y)
    assert a == pytest.approx(-1, abs=0.2) and b == pytest.approx(0, abs=0.3)  # P = expit(decision)
    big_a, big_b = fit_sigmoid(100 * decision, y)  # large values are rescaled before fitting
    assert big_a * 100 == pytest.approx(a, rel=1e-5) and big_b == pytest.approx(b, abs=1e-5)
    a, b = fit_sigmoid(np.r_[-50.0, 50.0], np.array([0, 1]))  # two examples: smoothed targets, no 0 or 1
    assert 0 < 1 / (1 + np.exp(a * -50 + b)) < 1 and 0 < 1 / (1 + np.exp(a * 50 + b)) < 1


def test_constant_labels_are_exactly_zero_or_one():
    stacked = StackedSigmoids([SigmoidLinear.constant(3, True), SigmoidLinear.constant(3, False)])
    X = sp.csr_matrix(np.array([[0.0, 1.0, 5.0], [0.0, 0.0, 0.0]], dtype=np.float32))
    np.testing.assert_array_equal(stacked.positive(X), [[1.0, 0.0], [1.0, 0.0]])


PRIVATE_IMPORT = re.compile(r"from sklearn[\w.]*\._\w*|from sklearn[\w.]* import[^\n]*\b_\w+|import sklearn[\w.]*\._")


def test_the_classifier_uses_scikit_learns_public_api_only():
    for path in sorted((ROOT / "classifier").glob("*.py")):
        text = path.read_text()
        assert not PRIVATE_IMPORT.search(text), path
        assert "calibrators" not in text and ".a_" not in text, path
    explain = (ROOT / "classifier" / "explain.py").read_text()
    assert not re.search(r"counter\._", explain)
