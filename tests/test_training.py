"""Training documents through the OCR channels: a made-up record faxed, read by real OCR, its words labeled."""

from __future__ import annotations

import pytest

from extractor.synth.fake import make_records
from extractor.training import TrainSettings, rendered_examples


@pytest.fixture(scope="module")
def record():
    return next(iter(make_records(1, seed=3)))


@pytest.fixture(scope="module")
def fax(record):
    return rendered_examples(record, "made-up", "fax", "edgar", 17, TrainSettings(channels=("fax",)))


def test_fax_is_a_training_channel():
    assert TrainSettings(channels=("pdf", "scan", "fax")).channels[-1] == "fax"
    with pytest.raises(ValueError, match="channels must be among"):
        TrainSettings(channels=("telex",))


def test_fax_example_is_ocr_words_with_the_printed_labels(fax, record):
    assert fax.channel == "fax" and fax.family == "edgar" and fax.layout.ocr
    assert len(fax.labels) == len(list(fax.layout.words)) == len(fax.features.features)
    labeled = [label for label in fax.labels if label != "other"]
    # The fax header line and speckle are the only unprinted words: most words keep a label.
    # (Smoothed and enlarged, a fax's specks come out as more one-letter words: 80% here.)
    assert len(labeled) >= 0.75 * len(fax.labels)
    by_label = {}
    for word, label in zip(fax.layout.words, fax.labels):
        by_label.setdefault(label, []).append(word.text)
    assert "issuer.name" in by_label and "owners.*.name" in by_label
    # A fax's OCR misreads letters (E as R, C as G), yet each printed word of the name keeps its label.
    issuer = record.issuer.name.value.split()
    assert abs(len(by_label["issuer.name"]) - len(issuer)) <= 1, (issuer, by_label["issuer.name"])
    assert set(issuer) & set(by_label["issuer.name"])


def test_fax_header_words_are_other(fax):
    # The header prints FROM: in capitals; a footnote's "From" is printed text with a label.
    header = [label for word, label in zip(fax.layout.words, fax.labels) if word.text.startswith(("FROM", "TO:"))]
    assert header and set(header) == {"other"}
