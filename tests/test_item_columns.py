"""Footnote markers alone in an empty cell of a page whose narrow columns tear values: the item numbers
printed at the head of each column ("1." ... "11.") say which column the marker is in."""

from __future__ import annotations

from extractor.item_columns import column_starts, in_a_later_column

from .decoding import D, decode_sure, page_of, word_at

ITEM_STARTS = {"1.": 40, "2.": 80, "3.": 115, "3A.": 170, "4.": 220, "5.": 255, "6.": 290, "7.": 370, "8.": 410,
               "9.": 450, "10.": 495, "11.": 530}


def _narrow_table_two(item_numbers: dict[str, float]):
    header = [word_at(text, x, 100) for text, x in (("Table", 40), ("II", 80), ("Derivative", 100))]
    header += [word_at(text, x, 120) for text, x in item_numbers.items()]
    header += [word_at("Exercisable", 292, 135), word_at("Expiration", 330, 135)]
    row = [(D + "security_title", "Restri", 42), ("footnote_ref", "[1]", 81), (D + "transaction_date", "04/01/2023", 117),
           (D + "transaction_code", "M", 222), (D + "shares", "590", 257), ("footnote_ref", "[7]", 292),
           ("footnote_ref", "[7]", 352), (D + "underlying_title", "Comm", 372), (D + "underlying_shares", "590", 396),
           (D + "shares_owned_following", "0", 452), (D + "direct_or_indirect", "D", 497)]
    rest = [(D + "security_title", "cted", 42), (D + "security_title", "Stock", 42)]
    words = header + [word_at(text, x, 150) for _, text, x in row] + [word_at(text, x, 160 + 10 * k)
                                                                       for k, (_, text, x) in enumerate(rest)]
    tags = [None] * len(header) + [field for field, _, _ in row + rest]
    return page_of(words), tags


def test_lone_markers_beside_a_torn_value_note_the_empty_cells_they_stand_in():
    """ "Restri [1] 04/01/2023" and "590 [7] [7] Comm": the markers stood as near the torn title and
    the amount as a value's own marker would, and went to them; the column heads put them in the
    conversion price and the two dates, as the filing has them."""
    layout, tags = _narrow_table_two(ITEM_STARTS)
    row = decode_sure(layout, tags).derivative[0]
    assert row.security_title.value == "Restricted Stock" and row.security_title.footnote_ids == []
    assert row.shares.footnote_ids == []
    assert [row.conversion_or_exercise_price.footnote_ids, row.exercise_date.footnote_ids,
            row.expiration_date.footnote_ids] == [["F1"], ["F7"], ["F7"]]


def test_without_the_column_heads_a_marker_stays_with_the_value_beside_it():
    layout, tags = _narrow_table_two({})
    row = decode_sure(layout, tags).derivative[0]
    assert row.security_title.footnote_ids == ["F1"] and row.conversion_or_exercise_price.footnote_ids == []


def test_column_starts_come_from_the_nearest_line_that_prints_the_tables_item_numbers():
    layout, tags = _narrow_table_two(ITEM_STARTS)
    cells = [w for w, tag in zip(layout.words, tags) if tag and tag.startswith(D)]
    assert column_starts("derivative", "4", cells, list(layout.words)) == {1: sorted(ITEM_STARTS.values())}
    # Table I's seven heads are not Table II's eleven.
    assert column_starts("non_derivative", "4", cells, list(layout.words)) == {}


def test_a_marker_set_tight_after_its_value_is_in_the_values_column():
    value, marker = word_at("12.50", 82, 150), word_at("(2)", 113.5, 150)
    assert not in_a_later_column(marker, value, [40, 80, 115])
    assert in_a_later_column(word_at("(2)", 116, 150), word_at("12.5", 84, 150), [40, 80, 115])
