"""Evaluation over folders: pairing, sums, calibration, comparison, the report and `form4 evaluate`."""

from __future__ import annotations

import json
import random
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.edgar_xml import read_xml, write_xml
from extractor.errors import InputError
from extractor.evaluate import (
    DocumentResult, EvaluateSettings, EvaluationResult, calibrate, compare, evaluate_folder, name_channel,
    document_key, pair_documents, read_result, summarize,
)
from extractor.pipeline import extract_bytes, extract_file
from extractor.records import Record, Value
from extractor.report import render_report
from extractor.scoring import cells, score_record
from extractor.timing import StageTimings

from .test_scoring import made_up_record

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "made-up-form4.md"
runner = CliRunner()


def gold_record(rows: int = 3) -> Record:
    """The made-up record as its XML reads back, so an XML document of it scores perfect."""
    return read_xml(write_xml(made_up_record(rows)), "gold")


def n_values(record: Record) -> int:
    return sum(1 for c in cells(record).values() if c.value is not None)


def with_wrong_shares(record: Record) -> Record:
    wrong = record.model_copy(deep=True)
    wrong.non_derivative[2].shares = Value(value=Decimal(1243))
    return wrong


def test_calibration_bins_ece_and_the_auto_accept_table_by_hand():
    confidences = [(0.95, True)] * 8 + [(0.95, False)] * 2 + [(0.55, True), (0.55, False)]
    out = calibrate(confidences, bins=10, thresholds=(0.0, 0.9, 0.99))
    assert [(b.lower, b.count, b.accuracy) for b in out.bins] == [(0.5, 2, 0.5), (0.9, 10, 0.8)]
    assert out.ece == pytest.approx((10 * 0.15 + 2 * 0.05) / 12)
    assert [(r.threshold, r.accepted, round(r.accepted_share, 4), round(r.error_rate, 4)) for r in out.thresholds] == [
        (0.0, 12, 1.0, 0.25), (0.9, 10, 0.8333, 0.2), (0.99, 0, 0.0, 0.0)]
    # A confidence of exactly 1 falls in the last bin, closed on the right.
    assert calibrate([(1.0, True)], 10, ()).bins[0].lower == 0.9


def test_documents_pair_with_gold_by_the_name_up_to_the_first_dot(tmp_path):
    for name in ("a.xml", "b.json", "c.xml", "a.pdf", "a.scan.tiff", "b.md", "z.txt", "b.labels.json"):
        (tmp_path / name).write_text("x")
    pairing = pair_documents(tmp_path, tmp_path)
    assert sorted((p.document.name, p.gold.name) for p in pairing.pairs) == [
        ("a.pdf", "a.xml"), ("a.scan.tiff", "a.xml"), ("b.md", "b.json")]
    assert [p.name for p in pairing.documents_without_gold] == ["z.txt"]
    assert [p.name for p in pairing.gold_without_documents] == ["c.xml"]
    assert (document_key(Path("abc.fax.png")), name_channel(Path("abc.fax.png")), name_channel(Path("abc.pdf"))) == (
        "abc", "fax", None)
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(InputError, match="a second gold record for key 'a'"):
        pair_documents(tmp_path, tmp_path)


def test_timings_are_filled_per_stage():
    timings = StageTimings()
    extract_bytes(EXAMPLE.read_bytes(), str(EXAMPLE), timings=timings)
    extract_bytes(write_xml(made_up_record()), "x.xml", timings=timings)
    assert timings.pages == 2 and timings.rules > 0 and timings.layout > 0 and timings.ocr == 0 and timings.model == 0
    assert timings.total == pytest.approx(sum(getattr(timings, s) for s in ("classification", "layout", "rules", "validation")))


def test_bad_gold_is_listed_and_a_missing_model_is_not_available(tmp_path, monkeypatch):
    monkeypatch.setattr("extractor.model.DEFAULT_MODEL", tmp_path / "no-model")  # as on a machine without one
    gold, docs = tmp_path / "gold", tmp_path / "docs"
    gold.mkdir(), docs.mkdir()
    (gold / "ex.json").write_text(extract_file(EXAMPLE).model_dump_json())
    (gold / "broken.json").write_text('{"owners": 3}')
    (docs / "ex.md").write_bytes(EXAMPLE.read_bytes())
    (docs / "broken.md").write_bytes(EXAMPLE.read_bytes())
    result = evaluate_folder(gold, docs, EvaluateSettings(methods=("rules", "model")))
    assert [s.path for s in result.skipped] == [str(gold / "broken.json")]
    assert "not a record JSON" in result.skipped[0].reason
    rules, model = result.summaries["rules"], result.summaries["model"]
    assert (rules.documents, rules.exact, rules.total.fn) == (1, 1, 0)
    assert rules.channels["md"].documents == 1 and rules.speed.pages == 1
    assert not model.available and "no trained model" in model.reason
    assert [d.method for d in result.documents] == ["rules"]


