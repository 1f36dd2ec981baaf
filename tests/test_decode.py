"""From word tags to a record on pages: made-up layouts tagged by hand, one test per decoding fix (no corpus text)."""

from __future__ import annotations

from decimal import Decimal

from extractor.layout.document import Layout, Line, Page, Word
from extractor.values import split_footnotes
from extractor.word_breaks import find_breaks

from .decoding import AFF10B5_CAPTION, D, N, NOT_SUBJECT_CAPTION, TABLE_ONE_ROW, decode_soft, decode_sure, decode_with_doubts
from .decoding import page_of as _page
from .decoding import word_at as _w
from .decoding import words_at as _caption_words


# ------------------------------------------------------------------ Table II's acquired / disposed


def _table_two(amount_x: float) -> Layout:
    words = [_w("Table", 10, 10), _w("II", 45, 10), _w("-", 60, 10), _w("Derivative", 70, 10), _w("Securities", 134, 10),
             _w("Code", 100, 40), _w("V", 140, 40), _w("(A)", 170, 40), _w("(D)", 210, 40),
             _w("Option", 10, 60), _w("01/02/2023", 40, 60), _w("X", 105, 60), _w("1,000", amount_x, 60),
             _w("0", 300, 60), _w("D", 340, 60)]
    return _page(words)


_TABLE_TWO_TAGS = {"Option": D + "security_title", "01/02/2023": D + "transaction_date", "X": D + "transaction_code",
                   "1,000": D + "shares", "0": D + "shares_owned_following", "D": D + "direct_or_indirect"}


def test_derivative_amount_under_the_disposed_header_reads_disposed():
    record = decode_sure(_table_two(amount_x=208), _TABLE_TWO_TAGS)
    assert record.derivative[0].acquired_disposed.value == "D"
    record = decode_sure(_table_two(amount_x=166), _TABLE_TWO_TAGS)
    assert record.derivative[0].acquired_disposed.value == "A"


# ------------------------------------------------------------------ street lines


def test_one_line_street_is_street_one_even_when_the_classifier_splits_it():
    words = [_w("Jane", 10, 10), _w("Roe", 40, 10), _w("One", 10, 22), _w("Larkspur", 32, 22), _w("Way", 84, 22)]
    tags = ["owners.*.name", "owners.*.name", "owners.*.address.street2", "owners.*.address.street2",
            "owners.*.address.street1"]
    owner = decode_sure(_page(words), tags).owners[0]
    assert owner.address.street1.value == "One Larkspur Way"
    assert owner.address.street2.value is None


def test_cell_tagged_with_the_other_table_joins_the_table_of_its_line():
    words = [_w("Option", 10, 60), _w("01/02/2023", 60, 60), _w("X", 130, 60), _w("1,000", 160, 60), _w("0", 220, 60),
             _w("I", 260, 60)]
    tags = [D + "security_title", D + "transaction_date", D + "transaction_code", D + "shares",
            D + "shares_owned_following", N + "direct_or_indirect"]
    record = decode_sure(_page(words), tags)
    assert record.non_derivative == []
    assert record.derivative[0].direct_or_indirect.value == "I"


def test_row_below_the_table_two_caption_is_derivative_even_when_tagged_non_derivative():
    words = [_w("Table", 10, 10), _w("II", 45, 10), _w("-", 60, 10), _w("Derivative", 70, 10), _w("Securities", 134, 10),
             _w("Warrant", 10, 60), _w("5,000", 160, 60), _w("I", 260, 60), _w("By", 290, 60), _w("Fund", 310, 60)]
    tags = [None] * 5 + [N + "security_title", N + "shares_owned_following", N + "direct_or_indirect",
                         N + "nature_of_ownership", N + "nature_of_ownership"]
    record = decode_sure(_page(words), tags)
    assert record.non_derivative == []
    row = record.derivative[0]
    assert (row.security_title.value, str(row.shares_owned_following.value), row.nature_of_ownership.value) == (
        "Warrant", "5000", "By Fund")


# ------------------------------------------------------------------ words broken by a narrow cell


def test_word_broken_in_a_narrow_cell_reads_whole():
    words = [_w("Common", 10, 20), _w("Stock", 60, 20),  # Table I prints the title whole
             _w("Commo", 400, 60), _w("n", 400, 70), _w("Stock", 400, 80)]
    breaks = find_breaks(_page(words))
    assert [(b.first.text, b.second.text, b.joined.text) for b in breaks] == [("Commo", "n", "Common")]
    tags = [None, None, D + "underlying_title", D + "underlying_title", D + "underlying_title"]
    record = decode_sure(_page(words), tags)
    assert record.derivative[0].underlying_title.value == "Common Stock"


def test_two_words_on_two_lines_are_not_joined():
    # "Comm" is an abbreviation printed in the document often enough to count as a word.
    words = [_w("Comm", 10, 20), _w("Comm", 10, 40), _w("Comm", 400, 60), _w("on", 400, 70), _w("stock", 400, 80)]
    assert find_breaks(_page(words)) == []


def test_mark_before_the_no_longer_subject_caption_is_that_box_not_the_10b5_one():
    # EDGAR prints the mark in a cell left of the first caption; the classifier gave it to the box below.
    words = [_w("X", 10, 20)] + _caption_words(NOT_SUBJECT_CAPTION, 30, 20) + _caption_words(AFF10B5_CAPTION, 30, 32)
    record = decode_sure(_page(words), ["aff10b5_one"] + [None] * (len(words) - 1))
    assert (record.not_subject_to_section16.value, record.aff10b5_one.value) == (True, False)


# ------------------------------------------------------------------ relationship


def test_officer_title_checks_the_officer_box_ocr_missed():
    words = [_w("Jane", 10, 10), _w("Roe", 40, 10), _w("Chief", 300, 40), _w("Financial", 340, 40), _w("Officer", 400, 40)]
    tags = ["owners.*.name", "owners.*.name"] + ["owners.*.relationship.officer_title"] * 3
    relationship = decode_sure(_page(words), tags).owners[0].relationship
    assert relationship.officer_title.value == "Chief Financial Officer"
    assert relationship.is_officer.value is True
    assert relationship.is_other.value is False


