"""From word tags to a record on text dumps: made-up dumps tagged by hand, one test per decoding fix (no corpus text)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from extractor.layout.document import Layout
from extractor.layout.text import read_text
from extractor.word_breaks import find_breaks

from .decoding import (AFF10B5_CAPTION, D, N, NOT_SUBJECT_CAPTION, TABLE_ONE_ROW, decode_by_text, decode_soft,
                       decode_sure, decode_with_doubts)


def test_derivative_direction_on_a_markdown_grid_comes_from_the_amount_cell():
    text = ("Table II - Derivative Securities\n"
            "| Option | $5.00 | 01/02/2023 |  | A |  | 1,000 |  | 01/02/2024 | 01/02/2033 | Common | 1,000 | $0 | 1,000 | D |\n"
            "| Unit | $0 | 01/02/2023 |  | M |  |  | 700 | 01/02/2023 | 01/02/2033 | Common | 700 | $0 | 0 | D |\n")
    layout = read_text(text, "made-up.md", markdown=True)
    tags = {"Option": D + "security_title", "Unit": D + "security_title", "A": D + "transaction_code",
            "M": D + "transaction_code", "1,000": D + "shares", "700": D + "shares",
            "01/02/2024": D + "exercise_date", "01/02/2033": D + "expiration_date"}
    rows = decode_sure(layout, tags).derivative
    assert [r.acquired_disposed.value for r in rows] == ["A", "D"]


def test_derivative_direction_in_a_text_dump_falls_back_to_what_the_code_usually_means():
    layout = read_text("Table II - Derivative Securities\nUnits 01/02/2023 M 700 0 D\nOption 01/02/2023 G 5 0 D\n",
                       "made-up.txt")
    tags = {"Units": D + "security_title", "Option": D + "security_title", "01/02/2023": D + "transaction_date",
            "M": D + "transaction_code", "G": D + "transaction_code", "700": D + "shares", "5": D + "shares",
            "0": D + "shares_owned_following", "D": D + "direct_or_indirect"}
    rows = decode_sure(layout, tags).derivative
    # M (an exercise) disposes of the derivative in 97% of train rows; a gift goes either way.
    assert rows[0].acquired_disposed.value == "D" and 0.9 < rows[0].acquired_disposed.confidence < 1.0
    assert rows[1].acquired_disposed.value is None


def test_markdown_street_cells_on_one_row_are_two_street_lines():
    layout = read_text("| Jane Roe |\n| 12 Aster Road | Suite 400 |\n", "made-up.md", markdown=True)
    tags = ["owners.*.name"] * 2 + ["owners.*.address.street2"] * 5
    owner = decode_sure(layout, tags).owners[0]
    assert (owner.address.street1.value, owner.address.street2.value) == ("12 Aster Road", "Suite 400")


# ------------------------------------------------------------------ rows and tables


def test_text_dump_title_wrapped_under_its_row_joins_the_row():
    text = ("Table I - Non-Derivative Securities\n"
            "Common 02/13/2023 A 1,845 A $43.29 90,768 D\n"
            "Stock\n"
            "Preferred 02/13/2023 F 627 D $43.29 90,141 D\n"
            "Stock Series B\n")
    layout = read_text(text, "made-up.txt")
    columns = ["security_title", "transaction_date", "transaction_code", "shares", "acquired_disposed",
               "price_per_share", "shares_owned_following", "direct_or_indirect"]
    tags: list[str | None] = [None] * 5
    for line in layout.pages[0].lines[1:]:
        for i, _ in enumerate(line.words):
            tags.append(N + (columns[i] if len(line.words) == len(columns) else "security_title"))
    rows = decode_sure(layout, tags).non_derivative
    assert [r.security_title.value for r in rows] == ["Common Stock", "Preferred Stock Series B"]
    assert [str(r.shares.value) for r in rows] == ["1845", "627"]


def test_word_broken_the_same_way_in_every_row_still_joins():
    # A narrow dump column breaks "Souther" / "n" in each row: both pieces are printed three
    # times, but only where they could be pieces, so neither counts as a word of its own.
    rows = "".join("Souther 2023-02-11 M 15,927 A $0 809,459 D\nn\nCompany\n" for _ in range(3))
    layout = read_text("FANNING THOMAS A SOUTHERN CO [ SO ]\n" + rows, "made-up.txt")
    breaks = find_breaks(layout)
    assert [(b.first.text, b.second.text, b.joined.text) for b in breaks] == [("Souther", "n", "Southern")] * 3


def test_untagged_x_before_a_box_caption_on_a_text_dump_checks_it():
    layout = read_text(f"X {NOT_SUBJECT_CAPTION} Estimated average burden\n{AFF10B5_CAPTION}\n", "made-up.txt")
    record = decode_sure(layout, {})
    assert (record.not_subject_to_section16.value, record.aff10b5_one.value) == (True, False)


def test_marker_alone_in_a_markdown_cell_notes_that_cell_not_the_title_before_it():
    text = ("Table II - Derivative Securities\n"
            "| Restricted Stock Unit | (1) | 02/01/2023 |  | M |  |  | 1,685 | 02/01/2023 | 02/01/2023 | Common Stock "
            "| 1,685 | (1) | 0 | D |  |\n")
    layout = read_text(text, "made-up.md", markdown=True)
    words = list(layout.words)
    fields = {"Restricted": "security_title", "Stock": None, "Unit": "security_title", "02/01/2023": None, "M":
              "transaction_code", "1,685": None, "Common": "underlying_title", "0": "shares_owned_following",
              "D": "direct_or_indirect"}
    tags: list[str | None] = []
    for w in words[5:]:
        if w.text == "(1)":
            tags.append("footnote_ref")
        elif w.text == "Stock":
            tags.append(D + ("security_title" if w.cell == 0 else "underlying_title"))
        elif w.text == "02/01/2023":
            tags.append(D + {2: "transaction_date", 8: "exercise_date", 9: "expiration_date"}[w.cell])
        elif w.text == "1,685":
            tags.append(D + ("shares" if w.cell == 7 else "underlying_shares"))
        else:
            tags.append(D + fields[w.text])
    row = decode_sure(layout, [None] * 5 + tags).derivative[0]
    assert row.security_title.footnote_ids == []
    assert (row.conversion_or_exercise_price.value, row.conversion_or_exercise_price.footnote_ids) == (None, ["F1"])
    assert (row.price_per_share.value, row.price_per_share.footnote_ids) == (None, ["F1"])


def test_text_dump_that_glues_markers_reads_a_marker_standing_apart_as_its_own_cell():
    text = ("Table II - Derivative Securities\n"
            "Option $490.92 2023-03-01 A 2,715 [4] 2030-03-01 Common 2,715 $0.00 2,715[2] D\n")
    layout = read_text(text, "made-up.txt")
    fields = ["security_title", "conversion_or_exercise_price", "transaction_date", "transaction_code", "shares", None,
              "expiration_date", "underlying_title", "underlying_shares", "price_per_share", "shares_owned_following",
              "direct_or_indirect"]
    tags = [None] * 5 + [D + f if f else "footnote_ref" for f in fields]
    row = decode_sure(layout, tags).derivative[0]
    assert (row.exercise_date.value, row.exercise_date.footnote_ids) == (None, ["F4"])
    assert row.shares.footnote_ids == []
    assert row.shares_owned_following.footnote_ids == ["F2"]


def test_text_dump_wrapped_line_ends_the_title_then_the_underlying_title():
    text = ("Table II - Derivative Securities\n"
            "Employee Stock $490.92 2023-03-01 A 2,715 2024-03-01 2030-03-01 Common 2,715 $0.00 2,715 D\n"
            "Option (Right to Stock\n"
            "Buy)\n")
    layout = read_text(text, "made-up.txt")
    sure = [D + f for f in ("conversion_or_exercise_price", "transaction_date", "transaction_code", "shares",
                            "exercise_date", "expiration_date")]
    rows = [{"label": 1.0}] * 5 + [{D + "security_title": 1.0}] * 2 + [{f: 1.0} for f in sure]
    rows += [{"label": 0.6, D + "underlying_title": 0.4},  # "Common": no caption stands inside a row
             {D + "underlying_shares": 1.0}, {D + "price_per_share": 1.0}, {D + "shares_owned_following": 1.0},
             {D + "direct_or_indirect": 1.0}]
    rows += [{D + "security_title": 1.0}] * 3 + [{"label": 0.46, D + "underlying_title": 0.37, D + "security_title": 0.17}]
    rows += [{D + "security_title": 1.0}]
    row = decode_soft(layout, rows).derivative[0]
    assert row.security_title.value == "Employee Stock Option (Right to Buy)"
    assert row.underlying_title.value == "Common Stock"


def test_text_dump_dates_torn_onto_the_next_line_stay_in_their_row():
    text = ("Table II - Derivative Securities\n"
            "Units Feb 1, 2023 M 1,685 Feb 1, Feb 1, Common 1,685 0 D\n"
            "2023[2] 2023[2] Stock\n")
    layout = read_text(text, "made-up.txt")
    fields = ["security_title", "transaction_date", "transaction_date", "transaction_date", "transaction_code", "shares",
              "exercise_date", "exercise_date", "expiration_date", "expiration_date", "underlying_title",
              "underlying_shares", "shares_owned_following", "direct_or_indirect",
              "exercise_date", "expiration_date", "underlying_title"]
    rows = decode_sure(layout, [None] * 5 + [D + f for f in fields]).derivative
    assert len(rows) == 1
    assert rows[0].exercise_date.footnote_ids == ["F2"] and rows[0].underlying_title.value == "Common Stock"


def test_single_spaced_dump_splits_owner_and_issuer_where_the_case_changes():
    text = "1. Name and Address of Reporting Person* 2. Issuer Name and Ticker or Trading Symbol\nBlack Maria AUTOMATIC DATA PROCESSING INC [ ADP ]\n"
    layout = read_text(text, "made-up.txt")
    rows = [{"label": 1.0}] * 15
    rows += [{"owners.*.name": 0.9, "issuer.name": 0.1}] * 2 + [{"owners.*.name": 0.75, "issuer.name": 0.25}]
    rows += [{"issuer.name": 0.9, "owners.*.name": 0.1}] * 3
    rows += [{"label": 1.0}, {"issuer.trading_symbol": 1.0}, {"label": 1.0}]
    record = decode_soft(layout, rows)
    assert (record.owners[0].name.value, record.issuer.name.value) == ("Black Maria", "AUTOMATIC DATA PROCESSING INC")


def test_markdown_table_cell_is_one_value_of_one_column():
    text = ("Table II - Derivative Securities\n"
            "| Units | $0 | 03/25/2023 | M | 6,945 | Comm Stock - $.16-2/3 value | 6,945 | D |\n")
    layout = read_text(text, "made-up.md", markdown=True)
    sure = ["security_title", "conversion_or_exercise_price", "transaction_date", "transaction_code", "shares"]
    rows = [{"label": 1.0}] * 5 + [{D + f: 1.0} for f in sure]
    rows += [{D + "underlying_title": 0.92}, {D + "underlying_title": 0.92}, {D + "underlying_shares": 0.96, D + "underlying_title": 0.01},
             {D + "price_per_share": 0.4, D + "underlying_title": 0.39}, {D + "underlying_title": 0.9}]
    rows += [{D + "underlying_shares": 1.0}, {D + "direct_or_indirect": 1.0}]
    row = decode_soft(layout, rows).derivative[0]
    assert row.underlying_title.value == "Comm Stock - $.16-2/3 value"
    assert str(row.underlying_shares.value) == "6945" and not row.price_per_share.present


def test_signature_words_inside_a_footnote_line_of_a_text_dump_are_footnote_text():
    text = ("Explanation of Responses:\n"
            "1. Shares received in the merger of Example Corp., Catalyst Merger Sub and the Issuer on the closing date.\n"
            "/s/ Joel Agena, Attorney-in-Fact 2023-01-05\n")
    layout = read_text(text, "made-up.txt")
    words = list(layout.words)
    tags = [None] * 3 + ["footnote_ref"] + ["footnotes.*.text"] * (len(layout.pages[0].lines[1].words) - 1)
    for i, w in enumerate(layout.pages[0].lines[1].words):
        if w.text in ("Corp.,", "Catalyst", "Merger"):
            tags[3 + i] = "signatures.*.name"
    tags += ["signatures.*.name"] * 4 + ["signatures.*.date"]
    assert len(tags) == len(words)
    record = decode_sure(layout, tags)
    assert [s.name.value for s in record.signatures] == ["/s/ Joel Agena, Attorney-in-Fact"]
    assert "Catalyst Merger" in record.footnotes[0].text.value


def test_owner_name_and_street_lines_each_take_one_field():
    # A dump's owner box: "PAUL" was as likely the street as the name, and the model read the end of
    # the first line under a caption as a street; each line is one field, the caption's next line the name.
    text = ("1. Name and Address of Reporting Person*\nRUIZ PAUL\n13215 BEE CAVE PARKWAY,\nSUITE B-300\n"
            "1. Name and Address of Reporting Person*\nOAKTREE CAPITAL MANAGEMENT LP\n")
    layout = read_text(text, "made-up.txt")
    name, street1, street2 = "owners.*.name", "owners.*.address.street1", "owners.*.address.street2"
    label = {"label": 1.0}
    rows = ([label] * 7 + [{name: 0.63, street1: 0.30}, {street1: 0.40, name: 0.39}]
            + [{street1: 0.55, street2: 0.41}, {street1: 0.74}, {street2: 0.60, street1: 0.35}, {street1: 0.93}]
            + [{street2: 0.89}, {street2: 0.93}] + [label] * 7
            + [{name: 0.87}, {name: 0.50, street1: 0.39}, {street1: 0.88}, {street1: 0.92}])
    owners = decode_soft(layout, rows).owners
    assert [o.name.value for o in owners] == ["RUIZ PAUL", "OAKTREE CAPITAL MANAGEMENT LP"]
    assert (owners[0].address.street1.value, owners[0].address.street2.value) == ("13215 BEE CAVE PARKWAY", "SUITE B-300")


def test_text_dump_title_word_after_a_later_columns_value_is_the_underlying_title():
    # "Class" stands after the expiration date on the row's line; the classifier gave it to the security title.
    text = "Table II - Derivative Securities\nEarnout $0 2026-06-21 Class B 416,422 416,422 I by Pascal\n"
    layout = read_text(text, "made-up.txt")
    rows = [{"label": 1.0}] * 5 + [{D + "security_title": 1.0}, {D + "conversion_or_exercise_price": 1.0},
                                   {D + "expiration_date": 1.0},
                                   {D + "security_title": 0.6, D + "underlying_title": 0.3, D + "nature_of_ownership": 0.1},
                                   {D + "underlying_title": 1.0}, {D + "underlying_shares": 1.0},
                                   {D + "shares_owned_following": 1.0}, {D + "direct_or_indirect": 1.0}]
    rows += [{D + "nature_of_ownership": 1.0}] * 2
    row = decode_soft(layout, rows).derivative[0]
    assert (row.security_title.value, row.underlying_title.value) == ("Earnout", "Class B")


def _caption_and_full_row() -> list[dict[str, float]]:
    """Sure tags of "Table II - Derivative Securities" and a row line with the title and nine values."""
    return [{"label": 1.0}] * 5 + [{D + "security_title": 1.0}] + [
        {D + f: 1.0} for f in ("conversion_or_exercise_price", "transaction_date", "transaction_code", "shares",
                               "underlying_title", "underlying_shares", "price_per_share", "shares_owned_following",
                               "direct_or_indirect")]


def test_text_dump_title_ended_by_its_footnote_marker_takes_no_more_words():
    # "Units(1)" ends the security title's cell: the "Stock" under it ends the underlying title.
    text = ("Table II - Derivative Securities\nDeferred $0 01/03/2023 A 560.1456 Southern 560.1456 $71.41 55,286.4219 D\n"
            "Units(1) Common\nStock\n")
    layout = read_text(text, "made-up.txt")
    rows = _caption_and_full_row()
    rows += [{D + "security_title": 1.0}, {D + "underlying_title": 1.0},
             {D + "security_title": 0.6, D + "underlying_title": 0.35}]
    row = decode_soft(layout, rows).derivative[0]
    assert (row.security_title.value, row.security_title.footnote_ids) == ("Deferred Units", ["F1"])
    assert row.underlying_title.value == "Southern Common Stock"


def test_same_case_owner_and_issuer_part_where_the_issuers_first_words_are_printed_elsewhere():
    text = ("1. Name and Address of Reporting Person* 2. Issuer Name\n"
            "DENICOLA COSMO CHICKEN SOUP FOR THE SOUL ENTERTAINMENT, INC. [ CSSE ]\n"
            "C/O CHICKEN SOUP FOR THE SOUL\n")
    layout = read_text(text, "made-up.txt")
    owner, issuer = "owners.*.name", "issuer.name"
    rows = [{"label": 1.0}] * 10 + [{owner: 0.9}, {owner: 0.9}, {owner: 0.75, issuer: 0.25}] + [{issuer: 0.9}] * 6
    rows += [{"other": 1.0}, {"issuer.trading_symbol": 1.0}, {"other": 1.0}] + [{"owners.*.address.street1": 0.9}] * 6
    record = decode_soft(layout, rows)
    assert (record.owners[0].name.value, record.issuer.name.value) == (
        "DENICOLA COSMO", "CHICKEN SOUP FOR THE SOUL ENTERTAINMENT, INC.")


def test_officer_title_fills_its_line_even_where_its_words_read_like_captions():
    text = "[X] Officer (give title below)\n    EVP & Exec. Dir., Treasury\n"
    title = "owners.*.relationship.officer_title"
    rows = [{"owners.*.relationship.is_officer": 0.9}] + [{"label": 1.0}] * 4
    rows += [{title: 0.97}, {title: 0.96}, {title: 0.67, "label": 0.32}, {"label": 0.8, title: 0.15},
             {"label": 0.86, title: 0.09}]
    rows = [{"owners.*.name": 1.0}] * 2 + rows
    layout = read_text("Jane Roe\n" + text, "made-up.txt")
    assert decode_soft(layout, rows).owners[0].relationship.officer_title.value == "EVP & Exec. Dir., Treasury"


def test_text_dump_wrapped_word_given_the_other_tables_column_ends_this_rows_title():
    text = ("Table II - Derivative Securities\n"
            "Deferred $0 2023-02-01 A 446 Common 446 $267.5 4,050 D\n"
            "Stock Units Stock\n")
    layout = read_text(text, "made-up.txt")
    rows = _caption_and_full_row()
    rows += [{D + "security_title": 0.9}] * 2 + [{N + "nature_of_ownership": 0.39, D + "underlying_title": 0.38}]
    row = decode_soft(layout, rows).derivative[0]
    assert (row.security_title.value, row.underlying_title.value) == ("Deferred Stock Units", "Common Stock")


def test_street_line_keeps_its_spelled_number_and_not_the_caption_a_dump_runs_on():
    layout = read_text("Jane Roe\nONE ANALOG WAY\n4650 CUSHING PARKWAY title\n", "made-up.txt")
    S1, S2 = "owners.*.address.street1", "owners.*.address.street2"
    rows = [{"owners.*.name": 1.0}] * 2 + [{"other": 0.8, S1: 0.1}, {S1: 0.7}, {S1: 0.6}]
    rows += [{S2: 0.9}, {S2: 0.9}, {S2: 0.9}, {"label": 0.9, S2: 0.06}]
    address = decode_soft(layout, rows).owners[0].address
    assert (address.street1.value, address.street2.value) == ("ONE ANALOG WAY", "4650 CUSHING PARKWAY")


def test_owner_and_issuer_in_one_case_part_at_the_gap_a_dump_kept_between_them():
    layout = read_text("SCHERER BARBARA VAUGHN    ANSYS INC [ ANSS ]\n", "made-up.txt")
    owner, issuer = "owners.*.name", "issuer.name"
    rows = [{owner: 0.9}, {owner: 0.9}, {issuer: 0.7, owner: 0.3}, {issuer: 0.9}, {issuer: 0.9},
            {"other": 1.0}, {"issuer.trading_symbol": 1.0}, {"other": 1.0}]
    record = decode_soft(layout, rows)
    assert (record.owners[0].name.value, record.issuer.name.value) == ("SCHERER BARBARA VAUGHN", "ANSYS INC")


def test_issuer_name_repeated_in_the_owners_street_ends_that_street_not_the_issuer():
    text = "KABAT KEVIN T AlTi Global, Inc. [ ALTI ]\nC/O ALTI GLOBAL, INC. Officer (give title\n"
    layout = read_text(text, "made-up.txt")
    owner, issuer, street = "owners.*.name", "issuer.name", "owners.*.address.street1"
    rows = [{owner: 0.9}] * 3 + [{issuer: 0.9}] * 3 + [{"other": 1.0}, {"issuer.trading_symbol": 1.0}, {"other": 1.0}]
    rows += [{street: 0.85}, {street: 0.94}, {street: 0.65, issuer: 0.35}, {issuer: 0.58, street: 0.41}]
    rows += [{"label": 1.0}] * 3
    record = decode_soft(layout, rows)
    assert (record.issuer.name.value, record.owners[0].address.street1.value) == (
        "AlTi Global, Inc.", "C/O ALTI GLOBAL, INC.")


def test_two_street_lines_a_markdown_cell_ran_together_are_split():
    street = "owners.*.address.street1"
    for line in ("<u>C/O ACME HOLDINGS, LLC</u> <u>150 NORTH PLAZA</u>", "C/O ACME HOLDINGS, LLC 150 NORTH PLAZA"):
        layout = read_text(f"| Roe Richard | {line} |\n", "made-up.md", markdown=True)
        tags = ["owners.*.name"] * 2 + [street] * 7
        address = decode_sure(layout, tags).owners[0].address
        assert (address.street1.value, address.street2.value) == ("C/O ACME HOLDINGS, LLC", "150 NORTH PLAZA")
    layout = read_text("| Roe Richard | ONE MAIN ROAD SUITE 201 |\n", "made-up.md", markdown=True)
    address = decode_sure(layout, ["owners.*.name"] * 2 + [street] * 5).owners[0].address
    assert (address.street1.value, address.street2.value) == ("ONE MAIN ROAD", "SUITE 201")
    for line in ("150 NORTH PLAZA, SUITE 5200", "9 W. 57TH STREET, 43RD FLOOR"):  # one line each
        layout = read_text(f"| Roe Richard | {line} |\n", "made-up.md", markdown=True)
        address = decode_sure(layout, ["owners.*.name"] * 2 + [street] * len(line.split())).owners[0].address
        assert (address.street1.value, address.street2.present) == (line, False)
    layout = read_text("| Roe Richard | 1331 L STREET, NW |\n", "made-up.md", markdown=True)
    address = decode_sure(layout, ["owners.*.name"] * 2 + [street] * 4).owners[0].address
    assert (address.street1.value, address.street2.present) == ("1331 L STREET, NW", False)


def test_a_centred_title_line_printed_above_its_row_in_a_dump_is_that_rows_not_the_row_aboves():
    text = ("Table II - Derivative Securities\n"
            "Restricted\nStock Unit $0 03/08/2023 A 1,228 Common 1,228 $0 1,228 D\n(RSU)\n"
            "Restricted\nStock Unit $0 03/08/2023 M 1,495 Common 1,495 $0 0 D\n(RSU)\n")
    layout = read_text(text, "made-up.txt")
    sec = D + "security_title"
    tags = {"Restricted": sec, "Stock": sec, "Unit": sec, "(RSU)": sec, "$0": D + "conversion_or_exercise_price",
            "03/08/2023": D + "transaction_date", "A": D + "transaction_code", "M": D + "transaction_code",
            "1,228": D + "shares", "1,495": D + "shares", "Common": D + "underlying_title", "D": D + "direct_or_indirect",
            "0": D + "shares_owned_following"}
    rows = decode_sure(layout, tags).derivative
    assert [r.security_title.value for r in rows] == ["Restricted Stock Unit (RSU)"] * 2


def test_signature_words_inside_a_footnote_row_of_markdown_are_footnote_text():
    # The issuer's name in a footnote ("...provide to Example Power Corporation, any security holder")
    # was read as the first signature.
    text = ("| Explanation of Responses: |\n"
            "| 1. The reporting person undertakes to provide to Example Power Corporation, upon request, full information. |\n"
            "|  | Patrick Roe, attorney-in-fact | 03/10/2023 |\n")
    layout = read_text(text, "made-up.md", markdown=True)
    lines = layout.pages[0].lines
    tags = [None] * len(lines[0].words) + ["footnote_ref"] + ["footnotes.*.text"] * (len(lines[1].words) - 1)
    for i, w in enumerate(lines[1].words):
        if w.text in ("Example", "Power", "Corporation,"):
            tags[len(lines[0].words) + i] = "signatures.*.name"
    tags += ["signatures.*.name"] * 3 + ["signatures.*.date"]
    record = decode_sure(layout, tags)
    assert [s.name.value for s in record.signatures] == ["Patrick Roe, attorney-in-fact"]


def test_two_lone_markers_between_the_amount_and_the_underlying_title_of_a_dump_note_the_two_dates():
    layout = read_text("Table II - Derivative Securities\nUnits $0 03/08/2023 A 1,228 (1) (1) Common 1,228 $0 1,228 D\n",
                       "made-up.txt")
    tags = [None] * 5 + [D + "security_title", D + "conversion_or_exercise_price", D + "transaction_date",
                         D + "transaction_code", D + "shares", "footnote_ref", "footnote_ref", D + "underlying_title",
                         D + "underlying_shares", D + "price_per_share", D + "shares_owned_following",
                         D + "direct_or_indirect"]
    row = decode_sure(layout, tags).derivative[0]
    assert (row.shares.footnote_ids, row.exercise_date.footnote_ids, row.expiration_date.footnote_ids) == (
        [], ["F1"], ["F1"])
    tags[12] = "other"  # the underlying title untagged: the markers still note the dates, not the title
    row = decode_sure(layout, tags).derivative[0]
    assert (row.shares.footnote_ids, row.exercise_date.footnote_ids, row.expiration_date.footnote_ids) == (
        [], ["F1"], ["F1"])


def test_text_dump_date_with_a_month_name_keeps_its_day_and_the_year_a_narrow_cell_wrapped():
    # "Common Shares  Feb 17,  A  17327 ..." over "2023": the day taken for the shares, the year, alone
    # at its line's left, for the period of report.
    layout = read_text("Table I - Non-Derivative Securities\nCommon Shares Feb 17, A 17327 A $0 235821 D\n2023\n"
                       "Common Shares Feb 20, F 8141 D $15.04 227680 D\n2023\n", "made-up.txt")
    row = [N + "security_title"] * 2 + [N + "transaction_date", N + "shares", N + "transaction_code", N + "shares",
                                         N + "acquired_disposed", N + "price_per_share", N + "shares_owned_following",
                                         N + "direct_or_indirect"]
    tags = [None] * 5 + row + ["period_of_report"] + row + ["period_of_report"]
    rows = decode_sure(layout, tags).non_derivative
    assert [(r.transaction_date.value, r.shares.value) for r in rows] == [
        (date(2023, 2, 17), Decimal("17327")), (date(2023, 2, 20), Decimal("8141"))]


def test_a_lone_marker_between_the_title_and_the_date_of_a_dump_notes_the_empty_conversion_price():
    layout = read_text("Table II - Derivative Securities\nRestricted (1) 04/20/2023 A 5,035 Common 5,035 $0 5,035 D\n",
                       "made-up.txt")
    tags = [None] * 5 + [D + "security_title", "footnote_ref", D + "transaction_date", D + "transaction_code",
                         D + "shares", D + "underlying_title", D + "underlying_shares", D + "price_per_share",
                         D + "shares_owned_following", D + "direct_or_indirect"]
    row = decode_sure(layout, tags).derivative[0]
    assert (row.security_title.footnote_ids, row.conversion_or_exercise_price.footnote_ids) == ([], ["F1"])


def test_owner_word_that_starts_the_tickers_name_on_a_shared_dump_line_is_the_issuers():
    # "DOLUCA TUNC ANALOG DEVICES INC [ ADI ]": the owner's name took "ANALOG".
    layout = read_text("ROE RICHARD ACME WIDGETS INC [ AWI ]\n", "made-up.txt")
    tags = ["owners.*.name"] * 3 + ["issuer.name"] * 2 + [None, "issuer.trading_symbol", None]
    record = decode_sure(layout, tags)
    assert (record.owners[0].name.value, record.issuer.name.value, record.issuer.trading_symbol.value) == (
        "ROE RICHARD", "ACME WIDGETS INC", "AWI")
    # An owner whose last word starts as the ticker does, beside an issuer named by it, keeps it.
    layout = read_text("ROE RICHARD A APPLE INC [ AAPL ]\n", "made-up.txt")
    record = decode_sure(layout, ["owners.*.name"] * 3 + ["issuer.name"] * 2 + [None, "issuer.trading_symbol", None])
    assert (record.owners[0].name.value, record.issuer.name.value) == ("ROE RICHARD A", "APPLE INC")


def test_row_line_title_start_taken_for_a_label_is_the_titles():
    """On a plain dump the classifier read "Southern" of "Southern Company Common Stock Feb 13, 2023 ..." as a
    printed label (0.94) and "PepsiCo," of "PepsiCo, Inc. Common ..." as the nature of ownership: the titles
    lost their first word."""
    text = ("Table I - Non-Derivative Securities\n"
            "Southern Company Common Stock 02/13/2023 A 1,845 A $0 90,768 D\n"
            "PepsiCo, Inc. Common 02/13/2023 F 627 D $43.29 90,141 D\n"
            "Stock\n")
    layout = read_text(text, "made-up.txt")
    fields: list[str | None] = [None] * 5
    fields += ["label"] + [N + "security_title"] * 3 + [N + c for c in TABLE_ONE_ROW]
    fields += [N + "nature_of_ownership"] + [N + "security_title"] * 2 + [N + c for c in TABLE_ONE_ROW] + [N + "security_title"]
    doubts = {5: {"label": 0.94, N + "security_title": 0.06},
              16: {N + "nature_of_ownership": 0.31, "label": 0.3, N + "security_title": 0.05}}
    rows = decode_with_doubts(layout, fields, doubts).non_derivative
    assert [r.security_title.value for r in rows] == ["Southern Company Common Stock", "PepsiCo, Inc. Common Stock"]
    assert [str(r.shares.value) for r in rows] == ["1845", "627"]


def test_torn_dates_and_amounts_of_a_narrow_dump_join_their_rests_in_column_order():
    """A typewriter layout's narrow columns tore "07/15/" / "2024" and "3,3" / "82": the dates were lost
    and the amounts read 3,3. The rests line holds every wrapped cell's rest in column order, so a
    price that wrapped too ("$120.8" / "6") takes its digit first."""
    text = ("Table II - Derivative Securities\n"
            "Stock $120.8 07/15/202 A 3,3 07/15/ 07/14/ Comm 3,38 $120.8 3,382 D\n"
            "Option 6 3 82 2024 2033 on 2 6\n"
            "Stock $57.2 07/13/ 07/12/ Comm 9,61 9,615 D\n"
            "Option 2018 2027 on 5\n"
            "(1) Includes 13,\n"
            "125 accrued dividend equivalent units.\n")
    breaks = find_breaks(read_text(text, "made-up.txt"))
    joined = [b.joined.text for b in breaks]
    assert [j for j in joined if j[0].isdigit() or j[0] == "$"] == ["07/15/2023", "3,382", "07/15/2024", "07/14/2033", "3,382",
                                                                    "07/13/2018", "07/12/2027", "9,615"]
    assert "13,125" not in joined


def test_markdown_cell_word_taken_for_a_label_is_the_cells_value():
    """The classifier read "Southern" of a markdown cell "Southern Company Common Stock" as a printed
    label (0.55, the title 0.41): the underlying title lost its first word."""
    text = ("| Table II - Derivative Securities |\n"
            "| Units | $0 | 02/11/2023 | M | 2,972 | Southern Company Common Stock | 2,972 | 0 | D |\n")
    layout = read_text(text, "made-up.md", markdown=True)
    fields: list[str | None] = [None] * 5 + [D + c for c in ("security_title", "conversion_or_exercise_price",
                                                              "transaction_date", "transaction_code", "shares")]
    fields += ["label"] + [D + "underlying_title"] * 3 + [D + c for c in ("underlying_shares", "shares_owned_following",
                                                                          "direct_or_indirect")]
    doubts = {10: {"label": 0.55, D + "underlying_title": 0.41, "other": 0.04},
              11: {D + "underlying_title": 0.7, "label": 0.3}}  # too unsure for "Southern" to follow it
    row = decode_with_doubts(layout, fields, doubts).derivative[0]
    assert row.underlying_title.value == "Southern Company Common Stock"
    assert str(row.underlying_shares.value) == "2972"


def test_lone_title_rest_on_a_dump_goes_to_the_unfinished_underlying_title():
    """"Stock" alone under "Units Common" went to the security title (0.43, the underlying title 0.29):
    "Restricted Stock Units Stock" and "Class A Common"."""
    text = ("Table II - Derivative Securities\n"
            "Restricted Stock 6/8/2023 M 47,619 Class A 47,619 $0 0 D\n"
            "Units Common\n"
            "Stock\n")
    layout = read_text(text, "made-up.txt")
    fields: list[str | None] = [None] * 5
    fields += [D + "security_title"] * 2 + [D + c for c in ("transaction_date", "transaction_code", "shares")]
    fields += [D + "underlying_title"] * 2 + [D + c for c in ("underlying_shares", "price_per_share",
                                                              "shares_owned_following", "direct_or_indirect")]
    fields += [D + "security_title", D + "underlying_title", D + "security_title"]
    doubts = {len(fields) - 1: {D + "security_title": 0.43, D + "underlying_title": 0.29, "label": 0.28}}
    row = decode_with_doubts(layout, fields, doubts).derivative[0]
    assert (row.security_title.value, row.underlying_title.value) == ("Restricted Stock Units", "Class A Common Stock")


def test_joint_filers_signing_a_line_each_are_separate_signatures():
    """Four "Entity, by: /s/ Person, Title <tab> date" lines read as one signature: the name words ran
    on across the dates between them. A name wrapped under its date, with no mark of its own, stays whole."""
    text = ("\tB. Riley Securities, Inc., by: /s/ Andrew Moore, Chief Executive Officer\t05/16/2023\n"
            "\tBryant R. Riley, by: /s/ Bryant R. Riley\t05/16/2023\n"
            "\t/s/ Sam Tuttleman, attorney-in-fact for\t05/01/2023\n"
            "\tRichard N. Levy\n")
    layout = read_text(text, "made-up.txt")
    fields = ["signatures.*.date" if w.text[0].isdigit() else "signatures.*.name" for w in layout.words]
    record = decode_sure(layout, fields)
    assert [(s.name.value, str(s.date.value)) for s in record.signatures] == [
        ("B. Riley Securities, Inc., by: /s/ Andrew Moore, Chief Executive Officer", "2023-05-16"),
        ("Bryant R. Riley, by: /s/ Bryant R. Riley", "2023-05-16"),
        ("/s/ Sam Tuttleman, attorney-in-fact for Richard N. Levy", "2023-05-01")]


def _layout_dump_rows(continuation: list[list[dict[str, float]]]) -> tuple[Layout, list[dict[str, float]]]:
    """A layout-keeping dump of two Table II rows, "Restricted" / "Stock Unit" over "Class A" / "Common" /
    "Stock", the continuation lines' words tagged as given (the same for both rows)."""
    row = "    Restricted  $0   05/15/2023  M   16,340   Class A   16,340   $0   250,795   D\n"
    text = ("Table II - Derivative Securities\n"
            + (row + "    Stock Unit                                 Common\n"
                     "                                               Stock\n") * 2)
    sure = [{D + "security_title": 1.0}] + [{D + f: 1.0} for f in (
        "conversion_or_exercise_price", "transaction_date", "transaction_code", "shares", "underlying_title",
        "underlying_title", "underlying_shares", "price_per_share", "shares_owned_following", "direct_or_indirect")]
    rows = [{"label": 1.0}] * 5
    for _ in range(2):
        rows += sure + [p for line in continuation for p in line]
    return read_text(text, "made-up.txt"), rows


