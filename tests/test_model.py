"""The model extractor: `form4 train`, save/load, version warnings, decoding, combination with the rules."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal

import numpy as np
import pytest

from extractor.errors import ModelError, ModelVersionWarning, NotAFormError
from extractor.layout import read_layout
from extractor.layout.document import Word
from extractor.model import (
    DEFAULT_MODEL,
    ModelExtractor,
    ModelSettings,
    _printed_form_number,
    choose,
    combine,
    load_model,
    model_installed,
)
from extractor.pipeline import ExtractSettings, extract_bytes
from extractor.records import Provenance, Record, Value
from extractor.synth.fake import make_records
from extractor.synth.render import render

from .fixture_models import train_tiny_model


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A model trained by the CLI on two made-up records (PDF, EDGAR family)."""
    return train_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


def test_cli_train_writes_meta_with_library_versions(tiny):
    meta = json.loads((tiny / "meta.json").read_text())
    assert {"scikit-learn", "spacy", "numpy", "extractor"} <= set(meta["versions"])
    assert meta["train_documents"] == 2 and len(meta["data_hash"]) == 16
    assert (tiny / "classifier.npz").is_file() and (tiny / "spacy_doctype" / "meta.json").is_file()


def test_save_load_round_trip_predicts_the_same(tiny):
    record = next(make_records(1, seed=5))
    layout = read_layout(render(record, "edgar", 1).pdf, "made-up.pdf")
    first = ModelExtractor(load_model(tiny), ModelSettings(combine=False)).extract(layout)
    layout = read_layout(render(record, "edgar", 1).pdf, "made-up.pdf")
    second = ModelExtractor(load_model(tiny), ModelSettings(combine=False)).extract(layout)
    assert first.model_dump() == second.model_dump()
    assert all(v.method == "model" for _, v in first.values() if v.present)