def test_text_under_the_checked_other_box_is_the_other_text_not_a_title():
    words = [_w("Jane", 10, 10), _w("Roe", 40, 10), _w("[X]", 300, 20), _w("See", 300, 40), _w("Remarks", 330, 40)]
    words[2].checkbox = True
    tags = ["owners.*.name", "owners.*.name", "owners.*.relationship.is_other"] + [
        "owners.*.relationship.officer_title"] * 2
    relationship = decode_sure(_page(words), tags).owners[0].relationship
    assert (relationship.other_text.value, relationship.officer_title.value) == ("See Remarks", None)
    assert (relationship.is_other.value, relationship.is_officer.value) == (True, False)


def test_lone_markers_between_two_values_on_a_page_note_the_empty_columns_between():
    # Exercise and expiration dates both given only as footnote (4), between the amount and the underlying title.
    words = [_w("Units", 10, 60), _w("01/02/2023", 60, 60), _w("A", 130, 60), _w("100", 160, 60),
             _w("(4)", 200, 60), _w("(4)", 240, 60), _w("Common", 280, 60), _w("100", 330, 60), _w("100", 380, 60),
             _w("D", 420, 60)]
    tags = [D + "security_title", D + "transaction_date", D + "transaction_code", D + "shares", "footnote_ref",
            "footnote_ref", D + "underlying_title", D + "underlying_shares", D + "shares_owned_following",
            D + "direct_or_indirect"]
    row = decode_sure(_page(words), tags).derivative[0]
    assert (row.exercise_date.value, row.exercise_date.footnote_ids) == (None, ["F4"])
    assert (row.expiration_date.value, row.expiration_date.footnote_ids) == (None, ["F4"])
    assert row.shares.footnote_ids == []


# ------------------------------------------------------------------ issuer


def test_issuer_name_loses_the_bracket_ocr_glued_on_and_the_ticker_starts_at_its_bracket():
    words = [_w("KLA", 10, 10), _w("CORP,", 34, 10), _w("[", 70, 10), _w("KLAC", 80, 10), _w("]", 110, 10)]
    tags = ["issuer.name", "issuer.name", None, "issuer.trading_symbol", None]
    issuer = decode_sure(_page(words), tags).issuer
    assert issuer.name.value == "KLA CORP"
    tags = ["issuer.name", "issuer.trading_symbol", None, "issuer.trading_symbol", None]
    issuer = decode_sure(_page(words), tags).issuer
    assert (issuer.name.value, issuer.trading_symbol.value) == ("KLA CORP", "KLAC")  # the word before "[" is the name's


def test_issuer_name_runs_up_to_its_ticker_and_stays_on_its_line():
    # OCR glued the bracket on ("Storage[", then taken for a label), and a footnote's "GIM" far
    # below was tagged with the name.
    words = [_w("Public", 10, 10), _w("Storage[", 60, 10), _w("PSA]", 120, 10), _w("GIM", 60, 300)]
    tags = ["issuer.name", "label", "issuer.trading_symbol", "issuer.name"]
    issuer = decode_sure(_page(words), tags).issuer
    assert (issuer.name.value, issuer.trading_symbol.value) == ("Public Storage", "PSA")


def test_issuer_name_line_is_the_first_likely_one_without_a_ticker():
    words = [_w("KLA", 10, 10), _w("CORP", 40, 10), _w("Living", 10, 300), _w("Trust", 60, 300), _w("Fund", 100, 300)]
    assert decode_sure(_page(words), ["issuer.name"] * 5).issuer.name.value == "KLA CORP"


def test_bracket_markers_glued_on_values_and_torn_over_two_lines_are_footnotes():
    # A narrow cell printed "A[1]" whole, and tore "D[1" / "]" and "$5.25[" / "5]" over two lines.
    words = [_w("Option", 10, 60), _w("$5.25[", 60, 60), _w("01/02/2023", 110, 60), _w("D[1", 180, 60),
             _w("774,354[1]", 220, 60), _w("5]", 60, 70), _w("]", 180, 70)]
    tags = [D + "security_title", D + "conversion_or_exercise_price", D + "transaction_date", D + "transaction_code",
            D + "shares", D + "conversion_or_exercise_price", D + "transaction_code"]
    row = decode_sure(_page(words), tags).derivative[0]
    assert (row.conversion_or_exercise_price.value, row.conversion_or_exercise_price.footnote_ids) == (Decimal("5.25"), ["F5"])
    assert (row.transaction_code.value, row.transaction_code.footnote_ids) == ("D", ["F1"])
    assert (row.shares.value, row.shares.footnote_ids) == (Decimal("774354"), ["F1"])


def test_a_negative_number_in_parentheses_is_not_a_footnote_marker():
    assert split_footnotes("(1.50)") == ("(1.50)", [])
    assert split_footnotes("See footnote (1)(2)") == ("See footnote", ["F1", "F2"])


def test_number_and_marker_a_narrow_cell_carried_to_the_next_line_stay_in_their_row():
    # "7,418,6" / "69[1]" and "D[1" / "]" wrapped beside a title wrapping over lines of its own: one row.
    words = [_w("Series", 10, 60), _w("06/06/2023", 60, 60), _w("D[1", 130, 60), _w("7,418,6", 160, 60),
             _w("Comm", 220, 60), _w("6,955,91", 260, 60), _w("I", 320, 60),
             _w("A", 10, 70), _w("]", 130, 70), _w("69[1]", 160, 70), _w("on", 220, 70), _w("2", 260, 70),
             _w("Preferred", 10, 80), _w("Stoc", 220, 80)]
    tags = [D + "security_title", D + "transaction_date", D + "transaction_code", D + "shares", D + "underlying_title",
            D + "shares_owned_following", D + "direct_or_indirect",
            D + "security_title", D + "transaction_code", D + "shares", D + "underlying_title", D + "shares_owned_following",
            D + "security_title", D + "underlying_title"]
    rows = decode_sure(_page(words), tags).derivative
    assert len(rows) == 1
    assert (rows[0].shares.value, rows[0].shares.footnote_ids) == (Decimal("7418669"), ["F1"])
    assert rows[0].shares_owned_following.value == Decimal("6955912")
    assert rows[0].security_title.value == "Series A Preferred"


