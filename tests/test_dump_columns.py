"""Text dumps: torn values and broken words made whole before the classifier reads them, and the footnote
markers of the cells around them, placed by where a dump that keeps its columns prints them."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from extractor.layout.document import Layout
from extractor.layout.text import read_text
from extractor.table_rows import holding_dates
from extractor.word_breaks import find_breaks, join_broken_values

from .decoding import D, N, decode_soft, decode_sure

# A layout-keeping dump of a narrow Table II: each cell's rest stands under its value.
COLUMN_DUMP = (
    "Table II - Derivative Securities Acquired, Disposed of, or Beneficially Owned\n"
    "     Title   Price   Date        Code   Number   Title   Amount   Owned        Form\n"
    "     Phant   [1]     2023-07-    A[2    261.     Comm    261.     $143.        D   \n"
    "     om              01          ]      32       on      32       5                \n"
    "     Stock                                       Stoc                              \n"
    "                                                 k                                 \n"
    "     Phant   [1]     2023-07-    A[4    1,04     Comm    1,04     $143.        D   \n"
    "     om              01          ]      5.3      on      5.3      5                \n"
    "     Stock                                       Stoc                              \n"
    "                                                 k                                 \n"
)


def _line_texts(layout) -> list[str]:
    return [line.text for line in layout.lines]


def _column_dump(text: str) -> Layout:
    """A made-up dump read as one that keeps its columns (it has enough wide gaps)."""
    layout = read_text(text, "made-up.txt")
    assert all(w.column is not None for w in layout.words)
    return layout


def _tags_by_first_word(layout: Layout, by_first: dict[str, list[str]]) -> list[str]:
    """Each line's tags: those `by_first` gives for the word the line starts with, else printed labels."""
    fields: list[str] = []
    for line in layout.lines:
        fields += by_first.get(line.words[0].text, ["label"] * len(line.words))
    return fields


def test_torn_values_of_a_column_dump_are_whole_before_the_classifier_reads_them():
    """A dump that keeps its columns tore "2023-07-" / "01", "261." / "32", "1,04" / "5.3" and
    "$143." / "5": alone, the classifier took the pieces for the wrapped header's words (label, 0.8
    to 0.97), and the shares, the underlying amounts and the price were lost or cut."""
    layout = _column_dump(COLUMN_DUMP)
    lines = _line_texts(join_broken_values(layout))
    assert lines[2] == "Phantom [1] 2023-07-01 A[2] 261.32 Common 261.32 $143.5 D"
    assert lines[3] == "Stock Stock"
    assert lines[4] == "Phantom [1] 2023-07-01 A[4] 1,045.3 Common 1,045.3 $143.5 D"
    assert len(lines) == 6  # each row's rests went up to it; the lines left empty are gone


def test_joining_a_dumps_pieces_leaves_the_layout_the_rules_read_as_printed():
    layout = read_text(COLUMN_DUMP, "made-up.txt")
    before = _line_texts(layout)
    join_broken_values(layout)
    assert _line_texts(layout) == before


def test_year_under_a_footnotes_full_stop_is_not_its_rest():
    """In a column dump a footnote's "2020." stood over the next line's "2023": read as a torn amount,
    the footnote became "... February 10, 2020.2023 the number of units ..."."""
    footnote = "     1. These units vest on February 10, 2023. The award was granted on February 10, 2020."
    text = ("     Explanation of Responses:                                      Page 1\n"
            f"{footnote}\n"
            f"{' ' * footnote.index('2020.')}2023 the number of units earned\n"
            "     3. Date of Earliest Transaction                  X  Director        10% Owner\n"
            "     ONE MADE-UP STREET, SUITE 1400                   Officer (give title below)\n")
    layout = _column_dump(text)
    assert not [b for b in find_breaks(layout) if b.first.text[:1].isdigit()]
    assert _line_texts(join_broken_values(layout)) == _line_texts(layout)


