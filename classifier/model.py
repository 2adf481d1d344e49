"""TopicModel: one fitted scikit-learn Pipeline plus the thresholds and version that go with it.

The Pipeline (char n-gram counts -> TF-IDF -> gated calibrated classifiers) is saved and loaded as a
whole with joblib; the scikit-learn version it was built with and the layout of the saved objects
(``FORMAT``) are stored beside it and checked on load, because a pickle from another version may
load and then predict wrongly. Such a model is rebuilt, never converted.
"""
from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.pipeline import Pipeline

from newsmon.errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL = Path(__file__).with_name("models") / "default.joblib"
# the layout of the saved objects; raise it when a fitted attribute changes (2: every label in one
# classifier.fastpath.StackedSigmoids, the counter's column_of_slot_ fitted and saved)
FORMAT = 2


@dataclass(frozen=True)
class Tags:
    """What the model says about one article. ``topics``: label -> calibrated confidence, only the
    labels the model assigns (at or above their threshold); empty when the article is not relevant."""

    relevance: float
    relevant: bool
    topics: dict[str, float] = field(default_factory=dict)


def as_text(title: str | None, text: str) -> str:
    """The string the model reads: the headline twice, then the body. The headline names what the
    story is about in the outlet's own words; counting it twice raised the new-collection estimate
    (topic macro-F1 0.833 -> 0.840, classifier/README.md)."""
    return f"{title}\n{title}\n{text}" if title else text


def metrics_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name.removesuffix(".joblib") + ".metrics.json")


class TopicModel:
    """A fitted pipeline with its labels (relevance first), per-label thresholds and version."""

    def __init__(
        self,
        pipeline: Pipeline,
        labels: list[str],
        thresholds: dict[str, float],
        version: str,
        metrics: dict | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.labels = labels
        self.thresholds = thresholds
        self.version = version
        self.metrics = metrics or {}

    @property
    def relevance_label(self) -> str:
        return self.labels[0]

    @property
    def topics(self) -> list[str]:
        return self.labels[1:]

    def predict_proba(self, docs: list[tuple[str | None, str]]) -> np.ndarray:
        """(n, 1 + n_topics): P(relevant), then P(relevant and topic) per topic."""
        if not docs:
            return np.zeros((0, len(self.labels)))
        return self.pipeline.predict_proba([as_text(title, text or "") for title, text in docs])

    def predict(self, docs: list[tuple[str | None, str]]) -> list[Tags]:
        return [self._tags(row) for row in self.predict_proba(docs)]

    def predict_labels(self, docs: list[tuple[str | None, str]]) -> np.ndarray:
        """0/1 per label (relevance first), topics only where relevant: what evaluation scores."""
        proba = self.predict_proba(docs)
        cuts = np.array([self.thresholds[label] for label in self.labels])
        out = (proba >= cuts).astype(int)
        out[:, 1:] *= out[:, [0]]
        return out

    def _tags(self, row: np.ndarray) -> Tags:
        relevance = float(row[0])
        relevant = relevance >= self.thresholds[self.relevance_label]
        topics = {}
        if relevant:
            topics = {
                label: round(float(p), 4)
                for label, p in zip(self.topics, row[1:])
                if p >= self.thresholds[label]
            }
        return Tags(relevance=round(relevance, 4), relevant=relevant, topics=topics)

    def explain(self, title: str | None, text: str, top: int = 5) -> dict[str, list[tuple[str, float]]]:
        """Per assigned label (and ``relevant`` when relevant), the words that pushed it most."""
        from classifier.explain import evidence

        tags = self.predict([(title, text)])[0]
        wanted = ([self.relevance_label] if tags.relevant else []) + list(tags.topics)
        return {label: evidence(self.pipeline, as_text(title, text), self.labels.index(label), top) for label in wanted}

    def save(self, path: str | Path) -> Path:
        """Write the model and, next to it, ``<name>.metrics.json`` (version, metrics, thresholds)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": FORMAT,
            "version": self.version,
            "sklearn_version": sklearn.__version__,
            "labels": self.labels,
            "thresholds": self.thresholds,
        }
        joblib.dump({**meta, "pipeline": self.pipeline}, path, compress=3)
        metrics_path(path).write_text(json.dumps({**meta, **self.metrics}, indent=2, ensure_ascii=False) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> TopicModel:
        path = Path(path)
        if not path.is_file():
            raise ModelError("no model file here; build one with `newsmon train`", path=str(path))
        sidecar = metrics_path(path)
        metrics = json.loads(sidecar.read_text()) if sidecar.is_file() else {}
        # before unpickling anything: an old layout may unpickle and then fail or predict wrongly
        if "format" in metrics:
            _check_format(metrics["format"], path)
        _check_version(metrics.get("sklearn_version"), path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", InconsistentVersionWarning)
                saved = joblib.load(path)
        except InconsistentVersionWarning as exc:
            raise ModelError(f"built with another scikit-learn version ({exc}); {_rebuild(path)}", path=str(path)) from exc
        except Exception as exc:  # a truncated or foreign file: say which file, not a traceback
            raise ModelError(f"cannot read model ({type(exc).__name__}: {exc})", path=str(path)) from exc
        if not isinstance(saved, dict) or "format" not in saved:
            raise ModelError("not a newsmon model file", path=str(path))
        _check_format(saved["format"], path)
        _check_version(saved.get("sklearn_version"), path)
        return cls(saved["pipeline"], saved["labels"], saved["thresholds"], saved["version"], metrics)


def _rebuild(path: Path) -> str:
    return f"rebuild it with `newsmon train --output {path}` (classifier/README.md gives the default model's command)"


def _check_format(saved_format: object, path: Path) -> None:
    if saved_format != FORMAT:
        raise ModelError(f"saved in model layout {saved_format!r} but this newsmon reads layout {FORMAT}; {_rebuild(path)}", path=str(path))


def _check_version(built_with: str | None, path: Path) -> None:
    if built_with is not None and built_with != sklearn.__version__:
        raise ModelError(
            f"built with scikit-learn {built_with} but {sklearn.__version__} is installed; "
            f"install scikit-learn=={built_with} or {_rebuild(path)}",
            path=str(path),
        )


def load_default_model(path: str | Path | None = None) -> TopicModel | None:
    """The committed default model, or None (with a log line saying why) when no file exists."""
    path = Path(path) if path else DEFAULT_MODEL
    if not path.is_file():
        log.warning("No classifier model at %s: articles stay untagged (build one with `newsmon train`)", path)
        return None
    return TopicModel.load(path)