def test_street_quadrant_tagged_state_goes_back_to_its_street_and_the_city_line_names_the_state():
    words = [_w("1331", 10, 10), _w("L", 40, 10), _w("STREET", 50, 10), _w("NW", 92, 10),
             _w("WASHINGTON", 10, 22), _w("DC", 80, 22), _w("20036", 100, 22)]
    tags = ["owners.*.address.street1", "owners.*.address.street1", "owners.*.address.street1", "owners.*.address.state",
            "owners.*.address.city", "owners.*.address.state", "owners.*.address.zip_code"]
    layout = _page([_w("Name", 10, 0)] + words)
    address = decode_sure(layout, ["owners.*.name"] + tags).owners[0].address
    assert (address.street1.value, address.state.value, address.city.value) == ("1331 L STREET NW", "DC", "WASHINGTON")


def test_tall_row_printing_its_title_higher_than_its_numbers_is_one_row():
    # The title cell is top-aligned and the numbers centred: 4 points apart, they group as two lines.
    words = [_w("Phantom", 10, 494), _w("(1)", 60, 496), _w("Common", 250, 494), _w("$141.44", 350, 494.5),
             _w("01/01/2023", 90, 498.2), _w("A", 160, 498.2), _w("265.13", 190, 498.2), _w("265.13", 300, 498.2),
             _w("D", 420, 498.2), _w("Stock", 10, 503), _w("Stock", 250, 503)]
    tags = [D + "security_title", "footnote_ref", D + "underlying_title", D + "price_per_share",
            D + "transaction_date", D + "transaction_code", D + "shares", D + "underlying_shares",
            D + "direct_or_indirect", D + "security_title", D + "underlying_title"]
    layout = _page(words)
    tag_of = {id(w): t for w, t in zip(words, tags)}
    rows = decode_sure(layout, [tag_of[id(w)] for w in layout.words]).derivative
    assert len(rows) == 1
    assert (rows[0].security_title.value, rows[0].underlying_title.value) == ("Phantom Stock", "Common Stock")
    assert str(rows[0].shares.value) == "265.13" and str(rows[0].price_per_share.value) == "141.44"


def test_a_case_change_inside_the_issuers_name_does_not_split_it():
    from extractor.line_fields import _case_split

    assert _case_split("PASCAL ANDREW S PLAYSTUDIOS, Inc.".split()) is None
    assert _case_split("Adara Sponsor LLC ALLIANCE ENTERTAINMENT HOLDING CORP".split()) == 3
    assert _case_split("Clark Henry A III SOUTHERN CO".split()) == 4


def test_street_quadrant_tagged_state_is_the_streets_even_when_the_real_state_went_untagged():
    words = [_w("2200", 10, 10), _w("PENNSYLVANIA", 40, 10), _w("AVENUE,", 120, 10), _w("NW", 170, 10),
             _w("WASHINGTON", 10, 22), _w("DC", 80, 22), _w("20037", 100, 22)]
    tags = ["owners.*.address.street1"] * 3 + ["owners.*.address.state", "owners.*.address.city", None,
                                              "owners.*.address.zip_code"]
    address = decode_sure(_page([_w("Name", 10, 0)] + words), ["owners.*.name"] + tags).owners[0].address
    assert (address.street1.value, address.state.value) == ("2200 PENNSYLVANIA AVENUE, NW", None)


def test_street_one_wrapped_in_a_narrow_cell_keeps_its_second_line():
    S1, S2 = "owners.*.address.street1", "owners.*.address.street2"
    words = [_w("Jane", 10, 0), _w("Roe", 40, 0), _w("C/O", 10, 12), _w("LAM", 34, 12), _w("RESEARCH", 58, 12),
             _w("CORPORATION", 10, 24), _w("4650", 10, 36), _w("CUSHING", 40, 36), _w("PARKWAY", 90, 36)]
    address = decode_sure(_page(words), ["owners.*.name"] * 2 + [S1] * 4 + [S2, S1, S1]).owners[0].address
    assert (address.street1.value, address.street2.value) == ("C/O LAM RESEARCH CORPORATION", "4650 CUSHING PARKWAY")
    # Both lines tagged street 1 and the second starts with its number: two streets, as before.
    words = [_w("Jane", 10, 0), _w("C/O", 10, 12), _w("PUBLIC", 34, 12), _w("STORAGE", 76, 12),
             _w("701", 10, 24), _w("WESTERN", 34, 24), _w("AVENUE", 88, 24)]
    address = decode_sure(_page(words), ["owners.*.name"] + [S1] * 6).owners[0].address
    assert (address.street1.value, address.street2.value) == ("C/O PUBLIC STORAGE", "701 WESTERN AVENUE")


def test_top_aligned_title_wrapping_between_two_close_rows_stays_in_the_row_above():
    # Rows 10.5 points apart: the wrapped "Stock" was as near the next row's values as its own.
    words = [_w("Class", 49, 481.3), _w("A", 80, 481.3), _w("Common", 90, 481.3), _w("2/10/2023", 200, 481.3),
             _w("222,480", 400, 481.3), _w("I", 470, 481.3), _w("Stock", 49, 491.9),
             _w("Class", 49, 502.4), _w("A", 80, 502.4), _w("Common", 90, 502.4), _w("43,888", 400, 502.4),
             _w("I", 470, 502.4), _w("Stock", 49, 513.0)]
    tags = [N + "security_title"] * 3 + [N + "transaction_date", N + "shares_owned_following", N + "direct_or_indirect",
                                         N + "security_title"] + [N + "security_title"] * 3 + [
        N + "shares_owned_following", N + "direct_or_indirect", N + "security_title"]
    rows = decode_sure(_page(words), tags).non_derivative
    assert [r.security_title.value for r in rows] == ["Class A Common Stock", "Class A Common Stock"]


def test_caption_words_between_two_words_of_a_title_are_the_titles():
    # "of Beneficial" reads like the form's captions; "(Street)" between a street and a city is one.
    words = [_w("Common", 10, 100), _w("Shares", 56, 100), _w("of", 96, 100), _w("Beneficial", 112, 100),
             _w("Interest", 176, 100), _w("02/01/2023", 300, 100), _w("1,000", 400, 100)]
    tags = [N + "security_title"] * 2 + ["label", "label", N + "security_title", N + "transaction_date",
                                         N + "shares_owned_following"]
    assert decode_sure(_page(words), tags).non_derivative[0].security_title.value == "Common Shares of Beneficial Interest"
    words = [_w("Jane", 10, 0), _w("Floor", 10, 12), _w("(Street)", 46, 12), _w("New", 100, 12), _w("York", 124, 12)]
    tags = ["owners.*.name", "owners.*.address.city", "label", "owners.*.address.city", "owners.*.address.city"]
    assert decode_sure(_page(words), tags).owners[0].address.city.value == "Floor New York"


