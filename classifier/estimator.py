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
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.utils.validation import check_is_fitted

from classifier.seeds import fold, seed_vectors, with_seed_similarity

try:  # private names; without them every model answers through its own predict_proba
    from sklearn.calibration import _SigmoidCalibration
    from sklearn.linear_model._base import LinearClassifierMixin
except ImportError:  # pragma: no cover
    _SigmoidCalibration = LinearClassifierMixin = None


class GatedTopicClassifier(ClassifierMixin, BaseEstimator):
    """Column 0 of ``Y`` is relevance; the other columns are topics (0/1).

    Each binary model is ``estimator`` wrapped in sigmoid calibration over ``calibration_folds``
    folds grouped by ``groups`` (so near-copies of a story do not calibrate each other).
    ``seed_scale`` scales the seed-similarity features (0: none).
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
        self.__dict__.pop("_stacked_models", None)
        self.seed_vectors_, self.seed_scale_ = None, 0.0
        if topic_only is not None and self.seed_scale and np.any(topic_only):
            self.seed_vectors_ = seed_vectors(X, Y, np.asarray(topic_only, bool))
            self.seed_scale_ = float(self.seed_scale)  # frozen: set_params after fit changes nothing
        self.gate_seeds_ = bool(self.gate_seeds and self.seed_vectors_ is not None)
        X_gate = self.topic_features(X[gate_rows]) if self.gate_seeds_ else X[gate_rows]
        self.gate_ = self._fit_one(X_gate, Y[gate_rows, 0], groups[gate_rows])
        relevant = Y[:, 0] == 1
        X_topics = self.topic_features(X[relevant])
        self.topics_ = [self._fit_one(X_topics, Y[relevant, j], groups[relevant]) for j in range(1, Y.shape[1])]
        self.n_outputs_ = Y.shape[1]
        self.n_features_in_ = X.shape[1]
        return self

    def topic_features(self, X):
        """What the topic models read: ``X`` plus the seed similarities (when the model has seeds)."""
        vectors = getattr(self, "seed_vectors_", None)  # None in models built before seeds
        return X if vectors is None else with_seed_similarity(X, vectors, self.seed_scale_)

    def _fold(self, coef: np.ndarray) -> np.ndarray:
        """A topic model's weights as weights over ``X`` alone."""
        vectors = getattr(self, "seed_vectors_", None)
        return coef if vectors is None else fold(coef, vectors, self.seed_scale_)

    def predict_proba(self, X) -> np.ndarray:
        """P(relevant) and, per topic, P(relevant and topic): shape (n_samples, 1 + n_topics)."""
        check_is_fitted(self, "gate_")
        positive = self._stacked().positive(X)
        out = np.empty((X.shape[0], self.n_outputs_))
        out[:, 0] = positive[0]
        for j in range(1, self.n_outputs_):
            out[:, j] = out[:, 0] * positive[j]
        return out

    def _stacked(self) -> _Stacked:
        """The fitted models as one weight matrix (built on first use, not pickled)."""
        stacked = getattr(self, "_stacked_models", None)
        if stacked is None or not stacked.built_from(self.gate_, self.topics_):
            folded = [getattr(self, "gate_seeds_", False)] + [True] * len(self.topics_)
            stacked = self._stacked_models = _Stacked(self.gate_, self.topics_, self._fold, self.topic_features, folded)
        return stacked

    def __setstate__(self, state):
        # models pickled before seed similarity existed: no seeds, and get_params/clone still work
        super().__setstate__(state)
        self.__dict__.setdefault("seed_scale", 0.0)
        self.__dict__.setdefault("seed_vectors_", None)
        if "seed_scale_" not in self.__dict__:
            self.seed_scale_ = float(self.seed_scale) if self.seed_vectors_ is not None else 0.0

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_stacked_models", None)  # derived from gate_ and topics_; rebuilt on first use
        return state

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= 0.5).astype(int)

    def weights(self) -> np.ndarray:
        """Linear weight of each feature for each output (averaged over calibration folds): what
        an explanation multiplies the features by."""
        check_is_fitted(self, "gate_")
        n = self.n_features_in_
        vectors = getattr(self, "seed_vectors_", None)
        width = n if vectors is None else n + vectors.shape[1]
        gate = self._fold(_coef(self.gate_, width)) if getattr(self, "gate_seeds_", False) else _coef(self.gate_, n)
        return np.vstack([gate, *[self._fold(_coef(m, width)) for m in self.topics_]])

    def _fit_one(self, X, y, groups):
        base = self.estimator if self.estimator is not None else default_estimator()
        n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
        if min(n_pos, n_neg) == 0:
            return DummyClassifier(strategy="prior").fit(X, y)
        folds = min(self.calibration_folds, n_pos, n_neg, len(np.unique(groups)))
        if folds < 2:
            return _compact(clone(base).fit(X, y))
        splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=self.random_state)
        splits = list(splitter.split(X, y, groups))
        if any(len(np.unique(y[train])) < 2 for train, _ in splits):
            return _compact(clone(base).fit(X, y))
        with warnings.catch_warnings():
            # the loose tolerance is deliberate; what matters, the calibrated scores, is cross-validated
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = CalibratedClassifierCV(clone(base), method="sigmoid", cv=splits, ensemble=False).fit(X, y)
        return _compact(model)