def test_layout_dump_word_wrapped_alone_under_the_underlying_title_is_that_title():
    # The classifier sees no columns in a dump: the lone "Stock" under "Common" was 0.52 the security title.
    layout, rows = _layout_dump_rows([[{D + "security_title": 0.9}] * 2 + [{D + "underlying_title": 0.9}],
                                      [{D + "security_title": 0.52, D + "underlying_title": 0.1, "label": 0.38}]])
    for row in decode_soft(layout, rows).derivative:
        assert (row.security_title.value, row.underlying_title.value) == ("Restricted Stock Unit", "Class A Common Stock")


def test_layout_dump_underlying_title_taken_for_table_ones_title_stays_in_its_row():
    # "Common" and "Stock" of Table II's underlying title read like Table I's security title (0.70).
    layout, rows = _layout_dump_rows([[{D + "security_title": 0.9}] * 2
                                      + [{N + "security_title": 0.7, D + "underlying_title": 0.1, "label": 0.2}],
                                      [{N + "security_title": 0.7, D + "underlying_title": 0.1, "label": 0.2}]])
    record = decode_soft(layout, rows)
    assert record.non_derivative == []
    assert [row.underlying_title.value for row in record.derivative] == ["Class A Common Stock"] * 2


def test_layout_dump_caption_like_word_under_the_underlying_title_is_that_title():
    # "Shares" of "Common" / "Shares" beside the security title's "Units" was 0.93 a printed caption,
    # under 0.05 the underlying title.
    layout, rows = _layout_dump_rows([[{D + "security_title": 0.9}] * 2 + [{"label": 0.97, D + "underlying_title": 0.01}],
                                      [{D + "underlying_title": 0.9}]])
    assert [row.underlying_title.value for row in decode_soft(layout, rows).derivative] == ["Class A Common Stock"] * 2