def test_caption_like_word_stacked_between_two_lines_of_a_title_is_the_titles():
    words = [_w("Southern", 47, 548), _w("2023-02-11", 200, 548), _w("802,275", 400, 548), _w("Company", 47, 559),
             _w("Common", 47, 570), _w("Stock", 47, 581)]
    tags = [N + "security_title", N + "transaction_date", N + "shares_owned_following", "label",
            N + "security_title", N + "security_title"]
    assert decode_sure(_page(words), tags).non_derivative[0].security_title.value == "Southern Company Common Stock"


def test_street_line_keeps_its_last_word_taken_for_a_table_cell_or_for_the_other_street():
    # "C/O AE INDUSTRIAL PARTNERS, LP": "LP" 0.43 a nature of ownership, 0.40 the street. "6700 BROKEN
    # SOUND PARKWAY NW", the line the second street: "NW" 0.65 nothing, 0.07 the first street.
    layout = _page([_w("Jane", 10, 0), _w("Roe", 40, 0), _w("C/O", 10, 12), _w("AE", 34, 12), _w("PARTNERS,", 52, 12),
                    _w("LP", 104, 12), _w("6700", 10, 24), _w("BROKEN", 40, 24), _w("SOUND", 84, 24),
                    _w("PARKWAY", 122, 24), _w("NW", 172, 24)])
    S1, S2 = "owners.*.address.street1", "owners.*.address.street2"
    rows = [{"owners.*.name": 1.0}] * 2 + [{S1: 0.9}] * 3 + [{"non_derivative.*.nature_of_ownership": 0.43, S1: 0.4}]
    rows += [{S2: 0.76, S1: 0.05}, {S1: 0.63, S2: 0.13}, {S1: 0.95}, {S1: 0.83}, {"other": 0.65, "label": 0.14, S1: 0.07}]
    address = decode_soft(layout, rows).owners[0].address
    assert (address.street1.value, address.street2.value) == ("C/O AE PARTNERS, LP", "6700 BROKEN SOUND PARKWAY NW")


def test_bare_number_starting_a_street_line_is_its_house_number_not_a_footnote_marker():
    # "1 TOWER LANE, SUITE 800" on a page: "1" 0.67 a footnote marker, 0.22 the street.
    S2 = "owners.*.address.street2"
    words = [_w("Jane", 10, 0), _w("Roe", 40, 0), _w("C/O", 10, 12), _w("ACME", 34, 12), _w("1", 10, 24),
             _w("TOWER", 18, 24), _w("LANE,", 60, 24), _w("SUITE", 96, 24), _w("800", 134, 24)]
    rows = [{"owners.*.name": 1.0}] * 2 + [{"owners.*.address.street1": 1.0}] * 2
    rows += [{"footnote_ref": 0.67, S2: 0.22, "label": 0.06}] + [{S2: 0.8}] * 4
    address = decode_soft(_page(words), rows).owners[0].address
    assert (address.street1.value, address.street2.value) == ("C/O ACME", "1 TOWER LANE, SUITE 800")
    # Raised, it is a marker.
    words[4] = Word("1", 10, 22, 14, 28, page=1, superscript=True)
    assert decode_soft(_page(words), rows).owners[0].address.street2.value == "TOWER LANE, SUITE 800"


def test_issuer_name_after_its_caption_in_one_cell_keeps_its_first_words():
    # Markdown: "2. Issuer Name and Ticker or Trading Symbol Finance of America Companies Inc. [ FOA ]":
    # "Finance" 0.68 a caption, 0.31 the name; "of" 0.94 and 0.05.
    texts = "2. Issuer Name and Ticker or Trading Symbol Finance of America Companies Inc. [ FOA ]".split()
    x, words = 10.0, []
    for text in texts:
        words.append(_w(text, x, 0))
        x += 7 * len(text) + 5
    rows = [{"label": 1.0}] * 7 + [{"label": 0.99, "issuer.name": 0.01}]
    rows += [{"label": 0.68, "issuer.name": 0.31}, {"label": 0.94, "issuer.name": 0.05}, {"issuer.name": 0.56, "label": 0.43},
             {"issuer.name": 0.97}, {"issuer.name": 0.98}, {"label": 0.99}, {"issuer.trading_symbol": 0.99}, {"label": 0.99}]
    record = decode_soft(_page(words), rows)
    assert (record.issuer.name.value, record.issuer.trading_symbol.value) == ("Finance of America Companies Inc.", "FOA")


def test_issuer_name_ends_at_its_tickers_line():
    words = [_w("TIDEWATER", 200, 10), _w("INC", 260, 10), _w("[", 284, 10), _w("TDW", 292, 10), _w("]", 314, 10),
             _w("HOUSTON", 200, 22)]
    tags = ["issuer.name", "issuer.name", None, "issuer.trading_symbol", None, "issuer.name"]
    issuer = decode_sure(_page(words), tags).issuer
    assert (issuer.name.value, issuer.trading_symbol.value) == ("TIDEWATER INC", "TDW")


def test_dash_inside_a_title_taken_for_a_date_stays_in_the_title():
    words = _caption_words("Comm Stock - $.16-2/3 3/15/2023 1,779", 10, 100)
    rows = [{N + "security_title": 0.97}, {N + "security_title": 0.97},
            {N + "transaction_date": 0.68, N + "security_title": 0.26}, {N + "security_title": 0.87},
            {N + "transaction_date": 0.99}, {N + "shares_owned_following": 0.99}]
    row = decode_soft(_page(words), rows).non_derivative[0]
    assert (row.security_title.value, str(row.transaction_date.value)) == ("Comm Stock - $.16-2/3", "2023-03-15")