def test_title_word_keeps_its_marker_piece_apart():
    """Joined to "Stock[3]", a title's word read as the nature of ownership (0.64): only a code or a
    number takes its marker's rest ("A[2" / "]")."""
    text = ("     Title    Date         Code  Amount  (A)  Price   Owned     Form\n"
            "     Common   04/01/2023   M   149,684   A   (1)   574,897   D\n"
            "     Stock                                                   \n"
            "     Common   04/01/2023   F   77,459   D   164.9   497,438   D\n"
            "     Stock[3                                                   \n"
            "     ]                                                         \n")
    layout = _column_dump(text)
    lines = _line_texts(join_broken_values(layout))
    assert lines[4] == "Stock[3"


@pytest.mark.parametrize("row, rests, joined, left", [
    pytest.param("Stock $120.8 07/15/202 A 3,3 07/15/ 07/14/ Comm 3,38 $120.8 3,382 D",
                 "Option 6 3 82 2024 2033 on 2 6",
                 "Stock $120.8 07/15/2023 A 3,382 07/15/2024 07/14/2033 Comm 3,382 $120.8 3,382 D",
                 "Option 6 on 6", id="values_torn_in_column_order"),
    # The price, which a digit more would still leave a price, took the "8", the expiration date the
    # amount's "3" (2023-07-10 for 2028-07-10) and the amount none (3165 for 31,653). Two torn values,
    # two rests: none is left for the price.
    pytest.param("Stock 69.54 07/11/2019 07/10/202 Common 31,65 31,653 D", "Option 8 Stock 3",
                 "Stock 69.54 07/11/2019 07/10/2028 Common 31,653 31,653 D", "Option Stock",
                 id="whole_looking_price_takes_no_rest_that_a_torn_value_needs"),
])
def test_single_spaced_dump_tears_values_in_column_order(row, rests, joined, left):
    text = f"Table II - Derivative Securities\n{row}\n{rests}\n"
    lines = _line_texts(join_broken_values(read_text(text, "made-up.txt")))
    assert lines[1:] == [joined, left]


def test_rest_of_a_right_aligned_amount_starts_left_of_it():
    """A cell that right-aligns "48," printed its rest "215" two characters to its left: the underlying
    amount read 48 and the rest went to the title ("Common 215 Stock")."""
    text = ("     Title    Date         Code  Amount  Title   Amount  Owned  Form\n"
            "     Units    04/01/2023   M     48,     Comm     48,    0      D\n"
            "                                 215     on     215             \n"
            "     Stock                               Stoc                   \n"
            "                                         k                      \n")
    layout = _column_dump(text)
    first, second = [w for w in layout.words if w.text == "48,"]
    rests = [w for w in layout.words if w.text == "215"]
    assert (first.column - rests[0].column, second.column - rests[1].column) == (0, 2)
    lines = _line_texts(join_broken_values(layout))
    assert lines[1] == "Units 04/01/2023 M 48,215 Common 48,215 0 D"


def test_markers_beside_a_joined_amount_still_note_the_empty_date_columns():
    """Grown to the joined text's width, "59,064" reached over the "[7] [7]" beside it, and the two
    markers of the empty date cells went to the shares and the title instead."""
    text = ("Table II - Derivative Securities Acquired, Disposed of, or Beneficially Owned\n"
            "     Title  Price Date         Code  Number Exercisable Expiration Title Amount Price Owned Form\n"
            "     Units  [1]   04/01/2023   M      59, [7] [7]   Comm 59, [1]    0 D\n"
            "                                      064           on 064             \n"
            "     Stock                                          Stoc               \n"
            "                                                    k                  \n")
    layout = join_broken_values(_column_dump(text))
    row_fields = ["security_title", None, "transaction_date", "transaction_code", "shares", None, None,
                  "underlying_title", "underlying_shares", None, "shares_owned_following", "direct_or_indirect"]
    fields = _tags_by_first_word(layout, {"Units": [D + f if f else "footnote_ref" for f in row_fields],
                                          "Stock": [D + "security_title", D + "underlying_title"]})
    row = decode_sure(layout, fields).derivative[0]
    assert (row.shares.value, row.underlying_shares.value, row.underlying_title.value) == (59064, 59064, "Common Stock")
    assert (row.exercise_date.footnote_ids, row.expiration_date.footnote_ids) == (["F7"], ["F7"])
    assert row.shares.footnote_ids == [] and row.conversion_or_exercise_price.footnote_ids == ["F1"]


