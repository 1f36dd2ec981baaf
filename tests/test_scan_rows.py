"""Scanned tables: header lines, wrapped cells and currency signs (made-up geometry, no corpus text)."""

from __future__ import annotations

import numpy as np

from extractor.layout.document import Word, group_lines
from extractor.layout.second_pass import _by_glyphs, _with_full_stop
from extractor.tables import Column, read_table

H = 34.0  # an OCR word's ink height in pixels
PITCH = 55.0  # top to top of a cell's wrapped lines: OCR boxes leave ~0.6 of their height between them


def _w(text: str, x0: float, top: float, height: float = H, page: int = 1, conf: float | None = 0.95) -> Word:
    return Word(text, x0, top, x0 + 18.0 * len(text), top + height, page=page, confidence=conf)


def _order(w: Word) -> tuple:
    return (w.page, round(w.y_mid), w.x0)


def _table(data: list[Word]) -> list[dict[str, str]]:
    columns = [Column(name, [_w(name[:6], x0, 0.0)]) for name, x0 in (
        ("security_title", 0), ("exercise_date", 200), ("underlying_title", 400), ("underlying_shares", 700),
        ("price_per_share", 1000))]
    return [{name: text for name, (text, _) in row.items()}
            for row in read_table(columns, data, grid=False, order=_order)]


def test_header_word_a_little_shorter_than_its_left_neighbour_keeps_its_line():
    # "Exercisable" came out of OCR tall and low; the next column's header word beside it, a
    # little shorter and set higher, is the line above's, not a footnote marker to move.
    tall = Word("Exercisable", 0, 71, 170, 107, confidence=0.95)
    beside = Word("Expiration", 195, 58, 340, 86, confidence=0.95)
    above = [Word("Security", -300, 52, -180, 80, confidence=0.95), Word("Code", -100, 58, -30, 80, confidence=0.95),
             Word("Date", 350, 59, 413, 80, confidence=0.95)]
    lines = group_lines([tall, beside, *above], page=1)
    line_of = {w.text: i for i, line in enumerate(lines) for w in line.words}
    assert line_of["Expiration"] == line_of["Date"] == line_of["Security"] != line_of["Exercisable"]


def test_lone_word_set_low_by_its_descenders_rejoins_its_line():
    words = [Word("the", 0, 100, 60, 119, confidence=0.95), Word("reporting", 70, 100, 130, 124, confidence=0.95),
             Word("person", 140, 111, 200, 128, confidence=0.95), Word("in", 210, 100, 230, 119, confidence=0.95)]
    lines = group_lines(words, page=1)
    assert len(lines) == 1
    assert [w.text for w in next(line for line in lines if words[0] in line.words).words] == [
        "the", "reporting", "person", "in"]


def test_footnote_marker_set_high_still_follows_its_value():
    value = Word("1,000", 0, 100, 90, 130, confidence=0.95)
    marker = Word("(1)", 92, 95, 112, 113, confidence=0.9)
    other = Word("Other", 400, 80, 480, 104, confidence=0.95)  # a line above, nearer the marker's middle
    lines = group_lines([value, marker, other], page=1)
    assert [w.text for w in next(line for line in lines if value in line.words).words] == ["1,000", "(1)"]


def _row(middle: float, shares: str, page: int = 1, titles: bool = True) -> list[Word]:
    """A row's values on one line around `middle`, a raised marker first; its titles centred on it."""
    top = middle - H / 2
    words = [_w("(5)", 200, top - 8, height=27, page=page), _w(shares, 700, top, page=page),
             _w("$3.5", 1000, top, page=page)]
    if titles:
        words += [_w(t, 400, top + (i - 1) * PITCH, page=page) for i, t in enumerate(["Klass", "Zeta", "Units"])]
        words += [_w(t, 0, top - PITCH / 2 + i * PITCH, page=page) for i, t in enumerate(["Option", "(Right)"])]
    return words


def test_three_line_cell_whose_last_line_is_nearer_the_next_row_stays_in_its_row():
    # The next row's values stand 120 px below (its titles went on to the next page): the cell's
    # last line is nearer them than its own row's raised first value.
    rows = _table(_row(200, "100") + _row(320, "200", titles=False))
    assert [row.get("underlying_title") for row in rows] == ["Klass Zeta Units", None]
    assert [row.get("security_title") for row in rows] == ["Option (Right)", None]
    assert [row["underlying_shares"] for row in rows] == ["100", "200"]


def test_cell_of_first_row_on_a_new_page_is_not_given_to_the_row_the_break_cut():
    # Page 1 ends with a row's values; its titles went over to page 2's top. Page 2's first row
    # has a title starting above its values' line, nearer the carried-over text than its values are.
    data = _row(2000, "100", titles=False)
    data += [_w(t, 400, 500 + i * PITCH, page=2) for i, t in enumerate(["Klass", "Zeta", "Units"])]
    data += [_w(t, 0, 528 + i * PITCH, page=2) for i, t in enumerate(["Option", "(Right)"])]
    data += _row(500 + PITCH + 187 + H / 2, "200", page=2)
    rows = _table(data)
    assert [(row.get("underlying_title"), row.get("underlying_shares")) for row in rows] == [
        ("Klass Zeta Units", "100"), ("Klass Zeta Units", "200")]
    assert [row.get("security_title") for row in rows] == ["Option (Right)"] * 2