def test_officer_title_wrapped_onto_a_caption_like_last_line_keeps_it():
    title = "owners.*.relationship.officer_title"
    words = [*_caption_words("Chairman", 555, 151), *_caption_words("Emeritus and", 555, 161),
             *_caption_words("Director", 555, 171)]
    rows = [{title: 0.95}, {title: 0.98}, {title: 0.86}, {"label": 0.9, title: 0.08}]
    rows = [{"owners.*.name": 1.0}] + rows
    layout = _page([_w("Roe", 10, 100), *words])
    assert decode_soft(layout, rows).owners[0].relationship.officer_title.value == "Chairman Emeritus and Director"


def test_officer_title_ending_in_and_keeps_a_wrapped_last_line_the_classifier_gives_it_four_hundredths():
    """After "Emeritus and" the shipped model gave "Director" 0.04 the title, under the 0.05 a title
    that runs on needed: the title read "Chairman Emeritus and"."""
    title = "owners.*.relationship.officer_title"
    words = [*_caption_words("Chairman", 555, 151), *_caption_words("Emeritus and", 555, 161),
             *_caption_words("Director", 555, 171)]
    rows = [{"owners.*.name": 1.0}, {title: 0.92}, {title: 0.98}, {title: 0.95}, {"label": 0.93, title: 0.04}]
    layout = _page([_w("Roe", 10, 100), *words])
    assert decode_soft(layout, rows).owners[0].relationship.officer_title.value == "Chairman Emeritus and Director"


def test_officer_title_whose_first_line_runs_on_keeps_it_however_caption_like():
    title = "owners.*.relationship.officer_title"
    words = [_w("Roe", 10, 100), *_caption_words("Head of", 596, 170), *_caption_words("Development", 596, 181)]
    rows = [{"owners.*.name": 1.0}, {"label": 0.98, title: 0.01}, {"label": 0.89}, {title: 0.96}]
    assert decode_soft(_page(words), rows).owners[0].relationship.officer_title.value == "Head of Development"


def test_a_stray_dash_in_the_nature_of_ownership_column_is_no_nature_of_ownership():
    words = _caption_words("Common Stock 2023-02-01 1,000 D -", 10, 100)
    tags = [N + "security_title"] * 2 + [N + "transaction_date", N + "shares_owned_following", N + "direct_or_indirect",
                                         N + "nature_of_ownership"]
    row = decode_sure(_page(words), tags).non_derivative[0]
    assert (row.security_title.value, row.nature_of_ownership.present) == ("Common Stock", False)


def test_relationship_mark_just_left_of_director_is_the_directors_box():
    # Snowflake Form 3 scanned at 300 dpi: the mark before "Director" was given to the 10% owner box.
    words = [_w("Roe", 10, 60), _w("X", 1623, 1103), _w("Director", 1635, 1103), _w("10%", 2029, 1104),
             _w("Owner", 2114, 1104)]
    tags = ["owners.*.name", "owners.*.relationship.is_ten_percent_owner", None, None, None]
    relationship = decode_sure(_page(words), tags).owners[0].relationship
    assert (relationship.is_director.value, relationship.is_ten_percent_owner.value) == (True, False)
    words = [_w("Roe", 10, 60), _w("Director", 1600, 1103), _w("X", 1660, 1103), _w("10%", 1680, 1103)]
    tags = ["owners.*.name", None, "owners.*.relationship.is_director", None]
    assert decode_sure(_page(words), tags).owners[0].relationship.is_director.value is True  # "Director X" stays


def test_filing_box_mark_a_line_of_its_own_reads_the_caption_beside_it():
    """A 300 dpi scan's "x" by "Form filed by One Reporting Person" sat low enough for OCR to give it a
    line of its own: the words after it in reading order were the other box's "Form filed by More
    than One", and the filing read as joint."""
    one = _caption_words("Form filed by One Reporting Person", 1832, 415)
    mark = Word("x", 1763, 418, 1775, 425)
    # (OCR's order for that line: its empty box's "(_]" came after the caption's words.)
    more = _caption_words("Form filed by More than One", 1832, 455) + [Word("(_]", 1754, 457, 1772, 465, checkbox=False)]
    layout = Layout(pages=[Page(number=1, width=2550, height=3300, lines=[Line(one), Line([mark]), Line(more)])],
                    source="made-up.tiff", format="image")
    tags = ["label"] * len(one) + ["joint_filing"] + ["label"] * (len(more) - 1) + ["joint_filing"]
    assert decode_sure(layout, tags).joint_filing.value is False


def test_empty_box_read_as_its_edges_is_no_mark():
    """A 300 dpi scan's empty box OCR read "{_]", tagged the 10% owner's box: three characters and not
    a lone bracket, it was taken for a misread mark."""
    words = [_w("Roe", 10, 60), _w("X", 1110, 736), _w("Director", 1130, 736), _w("{_]", 1400, 736),
             _w("10%", 1430, 736), _w("Owner", 1470, 736)]
    tags = ["owners.*.name", "owners.*.relationship.is_director", None, "owners.*.relationship.is_ten_percent_owner",
            None, None]
    relationship = decode_sure(_page(words), tags).owners[0].relationship
    assert (relationship.is_director.value, relationship.is_ten_percent_owner.value) == (True, False)
    # The box's sides read as letters beside its bracket are edges too; a digit stays a misread mark.
    for edges, mark in (("Ll]", "X"), ("i]", "(1")):
        words[1], words[3] = _w(mark, 1110, 736), _w(edges, 1400, 736)
        relationship = decode_sure(_page(words), tags).owners[0].relationship
        assert (relationship.is_director.value, relationship.is_ten_percent_owner.value) == (True, False)


def test_fax_mark_left_to_the_labels_before_director_is_the_directors_box():
    """A fax's bold "X" read "XxX" and tagged a printed label (0.46): the director's box was lost."""
    words = [_w("Roe", 10, 60), _w("XxX", 1172, 737), _w("Director", 1202, 736), _w("10%", 1445, 736),
             _w("Owner", 1490, 736)]
    tags = ["owners.*.name", "label", "label", "label", "label"]
    relationship = decode_sure(_page(words), tags).owners[0].relationship
    assert (relationship.is_director.value, relationship.is_ten_percent_owner.value) == (True, False)
    assert relationship.is_director.confidence == 0.5  # only its caption says which box it is


