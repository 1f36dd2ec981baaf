"""Empty boxes on OCR'd pages told by their ink (drawn shapes, no corpus text)."""

from __future__ import annotations

import numpy as np
import pytest

from extractor.layout.checkboxes import CheckboxSettings, is_empty_box, mark_checkboxes
from extractor.layout.document import Word


def _frame(size: int = 24, stroke: int = 2) -> np.ndarray:
    ink = np.zeros((size, size), bool)
    ink[:stroke, :] = ink[-stroke:, :] = ink[:, :stroke] = ink[:, -stroke:] = True
    return ink


def _typed_box(height: int = 24, width: int = 34) -> np.ndarray:
    """'[_]' as a typewriter prints it: two brackets with serifs and an underscore low between them."""
    ink = np.zeros((height, width), bool)
    for x in (0, width - 3):
        ink[:, x:x + 3] = True
    ink[:2, :6] = ink[-2:, :6] = ink[:2, -6:] = ink[-2:, -6:] = True
    ink[height - 6:height - 4, 9:width - 9] = True
    return ink


def _ring(size: int = 24) -> np.ndarray:
    y, x = np.mgrid[:size, :size]
    r = np.hypot(y - size / 2 + 0.5, x - size / 2 + 0.5)
    return (r <= size / 2) & (r >= size / 2 - 2.5)


def test_a_drawn_square_and_typed_brackets_with_nothing_inside_are_empty_boxes():
    assert is_empty_box(_frame())
    assert is_empty_box(_typed_box())


def test_a_box_with_a_mark_in_it_is_not_an_empty_box():
    checked = _frame()
    for i in range(4, 20):
        checked[i, i] = checked[i, 23 - i] = True
    assert not is_empty_box(checked)


def test_a_round_letter_is_no_box():
    # "O", "U" and "D" are hollow too; their corners are not inked.
    assert not is_empty_box(_ring())
    assert not is_empty_box(np.zeros((24, 24), bool))


def test_only_unsure_short_words_over_a_frame_are_marked():
    page = np.zeros((100, 300), bool)
    page[10:34, 10:44] = _typed_box()
    page[10:34, 100:134] = _typed_box()
    words = [Word("UO", 10, 10, 44, 34, confidence=0.2),  # Tesseract's reading of the box
             Word("II", 100, 10, 134, 34, confidence=0.95),  # a sure word keeps its reading whatever its ink
             Word("Director", 150, 10, 260, 34, confidence=0.96)]
    marked = mark_checkboxes(words, page, scale=1.0)
    assert [w.checkbox for w in marked] == [False, None, None]
    assert marked[0].text == "UO"


def test_settings_are_checked():
    with pytest.raises(ValueError, match="aspect"):
        CheckboxSettings(aspect=(1.2, 1.5))
    with pytest.raises(ValueError, match="edge"):
        CheckboxSettings(edge=1.5)


def test_a_typed_box_tesseract_read_as_one_bracket_is_an_empty_box():
    # A typewriter's "[_]" is about twice as wide as high, its underscore dotted below the brackets;
    # Tesseract read only its right bracket, as "|".
    page = np.zeros((60, 200), bool)
    page[20:37, 20:23] = page[20:37, 45:48] = True  # the brackets
    page[20:22, 20:26] = page[35:37, 20:26] = page[20:22, 42:48] = page[35:37, 42:48] = True  # their serifs
    page[38, 30:40:4] = True  # the underscore's dots
    words = [Word("|", 45, 20, 48, 37, confidence=0.5), Word("Director", 80, 20, 150, 37, confidence=0.96)]
    assert [w.checkbox for w in mark_checkboxes(words, page, scale=1.0)] == [False, None]
    page[24:33, 30:38] = np.eye(9, 8, dtype=bool) | np.eye(9, 8, dtype=bool)[::-1]  # checked: an X inside
    assert mark_checkboxes(words, page, scale=1.0)[0].checkbox is None


def test_an_empty_box_read_surely_as_a_round_letter_or_a_zero_is_an_empty_box():
    # Dev scans: an empty box read "O" at 0.85 and "0" at 0.78 was taken for a checked one.
    page = np.zeros((60, 300), bool)
    page[10:34, 10:34] = _frame()
    page[10:34, 100:124] = _frame()
    page[10:34, 200:224] = _ring()  # a real letter O, as sure
    words = [Word("O", 10, 10, 34, 34, confidence=0.85), Word("0", 100, 10, 124, 34, confidence=0.78),
             Word("O", 200, 10, 224, 34, confidence=0.85), Word("Director", 240, 10, 290, 34, confidence=0.96)]
    assert [w.checkbox for w in mark_checkboxes(words, page, scale=1.0)] == [False, False, None, None]


def test_an_empty_box_whose_word_stops_short_of_its_frame_is_an_empty_box():
    # Tesseract's box of an empty box read "oO" was 20 px wide on a 22 px frame: its right side was cut off.
    page = np.zeros((60, 200), bool)
    page[10:32, 10:32] = _frame(22)
    words = [Word("oO", 10, 10, 30, 32, confidence=0.42), Word("Director", 60, 10, 120, 32, confidence=0.96)]
    assert [w.checkbox for w in mark_checkboxes(words, page, scale=1.0)] == [False, None]
    assert mark_checkboxes(words, page, scale=1.0, settings=CheckboxSettings(frame_slack=0.0))[0].checkbox is None
