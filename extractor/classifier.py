"""FieldClassifier: a scikit-learn style estimator mapping layout words to collapsed record fields,
and FieldWeights, the light form it is shipped and predicts in.

Samples are words, but a word's context matters, so `X` is a list of `DocumentFeatures`
(one per document) and every method works on all their words concatenated: `fit(X, y)`
takes `y` as the words' labels in that order, `predict(X)` returns one label per word.

Two passes: a linear model on each word's own features, then a second linear model that
also sees the first pass's probabilities for the word's left, right and above neighbours,
so that the words of a multi-word value come out with one label. The second pass is
calibrated (Platt scaling, cross-validated) so that its probabilities can serve as
confidences.

Fitting uses scikit-learn; predicting does not. Importing scikit-learn costs a process 0.7 s
and 75 MB, and its float64 coefficient matrices (49 classes x 65,536 hashed features, three
of them) another 80 MB, when only about a quarter of the hashed features ever occur in
training. So a fitted classifier keeps `weights_`: float32 coefficients of the features that
occur, applied with numpy alone, and that is what a model folder stores (`classifier.npz`,
plain arrays: loading it runs no code).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .features import DocumentFeatures, hashed_features

_ROW_INDEX = re.compile(r"\.\d+(?=\.|$)")
_NEIGHBOURS = ("left", "right", "above")
FORMAT = "form4-field-weights/1"


def collapse(field: str) -> str:
    """A word label with its row, owner, footnote or signature index replaced by '*'."""
    return _ROW_INDEX.sub(".*", field)


# --- predicting: numpy only ------------------------------------------------------------------


@dataclass
class LinearHead:
    """One fitted linear model: coefficients of the hashed features it uses, of the neighbours'
    first-pass probabilities (second pass only), its intercepts, and the classes its outputs are
    (indices into the classifier's classes). With `a`/`b` set its outputs are Platt-scaled."""

    used: np.ndarray  # sorted hashed feature indices with a non-zero coefficient (int32)
    own: np.ndarray  # (len(used), outputs) float32
    context: np.ndarray  # (4 * n_classes, outputs) float32, or (0, outputs)
    intercept: np.ndarray  # (outputs,)
    classes: np.ndarray  # the estimator's classes (int); one output for two classes (binary)
    a: np.ndarray | None = None
    b: np.ndarray | None = None

    def decision(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int,
                 context: np.ndarray | None) -> np.ndarray:
        out = np.zeros((n, self.own.shape[1]), dtype=np.float64)
        pos = np.searchsorted(self.used, cols)
        pos[pos >= len(self.used)] = 0
        hit = (self.used[pos] == cols) if len(self.used) else np.zeros(len(cols), dtype=bool)
        if hit.any():
            r, p, v = rows[hit], pos[hit], vals[hit]
            # rows come sorted (word order), so each word's contributions are one run to sum
            contributions = self.own[p].astype(np.float64) * v[:, None]
            starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
            out[r[starts]] = np.add.reduceat(contributions, starts, axis=0)
        if context is not None and self.context.shape[0]:
            out += context @ self.context.astype(np.float64)
        return out + self.intercept


def _expit(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # the logistic function without overflow warnings


@dataclass
class FieldWeights:
    """A fitted FieldClassifier's prediction, in plain arrays."""

    classes_: np.ndarray  # field names (object array of str)
    n_features: int
    first: LinearHead  # one-vs-rest logistic, normalised
    second: list[LinearHead]  # one head (logistic), or one per calibration fold (Platt-scaled, averaged)
    second_span: np.ndarray  # the classes the calibrated heads normalise over
    context: bool = True

    def predict_proba(self, X: Sequence[DocumentFeatures]) -> np.ndarray:
        n = sum(len(d) for d in X)
        rows, cols, vals = hashed_features([f for d in X for f in d.features], self.n_features)
        first = self._logistic(self.first, self.first.decision(rows, cols, vals, n, None))
        context = _neighbour_probabilities(X, first) if self.context else None
        if self.second and self.second[0].a is not None:
            probs = sum(self._calibrated(h, h.decision(rows, cols, vals, n, context)) for h in self.second)
            probs = probs / len(self.second)
        else:
            probs = self._logistic(self.second[0], self.second[0].decision(rows, cols, vals, n, context))
        sums = probs.sum(axis=1, keepdims=True)
        sums[sums == 0] = 1.0
        return probs / sums

    def predict(self, X: Sequence[DocumentFeatures]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def _logistic(self, head: LinearHead, decision: np.ndarray) -> np.ndarray:
        """scikit-learn's SGDClassifier(loss="log_loss").predict_proba, over all classes."""
        out = np.zeros((decision.shape[0], len(self.classes_)))
        p = _expit(decision)
        if len(head.classes) == 2 and p.shape[1] == 1:
            p = np.hstack([1.0 - p, p])
        else:
            total = p.sum(axis=1, keepdims=True)
            zero = total[:, 0] == 0
            p[zero], total[zero] = 1.0, p.shape[1]
            p = p / total
        out[:, head.classes] = p
        return out

    def _calibrated(self, head: LinearHead, decision: np.ndarray) -> np.ndarray:
        """One fold of scikit-learn's CalibratedClassifierCV(method="sigmoid").predict_proba."""
        span = self.second_span
        out = np.zeros((decision.shape[0], len(self.classes_)))
        scaled = _expit(-(head.a * decision + head.b))
        if len(span) == 2:
            out[:, span[1]] = scaled[:, 0]
            out[:, span[0]] = 1.0 - scaled[:, 0]
            return out
        out[:, head.classes[:scaled.shape[1]]] = scaled
        total = out[:, span].sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            part = np.where(total != 0, out[:, span] / np.where(total == 0, 1.0, total), 1.0 / len(span))
        out[:, span] = part
        return out

    # --- storage ----------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {}
        for name, head in [("first", self.first)] + [(f"second{i}", h) for i, h in enumerate(self.second)]:
            for part in ("used", "own", "context", "intercept", "classes", "a", "b"):
                value = getattr(head, part)
                if value is not None:
                    arrays[f"{name}.{part}"] = value
        header = {"format": FORMAT, "n_features": self.n_features, "context": self.context,
                  "second_heads": len(self.second), "classes": [str(c) for c in self.classes_]}
        arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
        arrays["second_span"] = self.second_span
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: Path) -> "FieldWeights":
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode("utf-8"))
            if header.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} file (format {header.get('format')!r})")

            def head(name: str) -> LinearHead:
                get = {part: data[f"{name}.{part}"] for part in ("used", "own", "context", "intercept", "classes")}
                scale = {part: data[f"{name}.{part}"] if f"{name}.{part}" in data.files else None for part in "ab"}
                return LinearHead(**get, **scale)

            return cls(np.array(header["classes"], dtype=object), int(header["n_features"]), head("first"),
                       [head(f"second{i}") for i in range(int(header["second_heads"]))],
                       data["second_span"], bool(header["context"]))


