"""OCR's misreadings put right: "/s/" and "attorney" in signatures (`layout.ocr_words`), brackets
read as braces (`layout.ocr.ocr_text`)."""

from __future__ import annotations

from extractor.layout.document import Word
from extractor.layout.ocr_words import repair_signature_words


def _line(text: str, top: float = 100.0) -> list[Word]:
    words, x = [], 10.0
    for piece in text.split():
        words.append(Word(piece, x, top, x + 7.0 * len(piece), top + 12.0, confidence=0.9))
        x += 7.0 * len(piece) + 5.0
    return words


def _texts(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def test_misread_conformed_signature_and_attorney_in_fact_are_put_right():
    # Misreadings from 300 dpi scans of dev filings, rewritten on made-up names.
    for misread in ("{sf", "fs/", "is!", "és/", "/5/"):
        repaired = repair_signature_words(_line(f"{misread} Jane Roe, attomey-in-fact"))
        assert _texts(repaired) == "/s/ Jane Roe, attorney-in-fact"
    assert _texts(repair_signature_words(_line("/s/ Jane Roe, Attorey-in-Fact"))) == "/s/ Jane Roe, Attorney-in-Fact"


def test_footnote_markers_and_other_words_are_left_alone():
    for text in ("(5) Represents shares", "{5} Common", "15] comm", "(s) Reporting", "Jane Roe, attorneys-in-fact",
                 "attempt attendee atomic", "is/ 2023"):
        assert _texts(repair_signature_words(_line(text))) == text


def test_conformed_signature_read_with_its_closing_slash_as_i_or_its_opening_one_lost_is_put_right():
    # Dev scans: "'si Mary ...", "isi Michael ...", "/si Kristopher ...", "s' Daniel ...".
    for misread in ("'si", "isi", "/si", "s'"):
        assert _texts(repair_signature_words(_line(f"{misread} Jane Roe"))) == "/s/ Jane Roe"
    assert _texts(repair_signature_words(_line("si Good"))) == "si Good"


def test_attorney_in_fact_torn_into_pieces_by_ocr_is_one_word_again():
    # Dev scans: "attorney-in-f act", "attorney- in- fact", "attorney-in~-fact", "attorney-in- fact".
    for torn, whole in (("attorney-in-f act", "attorney-in-fact"), ("attorney- in- fact", "attorney-in-fact"),
                        ("attorney-in~-fact", "attorney-in-fact"), ("Attorney-in- Fact.", "Attorney-in-Fact.")):
        repaired = repair_signature_words(_line(f"/s/ Jane Roe, {torn} for Pat Doe"))
        assert _texts(repaired) == f"/s/ Jane Roe, {whole} for Pat Doe"
    joined = repair_signature_words(_line("/s/ Jane Roe, attorney- in- fact"))[-1]
    assert (joined.text, joined.x0) == ("attorney-in-fact", 10.0 + 7 * 3 + 5 + 7 * 4 + 5 + 7 * 4 + 5)
    # A compound that is not the agent's stays as read.
    assert _texts(repair_signature_words(_line("attorney- at law"))) == "attorney- at law"


def test_brackets_ocr_read_as_braces_are_brackets_again_but_not_a_checkboxs_edge():
    from extractor.layout.ocr import ocr_text

    # A scan's "{right to buy)" and "Stock{1]" had been a title "(right" never matched, and a marker lost.
    assert [ocr_text(t) for t in ("{right", "Stock{1]", "buy}", "12}", "“Sponsor”")] == [
        "(right", "Stock(1]", "buy)", "12)", '"Sponsor"']
    # A fax's checkbox edge next to a speck ("i}", a lone "{") stays, or it reads as text: "i)" became a title.
    assert [ocr_text(t) for t in ("i}", "{", "}", "{)")] == ["i}", "{", "}", "{)"]