def test_superscript_marker_a_text_dump_ran_into_a_grouped_number_is_a_footnote():
    # pdfplumber's text of "4,483" with a superscript "1" after it reads "4,4831".
    assert split_footnotes("4,4831") == ("4,483", ["F1"])
    assert split_footnotes("31,644") == ("31,644", []) and split_footnotes("$1,234.50") == ("$1,234.50", [])
    words = _caption_words("Common Stock 02/16/2023 A 4,4831 A 31,644 D", 10, 100)
    tags = [N + "security_title"] * 2 + [N + "transaction_date", N + "transaction_code", N + "shares",
                                         N + "acquired_disposed", N + "shares_owned_following", N + "direct_or_indirect"]
    row = decode_sure(_page(words), tags).non_derivative[0]
    assert (str(row.shares.value), row.shares.footnote_ids) == ("4483", ["F1"])


def _table_two_dates(row_top: float, marker_top: float) -> tuple[Layout, list[str | None]]:
    """A Table II whose date headers wrap into each other, one row: a date under "Exercisable" and
    footnote markers over the empty cells either side of it."""
    words = [_w("Date", 300, 40), _w("Expiration", 360, 40), _w("Exercisable", 300, 48), _w("Date", 360, 48),
             _w("Units", 10, row_top), _w("(1)", 100, marker_top), _w("01/02/2023", 150, row_top),
             _w("M", 240, row_top), _w("3/15/2023", 300, row_top), _w("(2)", 375, marker_top),
             _w("Common", 440, row_top), _w("700", 500, row_top)]
    tags = [None] * 4 + [D + "security_title", "footnote_ref", D + "transaction_date", D + "transaction_code",
                         D + "expiration_date", "footnote_ref", D + "underlying_title", D + "underlying_shares"]
    return _page(words), tags


def test_a_date_under_the_exercisable_header_is_the_exercise_date_whatever_its_tag():
    layout, tags = _table_two_dates(row_top=80, marker_top=80)
    row = decode_sure(layout, tags).derivative[0]
    assert (str(row.exercise_date.value), row.expiration_date.value, row.expiration_date.footnote_ids) == (
        "2023-03-15", None, ["F2"])


def test_superscript_markers_over_a_first_rows_empty_cells_are_its_footnotes():
    # They stand higher than the row's words: they were dropped, then made a row of their own.
    layout, tags = _table_two_dates(row_top=80, marker_top=76)
    rows = decode_sure(layout, tags).derivative
    assert len(rows) == 1
    assert (rows[0].conversion_or_exercise_price.footnote_ids, rows[0].expiration_date.footnote_ids) == (["F1"], ["F2"])


def test_a_marker_alone_under_the_exercisable_header_is_the_exercise_dates_not_the_wrapped_title_left_of_it():
    # A Form 3's "Stock Option" / "(Right to Buy)" with "(5)" raised in the empty exercise-date cell
    # beside it: within reach of "Buy)" on the line below, it had become the title's footnote.
    words = [_w("Exercisable", 120, 40), _w("Expiration", 200, 40),
             _w("Stock", 10, 80), _w("Option", 46, 80), _w("(5)", 120, 86), _w("04/14/2028", 200, 86),
             _w("Common", 280, 86), _w("383,594", 340, 86), _w("(Right", 40, 92), _w("to", 80, 92), _w("Buy)", 94, 92)]
    tags = [None, None, D + "security_title", D + "security_title", "footnote_ref", D + "expiration_date",
            D + "underlying_title", D + "underlying_shares", *[D + "security_title"] * 3]
    row = decode_sure(_page(words), tags).derivative[0]
    assert (row.security_title.value, row.security_title.footnote_ids) == ("Stock Option (Right to Buy)", [])
    assert (row.exercise_date.value, row.exercise_date.footnote_ids) == (None, ["F5"])


def test_a_transaction_code_taken_for_the_amount_beside_it_is_the_code():
    # "2/22/2021 S 23571 D": the "S" at 0.80 amount, 0.19 code, left the row without its code.
    words = _caption_words("Common Stock 2/22/2021 S 23571 D $5.05 1776432 D", 10, 100)
    rows = [{N + "security_title": 1.0}] * 2 + [{N + "transaction_date": 1.0},
                                                  {N + "shares": 0.8, N + "transaction_code": 0.19},
                                                  {N + "shares": 1.0}, {N + "acquired_disposed": 1.0},
                                                  {N + "price_per_share": 1.0}, {N + "shares_owned_following": 1.0},
                                                  {N + "direct_or_indirect": 1.0}]
    row = decode_soft(_page(words), rows).non_derivative[0]
    assert (row.transaction_code.value, str(row.shares.value)) == ("S", "23571")


def test_a_date_in_a_table_row_taken_for_a_text_column_goes_to_the_likeliest_date_column():
    # "04/20/2023(2)" was given Table I's nature of ownership, the exercise date a close second.
    words = _caption_words("Units 04/20/2023 A 5,035 04/20/2023(2) Common 5,035", 10, 100)
    rows = [{D + "security_title": 1.0}, {D + "transaction_date": 1.0}, {D + "transaction_code": 1.0},
            {D + "shares": 1.0}, {N + "nature_of_ownership": 0.41, D + "exercise_date": 0.39, "other": 0.2},
            {D + "underlying_title": 1.0}, {D + "underlying_shares": 1.0}]
    row = decode_soft(_page(words), rows).derivative[0]
    assert (str(row.exercise_date.value), row.exercise_date.footnote_ids) == ("2023-04-20", ["F2"])


def test_owner_with_no_word_tagged_name_takes_its_first_street_line_as_the_name():
    # A fax: "DOLUCA TUNC" over "ONE ANALOG WAY" both taken for the street; the nameless owner was dropped.
    street = "owners.*.address.street1"
    words = [*_caption_words("ROE RICHARD", 10, 100), *_caption_words("ONE MAIN WAY", 10, 130),
             *_caption_words("BOSTON MA 02110", 10, 160), _w("X", 300, 100), _w("Director", 320, 100)]
    tags = {w: street for w in ("ROE", "RICHARD", "ONE", "MAIN", "WAY")}
    tags |= {"BOSTON": "owners.*.address.city", "MA": "owners.*.address.state", "02110": "owners.*.address.zip_code",
             "X": "owners.*.relationship.is_director"}
    owner = decode_sure(_page(words), tags).owners[0]
    assert (owner.name.value, owner.address.street1.value, owner.address.city.value) == ("ROE RICHARD", "ONE MAIN WAY",
                                                                                          "BOSTON")
    assert owner.relationship.is_director.value is True