def test_layout_dump_cell_ended_by_its_marker_leaves_the_lines_below_to_the_next_row():
    # "By Spouse" stood between "... I By Trust(3)" and the next row, whose nature it starts.
    text = ("Table I - Non-Derivative Securities\n"
            "    Common Stock   12/31/2022   A   109   A   $280.19   63,640   D\n"
            "    Common Stock                              199,706   I   By Trust(3)\n"
            "                                                            By Spouse\n"
            "    Common Stock                                1,900   I\n"
            "                                                            IRA\n")
    rows = [{"label": 1.0}] * 5 + [{N + f: 1.0} for f in (
        "security_title", "security_title", "transaction_date", "transaction_code", "shares", "acquired_disposed",
        "price_per_share", "shares_owned_following", "direct_or_indirect")]
    rows += [{N + f: 1.0} for f in ("security_title", "security_title", "shares_owned_following",
                                    "direct_or_indirect", "nature_of_ownership", "nature_of_ownership")]
    rows += [{N + "security_title": 0.6, N + "nature_of_ownership": 0.3}, {N + "nature_of_ownership": 0.9}]
    rows += [{N + f: 1.0} for f in ("security_title", "security_title", "shares_owned_following", "direct_or_indirect")]
    rows += [{N + "nature_of_ownership": 0.9}]
    record = decode_soft(read_text(text, "made-up.txt"), rows)
    assert [(row.security_title.value, row.nature_of_ownership.value) for row in record.non_derivative] == [
        ("Common Stock", None), ("Common Stock", "By Trust"), ("Common Stock", "By Spouse IRA")]