def test_superscripts_on_their_own_line_above_a_column_dumps_row_note_its_empty_dates():
    """A dump that keeps its columns printed the row's superscripts on a line of their own above it
    ("[1]   [1]" over the empty date cells): above the table's first row, they were dropped."""
    text = ("Table II - Derivative Securities Acquired, Disposed of, or Beneficially Owned\n"
            "     Title     Price  Date        Code  Number   Exercisable  Expiration  Title   Amount   Form\n"
            "                                                  [1]   [1]                                \n"
            "     Deferred  $0     01/03/2023  A     560.1456              Common   560.1456   D        \n"
            "     Units                                                    Stock                        \n")
    layout = _column_dump(text)
    row_fields = ["security_title", "conversion_or_exercise_price", "transaction_date", "transaction_code", "shares",
                  "underlying_title", "underlying_shares", "direct_or_indirect"]
    fields = _tags_by_first_word(layout, {"[1]": ["footnote_ref"] * 2, "Deferred": [D + f for f in row_fields],
                                          "Units": [D + "security_title", D + "underlying_title"]})
    row = decode_sure(layout, fields).derivative[0]
    assert (row.exercise_date.footnote_ids, row.expiration_date.footnote_ids) == (["F1"], ["F1"])
    assert row.shares.footnote_ids == [] and row.security_title.footnote_ids == []


def test_superscripts_of_a_single_spaced_dump_note_the_rows_empty_price_and_dates():
    """A single-spaced dump printed each row's superscripts on a line above it, "[1] [2] [2]": the first
    row's were dropped, the second row's went to the title of the row above."""
    text = ("Table II - Derivative Securities Acquired, Disposed of, or Beneficially Owned\n"
            "[1] [2] [2]\n"
            "Restricted 2023-05-18 M 15,273 Common 15,273 $0 0 D\n"
            "Stock Units Stock\n"
            "[1] [3] [3]\n"
            "Restricted 2023-05-18 A 16,964 Common 16,964 $0 16,964 D\n"
            "Stock Units Stock\n")
    layout = read_text(text, "made-up.txt")
    row_fields = ["security_title", "transaction_date", "transaction_code", "shares", "underlying_title",
                  "underlying_shares", "price_per_share", "shares_owned_following", "direct_or_indirect"]
    fields = _tags_by_first_word(layout, {"[1]": ["footnote_ref"] * 3, "Restricted": [D + f for f in row_fields],
                                          "Stock": [D + "security_title"] * 2 + [D + "underlying_title"]})
    rows = decode_sure(layout, fields).derivative
    assert [(r.conversion_or_exercise_price.footnote_ids, r.exercise_date.footnote_ids, r.expiration_date.footnote_ids)
            for r in rows] == [(["F1"], ["F2"], ["F2"]), (["F1"], ["F3"], ["F3"])]
    assert [r.security_title.footnote_ids for r in rows] == [[], []]


def test_training_reads_a_dump_with_its_torn_values_joined_as_the_model_does():
    """The model read dumps with their torn values joined, but learned from them torn: "07/15/" labelled
    a date and "2024" labelled nothing, a word the model never meets."""
    from extractor.training import _with_broken_values_joined

    text = ("Table II - Derivative Securities\n"
            "Stock $120.8 07/15/202 A 3,3 07/15/ 07/14/ Comm 3,38 $120.8 3,382 D\n"
            "Option 6 3 82 2024 2033 on 2 6\n")
    layout = read_text(text, "made-up.txt")
    by_text = {"07/15/202": D + "transaction_date", "3,3": D + "shares", "07/15/": "other", "2024": D + "exercise_date",
               "07/14/": D + "expiration_date", "2033": D + "expiration_date", "3,38": D + "underlying_shares"}
    fields = [by_text.get(w.text, "label") for w in layout.words]
    joined, labels = _with_broken_values_joined(layout, fields)
    assert len(labels) == len(list(joined.words))
    label_of = dict(zip((w.text for w in joined.words), labels))
    assert label_of["07/15/2024"] == D + "exercise_date"  # the rest's, where the first piece was no value's
    assert (label_of["07/14/2033"], label_of["07/15/2023"]) == (D + "expiration_date", D + "transaction_date")
    assert "2024" not in label_of and "82" not in label_of


