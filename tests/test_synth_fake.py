"""Made-up filings: deterministic, XSD-valid, equal after a round trip, consistent, distributed as measured."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources

import pytest

from extractor.edgar_xml import read_xml, validate_xml, write_xml
from extractor.errors import Form4Error
from extractor.pipeline import extract_file
from extractor.records import Record
from extractor.scoring import differences
from extractor.synth import measure as measure_module
from extractor.synth.fake import (
    DOCUMENT_TYPES,
    FakeSettings,
    default_distributions,
    load_vocabulary,
    make_record,
    make_records,
    write_fake_corpus,
)
from extractor.synth.measure import FakeDistributions, measure
from extractor.validate import TRANSACTION_CODES, validate_record

from .shared_data import CORPUS, need

PER_TYPE = 50
US_STATES = set(json.loads(resources.files("extractor.data").joinpath("us_states.json").read_text("utf-8")).values())


@pytest.fixture(scope="module")
def by_type() -> dict[str, list[Record]]:
    return {doc_type: list(make_records(PER_TYPE, seed=100 + i, settings=FakeSettings(document_type=doc_type)))
            for i, doc_type in enumerate(DOCUMENT_TYPES)}


@pytest.fixture(scope="module")
def variants() -> list[Record]:
    settings = [FakeSettings(derivative_heavy=True), FakeSettings(multi_owner=True),
                FakeSettings(long_remarks=True), FakeSettings(amendment=True),
                FakeSettings(min_rows=25, max_rows=60), FakeSettings(document_type="5", derivative_heavy=True),
                FakeSettings(document_type="3", multi_owner=True, max_rows=0)]
    return [r for i, s in enumerate(settings) for r in make_records(15, seed=500 + i, settings=s)]


def all_records(by_type: dict[str, list[Record]], variants: list[Record]) -> list[Record]:
    return [r for records in by_type.values() for r in records] + variants


# ---------------------------------------------------------------- determinism


def test_same_seed_gives_identical_xml_and_another_seed_another_filing():
    first = [write_xml(r) for r in make_records(5, seed=7)]
    again = [write_xml(r) for r in make_records(5, seed=7)]
    other = [write_xml(r) for r in make_records(5, seed=8)]
    assert first == again
    assert all(a != b for a, b in zip(first, other))
    assert len(set(first)) == 5  # the records of one seed differ from each other
    assert write_xml(make_record(FakeSettings(seed=3))) == write_xml(make_record(FakeSettings(seed=3)))


def test_generation_leaves_the_global_random_state_alone():
    import random

    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    list(make_records(3, seed=1))
    assert random.random() == expected


# ---------------------------------------------------------------- XML validity and round trip


@pytest.mark.parametrize("doc_type", DOCUMENT_TYPES)
def test_every_document_type_is_xsd_valid(by_type, doc_type):
    spec = need(CORPUS / "spec")
    invalid = []
    for record in by_type[doc_type]:
        assert record.document_type.value == doc_type
        errors = validate_xml(write_xml(record), doc_type, spec)
        if errors:
            invalid.append(f"{record.source.path}: {errors[:2]}")
    assert not invalid, invalid[:3]


def test_variants_are_xsd_valid(variants):
    spec = need(CORPUS / "spec")
    invalid = [f"{r.source.path}: {errors[:2]}" for r in variants
               if (errors := validate_xml(write_xml(r), r.document_type.value, spec))]
    assert not invalid, invalid[:3]


def test_every_record_reads_back_equal(by_type, variants):
    for record in all_records(by_type, variants):
        back = read_xml(write_xml(record), record.source.path)
        assert differences(record, back) == [], record.source.path
        assert back == record, record.source.path  # not only the printed fields: every value, as read


def test_domain_validation_finds_nothing_to_warn_about(by_type, variants):
    warned = {r.source.path: [w.code for w in validate_record(r).warnings] for r in all_records(by_type, variants)}
    assert {path: codes for path, codes in warned.items() if codes} == {}


# ---------------------------------------------------------------- consistency


def cited_ids(record: Record) -> list[str]:
    return [note for _, value in record.values() for note in value.footnote_ids]


def test_footnotes_are_numbered_cited_and_defined(by_type, variants):
    with_notes = 0
    for record in all_records(by_type, variants):
        ids = [f.id for f in record.footnotes]
        assert ids == [f"F{i}" for i in range(1, len(ids) + 1)], record.source.path
        cited = cited_ids(record)
        assert set(cited) == set(ids), record.source.path
        first_seen = list(dict.fromkeys(cited))
        assert first_seen == ids  # numbered in reading order
        assert all(f.text.value and f.text.value == f.text.value.strip() for f in record.footnotes)
        assert len({f.text.value for f in record.footnotes}) == len(ids)  # no footnote said twice
        with_notes += bool(ids)
    assert with_notes > len(all_records(by_type, variants)) // 2


def test_form3_reports_holdings_only(by_type):
    for record in by_type["3"] + by_type["3/A"]:
        rows = record.non_derivative + record.derivative
        assert all(r.kind == "holding" for r in rows)
        assert all(r.transaction_code.value is None and r.shares.value is None for r in rows)
        assert all(r.shares_owned_following.value is None for r in record.derivative)  # not on a Form 3
        assert record.no_securities_owned.value is (not rows)
        assert record.aff10b5_one.value is None and record.not_subject_to_section16.value is None


def test_forms_4_and_5_report_transactions_with_consistent_codes(by_type):
    for doc_type in ("4", "4/A", "5", "5/A"):
        for record in by_type[doc_type]:
            transactions = [(t, r) for t in ("non_derivative", "derivative") for r in getattr(record, t)
                            if r.kind == "transaction"]
            assert transactions, record.source.path
            if doc_type.startswith("4"):  # the period of report is the earliest transaction's date
                assert min(r.transaction_date.value for _, r in transactions) == record.period_of_report.value
            for table, row in transactions:
                rule = TRANSACTION_CODES[row.transaction_code.value]
                assert row.acquired_disposed.value == rule.direction.get(table, row.acquired_disposed.value)
                assert row.transaction_form_type.value in ("4", "5")
                assert record.period_of_report.value <= row.transaction_date.value or doc_type.startswith("5")
                assert row.transaction_date.value <= record.signatures[0].date.value


def test_amounts_owned_follow_from_the_transactions():
    chains = 0
    for record in make_records(80, seed=42, settings=FakeSettings(min_rows=3)):
        rows = [r for r in record.non_derivative if r.kind == "transaction"]
        for before, after in zip(rows, rows[1:]):
            same = (before.security_title.value, before.direct_or_indirect.value, before.nature_of_ownership.value) == \
                   (after.security_title.value, after.direct_or_indirect.value, after.nature_of_ownership.value)
            if same:
                sign = 1 if after.acquired_disposed.value == "A" else -1
                expected = before.shares_owned_following.value + sign * after.shares.value
                assert after.shares_owned_following.value == expected
                chains += 1
    assert chains > 20


def test_dates_and_amendments(by_type):
    for doc_type, records in by_type.items():
        for record in records:
            period = record.period_of_report.value
            assert all(s.date.value >= period for s in record.signatures)
            original = record.date_of_original_submission.value
            if doc_type.endswith("/A"):
                assert period <= original < record.signatures[0].date.value
            else:
                assert original is None


def test_identifiers_and_codes_have_their_printed_shapes(by_type, variants):
    for record in all_records(by_type, variants):
        assert re.fullmatch(r"[A-Z]{1,5}", record.issuer.trading_symbol.value)
        assert re.fullmatch(r"\d{10}", record.issuer.cik.value) and record.issuer.cik.value.strip("0")
        for owner in record.owners:
            assert re.fullmatch(r"\d{10}", owner.cik.value)
            assert owner.address.state.value in US_STATES
            assert re.fullmatch(r"\d{5}(-\d{4})?", owner.address.zip_code.value)
            title = owner.relationship.officer_title.value
            assert title is None or (owner.relationship.is_officer.value and len(title) <= 30)
        assert len({o.cik.value for o in record.owners}) == len(record.owners)
        assert record.joint_filing.value is (len(record.owners) > 1)
        assert len(record.signatures) == len(record.owners)
        for path, value in record.values():
            assert (value.method, value.confidence, value.provenance) == ("xml", 1.0, None), path


def test_variants_do_what_they_ask(variants):
    groups = [variants[i:i + 15] for i in range(0, len(variants), 15)]
    heavy, multi, remarks, amended, long_tables, heavy5, empty3 = groups
    for r in heavy + heavy5:
        assert len(r.derivative) >= max(3, len(r.non_derivative))
    assert all(len(r.owners) >= 2 and r.joint_filing.value for r in multi + empty3)
    assert all(800 <= len(r.remarks.value) <= 2000 for r in remarks)
    assert all(r.document_type.value.endswith("/A") and r.date_of_original_submission.value for r in amended)
    assert all(25 <= len(r.non_derivative) + len(r.derivative) <= 60 for r in long_tables)
    assert all(max(len(r.non_derivative), len(r.derivative)) <= 30 for r in long_tables)
    assert all(r.document_type.value == "5" for r in heavy5)
    assert all(not r.non_derivative and not r.derivative and r.no_securities_owned.value for r in empty3)


@pytest.mark.parametrize("kwargs, error", [
    (dict(seed="1"), TypeError), (dict(seed=True), TypeError), (dict(document_type="144"), ValueError),
    (dict(min_rows=5, max_rows=2), ValueError), (dict(max_rows=61), ValueError), (dict(min_rows=-1), ValueError),
    (dict(derivative_heavy=1), TypeError), (dict(derivative_heavy=True, max_rows=2), ValueError),
    (dict(document_type="4", max_rows=0), ValueError),
])
def test_settings_refuse_bad_values(kwargs, error):
    with pytest.raises(error):
        FakeSettings(**kwargs)


def test_settings_spell_amendments_one_way():
    assert FakeSettings(document_type="4", amendment=True).document_type == "4/A"
    assert FakeSettings(document_type="5/A").amendment is True
    with pytest.raises(ValueError):
        list(make_records(-1, seed=0))


# ---------------------------------------------------------------- distributions


def test_form4_share_and_shapes_match_the_measured_distributions():
    dist = default_distributions()
    records = list(make_records(300, seed=2024))
    measured_form4 = dist.document_types["4"] / sum(dist.document_types.values())
    form4 = sum(r.document_type.value == "4" for r in records) / len(records)
    assert abs(form4 - measured_form4) < 0.03
    measured_joint = dist.flags["joint_filing"]["true"] / sum(dist.flags["joint_filing"].values())
    joint = sum(len(r.owners) > 1 for r in records) / len(records)
    assert abs(joint - measured_joint) < 0.04
    shapes = dist.row_shapes["4"]
    measured_derivative = sum(n for k, n in shapes.items() if k.split(",")[2:] != ["0", "0"]) / sum(shapes.values())
    derivative = sum(bool(r.derivative) for r in records) / len(records)
    assert abs(derivative - measured_derivative) < 0.1
    measured_notes = sum(int(k) * n for k, n in dist.footnotes.items()) / sum(dist.footnotes.values())
    notes = sum(len(r.footnotes) for r in records) / len(records)
    assert 0.7 * measured_notes < notes < 1.3 * measured_notes
    codes = Counter(r.transaction_code.value for rec in records for r in rec.non_derivative if r.kind == "transaction")
    assert {"S", "A", "F", "M", "P"} <= set(codes)
    assert codes["S"] > codes["P"]


def test_distributions_file_holds_counts_not_text():
    dist = default_distributions()
    assert dist.source == "train" and dist.files_measured >= 2000
    assert set(dist.document_types) <= set(DOCUMENT_TYPES)
    raw = resources.files("extractor.data").joinpath("fake_distributions.json").read_text("utf-8")
    words = re.findall(r'"([^"]*)"', raw)
    assert max(len(w) for w in words) < 45  # keys and codes only: no name or sentence slipped in


def test_measure_reads_a_folder_and_round_trips_through_json(tmp_path):
    paths = write_fake_corpus(tmp_path / "xml", 40, seed=9)
    assert [p.name for p in paths[:2]] == ["fake-9-0.xml", "fake-9-1.xml"]
    result = measure(tmp_path / "xml", limit=30)
    assert result.files_in_source == 40 and sum(result.document_types.values()) == 40
    assert result.files_measured >= 30
    assert sum(result.owners.values()) == result.files_measured
    assert result.amounts["non_derivative.shares"] == sorted(result.amounts["non_derivative.shares"])
    saved = result.save(tmp_path / "d.json")
    assert FakeDistributions.load(saved) == result
    (tmp_path / "bad.json").write_text('{"nonsense": 1}')
    with pytest.raises(Form4Error, match="bad.json"):
        FakeDistributions.load(tmp_path / "bad.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(Form4Error, match="no .xml files"):
        measure(tmp_path / "empty")
    with pytest.raises(Form4Error, match="not a folder"):
        measure(tmp_path / "missing")


def test_measure_command_writes_the_json(tmp_path, capsys):
    write_fake_corpus(tmp_path / "xml", 12, seed=4)
    out = tmp_path / "out.json"
    assert measure_module.main([str(tmp_path / "xml"), "--limit", "10", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["files_in_source"] == 12
    assert measure_module.main([str(tmp_path / "missing"), "--out", str(out)]) == 1
    assert "missing" in capsys.readouterr().err


def test_fake_corpus_is_read_by_the_pipeline(tmp_path):
    paths = write_fake_corpus(tmp_path, 3, seed=11)
    expected = list(make_records(3, seed=11))
    for path, record in zip(paths, expected):
        assert path.name.startswith("fake-11-")
        assert differences(record, extract_file(path)) == []


# ---------------------------------------------------------------- no real names


def test_no_made_up_name_is_a_real_one():
    files = sorted(need(CORPUS / "xml" / "train").glob("*.xml"))[::50]
    real = set()
    for path in files:
        record = read_xml(path)
        real.add(record.issuer.name.value.casefold())
        real.update(o.name.value.casefold() for o in record.owners if o.name.value)
    assert len(real) > 100
    made_up = {name.casefold() for r in make_records(300, seed=77) for name in
               [r.issuer.name.value] + [o.name.value for o in r.owners]}
    assert not made_up & real


def test_vocabulary_is_complete():
    words = load_vocabulary()
    assert len(words.first_names) >= 50 and len(words.last_names) >= 50 and len(words.company_stems) >= 40
    assert all(c.state in US_STATES and re.fullmatch(r"\d{3}", c.zip_prefix) for c in words.cities)
    assert all(len(t) <= 30 for t in words.officer_titles + words.other_texts)
    assert {"Common Stock", "Class A Common Stock"} <= set(words.common_titles)
    assert {"option", "rsu"} <= {d.kind for d in words.derivative_securities}
