"""FieldClassifier: the scikit-learn estimator contract, on made-up word features."""

from __future__ import annotations

import random

import numpy as np
import pytest

from extractor.classifier import FieldClassifier, collapse
from extractor.features import DocumentFeatures, FeatureSettings, shape, word_classes


def _document(rng: random.Random, n: int = 60) -> tuple[DocumentFeatures, list[str]]:
    """Lines of 'Shares: 1,234' style pairs: the value's label depends on the caption to its left."""
    features, labels, left, right, above = [], [], [], [], []
    for i in range(n // 2):
        caption = rng.choice(["shares", "price", "name"])
        value = {"shares": f"{rng.randint(1, 999)},{rng.randint(100, 999)}", "price": f"${rng.randint(1, 99)}.25",
                 "name": rng.choice(["Ames", "Brill", "Corr"])}[caption]
        base = len(features)
        features.append({"lower=" + caption: 1.0, "is_caption": 1.0, "shape=" + shape(caption): 1.0})
        labels.append("label")
        features.append({"shape=" + shape(value): 1.0, "L1low=" + caption: 1.0, **word_classes(value)})
        labels.append({"shares": "non_derivative.*.shares", "price": "non_derivative.*.price_per_share",
                       "name": "owners.*.name"}[caption])
        left += [-1, base]
        right += [base + 1, -1]
        above += [base - 2 if base >= 2 else -1, base - 1 if base >= 1 else -1]
    return DocumentFeatures(features, left, right, above), labels


@pytest.fixture(scope="module")
def data():
    rng = random.Random(3)
    docs = [_document(rng) for _ in range(8)]
    return [d for d, _ in docs], [label for _, labels in docs for label in labels]


def test_fit_returns_self_and_learned_attributes_end_in_underscore(data):
    X, y = data
    clf = FieldClassifier(n_features=2**12, max_iter=5)
    assert clf.fit(X, y) is clf
    assert set(clf.classes_) == set(y)
    learned = [k for k in vars(clf) if k not in clf.get_params()]
    assert learned and all(k.endswith("_") for k in learned)
    # settings are stored untouched by __init__ (sklearn clone relies on it)
    assert clf.get_params()["n_features"] == 2**12 and clf.get_params()["caption_share"] == 0.15


def test_predict_proba_rows_sum_to_one_and_predict_learns_the_captions(data):
    X, y = data
    clf = FieldClassifier(n_features=2**12, max_iter=5).fit(X, y)
    test_x, test_y = _document(random.Random(99))
    probs = clf.predict_proba([test_x])
    assert probs.shape == (len(test_y), len(clf.classes_))
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert clf.score([test_x], test_y) >= 0.9


def test_unfitted_settings_are_validated_and_mismatched_labels_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="labels"):
        FieldClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError):
        FeatureSettings(neighbours=7)


def test_collapse_drops_row_owner_and_footnote_indices():
    assert collapse("non_derivative.2.shares") == "non_derivative.*.shares"
    assert collapse("owners.0.address.city") == "owners.*.address.city"
    assert collapse("footnotes.11.text") == "footnotes.*.text"
    assert collapse("issuer.name") == "issuer.name"


def test_word_classes_tell_dates_prices_and_markers_apart():
    assert "re=date" in word_classes("09/01/2023")
    assert "re=price" in word_classes("$3.7495")
    assert "re=num_sep" in word_classes("36,125")
    assert "re=marker" in word_classes("(2)")
    assert "re=date" not in word_classes("36,125")


def test_saved_weights_predict_the_same_without_importing_scikit_learn(data, tmp_path):
    import subprocess
    import sys

    X, y = data
    clf = FieldClassifier(n_features=2**12, max_iter=5).fit(X, y)
    clf.weights_.save(tmp_path / "w.npz")
    test_x, _ = _document(random.Random(99))
    np.save(tmp_path / "expected.npy", clf.predict_proba([test_x]))
    script = (
        "import sys, random, numpy as np\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_classifier import _document\n"
        "from extractor.classifier import FieldWeights\n"
        f"w = FieldWeights.load(r'{tmp_path / 'w.npz'}')\n"
        "x, _ = _document(random.Random(99))\n"
        f"assert np.allclose(w.predict_proba([x]), np.load(r'{tmp_path / 'expected.npy'}'), atol=1e-6)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_weights_keep_only_the_hashed_features_that_occur(data):
    X, y = data
    clf = FieldClassifier(n_features=2**12, max_iter=5, calibrate=False).fit(X, y)
    first = clf.weights_.first
    assert 0 < len(first.used) < 2**12 and first.own.dtype == np.float32
    assert first.own.shape == (len(first.used), len(clf.classes_))
    # the second pass also weighs the neighbours' first-pass probabilities: 4 blocks of all classes
    assert clf.weights_.second[0].context.shape == (4 * len(clf.classes_), len(clf.classes_))


def test_hashed_features_give_the_same_columns_in_every_process():
    import zlib

    from extractor.features import hashed_features

    rows, cols, vals = hashed_features([{"lower=shares": 1.0, "x": 0.25}, {}, {"lower=shares": 2.0}], 2**10)
    column = zlib.crc32(b"lower=shares") % 2**10
    assert rows.tolist() == [0, 0, 2] and vals.tolist() == [1.0, 0.25, 2.0]
    assert cols.tolist() == [column, zlib.crc32(b"x") % 2**10, column]