def _neighbour_probabilities(X: Sequence[DocumentFeatures], probs: np.ndarray) -> np.ndarray:
    """[left | right | above | own] first-pass probabilities of every word (zeros where none)."""
    offsets = np.cumsum([0] + [len(d) for d in X])[:-1]
    parts = []
    for name in _NEIGHBOURS:
        index = np.concatenate([np.asarray(getattr(d, name), dtype=int) for d in X]) if X else np.zeros(0, int)
        base = np.concatenate([np.full(len(d), o) for d, o in zip(X, offsets)]) if X else np.zeros(0, int)
        has = index >= 0
        neighbour = np.zeros_like(probs)
        neighbour[has] = probs[(index + base)[has]]
        parts.append(neighbour)
    parts.append(probs)
    return np.hstack(parts)


# --- fitting: scikit-learn --------------------------------------------------------------------


class FieldClassifier:
    """Two-pass linear word classifier over hashed features, with calibrated probabilities.

    A scikit-learn estimator by contract (get_params/set_params, fit/predict/score) without
    importing scikit-learn until it fits.
    """

    _estimator_type = "classifier"
    _PARAMS = ("n_features", "alpha", "max_iter", "context", "calibrate", "caption_share", "random_state")

    def __init__(self, n_features: int = 2**16, alpha: float = 2e-6, max_iter: int = 8, context: bool = True,
                 calibrate: bool = True, caption_share: float = 0.15, random_state: int = 0):
        self.n_features = n_features
        self.caption_share = caption_share
        self.alpha = alpha
        self.max_iter = max_iter
        self.context = context
        self.calibrate = calibrate
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict:
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params) -> "FieldClassifier":
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(f"FieldClassifier has no parameter {name!r}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        return f"FieldClassifier({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"

    # --- fitting -------------------------------------------------------------------------
    def fit(self, X: Sequence[DocumentFeatures], y: Sequence[str]) -> "FieldClassifier":
        from scipy import sparse
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.preprocessing import LabelEncoder

        y = np.asarray(list(y), dtype=object)
        total = sum(len(d) for d in X)
        if total != len(y):
            raise ValueError(f"X holds {total} words but y has {len(y)} labels")
        # A field seen once or twice cannot be learned or calibrated (2-fold CV needs two of each).
        values, counts = np.unique(y, return_counts=True)
        rare = set(values[counts < 4])
        if rare:
            y = np.array(["other" if v in rare else v for v in y], dtype=object)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        codes = encoder.transform(y)
        rows, cols, vals = hashed_features([f for d in X for f in d.features], self.n_features)
        own = sparse.csr_matrix((vals, (rows, cols)), shape=(total, self.n_features))
        keep = self._thinned(X, y)
        first = self._linear().fit(own[keep], codes[keep])
        if self.context:
            # The second pass learns from first-pass probabilities it could not have memorised:
            # each half of the documents is scored by a model fitted on the other half.
            probs = self._out_of_fold(X, own, codes, keep, first)
            joined = sparse.hstack([own, sparse.csr_matrix(_neighbour_probabilities(X, probs))]).tocsr()
        else:
            joined = own
        joined, codes = joined[keep], codes[keep]
        second = self._linear()
        if self.calibrate and len(set(codes)) > 1 and np.bincount(codes).min() >= 2:  # thinning can leave few
            second = CalibratedClassifierCV(second, method="sigmoid", cv=2)
        second.fit(joined, codes)
        self.weights_ = self._weights(first, second)
        self.n_features_in_ = self.n_features
        return self

    def _thinned(self, X: Sequence[DocumentFeatures], y: np.ndarray) -> np.ndarray:
        """Rows to learn from: printed captions the label finder already knows are mostly left out (speed)."""
        caption = np.array([("is_caption" in f) for d in X for f in d.features], dtype=bool)
        rng = np.random.default_rng(self.random_state)
        drop = caption & (y == "label") & (rng.random(len(y)) >= self.caption_share)
        return ~drop

    def _linear(self):
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(loss="log_loss", alpha=self.alpha, max_iter=self.max_iter, tol=None,
                             random_state=self.random_state, class_weight=None)

    def _out_of_fold(self, X: Sequence[DocumentFeatures], own, codes: np.ndarray, keep: np.ndarray,
                     first) -> np.ndarray:
        doc_of = np.concatenate([np.full(len(d), i) for i, d in enumerate(X)]) if X else np.zeros(0, int)
        fold = doc_of % 2
        probs = np.zeros((own.shape[0], len(self.classes_)))
        if len(X) < 2:
            return self._full_proba(first, own)
        for k in (0, 1):
            train, test = (fold != k) & keep, fold == k
            if len(set(codes[train])) < 2:
                probs[test] = self._full_proba(first, own[test])
                continue
            model = self._linear().fit(own[train], codes[train])
            probs[test] = self._full_proba(model, own[test])
        return probs

    def _full_proba(self, model, matrix) -> np.ndarray:
        """Probabilities over all classes, zero for those the model never saw."""
        out = np.zeros((matrix.shape[0], len(self.classes_)))
        out[:, model.classes_] = model.predict_proba(matrix)
        return out

    def _weights(self, first, second) -> FieldWeights:
        """The fitted scikit-learn models as FieldWeights (float32, only the features that occur)."""
        n = self.n_features

        def head(estimator, calibrators=None) -> LinearHead:
            coef = np.asarray(estimator.coef_)
            used = np.flatnonzero(np.any(coef[:, :n] != 0, axis=0)).astype(np.int32)
            a = b = None
            if calibrators is not None:
                a = np.array([c.a_ for c in calibrators], dtype=np.float64)[:coef.shape[0]]
                b = np.array([c.b_ for c in calibrators], dtype=np.float64)[:coef.shape[0]]
            return LinearHead(used, np.ascontiguousarray(coef[:, used].T, dtype=np.float32),
                              np.ascontiguousarray(coef[:, n:].T, dtype=np.float32),
                              np.asarray(estimator.intercept_, dtype=np.float64),
                              np.asarray(estimator.classes_, dtype=np.int64), a, b)

        if hasattr(second, "calibrated_classifiers_"):
            heads = [head(c.estimator, c.calibrators) for c in second.calibrated_classifiers_]
            span = np.asarray(second.classes_, dtype=np.int64)
        else:
            heads, span = [head(second)], np.asarray(second.classes_, dtype=np.int64)
        return FieldWeights(np.asarray(self.classes_, dtype=object), n, head(first), heads, span, self.context)

    # --- predicting ----------------------------------------------------------------------
    def predict_proba(self, X: Sequence[DocumentFeatures]) -> np.ndarray:
        return self.weights_.predict_proba(X)

    def predict(self, X: Sequence[DocumentFeatures]) -> np.ndarray:
        return self.weights_.predict(X)

    def score(self, X: Sequence[DocumentFeatures], y: Sequence[str], sample_weight=None) -> float:
        return float(np.mean(self.predict(X) == np.asarray(list(y), dtype=object)))