def test_two_equal_bare_numbers_on_a_row_line_are_the_empty_dates_markers():
    # A dump printing superscripts as plain digits: the "2 2" were 0.89 printed captions, and the dates lost F2.
    text = ("Table II - Derivative Securities\n"
            "Restricted $0 05/31/2023 A 13,111 2 2 Class A 13,111 $0.00 13,111 D\n"
            "2. The units vest in three equal installments.\n")
    values = [{D + f: 1.0} for f in ("security_title", "conversion_or_exercise_price", "transaction_date",
                                     "transaction_code", "shares")]
    values += [{"label": 0.89, "footnote_ref": 0.08}, {"label": 0.93, "footnote_ref": 0.03}]
    values += [{D + f: 1.0} for f in ("underlying_title", "underlying_title", "underlying_shares", "price_per_share",
                                      "shares_owned_following", "direct_or_indirect")]
    rows = [{"label": 1.0}] * 5 + values + [{"footnote_ref": 1.0}] + [{"footnotes.*.text": 1.0}] * 7
    row = decode_soft(read_text(text, "made-up.txt"), rows).derivative[0]
    assert (row.exercise_date.value, row.expiration_date.value) == (None, None)
    assert (row.exercise_date.footnote_ids, row.expiration_date.footnote_ids) == (["F2"], ["F2"])
    assert row.underlying_title.value == "Class A"