def default_estimator():
    # Weak regularisation: cross-validation (grouped by event) preferred C=200 over 5, 20 and 60.
    # The dual solver with a loose tolerance fits 2-3x faster on text (more n-grams than articles)
    # and scored the same in cross-validation. On the 638 shared records every fit converges within
    # 20 passes (max_iter 20 and 100 give the same cross-validated scores); on 10,000 articles the
    # default 100 passes were the cap and most of the training time (10 passes cost 0.003 macro-F1).
    return LogisticRegression(
        C=200.0, class_weight="balanced", solver="liblinear", dual=True, tol=1e-2, max_iter=20, random_state=0
    )


def _compact(model):
    """Weights as float32: halves the model file (one weight per n-gram per label), same scores."""
    for fitted in [c.estimator for c in getattr(model, "calibrated_classifiers_", [])] or [model]:
        if getattr(fitted, "coef_", None) is not None:
            fitted.coef_ = fitted.coef_.astype(np.float32)
    return model


class _Stacked:
    """P(label 1) of each model, with the weights of every sigmoid-calibrated linear model stacked
    into one (n_features x k) matrix: one sparse product gives all decision functions instead of
    one product per model, and the calibration is applied here without scikit-learn's per-call
    input checks (most of the time on a single article).

    Same numbers as ``model.predict_proba``: the product sums each row in the same order and
    precision (float32 weights stay float32), then adds the intercept in float64 and applies
    ``_SigmoidCalibration.predict``'s ``expit(-(a * f + b))``. Other models (a constant
    ``DummyClassifier``, an uncalibrated fit) go through their own ``predict_proba``.

    ``fold`` turns a topic model's weights into weights over ``X`` alone (seed similarities folded
    in: equal up to float rounding); ``topic_input`` makes the input the topic models' own
    ``predict_proba`` needs.
    """

    def __init__(self, gate, topics: list, fold=None, topic_input=None, folded: list[bool] | None = None) -> None:
        self.gate, self.topics = gate, tuple(topics)
        self.topic_input = topic_input or (lambda X: X)
        self.folded = folded or [False] + [True] * len(self.topics)
        self.plans: list[list[tuple[np.dtype, int, float, float, float]] | None] = []
        columns: dict[np.dtype, list[np.ndarray]] = {}
        for k, model in enumerate([gate, *topics]):
            parts = _sigmoid_linear_parts(model)
            if parts is None:
                self.plans.append(None)
                continue
            plan = []
            for coef, intercept, a, b in parts:
                coef = fold(coef) if fold is not None and self.folded[k] else coef
                plan.append((coef.dtype, len(columns.setdefault(coef.dtype, [])), intercept, a, b))
                columns[coef.dtype].append(coef)
            self.plans.append(plan)
        # C order: scipy's sparse x dense product reads each feature's k weights together
        self.weights = {dtype: np.ascontiguousarray(np.column_stack(cols)) for dtype, cols in columns.items()}
        self.cast: dict[tuple[np.dtype, np.dtype], np.ndarray] = {}

    def _cast(self, dtype: np.dtype, input_dtype: np.dtype) -> np.ndarray:
        """The weights in the product's type (float64 for float64 input), converted once rather
        than by scipy on every call: the same values as the float32 weights."""
        common = np.result_type(dtype, input_dtype)
        if common == dtype:
            return self.weights[dtype]
        if (dtype, common) not in self.cast:
            self.cast[(dtype, common)] = self.weights[dtype].astype(common)
        return self.cast[(dtype, common)]

    def built_from(self, gate, topics: list) -> bool:
        return self.gate is gate and len(self.topics) == len(topics) and all(a is b for a, b in zip(self.topics, topics))

    def positive(self, X) -> list[np.ndarray]:
        scores = {dtype: np.asarray(X @ self._cast(dtype, X.dtype)) for dtype in self.weights}
        out = []
        topic_X = None
        for k, (model, plan) in enumerate(zip([self.gate, *self.topics], self.plans)):
            if plan is None:
                if self.folded[k] and topic_X is None:
                    topic_X = self.topic_input(X)
                out.append(_positive(model, topic_X if self.folded[k] else X))
                continue
            mean = np.zeros(X.shape[0])
            for dtype, column, intercept, a, b in plan:
                decision = scores[dtype][:, column].astype(np.float64) + intercept
                mean += expit(-(a * decision + b))
            out.append(mean / len(plan))
        return out