def _fake_result(n: int, seed: int = 0) -> EvaluationResult:
    """`n` documents of made-up scores: each prediction has a few random values changed."""
    rng = random.Random(seed)
    gold = made_up_record()
    documents = []
    for i in range(n):
        predicted = gold.model_copy(deep=True)
        for _ in range(rng.randrange(4)):
            row = rng.randrange(3)
            predicted.non_derivative[row].shares = Value(value=Decimal(rng.randrange(9999)), confidence=rng.random())
        if rng.random() < 0.1:
            del predicted.non_derivative[0]
        failed = rng.random() < 0.03
        documents.append(DocumentResult(
            id=f"doc{i:03d}.pdf", gold=f"doc{i:03d}.xml", method="rules", channel=rng.choice(["pdf", "scan"]),
            status="failed" if failed else "ok", error="doc: the file is corrupt" if failed else None,
            timings={"layout": 0.1, "ocr": 0.5 * rng.random(), "rules": 0.05, "pages": 1},
            score=score_record(gold, None if failed else predicted),
        ))
    settings = EvaluateSettings(methods=("rules",))
    return EvaluationResult(created="2031-01-01T00:00:00+00:00", gold_dir="g", docs_dir="d", methods=["rules"],
                            summaries={"rules": summarize("rules", documents, settings)}, documents=documents)


def test_the_report_of_two_hundred_documents_is_quick_and_self_contained():
    result = _fake_result(200)
    summary = result.summaries["rules"]
    assert summary.documents == 200 and summary.total.tp + summary.total.fn == 200 * 49
    start = time.perf_counter()
    page = render_report(result)
    elapsed = time.perf_counter() - start
    assert page.count("data:image/png;base64,") == 2
    assert not re.search(r"""(src|href)=["']?(https?:|/|file:)""", page)  # nothing fetched from elsewhere
    assert "non_derivative.*.shares" in page and "doc" in page
    assert elapsed < 30  # generous for a loaded machine; typically about a second


def test_compare_lists_regressions_and_documents_no_longer_right():
    before, after = _fake_result(20, seed=1), _fake_result(20, seed=2)
    perfect = _fake_result(20, seed=1)
    for doc in perfect.documents:
        doc.score = score_record(made_up_record(), made_up_record())
    perfect.summaries["rules"] = summarize("rules", perfect.documents, EvaluateSettings(methods=("rules",)))
    comparison = compare(before, perfect, "perfect.json")
    worse = {c.metric for c in comparison.regressions}
    assert {"micro_f1", "documents_exact", "f1 non_derivative.*.shares"} <= worse
    assert all(c.after < c.before for c in comparison.regressions if c.metric != "ece")
    assert comparison.documents_regressed and all(d.startswith("rules: doc") for d in comparison.documents_regressed)
    assert compare(after, after, "same.json").regressions == []


def _write_case(root: Path, alpha: Record, beta: Record) -> tuple[Path, Path]:
    gold, docs = root / "gold", root / "docs"
    gold.mkdir(parents=True), docs.mkdir(parents=True)
    truth = {"alpha": gold_record(), "beta": gold_record(), "gamma": gold_record(rows=2),
             "delta": extract_file(EXAMPLE)}
    for key, record in truth.items():
        (gold / f"{key}.json").write_text(record.model_dump_json())
    (docs / "alpha.xml").write_bytes(write_xml(alpha))
    (docs / "beta.xml").write_bytes(write_xml(beta))
    (docs / "gamma.pdf").write_bytes(random.Random(0).randbytes(4096))
    (docs / "delta.md").write_bytes(EXAMPLE.read_bytes())
    return gold, docs


