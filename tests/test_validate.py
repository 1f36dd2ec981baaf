"""Domain validation: made-up records with one crafted violation each, and the false-alarm rate
on the real dev split (gold records read from their XML)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from importlib import resources
from typing import Any, Callable

import pytest

from extractor import validate as v
from extractor.records import (
    DerivativeRow,
    Footnote,
    Issuer,
    NonDerivativeRow,
    Record,
    RecordWarning,
    Relationship,
    ReportingOwner,
    Signature,
    Value,
)
from extractor.validate import ValidationSettings, check_record, validate_record

from .shared_data import CORPUS, need

D = dt.date
SETTINGS = ValidationSettings(today=D(2024, 6, 1))


def val(value: Any = None, *notes: str, confidence: float = 0.9) -> Value:
    return Value(value=value, footnote_ids=list(notes), confidence=confidence)


def num(text: str, *notes: str) -> Value:
    return val(Decimal(text), *notes)


def clean_record() -> Record:
    """A made-up Form 4: an option exercise, a sale of part of the shares, an indirect holding."""
    exercise = NonDerivativeRow(
        security_title=val("Common Stock"), transaction_date=val(D(2024, 3, 1)),
        transaction_form_type=val("4"), transaction_code=val("M"), equity_swap_involved=val(False),
        shares=num("1000"), price_per_share=num("10"), acquired_disposed=val("A"),
        shares_owned_following=num("6000"), direct_or_indirect=val("D"),
    )
    sale = NonDerivativeRow(
        security_title=val("Common  stock"), transaction_date=val(D(2024, 3, 2)),
        transaction_form_type=val("4"), transaction_code=val("S", "F1"), equity_swap_involved=val(False),
        shares=num("400"), price_per_share=num("25.5", "F1"), acquired_disposed=val("D"),
        shares_owned_following=num("5600"), direct_or_indirect=val("D"),
    )
    holding = NonDerivativeRow(
        kind="holding", security_title=val("Common Stock"), shares_owned_following=num("2000"),
        direct_or_indirect=val("I"), nature_of_ownership=val("By family trust"),
    )
    option = DerivativeRow(
        security_title=val("Stock Option (right to buy)"), conversion_or_exercise_price=num("10"),
        transaction_date=val(D(2024, 3, 1)), transaction_form_type=val("4"), transaction_code=val("M"),
        equity_swap_involved=val(False), shares=num("1000"), price_per_share=num("0"),
        acquired_disposed=val("D"), exercise_date=val(D(2022, 3, 1)), expiration_date=val(D(2031, 3, 1)),
        underlying_title=val("Common Stock"), underlying_shares=num("1000"),
        shares_owned_following=num("3000"), direct_or_indirect=val("D"),
    )
    owner = ReportingOwner(
        cik=val("0000000001"), name=val("Doe Jane"),
        relationship=Relationship(is_director=val(False), is_officer=val(True), is_ten_percent_owner=val(False),
                                  is_other=val(False), officer_title=val("Chief Widget Officer")),
    )
    return Record(
        document_type=val("4"), period_of_report=val(D(2024, 3, 1)),
        issuer=Issuer(cik=val("0000000002"), name=val("Example Widgets Inc"), trading_symbol=val("EXW")),
        owners=[owner], non_derivative=[exercise, sale, holding], derivative=[option],
        footnotes=[Footnote(id="F1", text=val("Weighted average price of several sales."))],
        signatures=[Signature(name=val("/s/ Jane Doe"), date=val(D(2024, 3, 4)))],
    )


def found(record: Record, settings: ValidationSettings = SETTINGS) -> set[tuple[str, tuple[str, ...]]]:
    return {(w.code, tuple(w.fields)) for w in check_record(record, settings)}


def confidences(record: Record) -> dict[str, float]:
    return {path: item.confidence for path, item in record.values()}


def test_clean_record_gives_no_warning_and_keeps_confidences():
    record = clean_record()
    assert check_record(record, SETTINGS) == []
    checked = validate_record(record, SETTINGS)
    assert checked.warnings == []
    assert confidences(checked) == confidences(record)


def nd(i: int, name: str) -> str:
    return f"non_derivative.{i}.{name}"


def de(i: int, name: str) -> str:
    return f"derivative.{i}.{name}"


def leaf(record: Record, path: str) -> Value:
    """The Value at a dotted path, e.g. 'non_derivative.0.shares'."""
    target: Any = record
    for part in path.split("."):
        target = target[int(part)] if part.isdigit() else getattr(target, part)
    return target


def setter(path: str, value: Any) -> Callable[[Record], None]:
    def change(record: Record) -> None:
        leaf(record, path).value = value

    return change


def both(*changes: Callable[[Record], None]) -> Callable[[Record], None]:
    def change(record: Record) -> None:
        for c in changes:
            c(record)

    return change


def add_footnote(note_id: str) -> Callable[[Record], None]:
    return lambda record: record.footnotes.append(Footnote(id=note_id, text=val("Made-up note.")))


def cite(path: str, note_id: str) -> Callable[[Record], None]:
    return lambda record: leaf(record, path).footnote_ids.append(note_id)


TXN = (nd(0, "kind"), nd(1, "kind"), de(0, "kind"))

CASES: dict[str, tuple[Callable[[Record], None], set[tuple[str, tuple[str, ...]]]]] = {
    "unknown code": (setter(nd(0, "transaction_code"), "Q"),
                     {(v.UNKNOWN_CODE, (nd(0, "transaction_code"),))}),
    "direction vs code": (setter(nd(0, "acquired_disposed"), "D"),
                          {(v.DIRECTION, (nd(0, "transaction_code"), nd(0, "acquired_disposed")))}),
    "direction vs code, Table II": (both(setter(de(0, "transaction_code"), "S"), setter(de(0, "acquired_disposed"), "A")),
                                    {(v.DIRECTION, (de(0, "transaction_code"), de(0, "acquired_disposed")))}),
    "K without swap": (setter(de(0, "transaction_code"), "K"),
                       {(v.CODE_IMPLICATION, (de(0, "transaction_code"), de(0, "equity_swap_involved")))}),
    "V but late": (both(setter(nd(1, "transaction_code"), "V"), setter(nd(1, "transaction_timeliness"), "L")),
                   {(v.CODE_IMPLICATION, (nd(1, "transaction_code"), nd(1, "transaction_timeliness")))}),
    "bad choice": (setter(nd(2, "direct_or_indirect"), "X"), {(v.INVALID_CHOICE, (nd(2, "direct_or_indirect"),))}),
    "date too early": (setter(de(0, "exercise_date"), D(1975, 1, 1)),
                       {(v.IMPLAUSIBLE_DATE, (de(0, "exercise_date"),))}),
    "date in the future": (setter("signatures.0.date", D(2030, 1, 1)),
                           {(v.IMPLAUSIBLE_DATE, ("signatures.0.date",))}),
    "before period": (setter(nd(1, "transaction_date"), D(2024, 2, 28)),
                      {(v.BEFORE_PERIOD, (nd(1, "transaction_date"), "period_of_report"))}),
    "after signature": (setter(nd(1, "transaction_date"), D(2024, 3, 5)),
                        {(v.AFTER_SIGNATURE, (nd(1, "transaction_date"), "signatures.0.date"))}),
    "signed before period": (
        both(setter("period_of_report", D(2024, 3, 5)), setter("signatures.0.date", D(2024, 3, 4))),
        {(v.SIGNED_BEFORE_PERIOD, ("signatures.0.date", "period_of_report"))}
        | {(v.BEFORE_PERIOD, (p.replace("kind", "transaction_date"), "period_of_report")) for p in TXN}),
    "original after signature": (both(setter("document_type", "4/A"), setter("date_of_original_submission", D(2024, 3, 9))),
                                 {(v.ORIGINAL_AFTER_SIGNATURE, ("date_of_original_submission", "signatures.0.date"))}),
    "expires before exercisable": (setter(de(0, "expiration_date"), D(2021, 1, 1)),
                                   {(v.EXPIRATION_BEFORE_EXERCISE, (de(0, "exercise_date"), de(0, "expiration_date")))}),
    "negative price": (setter(nd(0, "price_per_share"), Decimal("-5")), {(v.NEGATIVE, (nd(0, "price_per_share"),))}),
    "negative conversion price": (setter(de(0, "conversion_or_exercise_price"), Decimal("-1")),
                                  {(v.NEGATIVE, (de(0, "conversion_or_exercise_price"),))}),
    "owned amount does not add up": (setter(nd(1, "shares_owned_following"), Decimal("5500")),
                                     {(v.OWNED_INCONSISTENT, (nd(0, "shares_owned_following"), nd(1, "shares"),
                                                              nd(1, "acquired_disposed"), nd(1, "shares_owned_following")))}),
    "unresolved footnote": (cite(nd(0, "shares"), "F9"), {(v.UNRESOLVED_FOOTNOTE, (nd(0, "shares"),))}),
    "uncited footnote": (add_footnote("F2"), {(v.UNCITED_FOOTNOTE, ("footnotes.1.text",))}),
    "duplicate footnote": (add_footnote("F1"), {(v.DUPLICATE_FOOTNOTE, ("footnotes.0.text", "footnotes.1.text"))}),
    "no issuer name": (setter("issuer.name", "  "), {(v.MISSING, ("issuer.name",))}),
    "no period": (setter("period_of_report", None), {(v.MISSING, ("period_of_report",))}),
    "no document type": (setter("document_type", None), {(v.MISSING, ("document_type",))}),
    "no owner": (lambda r: r.owners.clear(), {(v.MISSING, ("owners",))}),
    "nameless owner": (setter("owners.0.name", None), {(v.MISSING, ("owners.0.name",))}),
    "no signature": (lambda r: r.signatures.clear(), {(v.MISSING, ("signatures",))}),
    "transaction without code": (setter(nd(0, "transaction_code"), None),
                                 {(v.INCOMPLETE_TRANSACTION, (nd(0, "transaction_code"),))}),
    "transaction without date": (setter(de(0, "transaction_date"), None),
                                 {(v.INCOMPLETE_TRANSACTION, (de(0, "transaction_date"),))}),
    "form 3 with transactions": (setter("document_type", "3"), {(v.FORM3_TRANSACTION, ("document_type", p)) for p in TXN}),
    "holding with shares": (setter(nd(2, "shares"), Decimal("5")), {(v.HOLDING_TRANSACTION_FIELD, (nd(2, "shares"),))}),
    "holding with a code on a form 4": (setter(nd(2, "transaction_code"), "A"),
                                        {(v.HOLDING_TRANSACTION_FIELD, (nd(2, "transaction_code"),))}),
    "officer title, officer box clear": (
        setter("owners.0.relationship.is_officer", False),
        {(v.OFFICER_TITLE, ("owners.0.relationship.officer_title", "owners.0.relationship.is_officer"))}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_rule_fires_on_its_violation_and_lowers_exactly_its_fields(name):
    change, expected = CASES[name]
    record = clean_record()
    change(record)
    before = confidences(record)
    assert found(record) == expected
    checked = validate_record(record, SETTINGS)
    assert confidences(record) == before  # the input is not touched
    involved = {path for _, fields in expected for path in fields}
    after = confidences(checked)
    for path, confidence in before.items():
        assert after[path] == pytest.approx(confidence * 0.5 if path in involved else confidence), path
    assert {(w.code, tuple(w.fields)) for w in checked.warnings} == expected
    assert all(w.message for w in checked.warnings)


NO_WARNING: dict[str, Callable[[Record], None]] = {
    "late form 5 transaction on a form 4 may predate the period": both(
        setter(nd(1, "transaction_date"), D(2023, 11, 2)), setter(nd(1, "transaction_form_type"), "5")),
    "gift may go either way": both(setter(nd(1, "transaction_code"), "G"), setter(nd(1, "acquired_disposed"), "A"),
                                   setter(nd(1, "shares_owned_following"), Decimal("6400"))),
    "Table II M is not checked (97% D in real filings)": setter(de(0, "acquired_disposed"), "A"),
    "form 5 holding may carry its late coding": both(setter("document_type", "5"), setter(nd(2, "transaction_code"), "A")),
    "officer title restating a ticked director box": both(
        setter("owners.0.relationship.is_officer", False), setter("owners.0.relationship.is_director", True),
        setter("owners.0.relationship.officer_title", "Chairman Emeritus and Director")),
    "unknown officer box is not a contradiction": setter("owners.0.relationship.is_officer", None),
    "chain: rows out of date order": both(setter(nd(1, "transaction_date"), D(2024, 3, 1)),
                                          setter(nd(0, "transaction_date"), D(2024, 3, 2)),
                                          setter(nd(1, "shares_owned_following"), Decimal("1"))),
    "chain: footnoted amount": both(cite(nd(1, "shares_owned_following"), "F1"),
                                    setter(nd(1, "shares_owned_following"), Decimal("1"))),
    "chain: other ownership": both(setter(nd(1, "direct_or_indirect"), "I"),
                                   setter(nd(1, "shares_owned_following"), Decimal("1"))),
    "chain: within rounding": setter(nd(1, "shares_owned_following"), Decimal("5600.9")),
    "chain: joint filing": both(lambda r: r.owners.append(r.owners[0].model_copy(deep=True)),
                                setter(nd(1, "shares_owned_following"), Decimal("1"))),
    "chain: merger payout rows all at zero": both(setter(nd(0, "shares_owned_following"), Decimal("0")),
                                                  setter(nd(1, "shares_owned_following"), Decimal("0"))),
    "expiration is far in the future": setter(de(0, "expiration_date"), D(2099, 1, 1)),
}


@pytest.mark.parametrize("name", list(NO_WARNING))
def test_legitimate_variations_give_no_warning(name):
    record = clean_record()
    NO_WARNING[name](record)
    assert check_record(record, SETTINGS) == []


def test_empty_record_reports_what_is_missing_without_raising():
    warnings = check_record(Record(), SETTINGS)
    assert {(w.code, tuple(w.fields)) for w in warnings} == {
        (v.MISSING, ("document_type",)), (v.MISSING, ("period_of_report",)), (v.MISSING, ("issuer.name",)),
        (v.MISSING, ("owners",)), (v.MISSING, ("signatures",)),
    }
    checked = validate_record(Record())
    assert len(checked.warnings) == 5
    lowered = {"document_type", "period_of_report", "issuer.name"}
    assert {path for path, item in checked.values() if item.confidence < 1.0} == lowered
    assert all(item.confidence == 0.5 for path, item in checked.values() if path in lowered)


def test_malformed_record_is_reported_not_raised():
    record = Record.model_construct(**{**dict(clean_record()), "owners": [None]})
    record.non_derivative[0].shares = Value[Decimal].model_construct(value=Decimal("NaN"), footnote_ids=[],
                                                                     confidence=1.0, method="xml", provenance=None)
    record.non_derivative[1].transaction_date = Value[dt.date].model_construct(
        value="yesterday", footnote_ids=[], confidence=1.0, method="xml", provenance=None)
    warnings = check_record(record, SETTINGS)
    codes = Counter(w.code for w in warnings)
    assert codes[v.CHECK_FAILED] >= 1  # the owner that is not an owner
    assert (v.NOT_FINITE, (nd(0, "shares"),)) in {(w.code, tuple(w.fields)) for w in warnings}
    validate_record(record, SETTINGS)


def test_validating_twice_adds_nothing():
    record = clean_record()
    setter(nd(0, "transaction_code"), "Q")(record)
    once = validate_record(record, SETTINGS)
    twice = validate_record(once, SETTINGS)
    assert twice.warnings == once.warnings
    assert confidences(twice) == confidences(once)


def test_existing_warnings_are_kept():
    record = clean_record()
    record.warnings.append(RecordWarning(code="reader-note", message="kept", fields=[]))
    record.non_derivative[0].transaction_code.value = "Q"
    checked = validate_record(record, SETTINGS)
    assert [w.code for w in checked.warnings] == ["reader-note", v.UNKNOWN_CODE]


def test_penalty_and_skip_come_from_the_settings():
    record = clean_record()
    record.non_derivative[0].price_per_share.value = Decimal("-1")
    checked = validate_record(record, ValidationSettings(today=D(2024, 6, 1), penalty=0.25))
    assert checked.non_derivative[0].price_per_share.confidence == pytest.approx(0.9 * 0.25)
    assert check_record(record, ValidationSettings(today=D(2024, 6, 1), skip={v.NEGATIVE})) == []


def test_date_bounds_follow_the_settings():
    record = clean_record()
    assert found(record, ValidationSettings(today=D(2024, 3, 1), future_slack_days=0)) == {
        (v.IMPLAUSIBLE_DATE, (nd(1, "transaction_date"),)), (v.IMPLAUSIBLE_DATE, ("signatures.0.date",))}
    assert found(record, ValidationSettings(today=D(2024, 3, 1), future_slack_days=3)) == set()
    assert found(record, ValidationSettings(today=D(2024, 6, 1), earliest_date=D(2024, 1, 1))) == {
        (v.IMPLAUSIBLE_DATE, (de(0, "exercise_date"),))}


def test_tolerance_follows_the_settings():
    record = clean_record()
    record.non_derivative[1].shares_owned_following.value = Decimal("5500")  # 100 off; 0.5% is 30
    assert found(record, ValidationSettings(today=D(2024, 6, 1), amount_tolerance=100)) == set()
    assert found(record, ValidationSettings(today=D(2024, 6, 1), relative_tolerance=0.02)) == set()
    assert {c for c, _ in found(record)} == {v.OWNED_INCONSISTENT}


@pytest.mark.parametrize("bad, error", [
    ({"penalty": 0}, ValueError), ({"penalty": 1.5}, ValueError), ({"penalty": "0.5"}, TypeError),
    ({"penalty": True}, TypeError), ({"earliest_date": "1990-01-01"}, TypeError),
    ({"earliest_date": dt.datetime(1990, 1, 1)}, TypeError), ({"today": 20240101}, TypeError),
    ({"future_slack_days": -1}, ValueError), ({"future_slack_days": 1.5}, TypeError),
    ({"amount_tolerance": -1}, ValueError), ({"amount_tolerance": "lots"}, ValueError),
    ({"relative_tolerance": 1}, ValueError), ({"relative_tolerance": float("nan")}, ValueError),
    ({"skip": {"no-such-code"}}, ValueError), ({"skip": "missing-field"}, TypeError),
    ({"earliest_date": D(2030, 1, 1), "today": D(2024, 1, 1)}, ValueError),
])
def test_settings_refuse_nonsense(bad, error):
    with pytest.raises(error):
        ValidationSettings(**bad)


def test_settings_are_frozen_and_normalised():
    settings = ValidationSettings(amount_tolerance=2, relative_tolerance=0.01, skip=[v.NEGATIVE])
    assert settings.amount_tolerance == Decimal(2) and settings.relative_tolerance == Decimal("0.01")
    assert settings.skip == frozenset({v.NEGATIVE})
    with pytest.raises(AttributeError):
        settings.penalty = 0.1  # type: ignore[misc]


def test_code_table_is_data_and_its_directions_are_backed_by_counts():
    raw = json.loads(resources.files("extractor.data").joinpath("transaction_codes.json").read_text("utf-8"))
    codes = raw["codes"]
    assert set(codes) == set("PSVADFIMCEHOXGLWZJKU")
    assert set(v.TRANSACTION_CODES) == set(codes)
    for code, entry in codes.items():
        assert entry["description"] and len(entry["description"]) < 80
        for table, side in entry.get("direction", {}).items():
            assert table in ("non_derivative", "derivative") and side in ("A", "D")
            counts = entry["train_rows"][table]
            assert counts[side] >= 20 and counts[side] / sum(counts.values()) >= 0.99, code
    assert "direction" not in codes["G"] and "direction" not in codes["J"]


# ---------------------------------------------------------------- real filings

# Documents of the dev split (2,139 real Form 4s) a rule may flag: a little above what was
# measured, so that a rule that starts firing on normal practice fails here. Every document
# these rules flag at that level is genuinely inconsistent (numbers that do not add up, a
# signature dated a year early, A/D contradicting the code).
DEV_CEILING = {
    v.OWNED_INCONSISTENT: 0.005,  # measured 7 documents (0.33%)
    v.BEFORE_PERIOD: 0.004,  # 5 (0.23%)
    v.DIRECTION: 0.002,  # 2 (0.09%)
    v.AFTER_SIGNATURE: 0.002,  # 2 (0.09%)
    v.SIGNED_BEFORE_PERIOD: 0.002,  # 1 (0.05%)
}
OTHERWISE = 0.001  # every other rule: measured 0


def test_false_alarm_rate_on_gold_dev_records():
    from extractor.edgar_xml import read_xml

    folder = need(CORPUS / "xml" / "dev")
    paths = sorted(folder.glob("*.xml"))
    flagged: dict[str, set[str]] = {}
    for path in paths:
        record = read_xml(path.read_bytes(), str(path))
        for warning in check_record(record):
            flagged.setdefault(warning.code, set()).add(path.name)
    assert v.CHECK_FAILED not in flagged, sorted(flagged[v.CHECK_FAILED])[:5]
    rates = {code: len(names) / len(paths) for code, names in flagged.items()}
    too_many = {code: rate for code, rate in rates.items() if rate > DEV_CEILING.get(code, OTHERWISE)}
    assert too_many == {}, {code: sorted(flagged[code])[:5] for code in too_many}