def test_officer_title_wrapped_in_its_box_goes_on_in_the_next_dump_line():
    title = "owners.*.relationship.officer_title"
    owner = {"DOE": {"owners.*.name": 1.0}, "JANE": {"owners.*.name": 1.0}}
    single = ("DOE JANE\nCOLUMBUS GA 31902 x Officer (give title below) Other (specify below)\n"
              "EVP & Exec. Dir.,\nTreasury\n4. If Amendment, Date of Original Filed\n")
    soft = {**owner, **{word: {title: 1.0} for word in ("EVP", "&", "Exec.", "Dir.,")},
            "Treasury": {"label": 0.78, title: 0.16}}  # the classifier, seeing no box, took it for a caption
    record = decode_by_text(read_text(single, "made-up.txt"), soft)
    assert record.owners[0].relationship.officer_title.value == "EVP & Exec. Dir., Treasury"
    kept = ("    DOE JANE                                        X Director\n"
            "    100 N. BROADWAY AVE.                            Officer (give title below) Other (specify below)\n"
            "    (Street)                                        Chairman\n"
            "    OKLAHOMA CITY OK     73102                      Emeritus and\n"
            "    (City)        (State) (Zip)                     Director\n")
    soft = {**owner, **{word: {title: 1.0} for word in ("Chairman", "Emeritus", "and")}}
    layout = read_text(kept, "made-up.txt")
    rows = [soft.get(w.text, {"label": 1.0}) if w.line != 5 or w.text != "Director" else {"label": 0.996, title: 0.004}
            for w in layout.words]
    assert decode_soft(layout, rows).owners[0].relationship.officer_title.value == "Chairman Emeritus and Director"