def test_form4_evaluate_writes_json_and_html_with_the_right_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr("extractor.model.DEFAULT_MODEL", tmp_path / "no-model")  # as on a machine without one
    gold, docs = _write_case(tmp_path, gold_record(), with_wrong_shares(gold_record()))
    out = tmp_path / "out"
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--docs", str(docs), "--method", "all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "model: not available" in result.stdout
    data = json.loads((out / "evaluation.json").read_text())
    n_full, n_gamma, n_delta = n_values(gold_record()), n_values(gold_record(rows=2)), n_values(extract_file(EXAMPLE))
    for method in ("auto", "rules"):
        s = data["summaries"][method]
        assert (s["documents"], s["failed"], s["exact"]) == (4, 1, 2)
        assert (s["total"]["tp"], s["total"]["fp"], s["total"]["fn"]) == (2 * n_full - 1 + n_delta, 1, 1 + n_gamma)
        assert s["tables"]["non_derivative"]["gold"] == 3 + 3 + 2 + 1
        assert s["tables"]["non_derivative"]["exact"] == 3 + 2 + 0 + 1
        assert s["channels"]["pdf"] == {"documents": 1, "failed": 1, "exact": 0, "pages": 0, "seconds": 0.0,
                                        "seconds_per_page": 0.0, "pages_per_second": 0.0, "total": {
            "tp": 0, "fp": 0, "fn": n_gamma, "precision": 1.0, "recall": 0.0, "f1": 0.0}}
        assert s["checkboxes"]["total"] - s["checkboxes"]["correct"] == 7  # the failed Form 4's boxes
        assert s["speed"]["pages"] == 3 and s["speed"]["peak_memory_mb"] > 10
    assert data["summaries"]["model"]["available"] is False
    failed = next(d for d in data["documents"] if d["id"] == "gamma.pdf")
    assert failed["status"] == "failed" and "gamma.pdf" in failed["error"]
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2 and "not available" in page
    assert "<th>auto F1</th><th>pages/s</th><th>rules F1</th><th>pages/s</th>" in page  # the channel x method matrix
    assert data["auto_strategy"] in ("rules", "choose", "combined", "model")
    beta_section = page[page.index("<code>beta.xml</code>"):]
    assert re.search(r"non_derivative\.2\.shares</code></td><td>wrong</td><td>1222</td><td>1243", beta_section)


def test_form4_evaluate_compare_shows_a_regression_and_can_fail_on_it(tmp_path):
    gold, docs = _write_case(tmp_path / "one", gold_record(), gold_record())
    first = tmp_path / "first"
    assert runner.invoke(app, ["evaluate", "--gold", str(gold), "--docs", str(docs), "-m", "rules",
                               "-o", str(first)]).exit_code == 0
    gold, docs = _write_case(tmp_path / "two", with_wrong_shares(gold_record()), gold_record())
    second = tmp_path / "second"
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--docs", str(docs), "-m", "rules", "-o", str(second),
                                 "--compare", str(first / "evaluation.json"), "--fail-on-regression"])
    assert result.exit_code == 2, result.output
    comparison = read_result(second / "evaluation.json").comparison
    assert comparison.documents_regressed == ["rules: alpha.xml"]
    f1 = next(c for c in comparison.regressions if c.metric == "micro_f1")
    assert f1.before > f1.after and "regressions" in (second / "report.html").read_text()


def test_form4_evaluate_names_a_missing_folder(tmp_path):
    result = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / "nope"), "--docs", str(tmp_path)])
    assert result.exit_code == 1 and "the gold folder does not exist" in result.stderr
    result = runner.invoke(app, ["evaluate", "--gold", str(tmp_path), "--docs", str(tmp_path), "-m", "best"])
    assert result.exit_code != 0 and "method must be one of" in result.output


def test_workers_give_the_same_scores_as_one_process(tmp_path):
    from extractor.synth.build import SynthSettings, build_set
    from extractor.synth.fake import make_records

    build_set(list(make_records(4, seed=21)), tmp_path, SynthSettings(channels=("pdf", "md"), seed=21))
    one = evaluate_folder(tmp_path / "gold", tmp_path / "docs", EvaluateSettings(methods=("rules",)))
    two = evaluate_folder(tmp_path / "gold", tmp_path / "docs", EvaluateSettings(methods=("rules",), workers=2))
    assert [d.id for d in one.documents] == [d.id for d in two.documents] and len(one.documents) == 8
    assert [d.score.total for d in one.documents] == [d.score.total for d in two.documents]
    assert one.summaries["rules"].total == two.summaries["rules"].total