def test_other_library_versions_warn(tiny, tmp_path):
    import shutil

    copy = tmp_path / "old"
    shutil.copytree(tiny, copy)
    meta = json.loads((copy / "meta.json").read_text())
    meta["versions"]["scikit-learn"] = "0.0.1"
    (copy / "meta.json").write_text(json.dumps(meta))
    with pytest.warns(ModelVersionWarning, match="scikit-learn 0.0.1"):
        load_model(copy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(tiny)  # same versions: no warning


def test_missing_model_is_a_model_error_naming_the_folder(tmp_path):
    with pytest.raises(ModelError, match=str(tmp_path)):
        load_model(tmp_path)
    with pytest.raises(ModelError, match="no trained model"):
        extract_bytes(b"Form 4 text", "x.txt", ExtractSettings(method="model", model_dir=str(tmp_path)))


def test_method_model_through_the_pipeline_tags_values_model(tiny):
    record = next(make_records(1, seed=5))
    data = render(record, "edgar", 2).pdf
    found = extract_bytes(data, "made-up.pdf", ExtractSettings(method="model", model_dir=str(tiny)))
    assert found.document_type.value and found.document_type.method == "model"
    assert any(v.method == "model" for _, v in found.values() if v.present)


def test_not_a_form_is_refused(tiny):
    text = b"Quarterly revenue grew in every segment.\nThe board met twice.\nInvoice total due 30 days.\n"
    with pytest.raises(NotAFormError):
        extract_bytes(text, "letter.txt", ExtractSettings(method="auto", model_dir=str(tiny)))


def _value(value, confidence, method):
    return Value(value=value, confidence=confidence, method=method, provenance=Provenance(page=1))


def test_combination_falls_back_to_the_rules_when_the_model_is_unsure():
    rules, model = Record(), Record()
    rules.issuer.name = _value("Ruled Name Inc.", 0.9, "rules")
    model.issuer.name = _value("Modelled Name Inc.", 0.55, "model")
    rules.issuer.trading_symbol = _value("RUL", 0.9, "rules")
    model.issuer.trading_symbol = _value("MOD", 0.99, "model")
    model.remarks = _value("only the model saw this", 0.97, "model")
    merged = combine(rules, model, threshold=0.8)
    assert merged.issuer.name.value == "Ruled Name Inc." and merged.issuer.name.method == "rules"
    assert merged.issuer.trading_symbol.value == "MOD" and merged.issuer.trading_symbol.method == "model"
    assert merged.remarks.value == "only the model saw this"
    assert rules.issuer.trading_symbol.value == "RUL"  # the inputs are left alone


@pytest.mark.skipif(not model_installed(DEFAULT_MODEL), reason="no shipped model in models/default")
def test_shipped_model_reads_issuer_and_shares_of_a_made_up_form():
    record = next(make_records(1, seed=4242))
    assert record.non_derivative, "the made-up record needs a Table I row"
    layout = read_layout(render(record, "edgar", 9).pdf, "made-up.pdf")
    found = ModelExtractor(load_model(), ModelSettings(combine=False)).extract(layout)
    assert found.issuer.name.value.lower() == record.issuer.name.value.lower()
    gold_shares = {r.shares.value for r in record.non_derivative if r.shares.value is not None}
    assert gold_shares & {r.shares.value for r in found.non_derivative}
    assert isinstance(next(iter(gold_shares)), Decimal)


def test_samples_folder_gives_aligned_training_documents(tmp_path):
    from extractor.edgar_xml import write_xml
    from extractor.training import TrainSettings, examples_from_samples

    record = next(make_records(1, seed=8))
    (tmp_path / "mine.pdf").write_bytes(render(record, "paper", 3).pdf)
    (tmp_path / "mine.xml").write_bytes(write_xml(record))
    (tmp_path / "orphan.pdf").write_bytes(b"%PDF-1.4 no record beside me")
    failures: list[str] = []
    [example] = list(examples_from_samples(tmp_path, TrainSettings(), failures=failures))
    assert example.key == "mine" and len(example.labels) == len(example.features)
    assert "issuer.name" in example.labels and "non_derivative.*.shares" in example.labels or not record.non_derivative
    assert not failures


def test_auto_follows_the_strategy_the_model_folder_names(tiny, tmp_path):
    import shutil

    from extractor.pipeline import _extractor
    from extractor.rules import RuleExtractor

    from extractor.model import CheckedRulesExtractor

    for strategy, expected in (("rules", RuleExtractor), ("combined", ModelExtractor), ("model", ModelExtractor),
                               ("choose", CheckedRulesExtractor)):
        copy = tmp_path / strategy
        shutil.copytree(tiny, copy)
        meta = json.loads((copy / "meta.json").read_text())
        meta["auto_strategy"] = strategy
        (copy / "meta.json").write_text(json.dumps(meta))
        assert isinstance(_extractor("auto", "x.pdf", str(copy)), expected), strategy
    assert isinstance(_extractor("auto", "x.pdf", str(tmp_path / "none")), RuleExtractor)
    assert isinstance(_extractor("rules", "x.pdf", str(tiny)), RuleExtractor)


def test_a_model_folder_in_the_old_joblib_format_asks_for_retraining(tmp_path):
    (tmp_path / "meta.json").write_text(json.dumps({"name": "old"}))
    (tmp_path / "classifier.joblib").write_bytes(b"not unpickled")
    with pytest.raises(ModelError, match="old format.*form4 train"):
        load_model(tmp_path)


def test_preload_loads_only_what_the_method_will_use(tiny, tmp_path):
    import shutil

    from extractor import model as model_module

    for strategy in ("rules", "choose"):
        copy = tmp_path / strategy
        shutil.copytree(tiny, copy)
        meta = json.loads((copy / "meta.json").read_text())
        meta["auto_strategy"] = strategy
        (copy / "meta.json").write_text(json.dumps(meta))
    model_module._cached.cache_clear()
    model_module.preload_model("auto", tmp_path / "rules")
    model_module.preload_model("rules", tmp_path / "choose")
    model_module.preload_model("auto", tmp_path / "missing")
    assert model_module._cached.cache_info().currsize == 0
    model_module.preload_model("auto", tmp_path / "choose")
    assert model_module._cached.cache_info().currsize == 1


def test_extracting_with_a_loaded_model_never_imports_scikit_learn(tiny, tmp_path):
    import subprocess
    import sys

    (tmp_path / "made-up.pdf").write_bytes(render(next(make_records(1, seed=5)), "edgar", 2).pdf)
    script = (
        "import sys\n"
        "from extractor.pipeline import ExtractSettings, extract_file\n"
        f"record = extract_file(r'{tmp_path / 'made-up.pdf'}', ExtractSettings(method='model', model_dir=r'{tiny}'))\n"
        "assert any(v.method == 'model' for _, v in record.values() if v.present)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'joblib'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def _two_readings(method: str, director: bool, plan: bool, form: str = "4") -> Record:
    from extractor.records import ReportingOwner

    owner = ReportingOwner(name=Value(value="Jane Roe" if method == "rules" else "Jane", method=method))
    owner.relationship.is_director = Value(value=director, method=method)
    return Record(owners=[owner], aff10b5_one=Value(value=plan, method=method),
                  document_type=Value(value=form, method=method),
                  issuer={"name": Value(value="Made Up Inc" if method == "rules" else "Made Up", method=method)})


def test_choose_takes_the_models_record_with_the_rules_owners_where_the_rules_pass():
    chosen = choose(_two_readings("rules", director=False, plan=False), _two_readings("model", director=True, plan=True))
    assert chosen.issuer.name.value == "Made Up"  # the model's record ...
    assert chosen.owners[0].name.value == "Jane Roe"  # ... with the rules' owner ...
    assert chosen.owners[0].relationship.is_director.value is True  # ... and the model's reading of its boxes
    assert chosen.aff10b5_one.value is True
    assert choose(_two_readings("rules", False, False), None).owners[0].relationship.is_director.value is False


def test_choose_keeps_the_rules_tables_of_a_markdown_or_html_table():
    # There the cells are given, and the model's markdown tables had lost a lone marker's cell.
    from extractor.records import NonDerivativeRow

    rules, model = _two_readings("rules", False, False), _two_readings("model", True, True)
    rules.non_derivative = [NonDerivativeRow(security_title=Value(value="Common Stock", method="rules"))]
    model.non_derivative = [NonDerivativeRow(security_title=Value(value="Common", method="model"))]
    assert choose(rules, model).non_derivative[0].security_title.value == "Common"
    for fmt in ("markdown", "html"):
        model.source.format = fmt
        chosen = choose(rules, model)
        assert (chosen.non_derivative[0].security_title.value, chosen.issuer.name.value) == ("Common Stock", "Made Up")


def test_choose_keeps_the_rules_record_where_the_model_reads_another_form():
    # The Snowflake Form 3 scanned: the model took it for a Form 4 and read its Table II by a Form 4's
    # columns (the conversion price as the amount owned), where the rules' record was exact.
    chosen = choose(_two_readings("rules", False, False, form="3"), _two_readings("model", True, True, form="4"))
    assert (chosen.issuer.name.value, chosen.document_type.value) == ("Made Up Inc", "3")
    assert chosen.owners[0].relationship.is_director.value is True and chosen.aff10b5_one.value is True


def test_printed_form_number_the_word_classifier_is_sure_of_overrules_the_text_categorizer():
    """The text categorizer, which saw 20 Forms 3 and no Form 5 in training, read the real Snowflake
    Form 3 and Form 5 as Forms 4; the word classifier tags the title's "5" as the document type at 0.98."""
    words = [Word("FORM", 10, 10, 40, 20), Word("5", 45, 10, 50, 20), Word("5", 100, 300, 105, 310)]
    classes = np.array(["document_type", "label", "other"])
    sure = np.array([[0.01, 0.98, 0.01], [0.98, 0.02, 0.0], [0.05, 0.05, 0.9]])
    assert _printed_form_number(words, sure, classes) == ("5", 0.98)
    unsure = sure.copy()
    unsure[1] = [0.6, 0.4, 0.0]
    assert _printed_form_number(words, unsure, classes) is None
    two_titles = np.vstack([sure[:2], [0.9, 0.1, 0.0]])
    assert _printed_form_number([*words[:2], Word("4", 45, 30, 50, 40)], two_titles, classes) is None
