"""The relevance gate and the one-vs-rest topic models, as one scikit-learn estimator.

Output columns of ``predict_proba``: P(relevant), then for each topic P(relevant and topic) =
P(relevant) * P(topic | relevant). Topic models learn from relevant articles only, so the hard
negatives (sanctions on oil, UN votes on Gaza) teach the gate and do not blur the topics. Topic
models also see one seed-similarity feature per topic (``classifier.seeds``); the gate does not
(cross-validation: the gate scored the same without them, and Chinese relevance better).
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted

from classifier.fastpath import SigmoidLinear, StackedSigmoids, fit_sigmoid
from classifier.seeds import fold, seed_vectors, with_seed_similarity


class GatedTopicClassifier(ClassifierMixin, BaseEstimator):
    """Column 0 of ``Y`` is relevance; the other columns are topics (0/1).

    Each binary model is ``estimator`` (a linear classifier) with a sigmoid calibrated on its
    out-of-fold decision values over ``calibration_folds`` folds grouped by ``groups`` (so
    near-copies of a story do not calibrate each other): what ``CalibratedClassifierCV(estimator,
    method="sigmoid", ensemble=False)`` fits (``classifier.fastpath``). ``seed_scale`` scales the
    seed-similarity features (0: none).
    """

    def __init__(
        self,
        estimator=None,
        calibration_folds: int = 3,
        random_state: int = 0,
        seed_scale: float = 1.5,
        gate_seeds: bool = False,
    ) -> None:
        self.estimator = estimator
        self.calibration_folds = calibration_folds
        self.random_state = random_state
        self.seed_scale = seed_scale
        self.gate_seeds = gate_seeds

    def fit(self, X, Y, groups=None, topic_only=None):
        """``topic_only`` marks rows (seed phrases) that teach the topic models but not the gate, and
        that make the topics' seed vectors."""
        Y = np.asarray(Y, dtype=int)
        if Y.ndim != 2 or Y.shape[1] < 1 or Y.shape[0] != X.shape[0]:
            raise ValueError(f"Y must be (n_samples, 1 + n_topics), got {Y.shape}")
        groups = np.arange(len(Y)) if groups is None else np.asarray(groups)
        if hasattr(X, "sort_indices"):
            # once here rather than in each of the 32 fits on row slices (a sorted matrix gives
            # sorted slices): liblinear's input check sorts a copy otherwise, 20 s on 10k articles;
            # likewise it converts float32 to a float64 copy in every fit (~4 s on 10k articles)
            X = X.tocsr().astype(np.float64)
            X.sort_indices()
        gate_rows = np.ones(len(Y), bool) if topic_only is None else ~np.asarray(topic_only, bool)
        self.seed_vectors_, self.seed_scale_ = None, 0.0
        if topic_only is not None and self.seed_scale and np.any(topic_only):
            self.seed_vectors_ = seed_vectors(X, Y, np.asarray(topic_only, bool))
            self.seed_scale_ = float(self.seed_scale)  # frozen: set_params after fit changes nothing
        self.gate_seeds_ = bool(self.gate_seeds and self.seed_vectors_ is not None)
        X_gate = self.topic_features(X[gate_rows]) if self.gate_seeds_ else X[gate_rows]
        gate = self._fit_one(X_gate, Y[gate_rows, 0], groups[gate_rows])
        relevant = Y[:, 0] == 1
        X_topics = self.topic_features(X[relevant])
        topics = [self._fit_one(X_topics, Y[relevant, j], groups[relevant]) for j in range(1, Y.shape[1])]
        # seed similarities folded into the n-gram weights: every label reads X alone
        self.labels_ = StackedSigmoids([self._folded(gate) if self.gate_seeds_ else gate, *map(self._folded, topics)])
        self.n_outputs_ = Y.shape[1]
        self.n_features_in_ = X.shape[1]
        return self

    def topic_features(self, X):
        """What the topic models are fitted on: ``X`` plus the seed similarities (when the model has
        seeds)."""
        check_is_fitted(self, "seed_vectors_")
        return X if self.seed_vectors_ is None else with_seed_similarity(X, self.seed_vectors_, self.seed_scale_)

    def _folded(self, label: SigmoidLinear) -> SigmoidLinear:
        """A label fitted on ``topic_features`` as one over ``X`` alone (equal up to float32 rounding)."""
        if self.seed_vectors_ is None:
            return label
        return SigmoidLinear(fold(label.coef, self.seed_vectors_, self.seed_scale_), label.intercept, label.a, label.b)

    def predict_proba(self, X) -> np.ndarray:
        """P(relevant) and, per topic, P(relevant and topic): shape (n_samples, 1 + n_topics)."""
        check_is_fitted(self, "labels_")
        out = self.labels_.positive(X)
        out[:, 1:] *= out[:, [0]]
        return out

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= 0.5).astype(int)

    def weights(self) -> np.ndarray:
        """(1 + n_topics, n_features) linear weight of each feature for each output (seed
        similarities folded in): what an explanation multiplies the features by."""
        check_is_fitted(self, "labels_")
        return self.labels_.weights.T

    def _fit_one(self, X, y, groups) -> SigmoidLinear:
        base = self.estimator if self.estimator is not None else default_estimator()
        n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
        if min(n_pos, n_neg) == 0:  # nothing to learn: the label is always (or never) given
            return SigmoidLinear.constant(X.shape[1], positive=n_pos > 0)
        folds = min(self.calibration_folds, n_pos, n_neg, len(np.unique(groups)))
        splits = []
        if folds >= 2:
            splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=self.random_state)
            splits = list(splitter.split(X, y, groups))
        with warnings.catch_warnings():
            # the loose tolerance is deliberate; what matters, the calibrated scores, is cross-validated
            warnings.simplefilter("ignore", ConvergenceWarning)
            if not splits or any(len(np.unique(y[train])) < 2 for train, _ in splits):
                return SigmoidLinear.from_linear(clone(base).fit(X, y))  # too few to calibrate
            decision = cross_val_predict(clone(base), X, y, cv=splits, method="decision_function")
            model = clone(base).fit(X, y)
        return SigmoidLinear.from_linear(model, *fit_sigmoid(decision, y))


def default_estimator():
    # Weak regularisation: cross-validation (grouped by event) preferred C=200 over 5, 20 and 60.
    # The dual solver with a loose tolerance fits 2-3x faster on text (more n-grams than articles)
    # and scored the same in cross-validation. On the 638 shared records every fit converges within
    # 20 passes (max_iter 20 and 100 give the same cross-validated scores); on 10,000 articles the
    # default 100 passes were the cap and most of the training time (10 passes cost 0.003 macro-F1).
    return LogisticRegression(
        C=200.0, class_weight="balanced", solver="liblinear", dual=True, tol=1e-2, max_iter=20, random_state=0
    )