def _sigmoid_linear_parts(model) -> list[tuple[np.ndarray, float, float, float]] | None:
    """(weights, intercept, a, b) per calibrated classifier of a binary, sigmoid-calibrated linear
    model; None for any other model."""
    if LinearClassifierMixin is None or not isinstance(model, CalibratedClassifierCV) or list(model.classes_) != [0, 1]:
        return None
    parts = []
    for calibrated in model.calibrated_classifiers_:
        fitted, calibrators = calibrated.estimator, calibrated.calibrators
        coef, intercept = getattr(fitted, "coef_", None), getattr(fitted, "intercept_", None)
        if (
            calibrated.method != "sigmoid"
            # decision_function = X @ coef_.T + intercept_, not an override
            or getattr(type(fitted), "decision_function", None) is not LinearClassifierMixin.decision_function
            or list(getattr(fitted, "classes_", [])) != [0, 1]
            or coef is None
            or np.ndim(coef) != 2
            or coef.shape[0] != 1
            or np.size(intercept) != 1
            or len(calibrators) != 1
            or not isinstance(calibrators[0], _SigmoidCalibration)
        ):
            return None
        calibrator = calibrators[0]
        parts.append((coef[0], np.float64(np.ravel(intercept)[0]), calibrator.a_, calibrator.b_))
    return parts or None


def _positive(model, X) -> np.ndarray:
    proba = model.predict_proba(X)
    classes = list(model.classes_)
    return proba[:, classes.index(1)] if 1 in classes else np.zeros(X.shape[0])


def _coef(model, n_features: int) -> np.ndarray:
    if isinstance(model, CalibratedClassifierCV):
        return np.mean([_coef(c.estimator, n_features) for c in model.calibrated_classifiers_], axis=0)
    coef = getattr(model, "coef_", None)
    # a constant model (a label never or always seen): no feature pushes it
    return np.zeros(n_features) if coef is None else np.asarray(coef).ravel()
