"""Tesseract itself (`extractor.layout.tesseract`): in-process and by command, the same words out."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.errors import OcrEngineError, TooLargeError
from extractor.layout import tesseract
from extractor.layout.tesseract import read_words, tessdata_dir

LINES = ["Common Stock 12,500 D", "Reporting Person Director"]


def _typed_page(lines: list[str], repeat: int = 1) -> np.ndarray:
    """A 300 dpi white page with the lines typed in 12 pt DejaVu Sans (`repeat` times down the page)."""
    font = ImageFont.truetype("DejaVuSans.ttf", 50)
    image = Image.new("L", (2400, 120 + 110 * len(lines) * repeat), 255)
    draw = ImageDraw.Draw(image)
    for i, text in enumerate(lines * repeat):
        draw.text((100, 60 + 110 * i), text, fill=0, font=font)
    return np.asarray(image)


@pytest.fixture(params=["in-process", "command"])
def engine(request, monkeypatch):
    if request.param == "in-process" and tesseract._tesserocr() is None:
        pytest.skip("tesserocr is not installed on this platform; the command is used")
    if request.param == "command":
        monkeypatch.setattr(tesseract, "_tesserocr", lambda: None)
    return request.param


def test_both_engines_read_typed_words_with_their_boxes(engine):
    words = read_words(_typed_page(LINES), lang="eng", psm=11, dpi=300, timeout=30, source="typed.png", page_number=1)

    assert [w.text for w in words] == " ".join(LINES).split()
    common = words[0]
    # The word starts where it was typed, on the first line, and is about a 50 px font high.
    assert abs(common.left - 100) <= 8 and 55 <= common.top <= 80 and 30 <= common.height <= 60
    assert all(w.confidence > 80 for w in words)
    assert words[4].top > common.top + 80  # "Reporting" is on the second line


def test_a_whitelist_keeps_only_its_characters_and_does_not_stick_to_the_engine(engine):
    page = _typed_page(["(5) Stock"])
    limited = read_words(page, lang="eng", psm=6, dpi=300, timeout=30, source="x", page_number=1,
                         whitelist="()0123456789")
    assert limited and all(set(w.text) <= set("()0123456789") for w in limited)
    assert limited[0].text == "(5)"
    free = read_words(page, lang="eng", psm=6, dpi=300, timeout=30, source="x", page_number=1)
    assert [w.text for w in free] == ["(5)", "Stock"]


def test_running_past_the_timeout_names_the_page(engine):
    page = _typed_page(LINES, repeat=12)
    with pytest.raises(TooLargeError, match=r"dense\.tiff: page 3 took over 0\.001 s to OCR"):
        read_words(page, lang="eng", psm=11, dpi=300, timeout=0.001, source="dense.tiff", page_number=3)


def test_a_language_without_data_is_an_engine_error_not_a_bad_input():
    tessdata_dir.cache_clear()
    try:
        with pytest.raises(OcrEngineError, match=r"xyz\.traineddata: Tesseract's language data was not found"):
            tessdata_dir("xyz")
    finally:
        tessdata_dir.cache_clear()


def test_tessdata_prefix_that_lacks_the_language_falls_back_to_the_system_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    tessdata_dir.cache_clear()
    try:
        found = tessdata_dir("eng")
    finally:
        tessdata_dir.cache_clear()
    assert found != tmp_path and (found / "eng.traineddata").is_file()