def test_a_speck_between_a_relationship_mark_and_its_caption_is_passed_over():
    # A fax read "x ~~ Director": the caption right of the mark was the speck, and the mark stayed the officer's.
    words = [Word("Roe", 108, 684, 160, 704), Word("x", 1152, 739, 1168, 758), Word("~~", 1179, 732, 1190, 763),
             Word("Director", 1203, 736, 1286, 753), Word("10%", 1445, 735, 1489, 753), Word("Owner", 1499, 735, 1568, 753)]
    tags = {"Roe": "owners.*.name", "x": "owners.*.relationship.is_officer"}
    relationship = decode_sure(_page(words), tags).owners[0].relationship
    assert (relationship.is_director.value, relationship.is_officer.value) == (True, False)


def test_a_titles_dash_at_the_end_of_its_line_stays_in_the_title():
    # "Comm Stock -" over "$.16-2/3 value": the dash, taken for the amount beside it, was dropped.
    words = [*_caption_words("Comm 1,779", 10, 100), *_caption_words("Stock -", 10, 110),
             *_caption_words("$.16-2/3", 10, 120), *_caption_words("value", 10, 130)]
    rows = [{D + "underlying_title": 1.0}, {D + "underlying_shares": 1.0}, {D + "underlying_title": 1.0},
            {D + "underlying_shares": 0.57, "other": 0.34, D + "underlying_title": 0.05},
            {D + "underlying_title": 1.0}, {D + "underlying_title": 1.0}]
    row = decode_soft(_page(words), rows).derivative[0]
    assert row.underlying_title.value == "Comm Stock - $.16-2/3 value"


def test_a_titles_last_wrapped_line_set_as_close_to_the_next_row_as_to_its_own_lines_stays_in_its_row():
    # Lines and rows at one pitch (gap 0.475 of a line's height): "share", the end of "Common Stock,
    # $0.01 par value per share", stood alone and went to the next row, nearer to its middle.
    words, tags = [], []
    for row, top in enumerate((100.0, 147.2)):
        for k, line in enumerate(("Common Stock,", "$0.01 par", "value per", "share")):
            for j, text in enumerate(line.split()):
                words.append(Word(text, 10 + 40 * j, top + 11.8 * k, 10 + 40 * j + 6 * len(text), top + 11.8 * k + 8))
                tags.append(N + "security_title")
        for text, x, field in (("05/15/2023", 150, "transaction_date"), ("P", 230, "transaction_code"),
                               (f"{row + 1},000", 260, "shares"), ("D", 330, "direct_or_indirect")):
            words.append(Word(text, x, top, x + 6 * len(text), top + 8))
            tags.append(N + field)
    layout = _page(words)
    by_text = {id(w): t for w, t in zip(words, tags)}
    rows = decode_sure(layout, [by_text[id(w)] for w in layout.words]).non_derivative
    assert [r.security_title.value for r in rows] == ["Common Stock, $0.01 par value per share"] * 2


def test_the_closing_bracket_of_the_ticker_is_no_relationship_mark():
    # "BANCORPORATION [ WAL ]" just left of the box captions: its "]" at 0.79 the director's box.
    words = [_w("Roe", 10, 60), _w("BANCORP", 200, 100), _w("[", 300, 100), _w("WAL", 306, 100), _w("]", 330, 100),
             _w("Director", 434, 100), _w("X", 416, 110), _w("Officer", 434, 110)]
    tags = {"Roe": "owners.*.name", "]": "owners.*.relationship.is_director", "X": "owners.*.relationship.is_officer"}
    relationship = decode_sure(_page(words), tags).owners[0].relationship
    assert (relationship.is_director.value, relationship.is_officer.value) == (False, True)


def test_other_text_split_between_the_two_title_fields_is_one_text_under_the_other_box():
    # "See" read as the other text, "Remarks" as an officer title, under a checked "Other" box.
    words = [_w("Roe", 10, 60), _w("X", 682, 159), _w("Other", 700, 159), _w("See", 706, 170), _w("Remarks", 725, 170)]
    tags = {"Roe": "owners.*.name", "X": "owners.*.relationship.is_other", "See": "owners.*.relationship.other_text",
            "Remarks": "owners.*.relationship.officer_title"}
    relationship = decode_sure(_page(words), tags).owners[0].relationship
    assert (relationship.other_text.value, relationship.officer_title.present) == ("See Remarks", False)


def test_ticker_ocr_glued_on_to_the_issuers_last_word_is_the_ticker():
    # A scan read "FORD MOTOR CO [ F ]" as "Ford Motor Co[F]", all of it the issuer's name.
    words = _caption_words("Ford Motor Co[F]", 10, 100)
    issuer = decode_sure(_page(words), ["issuer.name"] * 3).issuer
    assert (issuer.name.value, issuer.trading_symbol.value) == ("Ford Motor Co", "F")


def test_series_letter_of_a_title_taken_for_acquired_is_the_titles():
    """A narrow PDF cell tore "Class A Common Stock" into "Clas" / "s A" / "Comm" / "on" / "Stock", and the
    classifier took the lone "A" for the acquired/disposed column (0.85): the title lost its "A"."""
    def row(letter_x: float):
        words = [_w("Table", 10, 10), _w("I", 45, 10), _w("-", 60, 10), _w("Non-Derivative", 70, 10),
                 _w("Class", 10, 40), _w("A", letter_x, 40), _w("01/02/2023", 200, 40), _w("M", 270, 40),
                 _w("1,000", 300, 40), _w("A", 340, 40), _w("$0", 360, 40), _w("9,000", 400, 40), _w("D", 450, 40),
                 _w("Common", 10, 52), _w("Stock", 10, 64)]
        fields = [None] * 4 + [N + "security_title", N + "acquired_disposed"] + [N + c for c in TABLE_ONE_ROW] + [N + "security_title"] * 2
        doubt = {N + "acquired_disposed": 0.85, N + "security_title": 0.15}
        return decode_with_doubts(_page(words), fields, {5: doubt}).non_derivative[0]
    assert row(letter_x=44).security_title.value == "Class A Common Stock"  # one space after "Class"
    assert row(letter_x=100).security_title.value == "Class Common Stock"  # a column away: not the title's