def test_wrapped_line_of_two_titles_never_doubles_a_word_in_one():
    """ "Common Stock Stock" under "Warrant to Buy ... Common ..." ends the security title with "Common
    Stock" and the underlying title with "Stock": the classifier, seeing no columns in a single-spaced
    dump, liked every word best in the underlying title, which came out "Common Common Stock Stock"."""
    text = ("Table II - Derivative Securities\n"
            "Warrant to Buy $4.10 2024-05-06 A 1,000 2029-05-06 Common 1,000 $0 1,000 D\n"
            "Common Stock Stock\n")
    layout = read_text(text, "made-up.txt")
    assert all(w.column is None for w in layout.words)  # single-spaced: nothing but order to go by
    row_fields = ["security_title"] * 3 + ["conversion_or_exercise_price", "transaction_date", "transaction_code",
                                            "shares", "expiration_date", "underlying_title", "underlying_shares",
                                            "price_per_share", "shares_owned_following", "direct_or_indirect"]
    rows = [{"label": 1.0}] * 5 + [{D + f: 1.0} for f in row_fields]
    rows += [{D + "underlying_title": 0.58, D + "security_title": 0.32, "label": 0.1},
             {D + "underlying_title": 0.95, D + "security_title": 0.03, "label": 0.02},
             {D + "underlying_title": 0.84, D + "security_title": 0.06, "label": 0.1}]
    row = decode_soft(layout, rows).derivative[0]
    assert (row.security_title.value, row.underlying_title.value) == ("Warrant to Buy Common Stock", "Common Stock")


def test_centred_titles_printed_over_their_row_line_keep_their_columns_below_it():
    """A dump that centres a row's cells printed the titles' first lines over the row's line, which held
    only values, and their last lines under it ("par   par" / "value   value"). The lines below were
    read as the security title's alone, the only title the row's line had opened: the underlying title
    lost its "par value" and the security title had both."""
    text = ("Table II - Derivative Securities Acquired, Disposed of, or Beneficially Owned\n"
            "      Class B                                   Class A             \n"
            "      Common                                    Common              \n"
            "      Stock,                                    Stock,              \n"
            "            (1)  2024-02-03  C  7,000  (1)  (1)   7,000  $0  9,000  D\n"
            "      par                                       par                 \n"
            "      value                                     value               \n")
    layout = _column_dump(text)
    title, underlying = {D + "security_title": 0.9, "label": 0.1}, {D + "underlying_title": 0.9, "label": 0.1}
    rows = [{"label": 1.0}] * 11 + [title, title, underlying, underlying, title, underlying, title,
                                    {D + "security_title": 0.39, D + "underlying_title": 0.31, "label": 0.3}]
    rows += [{"footnote_ref": 1.0}] + [{D + f: 1.0} for f in ("transaction_date", "transaction_code", "shares")]
    rows += [{"footnote_ref": 1.0}] * 2 + [{D + f: 1.0} for f in ("underlying_shares", "price_per_share",
                                                                  "shares_owned_following", "direct_or_indirect")]
    rows += [{D + "underlying_title": 0.62, D + "security_title": 0.28, "label": 0.1},
             {D + "underlying_title": 0.79, D + "security_title": 0.11, "label": 0.1},
             {D + "underlying_title": 0.60, D + "security_title": 0.01, "label": 0.39},
             {D + "underlying_title": 0.92, D + "security_title": 0.01, "label": 0.07}]
    row = decode_soft(layout, rows).derivative[0]
    assert (row.security_title.value, row.underlying_title.value) == ("Class B Common Stock, par value",
                                                                      "Class A Common Stock, par value")


