"""Table cells on a page placed by where their columns stand: footnote markers alone in an empty cell of
a page whose narrow columns tear values (the item numbers printed at the head of each column, "1." ...
"11.", say which column the marker is in), and title words wrapped under one title but tagged another."""

from __future__ import annotations

from extractor.item_columns import column_starts, in_a_later_column

from .decoding import D, decode_soft, decode_sure, page_of, word_at

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


def test_title_words_wrapped_under_the_security_title_are_not_the_underlying_titles():
    """ "par" / "value" under "Class F Common Stock," went, at 0.59 and 0.66, to the underlying title
    printed far to the right, which read "Class A Common Stock, par par value value"."""
    words = [word_at(text, x, 100) for text, x in (("Table", 40), ("II", 80), ("Derivative", 100))]
    title, underlying = {D + "security_title": 0.95}, {D + "underlying_title": 0.95}
    rows: list[dict[str, float]] = [{"label": 1.0}] * 3
    for top, (left, right) in enumerate((("Class F", "Class A"), ("Common", "Common"), ("Stock,", "Stock,"))):
        for text, x, tags in ((left, 46, title), (right, 360, underlying)):
            for piece in text.split():
                words.append(word_at(piece, x, 120 + 10 * top))
                rows.append(tags)
                x += 6 * len(piece) + 4
    row = [("transaction_date", "01/30/2023", 120), ("transaction_code", "J", 200), ("shares", "5,000", 240),
           ("underlying_shares", "5,000", 430), ("shares_owned_following", "9,000", 500), ("direct_or_indirect", "D", 560)]
    words += [word_at(text, x, 150) for _, text, x in row]
    rows += [{D + field: 1.0} for field, _, _ in row]
    for top, (text, doubt) in enumerate((("par", 0.59), ("value", 0.66))):
        words += [word_at(text, 46, 160 + 10 * top), word_at(text, 360, 160 + 10 * top)]
        rows += [{D + "underlying_title": doubt, D + "security_title": 1 - doubt}, underlying]
    result = decode_soft(page_of(words), rows).derivative
    assert [(r.security_title.value, r.underlying_title.value) for r in result] == [
        ("Class F Common Stock, par value", "Class A Common Stock, par value")]