def test_torn_amount_on_a_page_keeps_its_line_so_the_marker_beside_it_stays_in_its_column():
    """A PDF cell tore "59," / "064"; joined over both lines the value sank below the "[1]" beside it,
    which then went to the amount instead of the empty price column."""
    words = [_w("59,", 270, 281), _w("[1]", 330, 281), _w("064", 270, 291)]
    (only,) = find_breaks(_page(words))
    assert (only.joined.text, only.joined.top, only.joined.bottom) == ("59,064", 281, 289)


def test_torn_date_on_a_page_takes_the_digit_under_its_own_cell_not_its_neighbours():
    """Under "07/15/202" the nearest digit was the "6" a neighbouring price wrapped ("$120.8" / "6"): the
    transaction date read 2026. A narrow cell's rest starts at its left edge, or ends at its right edge."""
    words = [_w("$120.8", 50, 10), _w("07/15/202", 100, 10), _w("$143.", 200, 10),
             _w("6", 80, 20), _w("3", 100, 20), _w("5", 224, 20)]
    breaks = find_breaks(_page(words))
    assert sorted(b.joined.text for b in breaks) == ["$143.5", "07/15/2023"]


def test_state_printed_by_name_keeps_its_words_and_the_city_before_it():
    """"WASHINGTON District Of Columbia 20037": the classifier gave "District" to the owner's name (0.95),
    which pulled "WASHINGTON" (city 0.57, name 0.37) in after it: the name read "Couchara Georgeann
    WASHINGTON" and the city was lost."""
    words = [*_caption_words("Couchara Georgeann", 37, 192), *_caption_words("WASHINGTON District Of Columbia 20037", 37, 224)]
    name, city, state = "owners.*.name", "owners.*.address.city", "owners.*.address.state"
    rows = [{name: 1.0}, {name: 1.0}, {city: 0.57, name: 0.37, "other": 0.06}, {name: 0.95, "label": 0.05},
            {"label": 0.6, state: 0.4}, {state: 0.97, "label": 0.03}, {"owners.*.address.zip_code": 1.0}]
    owner = decode_soft(_page(words), rows).owners[0]
    assert (owner.name.value, owner.address.city.value, owner.address.state.value) == ("Couchara Georgeann", "WASHINGTON", "DC")


def test_three_words_taken_for_labels_inside_an_issuers_name_are_the_names():
    """"Soup for the" of "Chicken Soup for the Soul Entertainment, Inc." read as printed labels (0.95):
    only gaps of one or two words were filled, and the issuer read "Chicken Soul Entertainment, Inc."."""
    words = _caption_words("Chicken Soup for the Soul Entertainment, Inc. [ CSSE ]", 200, 100)
    rows = [{"issuer.name": 0.68, "label": 0.32}] + [{"label": 0.95, "issuer.name": 0.05}] * 3
    rows += [{"issuer.name": 0.6, "label": 0.4}, {"issuer.name": 0.98}, {"issuer.name": 0.98}]
    rows += [{"issuer.trading_symbol": 0.9, "label": 0.1}] * 3
    record = decode_soft(_page(words), rows)
    assert (record.issuer.name.value, record.issuer.trading_symbol.value) == (
        "Chicken Soup for the Soul Entertainment, Inc.", "CSSE")


def test_title_word_the_document_prints_only_broken_reads_whole_when_the_form_knows_it():
    # "Nonsta" / "tutory" in a narrow cell, printed nowhere else whole: the form's value words know it.
    words = [_w("Nonsta", 10, 60), _w("tutory", 10, 70), _w("Stock", 10, 80), _w("Option", 10, 90)]
    breaks = find_breaks(_page(words))
    assert [(b.first.text, b.second.text, b.joined.text) for b in breaks] == [("Nonsta", "tutory", "Nonstatutory")]


def test_a_ticker_in_brackets_ocr_mangled_is_the_ticker_where_the_classifier_is_torn():
    # "Vicarious Surgical Inc. (| RBOT )": "RBOT" 0.53 a caption, 0.46 the ticker, and no ticker read.
    words = _caption_words("Vicarious Surgical Inc. (| RBOT ) (Check all applicable)", 200, 60)
    soft = [{"issuer.name": 0.95}] * 3 + [{"label": 0.98}, {"label": 0.53, "issuer.trading_symbol": 0.46},
                                          {"label": 0.97}] + [{"label": 1.0}] * 3
    record = decode_soft(_page(words), soft)
    assert (record.issuer.name.value, record.issuer.trading_symbol.value) == ("Vicarious Surgical Inc.", "RBOT")
    # A capitalised caption word between brackets the classifier is sure of stays a caption.
    soft[4] = {"label": 0.8, "issuer.trading_symbol": 0.2}
    assert decode_soft(_page(words), soft).issuer.trading_symbol.value is None


def test_amount_with_its_marker_glued_on_is_no_title():
    """ "800[2]" of a Table II row read as Table I's nature of ownership (0.35, the shares 0.30): the
    row lost its amount."""
    words = _caption_words("Units [1] 04/03/2023 A 800[2] Common Stock 800 D", 10, 100)
    sure = [D + "security_title", "footnote_ref", D + "transaction_date", D + "transaction_code"]
    rest = [D + "underlying_title", D + "underlying_title", D + "underlying_shares", D + "direct_or_indirect"]
    doubts = {4: {N + "nature_of_ownership": 0.35, D + "shares": 0.30, "label": 0.2, N + "shares": 0.15}}
    row = decode_with_doubts(_page(words), sure + [None] + rest, doubts).derivative[0]
    assert (row.shares.value, row.shares.footnote_ids) == (Decimal("800"), ["F2"])
    assert not row.nature_of_ownership.present
    # A trust's year stays in its name.
    words = _caption_words("Common Stock 2023-02-01 1,000 I By Frank 2015 Trust", 10, 100)
    tags = [N + "security_title"] * 2 + [N + "transaction_date", N + "shares_owned_following", N + "direct_or_indirect"]
    tags += [N + "nature_of_ownership"] * 4
    doubts = {7: {N + "nature_of_ownership": 0.6, N + "shares": 0.3, "other": 0.1}}
    row = decode_with_doubts(_page(words), tags, doubts).non_derivative[0]
    assert row.nature_of_ownership.value == "By Frank 2015 Trust"