def test_single_spaced_dump_parts_two_company_names_in_one_case_after_the_first_ones_ending():
    text = ("1. Name and Address of Reporting Person* 2. Issuer Name and Ticker or Trading Symbol\n"
            "Acme Sponsor Holdings, LLC Widget Works, Inc. [ WDGT ]\n")
    soft = {"Acme": {"owners.*.name": 0.9}, "Sponsor": {"owners.*.name": 0.66, "issuer.name": 0.32},
            # the classifier started the issuer's name at "Holdings," (0.93)
            "Holdings,": {"issuer.name": 0.93, "owners.*.name": 0.05}, "LLC": {"issuer.name": 0.95},
            "Widget": {"issuer.name": 0.98}, "Works,": {"issuer.name": 0.98}, "Inc.": {"issuer.name": 0.96},
            "WDGT": {"issuer.trading_symbol": 1.0}}
    record = decode_by_text(read_text(text, "made-up.txt"), soft)
    assert (record.owners[0].name.value, record.issuer.name.value) == ("Acme Sponsor Holdings, LLC", "Widget Works, Inc.")


def test_issuer_name_wrapped_onto_its_tickers_line_keeps_its_rest():
    # "BANCORPORATION" was 0.64 a caption, 0.17 the name, on the line of the ticker and the owner's captions.
    text = ("1. Name and Address of Reporting Person* 2. Issuer Name and Ticker or Trading Symbol\n"
            "Doe Jane WESTERN ALLIANCE (Check all applicable)\n"
            "(Last) (First) (Middle) BANCORPORATION [ WAL ] Director 10% Owner\n")
    soft = {"Doe": {"owners.*.name": 1.0}, "Jane": {"owners.*.name": 1.0}, "WESTERN": {"issuer.name": 1.0},
            "ALLIANCE": {"issuer.name": 1.0}, "BANCORPORATION": {"label": 0.64, "issuer.name": 0.17},
            "WAL": {"issuer.trading_symbol": 1.0}}
    record = decode_by_text(read_text(text, "made-up.txt"), soft)
    assert (record.issuer.name.value, record.issuer.trading_symbol.value) == ("WESTERN ALLIANCE BANCORPORATION", "WAL")