def test_single_spaced_title_line_over_a_values_only_row_does_not_steer_the_line_below():
    """In a single-spaced dump "Class A Common By Maple Fund" stood over a row line of values only:
    read as the row's title block, it opened Table I's nature below the row, and the split of "Stock
    II, LP(3)" gave "II," (0.51 title, 0.37 nature) to the title. Nothing in such a dump says which
    words stand over which; the line below is left to the rules for wrapped lines."""
    text = ("Table I - Non-Derivative Securities Acquired, Disposed of, or Beneficially Owned\n"
            "Class A Common By Maple Fund\n"
            "02/10/2023 P(1) 60,000 A $3.05 220,000 I\n"
            "Stock II, LP(3)\n")
    layout = read_text(text, "made-up.txt")
    assert all(w.column is None for w in layout.words)
    N = "non_derivative.*."
    title, nature = {N + "security_title": 0.95, "label": 0.05}, {N + "nature_of_ownership": 0.85, "label": 0.15}
    rows = [{"label": 1.0}] * 11 + [title] * 3 + [nature] * 3
    rows += [{N + f: 1.0} for f in ("transaction_date", "transaction_code", "shares", "acquired_disposed",
                                     "price_per_share", "shares_owned_following", "direct_or_indirect")]
    rows += [{N + "security_title": 0.92, "label": 0.08},
             {N + "security_title": 0.51, N + "nature_of_ownership": 0.37, "label": 0.12},
             {N + "nature_of_ownership": 0.93, "label": 0.07}]
    row = decode_soft(layout, rows).non_derivative[0]
    assert (row.security_title.value, row.nature_of_ownership.value) == ("Class A Common Stock", "By Maple Fund II, LP")


def test_amount_between_a_dump_rows_values_taken_for_a_caption_is_the_amount():
    """ "Phantom Stock 01/01/2023 A 318.16 3 3 Common ...": the shares were 0.75 a printed caption and
    0.19 the shares, under what a plain word needs to leave a caption; lost, they also left the two
    markers with no column between values to note, and the dates lost them."""
    text = ("Table II - Derivative Securities\n"
            "Phantom Stock 01/01/2023 A 318.16 3 3 Common 318.16 $141.44 318.16 D\n"
            "Stock\n"
            "Explanation of Responses:\n"
            "3. The phantom stock has no exercise or expiration date.\n")
    layout = read_text(text, "made-up.txt")
    rows = [{"label": 1.0}] * 5 + [{D + "security_title": 1.0}] * 2
    rows += [{D + "transaction_date": 1.0}, {D + "transaction_code": 1.0},
             {"label": 0.754, D + "shares": 0.191, D + "conversion_or_exercise_price": 0.055}]
    rows += [{"footnote_ref": 0.6, "label": 0.4}] * 2
    rows += [{D + f: 1.0} for f in ("underlying_title", "underlying_shares", "price_per_share",
                                    "shares_owned_following", "direct_or_indirect", "underlying_title")]
    rows += [{"label": 1.0}] * 3 + [{"footnote_ref": 1.0}] + [{"footnotes.*.text": 1.0}] * 9
    row = decode_soft(layout, rows).derivative[0]
    assert row.shares.value == Decimal("318.16")
    assert (row.exercise_date.footnote_ids, row.expiration_date.footnote_ids) == (["F3"], ["F3"])


