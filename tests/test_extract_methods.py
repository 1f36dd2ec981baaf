"""`pipeline.extract_methods`: several methods over one read of a document (what `form4 evaluate --method all` uses)."""

from __future__ import annotations

import pytest

import extractor.layout
from extractor.errors import ModelError
from extractor.pipeline import ExtractSettings, extract_bytes, extract_methods
from extractor.synth.channels import pdf_text, seed_style_markdown
from extractor.synth.fake import make_records
from extractor.synth.render import render
from extractor.timing import StageTimings

from . import fixture_docs
from .fixture_models import train_tiny_model


@pytest.fixture(scope="module")
def choosing_model(tmp_path_factory):
    """A model trained by the CLI on two made-up records, its meta set to auto strategy "choose"."""
    return train_tiny_model(tmp_path_factory.mktemp("models") / "tiny", seed=3, auto_strategy="choose")


def _documents() -> list[tuple[bytes, str]]:
    """The made-up form (no signature: the rules' record has a misreading warning, so choose takes the
    model's) and a clean EDGAR-style markdown (choose keeps the rules'), plus a paper form's text dump."""
    edgar = render(next(iter(make_records(1, seed=1))), "edgar", 1)
    paper = render(next(iter(make_records(1, seed=11))), "paper", 4)
    return [(fixture_docs.made_up_pdf(), "made-up.pdf"), (seed_style_markdown(edgar.html).encode("utf-8"), "edgar.md"),
            (pdf_text(paper.pdf).encode("utf-8"), "paper.txt")]


def test_each_method_gives_the_record_it_gives_alone_from_one_read(choosing_model, monkeypatch):
    reads = []
    original = extractor.layout.read_layout

    def counting(*args, **kwargs):
        reads.append(args[1])
        return original(*args, **kwargs)

    chose_model = chose_rules = 0
    for data, name in _documents():
        settings = ExtractSettings(model_dir=str(choosing_model))
        monkeypatch.setattr(extractor.layout, "read_layout", counting)
        outcomes = extract_methods(data, name, ("auto", "rules", "model"), settings)
        monkeypatch.setattr(extractor.layout, "read_layout", original)
        assert reads == [name]  # one read (and OCR) for the three methods
        reads.clear()
        for method, outcome in outcomes.items():
            assert outcome.error is None, (name, method, outcome.error)
            timings = StageTimings()
            alone = extract_bytes(data, name, ExtractSettings(method=method, model_dir=str(choosing_model)), timings)
            assert outcome.record.model_dump() == alone.model_dump(), (name, method)
            assert outcome.timings.pages == timings.pages >= 1 and outcome.timings.layout > 0
        auto, rules, model = (outcomes[m] for m in ("auto", "rules", "model"))
        if auto.record.model_dump() == rules.record.model_dump():
            chose_rules += 1
            assert auto.timings.model == 0.0  # the model never ran for it
        else:
            chose_model += 1
            assert auto.timings.model == model.timings.model and auto.timings.rules == rules.timings.rules
    assert chose_rules and chose_model, (chose_rules, chose_model)  # both ways of "choose" are checked


def test_a_missing_model_makes_only_the_model_method_fail(tmp_path):
    outcomes = extract_methods(fixture_docs.made_up_pdf(), "made-up.pdf", ("rules", "model", "auto"),
                               ExtractSettings(model_dir=str(tmp_path / "none")))
    assert isinstance(outcomes["model"].error, ModelError)
    assert outcomes["rules"].error is None and outcomes["auto"].error is None
    assert outcomes["auto"].record.model_dump() == outcomes["rules"].record.model_dump()
    assert outcomes["rules"].record.issuer.trading_symbol.value == "BKWH"


def test_an_unreadable_document_fails_every_method_with_its_reason():
    outcomes = extract_methods(fixture_docs.garbage(), "noise.bin", ("rules", "model"))
    for outcome in outcomes.values():
        assert outcome.record is None
        assert "noise.bin" in str(outcome.error) and "not a PDF or an image" in str(outcome.error)
