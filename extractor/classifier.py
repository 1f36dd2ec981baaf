"""FieldClassifier: a scikit-learn estimator mapping layout words to collapsed record fields.

Samples are words, but a word's context matters, so `X` is a list of `DocumentFeatures`
(one per document) and every method works on all their words concatenated: `fit(X, y)`
takes `y` as the words' labels in that order, `predict(X)` returns one label per word.

Two passes: a linear model on each word's own features, then a second linear model that
also sees the first pass's probabilities for the word's left, right and above neighbours,
so that the words of a multi-word value come out with one label. The second pass is
calibrated (Platt scaling, cross-validated) so that its probabilities can serve as
confidences.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import LabelEncoder

from .features import DocumentFeatures

_ROW_INDEX = re.compile(r"\.\d+(?=\.|$)")


def collapse(field: str) -> str:
    """A word label with its row, owner, footnote or signature index replaced by '*'."""
    return _ROW_INDEX.sub(".*", field)


class FieldClassifier(ClassifierMixin, BaseEstimator):
    """Two-pass linear word classifier over hashed features, with calibrated probabilities."""

    def __init__(self, n_features: int = 2**16, alpha: float = 2e-6, max_iter: int = 8, context: bool = True,
                 calibrate: bool = True, caption_share: float = 0.15, random_state: int = 0):
        self.n_features = n_features
        self.caption_share = caption_share
        self.alpha = alpha
        self.max_iter = max_iter
        self.context = context
        self.calibrate = calibrate
        self.random_state = random_state

    # --- fitting -------------------------------------------------------------------------
    def fit(self, X: Sequence[DocumentFeatures], y: Sequence[str]) -> "FieldClassifier":
        y = np.asarray(list(y), dtype=object)
        total = sum(len(d) for d in X)
        if total != len(y):
            raise ValueError(f"X holds {total} words but y has {len(y)} labels")
        # A field seen once or twice cannot be learned or calibrated (2-fold CV needs two of each).
        values, counts = np.unique(y, return_counts=True)
        rare = set(values[counts < 4])
        if rare:
            y = np.array(["other" if v in rare else v for v in y], dtype=object)
        self.encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.encoder_.classes_
        codes = self.encoder_.transform(y)
        self.hasher_ = FeatureHasher(n_features=self.n_features, input_type="dict", alternate_sign=False)
        own = self._hash(X)
        keep = self._thinned(X, y)
        self.first_ = self._linear().fit(own[keep], codes[keep])
        if self.context:
            # The second pass learns from first-pass probabilities it could not have memorised:
            # each half of the documents is scored by a model fitted on the other half.
            probs = self._out_of_fold(X, own, codes, keep)
            joined = self._join(own, X, probs)
        else:
            joined = own
        joined, codes = joined[keep], codes[keep]
        second = self._linear()
        if self.calibrate and len(set(codes)) > 1 and np.bincount(codes).min() >= 2:  # thinning can leave few
            second = CalibratedClassifierCV(second, method="sigmoid", cv=2)
        self.second_ = second.fit(joined, codes)
        self.n_features_in_ = self.n_features
        return self

    def _thinned(self, X: Sequence[DocumentFeatures], y: np.ndarray) -> np.ndarray:
        """Rows to learn from: printed captions the label finder already knows are mostly left out (speed)."""
        caption = np.array([("is_caption" in f) for d in X for f in d.features], dtype=bool)
        rng = np.random.default_rng(self.random_state)
        drop = caption & (y == "label") & (rng.random(len(y)) >= self.caption_share)
        return ~drop

    def _linear(self) -> SGDClassifier:
        return SGDClassifier(loss="log_loss", alpha=self.alpha, max_iter=self.max_iter, tol=None,
                             random_state=self.random_state, class_weight=None)

    def _hash(self, X: Sequence[DocumentFeatures]) -> sparse.csr_matrix:
        return self.hasher_.transform(f for d in X for f in d.features).tocsr()

    def _out_of_fold(self, X: Sequence[DocumentFeatures], own: sparse.csr_matrix, codes: np.ndarray,
                     keep: np.ndarray) -> np.ndarray:
        doc_of = np.concatenate([np.full(len(d), i) for i, d in enumerate(X)]) if X else np.zeros(0, int)
        fold = doc_of % 2
        probs = np.zeros((own.shape[0], len(self.classes_)))
        if len(X) < 2:
            return self._full_proba(self.first_, own)
        for k in (0, 1):
            train, test = (fold != k) & keep, fold == k
            if len(set(codes[train])) < 2:
                probs[test] = self._full_proba(self.first_, own[test])
                continue
            model = self._linear().fit(own[train], codes[train])
            probs[test] = self._full_proba(model, own[test])
        return probs

    def _full_proba(self, model, matrix) -> np.ndarray:
        """Probabilities over all classes, zero for those the model never saw."""
        out = np.zeros((matrix.shape[0], len(self.classes_)))
        out[:, model.classes_] = model.predict_proba(matrix)
        return out

    def _join(self, own: sparse.csr_matrix, X: Sequence[DocumentFeatures], probs: np.ndarray) -> sparse.csr_matrix:
        offsets = np.cumsum([0] + [len(d) for d in X])[:-1]
        parts = [own]
        for name in ("left", "right", "above"):
            index = np.concatenate([np.asarray(getattr(d, name), dtype=int) for d in X]) if X else np.zeros(0, int)
            base = np.concatenate([np.full(len(d), o) for d, o in zip(X, offsets)]) if X else np.zeros(0, int)
            has = index >= 0
            neighbour = np.zeros_like(probs)
            neighbour[has] = probs[(index + base)[has]]
            parts.append(sparse.csr_matrix(neighbour))
        parts.append(sparse.csr_matrix(probs))
        return sparse.hstack(parts).tocsr()

    # --- predicting ----------------------------------------------------------------------
    def predict_proba(self, X: Sequence[DocumentFeatures]) -> np.ndarray:
        own = self._hash(X)
        first = self._full_proba(self.first_, own)
        joined = self._join(own, X, first) if self.context else own
        probs = self._full_proba(self.second_, joined)
        sums = probs.sum(axis=1, keepdims=True)
        sums[sums == 0] = 1.0
        return probs / sums

    def predict(self, X: Sequence[DocumentFeatures]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X: Sequence[DocumentFeatures], y: Sequence[str], sample_weight=None) -> float:
        return float(np.mean(self.predict(X) == np.asarray(list(y), dtype=object)))
