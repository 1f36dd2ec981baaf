"""The rule-based extractor on made-up pages, one test per fixed misreading."""

from __future__ import annotations

from extractor.layout.document import Layout, Page, Word, group_lines
from extractor.rules import RuleExtractor, RulesSettings


def _w(text: str, x0: float, top: float) -> Word:
    return Word(text, x0, top, x0 + 6.0 * len(text), top + 8.0)


def _line(text: str, x0: float, top: float, gap: float = 6.0) -> list[Word]:
    out, x = [], x0
    for part in text.split():
        out.append(_w(part, x, top))
        x += 6.0 * len(part) + gap
    return out


def test_name_captions_spread_under_the_name_end_the_name():
    # "(Last)  (First)  (Middle)" printed a cell's width apart under the name, as EDGAR's own
    # rendering prints them: the name used to run on over the captions and the street below.
    words = (_line("1. Name and Address of Reporting Person*", 10, 10) + _line("ADAMS JOHN K JR", 10, 24)
             + [_w("(Last)", 10, 36), _w("(First)", 110, 36), _w("(Middle)", 210, 36)]
             + _line("3000 SCHWAB WAY", 10, 50) + [_w("(Street)", 10, 62)]
             + _line("WESTLAKE TX 76262", 10, 76, gap=30) + [_w("(City)", 10, 88), _w("(State)", 110, 88), _w("(Zip)", 210, 88)])
    layout = Layout(pages=[Page(number=1, width=600, height=800, lines=group_lines(words, page=1))],
                    source="made-up.pdf", format="pdf")
    owner = RuleExtractor(RulesSettings(min_anchors=1)).extract(layout).owners[0]  # one box of the form, not all of it
    assert owner.name.value == "ADAMS JOHN K JR"
    assert owner.address.street1.value == "3000 SCHWAB WAY"
    assert (owner.address.city.value, owner.address.state.value, owner.address.zip_code.value) == ("WESTLAKE", "TX", "76262")


def test_ticker_whose_opening_bracket_ocr_dropped_is_still_cut_from_the_issuer_name():
    # A 300 dpi scan read "Apple Inc. [ AAPL ]" as "Apple Inc. AAPL ] |".
    words = _line("2. Issuer Name and Ticker or Trading Symbol", 10, 10) + _line("Apple Inc. AAPL ] |", 10, 24)
    layout = Layout(pages=[Page(number=1, width=600, height=800, lines=group_lines(words, page=1))],
                    source="made-up.png", format="image", ocr=True)
    issuer = RuleExtractor(RulesSettings(min_anchors=1)).extract(layout).issuer
    assert (issuer.name.value, issuer.trading_symbol.value) == ("Apple Inc.", "AAPL")


def test_remarks_quoting_the_form_3_title_do_not_make_a_form_4_a_form_3():
    # An "exit" Form 4 whose remarks cite the owner's "Initial Statement of Beneficial Ownership of
    # Securities on Form 3" far below its own title.
    words = _line("FORM 4 STATEMENT OF CHANGES IN BENEFICIAL OWNERSHIP", 10, 10)
    for i in range(45):
        words += _line(f"Filler line {i} of the made-up form", 10, 30 + 14 * i)
    words += _line("disclosed in Initial Statement of Beneficial Ownership of Securities on Form 3, filed", 10, 700)
    layout = Layout(pages=[Page(number=1, width=600, height=800, lines=group_lines(words, page=1))],
                    source="made-up.pdf", format="pdf")
    assert RuleExtractor(RulesSettings(min_anchors=1)).extract(layout).document_type.value == "4"


def test_non_us_country_code_and_postal_code_are_not_part_of_the_city():
    # EDGAR prints a non-US owner's country code where a state goes: "TOKYO M0 105-0011" was all city.
    for line, expected in (("TOKYO M0 105-0011", ("TOKYO", "M0", "105-0011")),
                           ("LONDON X0 SW1A 1AA", ("LONDON", "X0", "SW1A 1AA")),
                           ("WESTLAKE TX 76262", ("WESTLAKE", "TX", "76262"))):
        words = (_line("1. Name and Address of Reporting Person*", 10, 10) + _line("ROE JANE", 10, 24)
                 + [_w("(Last)", 10, 36), _w("(First)", 110, 36), _w("(Middle)", 210, 36)]
                 + _line("1-8 SHIBA KOEN", 10, 50) + [_w("(Street)", 10, 62)]
                 + _line(line, 10, 76, gap=30) + [_w("(City)", 10, 88), _w("(State)", 110, 88), _w("(Zip)", 210, 88)])
        layout = Layout(pages=[Page(number=1, width=600, height=800, lines=group_lines(words, page=1))],
                        source="made-up.pdf", format="pdf")
        address = RuleExtractor(RulesSettings(min_anchors=1)).extract(layout).owners[0].address
        assert (address.city.value, address.state.value, address.zip_code.value) == expected


def test_signature_dated_in_words_and_underlined_keeps_its_name_clean():
    # "/s/ James Roe, Feb 2, 2023 attorney-in-fact ____": the date read into the name, none as the date.
    words = (_line("/s/ James Roe, Feb 2, 2023", 300, 700) + _line("attorney-in-fact ______________", 300, 712)
             + _line("** Signature of Reporting Person Date", 300, 726))
    layout = Layout(pages=[Page(number=1, width=600, height=800, lines=group_lines(words, page=1))],
                    source="made-up.pdf", format="pdf")
    signatures = RuleExtractor(RulesSettings(min_anchors=1)).extract(layout).signatures
    assert [(s.name.value, str(s.date.value)) for s in signatures] == [("/s/ James Roe, attorney-in-fact", "2023-02-02")]


def test_date_exercisable_header_wrapped_into_the_expiration_header_still_makes_its_column():
    # "Date" printed over "Expiration", "Exercisable" under it: the phrase "Date Exercisable" was
    # never found, and the exercise date's footnote went to the expiration date.
    words = (_line("Table II - Derivative Securities Acquired, Disposed of, or Beneficially Owned", 10, 10)
             + _line("1. Title of Derivative Security (Instr. 3)", 10, 30) + _line("3. Transaction Date", 150, 30)
             + _line("6. Date Exercisable and Expiration Date (Month/Day/Year)", 250, 30)
             + _line("7. Title and Amount of Securities Underlying", 600, 30)
             + [_w("Date", 258, 50), _w("Expiration", 330, 50), _w("Title", 600, 50), _w("Amount", 640, 50), _w("or", 690, 50)]
             + [_w("Exercisable", 250, 60), _w("Date", 336, 60), _w("Number", 640, 60), _w("of", 690, 60)]
             + [_w("Units", 10, 80), _w("01/02/2023", 150, 80), _w("(1)", 260, 80), _w("03/15/2033", 330, 80),
                _w("Common", 600, 80)])
    layout = Layout(pages=[Page(number=1, width=800, height=800, lines=group_lines(words, page=1))],
                    source="made-up.pdf", format="pdf")
    row = RuleExtractor(RulesSettings(min_anchors=1)).extract(layout).derivative[0]
    assert (row.exercise_date.footnote_ids, str(row.expiration_date.value), row.expiration_date.footnote_ids) == (
        ["F1"], "2033-03-15", [])