def test_street_line_keeps_the_words_a_street_ends_with_whatever_they_were_taken_for():
    # A dump runs the title box into the street lines: "MALL" was 0.63 an officer's title, "E" of
    # "SUITE E" 0.89, and "2" of "FL. 2" 0.90 a caption, each under 0.05 the street's.
    text = "DOE JANE\n800 NICOLLET MALL\n486 S. PIERCE AVE., SUITE E\nMINNEAPOLIS MN 55402\n"
    S1, S2, title = "owners.*.address.street1", "owners.*.address.street2", "owners.*.relationship.officer_title"
    soft = {"DOE": {"owners.*.name": 1.0}, "JANE": {"owners.*.name": 1.0}, "800": {S1: 0.9}, "NICOLLET": {S1: 0.9},
            "MALL": {title: 0.63, S1: 0.03}, "486": {S2: 0.9}, "S.": {S2: 0.9}, "PIERCE": {S2: 0.9}, "AVE.,": {S2: 0.9},
            "SUITE": {S2: 0.9}, "E": {title: 0.89, S2: 0.03}, "MINNEAPOLIS": {"owners.*.address.city": 1.0},
            "MN": {"owners.*.address.state": 1.0}, "55402": {"owners.*.address.zip_code": 1.0}}
    owner = decode_by_text(read_text(text, "made-up.txt"), soft).owners[0]
    assert (owner.address.street1.value, owner.address.street2.value) == ("800 NICOLLET MALL", "486 S. PIERCE AVE., SUITE E")
    assert not owner.relationship.officer_title.present
    text = "DOE JANE\n132 E. PUTNAM AVENUE, FL. 2\n"
    soft = {"DOE": {"owners.*.name": 1.0}, "JANE": {"owners.*.name": 1.0}, "2": {"label": 0.9, S1: 0.01},
            **{word: {S1: 0.9} for word in ("132", "E.", "PUTNAM", "AVENUE,", "FL.")}}
    assert decode_by_text(read_text(text, "made-up.txt"), soft).owners[0].address.street1.value == "132 E. PUTNAM AVENUE, FL. 2"


