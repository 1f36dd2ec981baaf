"""OCR's second pass: markers glued to words, and unread ink (made-up geometry, no corpus text)."""

from __future__ import annotations

import numpy as np
import pytest

from extractor.layout.ocr import OcrSettings
from extractor.layout.second_pass import Box, _hollow_square, _tail_start


def _glyphs(*boxes: tuple[int, int, int, int]) -> list[Box]:
    return [Box(*b) for b in boxes]


def test_garbled_marker_tail_is_found_after_the_word():
    # "G(1)": a capital on the baseline at 40, then "(", "1", ")" raised to end at 28.
    glyphs = _glyphs((0, 10, 20, 40), (24, 6, 28, 28), (29, 8, 34, 26), (35, 6, 39, 28))
    assert _tail_start(glyphs) == 1


def test_two_markers_after_a_lowercase_word_are_one_tail():
    word = [(i * 12, 18 if i % 2 else 10, i * 12 + 10, 40) for i in range(5)]
    markers = [(62 + i * 5, 4, 65 + i * 5, 26) for i in range(6)]  # "(2)(3)"
    assert _tail_start(_glyphs(*word, *markers)) == 5


def test_word_without_raised_tail_is_left_alone():
    # "Stock": every glyph on the baseline; an i's dot is raised but not after the word.
    assert _tail_start(_glyphs((0, 10, 10, 40), (12, 18, 22, 40), (24, 18, 34, 40))) is None
    assert _tail_start(_glyphs((0, 18, 4, 40), (0, 8, 4, 13))) is None


def test_empty_checkbox_is_not_read_as_text():
    ink = np.zeros((40, 40), dtype=bool)
    ink[5:35, 5:8] = ink[5:35, 32:35] = ink[5:8, 5:35] = ink[32:35, 5:35] = True
    assert _hollow_square(ink, Box(5, 5, 35, 35), height=30)
    ink[15:25, 15:25] = True  # a tick inside: not empty
    assert not _hollow_square(ink, Box(5, 5, 35, 35), height=30)


def test_reread_crops_must_be_a_bounded_count():
    assert OcrSettings(reread_crops=0).reread_crops == 0
    with pytest.raises(ValueError, match="reread_crops"):
        OcrSettings(reread_crops=-1)
