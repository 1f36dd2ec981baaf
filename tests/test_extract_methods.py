"""`pipeline.extract_methods`: several methods over one read of a document (what `form4 evaluate --method all` uses)."""

from __future__ import annotations

import pytest

import extractor.layout
from extractor.errors import ModelError
from extractor.model import rules_lost_rows
from extractor.pipeline import ExtractSettings, extract_bytes, extract_methods
from extractor.records import NonDerivativeRow, Record, Value
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
        # "choose" reads the model's tables beside the rules' whichever record it keeps
        assert auto.timings.model == model.timings.model and auto.timings.rules == rules.timings.rules
        if auto.record.model_dump() == model.record.model_dump():
            chose_model += 1
        else:  # the model's record with the rules' owners, and on markdown the rules' tables
            ruled = {"owners", "warnings", *(("non_derivative", "derivative") if name.endswith(".md") else ())}
            assert auto.record.model_dump(exclude=ruled) == model.record.model_dump(exclude=ruled)
            assert auto.record.derivative == (rules if name.endswith(".md") else model).record.derivative
            assert [o.name for o in auto.record.owners] == [o.name for o in rules.record.owners] != [
                o.name for o in model.record.owners]
            chose_rules += 1
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


def test_choose_hands_over_when_the_rules_find_no_rows_or_more_rows_than_the_model():
    """Text dumps: the rules' record passed validation with its tables lost (no rows) or split apart
    (7 rows for the model's 1), and "choose" kept it."""
    def record(rows: int) -> Record:
        return Record(non_derivative=[NonDerivativeRow() for _ in range(rows)])

    assert rules_lost_rows(record(0), record(2))
    assert rules_lost_rows(record(7), record(1))
    assert not rules_lost_rows(record(2), record(3))  # the model's usual slip: a row too many
    assert not rules_lost_rows(record(2), record(2))
    assert not rules_lost_rows(record(0), record(0))  # a Form 3 that holds nothing


def test_auto_keeps_the_models_record_of_a_form_the_rules_refused_only_if_its_classifier_reads_a_form(monkeypatch):
    from extractor.errors import NotAFormError
    from extractor.rules import RuleExtractor

    def refuse(self, layout):  # as the rules refuse a fax whose printed labels OCR garbled
        raise NotAFormError(layout.source, "not an SEC Form 3, 4 or 5 (found 2 of the form's labels)")

    monkeypatch.setattr(RuleExtractor, "extract", refuse)
    data = fixture_docs.made_up_pdf()
    record = extract_bytes(data, "made-up.pdf")
    assert (record.issuer.trading_symbol.value, record.issuer.trading_symbol.method) == ("BKWH", "model")
    both = extract_methods(data, "made-up.pdf", ("auto", "rules"))
    assert isinstance(both["rules"].error, NotAFormError)
    assert both["auto"].record.model_dump() == record.model_dump()
    with pytest.raises(NotAFormError, match="pelicorn-10k.txt"):
        extract_bytes(fixture_docs.NOT_A_FORM_TEXT.encode(), "pelicorn-10k.txt")


def test_choose_takes_the_models_reading_where_the_rules_cut_a_wrapped_city_or_title_short():
    from extractor.model import with_model_readings
    from extractor.records import ReportingOwner

    def owner(city: str, title: str, method: str, confidence: float) -> ReportingOwner:
        o = ReportingOwner()
        o.address.city = Value(value=city, confidence=confidence, method=method)
        o.address.street1 = Value(value="100 N. Broadway" if method == "rules" else "100 N. Broadway Suite 5", confidence=confidence, method=method)
        o.relationship.officer_title = Value(value=title, confidence=confidence, method=method)
        return o

    rules = Record(owners=[owner("Oklahoma", "President and", "rules", 0.9)])
    model = Record(owners=[owner("Oklahoma City", "President and CEO", "model", 0.95)])
    kept = with_model_readings(rules, model).owners[0]
    assert (kept.address.city.value, kept.relationship.officer_title.value) == ("Oklahoma City", "President and CEO")
    assert kept.address.street1.value == "100 N. Broadway"  # streets stay the rules': see _longer_reading
    unsure = Record(owners=[owner("Oklahoma City", "President and CEO", "model", 0.5)])
    assert with_model_readings(rules, unsure).owners[0].address.city.value == "Oklahoma"


def test_choose_takes_the_models_name_and_address_of_an_owner_the_rules_found_no_street_for():
    # A form with no "(Street)" caption: the rules ran the name on over the street line.
    from extractor.model import with_model_readings
    from extractor.records import ReportingOwner

    ours, theirs = ReportingOwner(), ReportingOwner()
    ours.name = Value(value="Segedi Bryan K ONE E. WASHINGTON", confidence=0.9, method="rules")
    ours.address.city = Value(value="PHOENIX", confidence=0.9, method="rules")
    theirs.name = Value(value="Segedi Bryan K", confidence=0.95, method="model")
    theirs.address.street1 = Value(value="ONE E. WASHINGTON STREET, SUITE 1400", confidence=0.9, method="model")
    theirs.address.city = Value(value="PHOENIX", confidence=0.9, method="model")
    kept = with_model_readings(Record(owners=[ours]), Record(owners=[theirs])).owners[0]
    assert (kept.name.value, kept.address.street1.value, kept.name.method) == (
        "Segedi Bryan K", "ONE E. WASHINGTON STREET, SUITE 1400", "model")
