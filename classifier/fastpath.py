"""Every label as a linear score squashed by a fitted sigmoid, all labels in one weight matrix.

Why here and not in scikit-learn: ``CalibratedClassifierCV(method="sigmoid", ensemble=False)``
computes exactly this model, but answers one label at a time with input checks on every call (most
of the time on a single article), and its sigmoid parameters sit on private classes. So the model
is built from public pieces instead: ``cross_val_predict`` gives the out-of-fold decision values of
a ``LogisticRegression``, ``fit_sigmoid`` fits Platt's sigmoid to them the way that class does, and
the fitted ``coef_`` and ``intercept_`` give the weights. ``tests/test_classifier_fastpath.py``
checks the result against ``CalibratedClassifierCV`` itself.
"""
from __future__ import annotations

from dataclasses import dataclass
import math

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

# Platt's scaling as scikit-learn 1.9 fits it (Platt 2000, targets of section 2.2): decision values
# of 30 or more are divided by the largest first, and L-BFGS-B stops at these tolerances
_LARGE_DECISION = 30.0
_GTOL, _FTOL = 1e-6, 64 * np.finfo(float).eps


def fit_sigmoid(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(a, b) of P(y=1) = expit(-(a * decision + b)), by maximum likelihood against Platt's smoothed
    targets ((n1 + 1) / (n1 + 2) for positives, 1 / (n0 + 2) for negatives) so that a handful of
    examples does not give probabilities of exactly 0 or 1."""
    F = np.asarray(decision, dtype=np.float64).ravel()
    y = np.asarray(y).ravel()
    scale = 1.0
    largest = float(np.max(np.abs(F)))
    if largest >= _LARGE_DECISION:
        scale, F = largest, F / largest
    negative = y <= 0
    n0 = float(np.sum(negative))
    n1 = len(y) - n0
    target = np.where(negative, 1.0 / (n0 + 2.0), (n1 + 1.0) / (n1 + 2.0))

    def loss_grad(ab: np.ndarray) -> tuple[float, np.ndarray]:
        loss, gradient = _half_binomial(target, -(ab[0] * F + ab[1]))
        return loss.sum(), np.asarray([-gradient @ F, -gradient.sum()], dtype=np.float64)

    start = np.array([0.0, math.log((n0 + 1.0) / (n1 + 1.0))])
    ab = minimize(loss_grad, start, method="L-BFGS-B", jac=True, options={"gtol": _GTOL, "ftol": _FTOL}).x
    return float(ab[0] / scale), float(ab[1])


# the C library's exp and log1p, as scikit-learn's compiled loss calls them: numpy's own (vectorised)
# ones differ in the last digit for ~5% of inputs, enough to stop L-BFGS-B one step earlier or later
_exp = np.frompyfunc(math.exp, 1, 1)
_log1p = np.frompyfunc(math.log1p, 1, 1)


def _libm(function, x: np.ndarray) -> np.ndarray:
    return function(x).astype(np.float64)


def _half_binomial(target: np.ndarray, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sample: the loss log(1 + exp(raw)) - target * raw and its derivative expit(raw) - target,
    written per range of ``raw`` so that neither overflows nor loses digits (the formulas of
    scikit-learn's HalfBinomialLoss, so the fitted sigmoid is the same to the last digits)."""
    loss, gradient = np.empty_like(raw), np.empty_like(raw)
    rows = raw <= -37  # exp(raw) is below 1e-16: log(1 + e) = e
    r, t, e = raw[rows], target[rows], _libm(_exp, raw[rows])
    loss[rows], gradient[rows] = e - t * r, e - t
    rows = (raw > -37) & (raw <= -2)
    r, t, e = raw[rows], target[rows], _libm(_exp, raw[rows])
    loss[rows], gradient[rows] = _libm(_log1p, e) - t * r, ((1 - t) * e - t) / (1 + e)
    rows = (raw > -2) & (raw <= 18)  # from here e = exp(-raw): log(1 + exp(raw)) = raw + log(1 + e)
    r, t, e = raw[rows], target[rows], _libm(_exp, -raw[rows])
    loss[rows], gradient[rows] = _libm(_log1p, e) + (1 - t) * r, ((1 - t) - t * e) / (1 + e)
    rows = raw > 18
    r, t, e = raw[rows], target[rows], _libm(_exp, -raw[rows])
    loss[rows], gradient[rows] = e + (1 - t) * r, ((1 - t) - t * e) / (1 + e)
    return loss, gradient


@dataclass(frozen=True)
class SigmoidLinear:
    """One binary label: P(1) = expit(-(a * (x @ coef + intercept) + b)).

    A label seen with one class only is the constant 1 or 0: ``a = 0`` and ``b = -inf`` or ``+inf``.
    An uncalibrated logistic regression is ``a = -1``, ``b = 0``."""

    coef: np.ndarray  # float32: halves the model file (one weight per n-gram per label), same scores
    intercept: float
    a: float
    b: float

    @classmethod
    def constant(cls, n_features: int, positive: bool) -> SigmoidLinear:
        return cls(np.zeros(n_features, np.float32), 0.0, 0.0, -np.inf if positive else np.inf)

    @classmethod
    def from_linear(cls, model, a: float = -1.0, b: float = 0.0) -> SigmoidLinear:
        """From a fitted binary linear classifier's public ``coef_`` and ``intercept_``."""
        return cls(np.asarray(model.coef_, np.float32).ravel(), float(np.ravel(model.intercept_)[0]), a, b)


class StackedSigmoids:
    """Several ``SigmoidLinear`` labels with their weights stacked into one (n_features x k)
    matrix: one sparse product gives every label's decision value.

    The numbers are those of scikit-learn's ``LogisticRegression.decision_function`` and of the
    calibrated sigmoid: the product sums each row in the weights' precision (float32 stays float32),
    then the intercept is added in float64."""

    def __init__(self, labels: list[SigmoidLinear]) -> None:
        # C order: scipy's sparse x dense product reads each feature's k weights together
        self.weights = np.ascontiguousarray(np.column_stack([label.coef for label in labels]))
        self.intercepts = np.array([label.intercept for label in labels], dtype=np.float64)
        self.a = np.array([label.a for label in labels], dtype=np.float64)
        self.b = np.array([label.b for label in labels], dtype=np.float64)

    @property
    def n_features(self) -> int:
        return self.weights.shape[0]

    def decision_function(self, X) -> np.ndarray:
        """(n_samples, k) linear scores. Float64 input gets float64 weights (converted per call:
        only tests send float64; the pipeline's TF-IDF is float32)."""
        common = np.result_type(self.weights.dtype, X.dtype)
        weights = self.weights if common == self.weights.dtype else self.weights.astype(common)
        return np.asarray(X @ weights).astype(np.float64) + self.intercepts

    def positive(self, X) -> np.ndarray:
        """(n_samples, k): P(label = 1) for each label."""
        return expit(-(self.a * self.decision_function(X) + self.b))