def test_text_layer_cells_keep_the_tight_line_spacing_rule():
    # Exact word boxes span the font's height: lines 0.6 of a height apart are separate cells there.
    data = [_w(t, x, top, conf=None) for top, texts in ((100, ("Alpha", "100", "$1")), (154, ("Beta", "200", "$2")))
            for t, x in zip(texts, (400, 700, 1000))]
    rows = _table(data)
    assert [row["underlying_title"] for row in rows] == ["Alpha", "Beta"]


def _ink(glyphs: list[tuple[int, int, int, int]]) -> np.ndarray:
    ink = np.zeros((80, 200), dtype=bool)
    for x0, top, x1, bottom in glyphs:
        ink[top:bottom, x0:x1] = True
    return ink


def test_dollar_sign_read_as_a_digit_is_told_by_its_glyph():
    # "$0" read "30": the first glyph stands lower and shorter than the digit after it.
    ink = _ink([(20, 26, 35, 50), (38, 20, 57, 49)])
    word = Word("30", 20, 20, 57, 50, confidence=0.55)
    assert _by_glyphs(word, ink, 1.0).text == "$0"
    # A tall "$" overshooting the digits' top and bottom is one too.
    ink = _ink([(20, 16, 35, 54), (38, 20, 57, 49), (60, 20, 79, 49)])
    assert _by_glyphs(Word("800", 20, 16, 79, 54, confidence=0.6), ink, 1.0).text == "$00"


def test_number_whose_digits_line_up_keeps_its_first_digit():
    ink = _ink([(20, 20, 35, 49), (38, 20, 57, 50)])
    assert _by_glyphs(Word("30", 20, 20, 57, 50, confidence=0.55), ink, 1.0).text == "30"
    # Sure readings are left alone whatever the glyphs.
    ink = _ink([(20, 26, 35, 50), (38, 20, 57, 49)])
    assert _by_glyphs(Word("30", 20, 20, 57, 50, confidence=0.96), ink, 1.0).text == "30"


def _letters(n: int) -> list[tuple[int, int, int, int]]:
    return [(20 + 22 * i, 20, 38 + 22 * i, 50) for i in range(n)]  # capitals on a baseline at 50


def test_full_stop_read_as_a_comma_is_told_by_its_glyph():
    # "ABC," whose last glyph is a dot sitting on the baseline: a full stop.
    ink = _ink(_letters(3) + [(88, 44, 94, 50)])
    assert _by_glyphs(Word("ABC,", 20, 20, 94, 50, confidence=0.84), ink, 1.0).text == "ABC."


def test_comma_hanging_below_the_baseline_stays_a_comma():
    ink = _ink(_letters(3) + [(88, 44, 94, 57)])
    assert _by_glyphs(Word("ABC,", 20, 20, 94, 57, confidence=0.84), ink, 1.0).text == "ABC,"
    # A faint comma whose tail broke off its head: the tail's ink under the baseline tells.
    ink = _ink(_letters(3) + [(89, 44, 94, 50), (86, 53, 89, 56)])
    assert _by_glyphs(Word("ABC,", 20, 20, 94, 56, confidence=0.84), ink, 1.0).text == "ABC,"


def test_full_stop_the_page_pass_left_out_is_added_after_its_word():
    # "ABC" ends at x 82; a solid dot on its baseline 6 px after it is the sentence's full stop.
    ink = _ink(_letters(3) + [(88, 44, 94, 50)])
    assert _with_full_stop(Word("ABC", 20, 20, 82, 50, confidence=0.96), ink, 1.0).text == "ABC."


def test_ink_after_a_word_that_is_no_dot_adds_nothing():
    word = Word("ABC", 20, 20, 82, 50, confidence=0.96)
    assert _with_full_stop(word, _ink(_letters(3)), 1.0).text == "ABC"
    assert _with_full_stop(word, _ink(_letters(3) + [(88, 20, 106, 50)]), 1.0).text == "ABC"  # a next word's letter
    assert _with_full_stop(word, _ink(_letters(3) + [(88, 44, 94, 57)]), 1.0).text == "ABC"  # a comma
    assert _with_full_stop(word, _ink(_letters(3) + [(88, 30, 94, 36)]), 1.0).text == "ABC"  # above the baseline


def test_full_stop_a_monospaced_font_centres_in_its_cell_is_added_after_its_word():
    # A typewriter-style font sets the dot in the middle of a letter-wide cell, 12 px past "ABC":
    # the page pass read "units" for "units." at a footnote's end, and the dot was looked for too near.
    ink = _ink(_letters(3) + [(94, 44, 100, 50)])
    assert _with_full_stop(Word("ABC", 20, 20, 82, 50, confidence=0.96), ink, 1.0).text == "ABC."
