"""The `form4` command line, driven with Typer's CliRunner on the project's own made-up example."""

from __future__ import annotations

import json
import random
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "made-up-form4.md"
runner = CliRunner()


def test_extract_prints_the_record_as_json():
    result = runner.invoke(app, ["extract", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    row = record["non_derivative"][0]
    assert (row["transaction_code"]["value"], row["shares"]["value"], row["price_per_share"]["footnote_ids"]) == ("S", "2500", ["F2"])
    assert record["issuer"]["trading_symbol"]["value"] == "EXWG"
    assert record["owners"][0]["relationship"]["officer_title"]["value"] == "Chief Financial Officer"


def test_several_inputs_with_output_dir_write_one_file_each_and_a_bad_one_does_not_stop_them(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(random.Random(0).randbytes(4096))
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(empty), str(EXAMPLE), str(garbage), "--output", str(out), "--format", "csv"])
    assert result.exit_code == 1
    assert (out / "made-up-form4.csv").read_text().count("\n") == 2
    assert f"{empty}: the file is empty" in result.stderr
    assert str(garbage) in result.stderr and "Traceback" not in result.stderr


def test_text_that_is_not_a_form_is_refused_with_its_name(tmp_path):
    essay = tmp_path / "annual-report.txt"
    essay.write_text("Item 7. Management's discussion and analysis of financial condition.\nRevenue grew in every segment.\n")
    result = runner.invoke(app, ["extract", str(essay)])
    assert result.exit_code == 1
    assert f"{essay}: not an SEC Form 3, 4 or 5" in result.stderr


def test_method_model_extracts_with_the_shipped_model():
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--method", "model"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["document_type"]["value"] == "4"
    assert any(v.get("method") == "model" for v in (record["issuer"]["name"], record["document_type"]))


def test_schema_is_the_record_json_schema():
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "Record" and "non_derivative" in schema["properties"]