def test_series_letter_wrapped_under_a_coded_row_is_the_underlying_titles_not_a_second_code():
    """ "Restricted (2) Jun 8, M 47,619 (3) (3) Class 47,619 ..." over "2023 A" / "Stock Common" / "Units" /
    "Stock": the "A" of "Class A", 0.54 a transaction code, made a second row of the year and the rest
    of both titles; and the last "Stock", 0.08 the underlying title, stayed with the security title,
    whose "Units" had ended it while the underlying title stopped at "Common"."""
    text = ("Table II - Derivative Securities\n"
            "Restricted (2) Jun 8, M 47,619 (3) (3) Class 47,619 $0 0 D\n"
            "2023 A\nStock Common\nUnits\nStock\n")
    layout = read_text(text, "made-up.txt")
    sure = [{D + "security_title": 1.0}, {"footnote_ref": 1.0}, {D + "transaction_date": 1.0},
            {D + "transaction_date": 1.0}, {D + "transaction_code": 1.0}, {D + "shares": 1.0}, {"footnote_ref": 1.0},
            {"footnote_ref": 1.0}, {D + "underlying_title": 0.36, "label": 0.34, D + "security_title": 0.3}]
    sure += [{D + f: 1.0} for f in ("underlying_shares", "price_per_share", "shares_owned_following",
                                    "direct_or_indirect")]
    rows = [{"label": 1.0}] * 5 + sure
    rows += [{D + "transaction_date": 0.7, "label": 0.3},
             {D + "transaction_code": 0.54, "label": 0.31, D + "underlying_title": 0.15},
             {D + "security_title": 0.79, "label": 0.21}, {D + "underlying_title": 0.91, "label": 0.09},
             {D + "security_title": 0.62, "label": 0.38},
             {D + "security_title": 0.36, "label": 0.31, N + "security_title": 0.22, D + "underlying_title": 0.078,
              "footnotes.*.text": 0.032}]
    record = decode_soft(layout, rows)
    assert [(r.security_title.value, r.underlying_title.value, str(r.transaction_date.value), r.transaction_code.value)
            for r in record.derivative] == [("Restricted Stock Units", "Class A Common Stock", "2023-06-08", "M")]


def test_holding_line_with_two_dates_and_no_code_starts_with_its_exercise_date():
    """ "Stock $61.47 2018-01-15 2027-01-14 Common 4404 4404 D": the first date, 0.82 a transaction's date
    and 0.16 the exercise date, made the holding a transaction without a code, and the exercise date was lost."""
    text = ("Table II - Derivative Securities\n"
            "Stock $61.47 2018-01-15 2027-01-14 Common 4404 4404 D\n"
            "Option Stock\n")
    layout = read_text(text, "made-up.txt")
    rows = [{"label": 1.0}] * 5 + [{D + "security_title": 1.0}, {D + "conversion_or_exercise_price": 1.0},
                                   {D + "transaction_date": 0.819, D + "exercise_date": 0.159, "label": 0.022},
                                   {D + "expiration_date": 1.0}, {D + "underlying_title": 1.0}]
    rows += [{D + f: 1.0} for f in ("underlying_shares", "shares_owned_following", "direct_or_indirect",
                                    "security_title", "underlying_title")]
    row = decode_soft(layout, rows).derivative[0]
    assert (row.kind, str(row.exercise_date.value), row.transaction_date.present) == ("holding", "2018-01-15", False)


def test_year_torn_from_a_transaction_date_is_no_holdings_exercise_date():
    """A narrow cell's "2023" under "Jun 8," beside a stray piece taken for the expiration date: only a
    line of whole dates is a holding's; the year stays the transaction date's."""
    layout = read_text("Table II - Derivative Securities\ncted 2023 19 s A 19\n", "made-up.txt")
    classes = np.array([D + "transaction_date", D + "exercise_date", D + "expiration_date", "label"])
    probabilities = np.tile([0.0, 0.0, 0.0, 1.0], (len(list(layout.words)), 1))
    probabilities[6] = [0.68, 0.14, 0.1, 0.08]
    probabilities[7] = [0.1, 0.1, 0.4, 0.4]
    best = probabilities.argmax(axis=1)
    assert list(holding_dates(layout, probabilities, classes, best)) == list(best)
    whole = read_text("Table II - Derivative Securities\nStock 2018-01-15 2027-01-14\n", "made-up.txt")
    assert holding_dates(whole, probabilities[:8], classes, best[:8])[6] == 1
