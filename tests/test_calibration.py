"""Confidence calibration: fitting on made-up (confidence, right?) samples, its JSON, the pipeline and the CLI."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from typer.testing import CliRunner

from extractor.calibration import (
    CALIBRATION_FILE,
    ConfidenceCalibrator,
    ConfidenceSample,
    expected_calibration_error,
    field_kind,
    fit_and_measure,
    install_calibration,
    judge,
    load_calibrator,
    save_calibrator,
)
from extractor.cli import app
from extractor.errors import ModelError
from extractor.pipeline import ExtractSettings, extract_bytes, extract_methods
from extractor.synth.fake import make_records
from extractor.synth.render import render

from .fixture_models import train_tiny_model


def _samples(n: int, confidence: float, accuracy: float, seed: int = 0, extraction: str = "auto",
             method: str = "rules", source: str = "pdf", kind: str = "number", documents: int = 40):
    """`n` made-up samples at one confidence, right with probability `accuracy`."""
    rng = random.Random(seed)
    return [ConfidenceSample(extraction, method, source, kind, confidence, rng.random() < accuracy,
                             f"doc{rng.randrange(documents)}") for _ in range(n)]


def _over_confident(seed: int = 0):
    return (_samples(400, 0.95, 0.70, seed) + _samples(400, 0.80, 0.50, seed + 1)
            + _samples(400, 0.50, 0.20, seed + 2))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return train_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


def test_over_confident_samples_are_mapped_down_to_their_accuracy():
    samples = _over_confident()
    calibrator = ConfidenceCalibrator(min_samples=50).fit(samples)
    probe = [ConfidenceSample("auto", "rules", "pdf", "number", c, False) for c in (0.95, 0.80, 0.50)]
    mapped = calibrator.predict(probe)
    assert mapped == pytest.approx([0.70, 0.50, 0.20], abs=0.06)
    correct = [s.correct for s in samples]
    before = expected_calibration_error([s.confidence for s in samples], correct)
    after = expected_calibration_error(calibrator.predict(samples).tolist(), correct)
    assert before > 0.2 and after < 0.01


def test_calibrated_confidences_never_decrease_with_the_raw_confidence():
    rng = random.Random(3)
    samples = [ConfidenceSample("model", "model", "scan", "text", c, rng.random() < c * c, "d")
               for c in (rng.random() for _ in range(2000))]
    calibrator = ConfidenceCalibrator(min_samples=50).fit(samples)
    grid = np.linspace(0, 1, 201)
    mapped = calibrator.predict([ConfidenceSample("model", "model", "scan", "text", float(c), False) for c in grid])
    assert np.all(np.diff(mapped) >= 0) and 0.0 <= mapped.min() and mapped.max() <= 1.0
    assert mapped[100] == pytest.approx(0.25, abs=0.08)  # right with probability c squared


def test_unseen_groups_fall_back_to_a_coarser_group_then_keep_their_confidence():
    samples = _samples(300, 0.9, 0.6, extraction="rules", kind="date")
    levels = (("extraction", "method", "source", "kind"), ("extraction", "method", "kind"), ("method", "kind"),
              ("method",))
    calibrator = ConfidenceCalibrator(levels, min_samples=100).fit(samples)
    probe = [
        ConfidenceSample("rules", "rules", "scan", "date", 0.9, False),  # other source: (extraction, method, kind)
        ConfidenceSample("auto", "rules", "pdf", "date", 0.9, False),  # other extraction: (method, kind)
        ConfidenceSample("auto", "rules", "pdf", "text", 0.9, False),  # other kind too: (method)
        ConfidenceSample("auto", "model", "pdf", "date", 0.9, False),  # nothing of the model's: unchanged
    ]
    mapped = calibrator.predict(probe)
    assert mapped[:3] == pytest.approx([0.6, 0.6, 0.6], abs=0.07)
    assert mapped[3] == 0.9


def test_groups_with_too_few_samples_are_not_fitted():
    samples = _samples(300, 0.9, 0.6, kind="number") + _samples(20, 0.9, 0.0, kind="date", seed=1)
    levels = (("extraction", "method", "kind"), ("extraction", "method"))
    calibrator = ConfidenceCalibrator(levels, min_samples=100).fit(samples)
    assert not any("kind=date" in key for key in calibrator.curves_)
    # the 20 dates count in the coarser (extraction, method) group, fitted on all 320
    assert calibrator.counts_["extraction=auto|method=rules"] == 320


def test_json_round_trip_is_exact(tmp_path):
    calibrator = ConfidenceCalibrator(min_samples=50).fit(_over_confident() + _samples(200, 0.7, 0.9, kind="text"))
    save_calibrator(calibrator, tmp_path / CALIBRATION_FILE)
    loaded = load_calibrator(tmp_path / CALIBRATION_FILE)
    assert loaded.levels_ == calibrator.levels_ and loaded.counts_ == calibrator.counts_
    assert loaded.curves_.keys() == calibrator.curves_.keys()
    for key, (x, y) in calibrator.curves_.items():
        assert np.array_equal(loaded.curves_[key][0], x) and np.array_equal(loaded.curves_[key][1], y)
    probe = [ConfidenceSample("auto", "rules", "pdf", k, c, False) for k in ("number", "text", "date")
             for c in np.linspace(0, 1, 11)]
    assert np.array_equal(loaded.predict(probe), calibrator.predict(probe))


def test_a_damaged_calibration_file_is_a_model_error_naming_it(tmp_path):
    path = tmp_path / CALIBRATION_FILE
    path.write_text(json.dumps({"format_version": 1, "levels": [["method"]], "min_samples": 10,
                                "curves": {"method=rules": {"x": [0.2, 0.1], "y": [0.1, 0.2]}}}))
    with pytest.raises(ModelError, match=f"{CALIBRATION_FILE}.*not an increasing"):
        load_calibrator(path)


def test_bad_settings_are_refused_at_fit():
    with pytest.raises(ValueError, match="levels"):
        ConfidenceCalibrator(levels=(("colour",),)).fit(_samples(10, 0.5, 0.5))


def test_field_kinds_by_path():
    assert [field_kind(p) for p in (
        "non_derivative.0.shares", "derivative.1.expiration_date", "owners.0.relationship.is_director",
        "non_derivative.0.transaction_code", "footnotes.2.text", "footnote.F1", "issuer.name", "period_of_report",
    )] == ["number", "date", "checkbox", "code", "footnote", "footnote", "text", "date"]


def test_judge_marks_values_right_and_wrong_with_their_method():
    gold = next(make_records(1, seed=7))
    predicted = gold.model_copy(deep=True)
    predicted.source.format = "markdown"
    predicted.issuer.name.value = "Somebody Else Entirely"
    predicted.issuer.name.method = "model"
    samples = {s.kind + ":" + s.method: s for s in judge(gold, predicted, "auto", "k")}
    assert samples["text:model"].correct is False and samples["text:model"].source == "markdown"
    assert all(s.correct for s in judge(gold, gold, "rules", "k") if s.method == "xml")
    assert judge(gold, None, "auto", "k") == []


def test_held_out_measure_and_install_write_the_file_and_meta_entry(tmp_path):
    samples = [s for seed in range(3) for s in _over_confident(seed * 10)]
    calibrator, report = fit_and_measure(samples, ConfidenceCalibrator(min_samples=50))
    (row,) = report.held_out
    assert row.method == "auto" and row.ece_before > 0.2 and row.ece_after < 0.05
    assert report.fit_documents + report.held_out_documents == 40
    (tmp_path / "meta.json").write_text(json.dumps({"name": "made-up"}))
    path = install_calibration(calibrator, report, tmp_path, "made-up samples")
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert path == tmp_path / CALIBRATION_FILE and meta["name"] == "made-up"
    assert meta["calibration"]["held_out"]["auto"]["ece_after"] == round(row.ece_after, 4)


def _constant_calibration(folder, value: float) -> None:
    """A calibration mapping every value of every method to `value`."""
    samples = [ConfidenceSample(extraction, method, "pdf", "text", c, ok, "d")
               for extraction in ("auto", "rules", "model") for method in ("rules", "model")
               for c in (0.0, 1.0) for ok in [True] * int(value * 100) + [False] * (100 - int(value * 100))]
    save_calibrator(ConfidenceCalibrator(levels=(("method",),), min_samples=10).fit(samples), folder / CALIBRATION_FILE)


def test_the_pipeline_applies_the_model_folders_calibration_and_keeps_method_tags(tiny, tmp_path):
    import shutil

    model = tmp_path / "calibrated"
    shutil.copytree(tiny, model)
    _constant_calibration(model, 0.37)
    data = render(next(make_records(1, seed=5)), "edgar", 2).pdf
    for method in ("model", "rules"):
        raw = extract_bytes(data, "made-up.pdf", ExtractSettings(method=method, model_dir=str(model), calibrate=False))
        done = extract_bytes(data, "made-up.pdf", ExtractSettings(method=method, model_dir=str(model)))
        raw_values, values = dict(raw.values()), dict(done.values())
        present = [p for p, v in values.items() if v.present]
        assert present and all(values[p].confidence == pytest.approx(0.37) for p in present)
        assert [values[p].method for p in present] == [raw_values[p].method for p in present]
        assert [values[p].value for p in present] == [raw_values[p].value for p in present]
    outcomes = extract_methods(data, "made-up.pdf", ("auto", "rules"), ExtractSettings(model_dir=str(model)))
    assert all(v.confidence == pytest.approx(0.37) for o in outcomes.values() for _, v in o.record.values()
               if v.present)


def test_no_calibration_file_leaves_confidences_unchanged(tiny):
    data = render(next(make_records(1, seed=5)), "edgar", 2).pdf
    raw = extract_bytes(data, "made-up.pdf", ExtractSettings(method="model", model_dir=str(tiny), calibrate=False))
    done = extract_bytes(data, "made-up.pdf", ExtractSettings(method="model", model_dir=str(tiny)))
    assert [v.confidence for _, v in raw.values()] == [v.confidence for _, v in done.values()]


def test_cli_calibrate_fits_on_made_up_documents_and_prints_the_held_out_ece(tiny, tmp_path):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny, model)
    runner = CliRunner()
    made = runner.invoke(app, ["synth", "--fake", "4", "--channels", "pdf,md", "--out", str(tmp_path / "set"),
                               "--seed", "2", "--families", "edgar"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["calibrate", "--gold", str(tmp_path / "set" / "gold"), "--docs",
                                 str(tmp_path / "set" / "docs"), "--model", str(model), "--min-samples", "20",
                                 "--save-samples", str(tmp_path / "samples.jsonl")])
    assert result.exit_code == 0, result.output
    assert "ECE" in result.output and "rules:" in result.output and "model:" in result.output
    meta = json.loads((model / "meta.json").read_text())
    assert meta["calibration"]["file"] == CALIBRATION_FILE and meta["calibration"]["samples"] > 100
    fitted = load_calibrator(model / CALIBRATION_FILE)
    assert fitted.curves_
    again = runner.invoke(app, ["calibrate", "--from-samples", str(tmp_path / "samples.jsonl"), "--model", str(model),
                                "--min-samples", "20"])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[1:-1] == result.output.splitlines()[1:-1]  # the same held-out figures
    assert load_calibrator(model / CALIBRATION_FILE).curves_.keys() == fitted.curves_.keys()


def test_cli_calibrate_refuses_the_test_split(tmp_path, tiny):
    (tmp_path / "xml" / "test").mkdir(parents=True)
    result = CliRunner().invoke(app, ["calibrate", "--corpus", str(tmp_path), "--split", "test", "--model", str(tiny)])
    assert result.exit_code != 0 and "not 'test'" in result.output
