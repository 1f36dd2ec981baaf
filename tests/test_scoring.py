"""The scorer on made-up records: perfect, one wrong value, dropped and extra rows, boxes, links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractor.records import (
    Address, DerivativeRow, Footnote, Issuer, NonDerivativeRow, Record, Relationship, ReportingOwner, Signature,
    Value,
)
from extractor.scoring import cells, comparable, differences, field_group, match_rows, normal_value, score_record


def made_up_record(rows: int = 3) -> Record:
    """A Form 4 of an invented issuer: one owner, `rows` Table I rows, one Table II row, two footnotes."""
    table = [
        NonDerivativeRow(
            security_title=Value(value="Common Stock"),
            transaction_date=Value(value=dt.date(2031, 2, 17 + i)),
            transaction_code=Value(value="S" if i % 2 else "P"),
            shares=Value(value=Decimal(1000 + 111 * i), footnote_ids=["F1"] if i == 1 else []),
            price_per_share=Value(value=Decimal("8.25") + i, footnote_ids=["F2"]),
            acquired_disposed=Value(value="D" if i % 2 else "A"),
            shares_owned_following=Value(value=Decimal(50000 + 1000 * i)),
            direct_or_indirect=Value(value="D"),
        )
        for i in range(rows)
    ]
    option = DerivativeRow(
        security_title=Value(value="Stock Option (right to buy)"),
        transaction_date=Value(value=dt.date(2031, 2, 17)),
        transaction_code=Value(value="A"),
        shares=Value(value=Decimal(4000)),
        conversion_or_exercise_price=Value(value=Decimal("12.5")),
        acquired_disposed=Value(value="A"),
        expiration_date=Value(value=dt.date(2040, 2, 17)),
        underlying_title=Value(value="Common Stock"),
        underlying_shares=Value(value=Decimal(4000)),
        shares_owned_following=Value(value=Decimal(4000)),
        direct_or_indirect=Value(value="D"),
    )
    return Record(
        document_type=Value(value="4"),
        period_of_report=Value(value=dt.date(2031, 2, 17)),
        not_subject_to_section16=Value(value=False),
        aff10b5_one=Value(value=False),
        joint_filing=Value(value=False),
        issuer=Issuer(name=Value(value="Brambleton Kitchenware Holdings"), trading_symbol=Value(value="BKWH")),
        owners=[ReportingOwner(
            name=Value(value="Quillfeather Marigold T"),
            address=Address(street1=Value(value="12 Orchard Lane"), city=Value(value="Fernvale"),
                            state=Value(value="OR"), zip_code=Value(value="97000")),
            relationship=Relationship(is_director=Value(value=True), is_officer=Value(value=False),
                                      is_ten_percent_owner=Value(value=False), is_other=Value(value=False)),
        )],
        non_derivative=table,
        derivative=[option],
        footnotes=[Footnote(id="F1", text=Value(value="Bought in several trades.")),
                   Footnote(id="F2", text=Value(value="Weighted average price."))],
        signatures=[Signature(name=Value(value="/s/ Marigold T. Quillfeather"), date=Value(value=dt.date(2031, 2, 19)))],
    )


def n_values(record: Record) -> int:
    return sum(1 for c in cells(record).values() if c.value is not None)


def test_a_perfect_prediction_scores_one_everywhere():
    gold = made_up_record()
    score = score_record(gold, gold.model_copy(deep=True))
    assert score.total.tp == n_values(gold) == 49
    assert (score.total.fp, score.total.fn, score.total.f1) == (0, 0, 1.0)
    assert score.exact and score.errors == []
    assert (score.rows["non_derivative"].exact, score.rows["non_derivative"].exact_share) == (3, 1.0)
    assert (score.links.gold, score.links.found, score.links.accuracy) == (4, 4, 1.0)
    # Form 4: section 16, 10b5-1, joint filing, and the owner's four relationship boxes.
    assert (score.checkboxes.total, score.checkboxes.correct) == (7, 7)
    assert all(ok for _, ok in score.confidences) and len(score.confidences) == 49


def test_one_wrong_value_counts_once_as_false_positive_and_once_as_false_negative():
    gold = made_up_record()
    predicted = gold.model_copy(deep=True)
    predicted.non_derivative[2].shares = Value(value=Decimal(1243), confidence=0.4)
    score = score_record(gold, predicted)
    assert (score.total.tp, score.total.fp, score.total.fn) == (48, 1, 1)
    assert score.total.f1 == pytest.approx(96 / 98)
    shares = score.fields["non_derivative.*.shares"]
    assert (shares.tp, shares.fp, shares.fn) == (2, 1, 1)
    [error] = score.errors
    assert (error.path, error.kind, error.gold, error.predicted, error.confidence) == (
        "non_derivative.2.shares", "wrong", "1222", "1243", 0.4)
    assert (0.4, False) in score.confidences
    assert score.rows["non_derivative"].exact == 2 and not score.exact


def test_a_dropped_row_costs_all_its_cells_and_no_other():
    gold = made_up_record()
    predicted = gold.model_copy(deep=True)
    del predicted.non_derivative[1]
    score = score_record(gold, predicted)
    row_cells = sum(1 for p, c in cells(gold).items() if p.startswith("non_derivative.1.") and c.value is not None)
    assert row_cells == 8
    assert (score.total.tp, score.total.fp, score.total.fn) == (49 - 8, 0, 8)
    assert {e.path for e in score.errors} == {p for p in cells(gold) if p.startswith("non_derivative.1.")}
    assert {e.kind for e in score.errors} == {"missing"}
    # The row's two links (shares F1, price F2) are missed; rows 0 and 2 are still exactly right.
    assert (score.links.gold, score.links.found) == (4, 2)
    assert score.rows["non_derivative"].model_dump(include={"gold", "predicted", "matched", "exact"}) == {
        "gold": 3, "predicted": 2, "matched": 2, "exact": 2}


def test_an_extra_row_costs_its_own_cells_as_false_positives():
    gold = made_up_record(rows=2)
    predicted = made_up_record(rows=3)
    score = score_record(gold, predicted)
    assert (score.total.fp, score.total.fn) == (8, 0)
    assert {e.kind for e in score.errors} == {"spurious"}
    assert all(e.path.startswith("non_derivative.2.") for e in score.errors)


def test_reordered_rows_are_matched_not_compared_by_position():
    gold = made_up_record()
    predicted = gold.model_copy(deep=True)
    predicted.non_derivative.reverse()
    assert differences(gold, predicted) == []
    assert score_record(gold, predicted).exact


def test_values_are_compared_in_normal_form():
    gold = made_up_record()
    predicted = gold.model_copy(deep=True)
    predicted.issuer.name = Value(value="  BRAMBLETON   kitchenware holdings ")
    predicted.owners[0].address.state = Value(value="Oregon")
    predicted.non_derivative[0].price_per_share = Value(value=Decimal("8.2500"), footnote_ids=["F2"])
    assert score_record(gold, predicted).exact
    assert normal_value("owners.0.address.state", "oregon") == "or"
    assert normal_value("owners.0.address.state", "X0") == "x0"  # a non-US designator stays as it is
    assert normal_value("x", Decimal("1E+3")) == "1000"
    assert normal_value("x", dt.date(2031, 2, 3)) == "2031-02-03"


def test_a_right_value_with_a_wrong_footnote_is_a_true_positive_and_a_link_error():
    gold = made_up_record()
    predicted = gold.model_copy(deep=True)
    predicted.non_derivative[0].price_per_share = Value(value=Decimal("8.25"), footnote_ids=["F1"])
    score = score_record(gold, predicted)
    assert (score.total.fp, score.total.fn) == (0, 0)
    assert (score.links.gold, score.links.predicted, score.links.found) == (4, 4, 3)
    assert [e.kind for e in score.errors] == ["footnotes"] and not score.exact


def test_checkboxes_are_booleans_on_both_sides():
    gold = made_up_record()
    predicted = gold.model_copy(deep=True)
    predicted.owners[0].relationship.is_director = Value(value=None)  # a checked box missed
    predicted.aff10b5_one = Value(value=True)  # an unchecked box read as checked
    score = score_record(gold, predicted)
    assert (score.checkboxes.total, score.checkboxes.correct) == (7, 5)
    assert {(e.path, e.kind) for e in score.errors} == {
        ("owners.0.relationship.is_director", "missing"), ("aff10b5_one", "spurious")}
    # Unchecked read as absent or as False is right either way.
    predicted = gold.model_copy(deep=True)
    predicted.owners[0].relationship.is_officer = Value(value=None)
    assert score_record(gold, predicted).checkboxes.correct == 7


def test_form5_has_its_own_boxes():
    gold = made_up_record()
    gold.document_type = Value(value="5")
    assert score_record(gold, gold).checkboxes.total == 5 + 4


def test_a_failed_extraction_loses_every_gold_field():
    gold = made_up_record()
    score = score_record(gold, None)
    assert (score.total.tp, score.total.fp, score.total.fn) == (0, 0, 49)
    assert (score.total.precision, score.total.recall, score.total.f1) == (1.0, 0.0, 0.0)
    assert (score.links.found, score.checkboxes.correct, score.checkboxes.total) == (0, 0, 7)
    assert score.rows["non_derivative"].exact == 0 and score.confidences == []


def test_an_empty_prediction_of_an_empty_gold_is_perfect():
    score = score_record(Record(), Record())
    assert score.total.f1 == 1.0 and score.exact


def test_identical_rows_keep_their_order_and_unmatchable_rows_stay_unmatched():
    gold = made_up_record()
    rows = [dict(r) for r in [{"a": c} for c in cells(gold).values()][:3]]
    assert [(g, p) for g, p, _ in match_rows(rows, rows)] == [(0, 0), (1, 1), (2, 2)]
    same = [{"x": cells(gold)["issuer.name"]}] * 3
    assert [(g, p) for g, p, _ in match_rows(same, same)] == [(0, 0), (1, 1), (2, 2)]
    assert match_rows(same, [{"x": cells(gold)["issuer.trading_symbol"]}]) == []


def test_field_groups_replace_list_positions():
    assert field_group("non_derivative.3.shares") == "non_derivative.*.shares"
    assert field_group("owners.0.address.city") == "owners.*.address.city"
    assert field_group("footnote.F12") == "footnote.*"
    assert field_group("issuer.name") == "issuer.name"


def test_comparable_keeps_its_shape_for_the_real_document_tests():
    gold = made_up_record()
    out = comparable(gold)
    assert out["non_derivative.1.shares"] == ("1111", frozenset({"F1"}))
    assert out["footnote.F2"] == ("weighted average price.", frozenset())
    assert "aff10b5_one" not in out and "owners.0.relationship.is_director" in out
    assert "footnotes.0.text" not in out


def test_on_generated_records_a_dropped_row_costs_exactly_its_cells():
    fake = pytest.importorskip("extractor.synth.fake")
    checked = 0
    for i, gold in enumerate(fake.make_records(25, seed=7)):
        assert score_record(gold, gold.model_copy(deep=True)).exact
        table = "non_derivative" if gold.non_derivative else "derivative"
        rows = getattr(gold, table)
        if not rows:
            continue
        drop = i % len(rows)
        predicted = gold.model_copy(deep=True)
        del getattr(predicted, table)[drop]
        lost = sum(1 for p, c in cells(gold).items() if p.startswith(f"{table}.{drop}.") and c.value is not None)
        score = score_record(gold, predicted)
        assert (score.total.fp, score.total.fn) == (0, lost)
        assert score.rows[table].exact == len(rows) - 1
        checked += 1
    assert checked >= 20