def test_bracket_a_narrow_cell_wrapped_off_a_marker_is_not_part_of_the_title_below():
    # "$13.893(1" / ")": the marker's closing bracket stood on the title's wrapped line, "Common" / "Shares )".
    text = "Table I - Non-Derivative Securities\nCommon 3/10/2023 P 10000 A $13.893(1 1078102 D\nShares )\n"
    fields = ["security_title", "transaction_date", "transaction_code", "shares", "acquired_disposed",
              "price_per_share", "shares_owned_following", "direct_or_indirect", "security_title", "security_title"]
    rows = [{"label": 1.0}] * 5 + [{N + f: 1.0} for f in fields]
    row = decode_soft(read_text(text, "made-up.txt"), rows).non_derivative[0]
    assert (row.security_title.value, row.price_per_share.value) == ("Common Shares", Decimal("13.893"))


def test_text_dump_lone_wrapped_word_given_the_other_tables_title_goes_to_this_rows_column():
    # "Stock" alone under "Stock Units" was 0.56 Table I's title, 0.24 Table II's underlying title.
    text = ("Table II - Derivative Securities\n"
            "Deferred $0 2023-02-01 A 446 Common 446 $267.5 4,050 D\n"
            "Stock Units\nStock\n")
    rows = _caption_and_full_row() + [{D + "security_title": 0.9}] * 2
    rows += [{N + "security_title": 0.56, D + "underlying_title": 0.24, "label": 0.14, D + "security_title": 0.06}]
    row = decode_soft(read_text(text, "made-up.txt"), rows).derivative[0]
    assert (row.security_title.value, row.underlying_title.value) == ("Deferred Stock Units", "Common Stock")


def test_text_dump_series_letter_wrapped_after_class_is_the_underlying_titles():
    # A centred narrow cell: "Class" on the row's line, its "A" after "Stock Unit", 0.97 a caption.
    text = ("Table II - Derivative Securities\n"
            "Restricted $0 2023-05-15 M 16,340 Class 16,340 $0.00 250,795 D\n"
            "Stock Unit A\nCommon\nStock\n")
    rows = _caption_and_full_row() + [{D + "security_title": 0.8}] * 2 + [{"label": 0.97, D + "security_title": 0.01}]
    rows += [{D + "security_title": 0.33, D + "underlying_title": 0.24, "label": 0.22}] + [{D + "underlying_title": 0.9}]
    row = decode_soft(read_text(text, "made-up.txt"), rows).derivative[0]
    assert (row.security_title.value, row.underlying_title.value) == ("Restricted Stock Unit", "Class A Common Stock")


def test_unit_number_wrapped_under_its_suite_stays_in_the_first_street():
    # "6650 SW REDWOOD LANE, SUITE" / "210": a line starting with a number had started the second street.
    text = "DOE JANE\n6650 SW REDWOOD LANE, SUITE\n210\nPORTLAND OR 97224\n"
    S1 = "owners.*.address.street1"
    soft = {"DOE": {"owners.*.name": 1.0}, "JANE": {"owners.*.name": 1.0}, "210": {"owners.*.address.street2": 0.58, S1: 0.31},
            **{word: {S1: 0.95} for word in ("6650", "SW", "REDWOOD", "LANE,", "SUITE")},
            "PORTLAND": {"owners.*.address.city": 1.0}, "OR": {"owners.*.address.state": 1.0},
            "97224": {"owners.*.address.zip_code": 1.0}}
    address = decode_by_text(read_text(text, "made-up.txt"), soft).owners[0].address
    assert (address.street1.value, address.street2.present) == ("6650 SW REDWOOD LANE, SUITE 210", False)


def test_officer_title_goes_on_below_another_boxs_line_in_a_layout_dump():
    # "SVP & GM," / "SCOTTSDALE AZ 85250" / "ISG": the city's line stands between the title's two lines,
    # and "ISG" was 0.73 a city, 0.20 the title.
    title = "owners.*.relationship.officer_title"
    text = ("    DOE JANE                                          X Director\n"
            "    5701 NORTH PIMA ROAD                              X Officer (give title below)\n"
            "    (Street)                                          SVP & GM,\n"
            "    SCOTTSDALE AZ 85250\n"
            "                                                      ISG\n")
    soft = {"DOE": {"owners.*.name": 1.0}, "JANE": {"owners.*.name": 1.0},
            **{word: {"owners.*.address.street1": 1.0} for word in ("5701", "NORTH", "PIMA", "ROAD")},
            **{word: {title: 0.97} for word in ("SVP", "&", "GM,")}, "SCOTTSDALE": {"owners.*.address.city": 1.0},
            "AZ": {"owners.*.address.state": 1.0}, "85250": {"owners.*.address.zip_code": 1.0},
            "ISG": {"owners.*.address.city": 0.73, title: 0.20}}
    owner = decode_by_text(read_text(text, "made-up.txt"), soft).owners[0]
    assert (owner.relationship.officer_title.value, owner.address.city.value) == ("SVP & GM, ISG", "SCOTTSDALE")


def test_second_whole_amount_given_the_amounts_column_is_the_underlying_amount():
    # "5,5" / "46" torn in a narrow cell, and the underlying amount "5,546" taken for the amount too
    # (0.79): the two went into one number, 55465546.
    text = ("Table II - Derivative Securities\n"
            "Performance $0 02/16/2023 A 5,5 Common 5,546 $0.00 5,546 D\n"
            "Units 46 Stock\n")
    rows = [{"label": 1.0}] * 5 + [{D + f: 1.0} for f in ("security_title", "conversion_or_exercise_price",
                                                         "transaction_date", "transaction_code")]
    rows += [{D + "shares": 0.41, "label": 0.44}, {D + "underlying_title": 1.0},
             {D + "shares": 0.79, D + "underlying_shares": 0.18}]
    rows += [{D + f: 1.0} for f in ("price_per_share", "shares_owned_following", "direct_or_indirect", "security_title")]
    rows += [{D + "shares": 0.6, "label": 0.4}, {D + "underlying_title": 1.0}]
    row = decode_soft(read_text(text, "made-up.txt"), rows).derivative[0]
    assert (row.shares.value, row.underlying_shares.value) == (Decimal("5546"), Decimal("5546"))
