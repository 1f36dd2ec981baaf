"""The PDF and OCR readers and format detection, on generated documents with known content.

Real-document tests render ../shared's EDGAR renderings to PDF (skipped when it is absent);
the rest use the made-up form of fixture_docs. Each page is OCR'd once per process.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from extractor.layout import LayoutSettings, OcrSettings, PdfSettings, decode_text, detect_format, read_layout, read_layout_file
from extractor.layout.document import Rect, Word, mark_underlines
from extractor.layout.ocr import _square_pixels, estimate_skew, ocr_page_image, prepare_page, read_image
from extractor.layout.pdf import read_pdf

from . import fixture_docs as docs
from .shared_data import RENDERING_NAMES, RENDERINGS, need

PT_PER_PX = 72.0 / docs.SCAN_DPI


def key_words(words) -> set[str]:
    """The words a recall check counts: alphanumeric, four characters or more."""
    return {w.text for w in words if w.text.isalnum() and len(w.text) >= 4}


def inside(word: Word, width: float, height: float) -> bool:
    return 0 <= word.x0 < word.x1 <= width and 0 <= word.top < word.bottom <= height


@pytest.fixture(scope="session")
def water_pdf() -> bytes:
    need(RENDERINGS / "374water-form4.html")
    return docs.rendering_pdf("374water-form4")


@pytest.fixture(scope="session")
def water(water_pdf):
    return read_pdf(water_pdf, "374water-form4.pdf", PdfSettings())


@pytest.fixture(scope="session")
def water_scan(water_pdf) -> Image.Image:
    return docs.scan_pdf_pages(water_pdf)[0]


@pytest.fixture(scope="session")
def water_ocr(water_scan):
    return read_image(docs.png_bytes(water_scan), "374water-scan.png")


@pytest.fixture(scope="session")
def made_up():
    return read_pdf(docs.made_up_pdf(), "made-up-form4.pdf")


@pytest.fixture(scope="session")
def made_up_ocr():
    return read_image(docs.png_bytes(docs.made_up_scan()), "made-up-scan.png")


# ---- born-digital PDF -------------------------------------------------------------------


def test_pdf_words_carry_the_filings_values_with_boxes_inside_their_page(water):
    assert (water.format, water.ocr, water.geometry, water.source) == ("pdf", False, "page", "374water-form4.pdf")
    assert [p.number for p in water.pages] == [1, 2]
    page = water.pages[0]
    assert page.unit == "pt" and (round(page.width), round(page.height)) == (792, 612)  # letter landscape
    texts = [w.text for w in page.words]
    for value in ("757,756", "SCWO", "04/30/2025", "Melkote", "Ramaswamy", "MORRISVILLE"):
        assert value in texts, value
    assert all(inside(w, page.width, page.height) for w in page.words)
    for p in water.pages:
        # WeasyPrint lets page 2's wide derivative table run past the right edge; those words
        # are still in the text layer (with the filing's values) and are kept, so only the
        # left, top and bottom bounds hold there.
        assert p.words and all(w.x0 >= 0 and 0 <= w.top < w.bottom <= p.height and w.page == p.number for w in p.words)
        assert all(w.confidence is None for w in p.words)  # a text layer is exact
    # The same value in two columns is two words at two places on one row.
    amounts = [w for w in page.words if w.text == "757,756"]
    assert len(amounts) == 2 and abs(amounts[0].top - amounts[1].top) < 1 and amounts[1].x0 - amounts[0].x1 > 40


def test_pdf_lines_read_left_to_right_and_are_numbered_through_the_document(water):
    lines = list(water.lines)
    assert [w.line for w in water.words] == sorted(w.line for w in water.words)
    assert {w.line for w in lines[0].words} == {1} and {w.line for w in lines[-1].words} == {len(lines)}
    assert all(a.x0 <= b.x0 for line in lines for a, b in zip(line.words, line.words[1:]))
    issuer = next(line for line in lines if "SCWO" in line.text)
    assert issuer.text.index("Ramaswamy") < issuer.text.index("SCWO")  # name column left of the ticker


def test_pdf_footnote_markers_are_separate_superscript_words(water):
    page = water.pages[0]
    amount = next(w for w in page.words if w.text == "757,756")
    marker = next(w for w in page.words if w.text == "(1)")
    assert marker.superscript and not amount.superscript
    assert 0 <= marker.x0 - amount.x1 < 1 and marker.bottom < amount.bottom
    star = next(w for w in page.words if w.text == "*")
    assert star.superscript


@pytest.mark.parametrize("name", RENDERING_NAMES)
def test_pdf_superscripts_are_exactly_the_renderings_sup_markers(name):
    html = need(RENDERINGS / f"{name}.html").read_text(encoding="utf-8")
    layout = read_pdf(docs.rendering_pdf(name), f"{name}.pdf")
    expected = Counter(re.findall(r"<sup>([^<]*)</sup>", html))
    found = Counter(part for w in layout.words if w.superscript for part in re.findall(r"\(\w+\)|\*+", w.text))
    assert found == expected
    assert not [w.text for w in layout.words if w.superscript and not re.fullmatch(r"(\(\w+\))+|\*+", w.text)]


@pytest.mark.parametrize("name", RENDERING_NAMES)
def test_pdf_of_each_rendering_has_its_issuer_symbol_and_owner(name):
    xml = need(RENDERINGS / f"{name}.xml").read_text(encoding="utf-8")
    layout = read_pdf(docs.rendering_pdf(name), f"{name}.pdf")
    texts = {w.text for w in layout.words}
    symbol = re.search(r"<issuerTradingSymbol>\s*([^<\s]+)", xml).group(1)
    owner = re.search(r"<rptOwnerName>\s*([^<]+)", xml).group(1).split()
    assert symbol in texts
    assert set(owner) <= texts
    assert len(layout.pages) >= 2 and all(p.rects for p in layout.pages[:1])


def test_pdf_keeps_ruling_lines_but_not_invisible_backgrounds(water, made_up):
    page = water.pages[0]
    assert all(0 <= r.x0 <= r.x1 <= page.width and 0 <= r.top <= r.bottom <= page.height for r in page.rects)
    # The address boxes are closed by rules across the address column under the name, street and city.
    rules = [r for r in page.rects if r.bottom - r.top <= 2 and r.x0 < 45 and 200 < r.x1 - r.x0 < 240]
    assert len({round(r.top) for r in rules}) >= 3
    # WeasyPrint paints a white box behind every span and the page; none of that is a rule.
    assert not any(r.x1 - r.x0 > 400 and r.bottom - r.top > 400 for r in page.rects)
    # The made-up table is fully ruled: a vertical rule at both edges and between each of
    # its 7 columns, spanning the row with the first transaction.
    table = made_up.pages[0]
    row = next(w for w in table.words if w.text == "12,345")
    verticals = {round(r.x0) for r in table.rects if r.x1 - r.x0 <= 2 and r.top <= row.top and r.bottom >= row.bottom}
    assert len(verticals) == 8


def test_pdf_underlined_values_and_checkbox_glyphs(water, made_up):
    words = {w.text: w for w in water.pages[0].words}
    assert words["Ramaswamy"].underline and words["Melkote"].underline
    assert not words["(Street)"].underline and not words["04/30/2025"].underline
    by_text = {w.text: w for w in made_up.words}
    assert by_text["Brambleton"].underline and by_text["Quillfeather"].underline
    assert not by_text["Common"].underline  # a cell border under it runs on past the text
    assert (by_text["☒"].checkbox, by_text["☐"].checkbox, by_text["Director"].checkbox) == (True, False, None)


def test_underline_needs_a_rule_no_longer_than_its_words():
    words = [Word("Jane", 100, 90, 125, 100), Word("Doe", 128, 90, 146, 100)]
    mark_underlines(words, [Rect(20, 104, 400, 104.5)])  # a cell border, far past the text
    assert not any(w.underline for w in words)
    mark_underlines(words, [Rect(100, 100.5, 146, 101)])
    assert all(w.underline for w in words)


# ---- OCR of scans -------------------------------------------------------------------------


def test_scan_ocr_finds_the_text_layers_words(water, water_ocr):
    assert (water_ocr.format, water_ocr.ocr, water_ocr.source) == ("image", True, "374water-scan.png")
    page = water_ocr.pages[0]
    reference = key_words(water.pages[0].words)
    found = key_words(page.words)
    recall = len(reference & found) / len(reference)
    assert recall >= 0.90, sorted(reference - found)
    texts = {w.text for w in page.words}
    assert {"SCWO", "04/30/2025", "757,756", "Ramaswamy"} <= texts


def test_scan_is_deskewed_by_the_applied_angle_and_measured_in_pixels(water_ocr, water_scan):
    page = water_ocr.pages[0]
    assert abs(page.skew_degrees - docs.SCAN_ANGLE) <= 0.3
    assert (page.unit, page.dpi) == ("px", 300.0)
    assert (page.width, page.height) == water_scan.size
    assert all(inside(w, page.width, page.height) for w in page.words)
    assert all(0.0 <= w.confidence <= 1.0 for w in page.words)
    assert statistics.median(w.confidence for w in page.words) > 0.85


def test_scan_boxes_land_where_the_pdf_has_the_same_words(water, water_ocr):
    # The scan was rotated and deskewed about the page centre, so after the deskew each
    # word should be back where the text layer has it, to within a few points.
    pdf_once = {t: w for t, w in _unique(water.pages[0].words).items() if len(t) >= 4}
    ocr_once = _unique(water_ocr.pages[0].words)
    shared = sorted(set(pdf_once) & set(ocr_once))
    assert len(shared) >= 40
    errors = [max(abs(ocr_once[t].x0 * PT_PER_PX - pdf_once[t].x0), abs(ocr_once[t].y_mid * PT_PER_PX - pdf_once[t].y_mid))
              for t in shared]
    assert statistics.median(errors) < 1.5 and sorted(errors)[int(len(errors) * 0.9)] < 4.0


def _unique(words) -> dict[str, Word]:
    counts = Counter(w.text for w in words)
    return {w.text: w for w in words if counts[w.text] == 1}


def test_ocr_keeps_the_table_rules_it_erased_and_marks_underlines(made_up_ocr, made_up):
    page = made_up_ocr.pages[0]
    texts = {w.text for w in page.words}
    assert set(docs.MADE_UP_KEY_WORDS) <= texts
    assert len(key_words(made_up.words) - texts) <= 2
    # The table: 7 columns need 8 vertical rules, and 4 horizontal ones bound its 3 rows.
    long_v = [r for r in page.rects if r.bottom - r.top > 100 and r.x1 - r.x0 < 12]
    long_h = [r for r in page.rects if r.x1 - r.x0 > 1500 and r.bottom - r.top < 12]
    assert len(long_v) >= 8 and len(long_h) >= 4
    underlined = {w.text for w in page.words if w.underline}
    assert {"Brambleton", "Kitchenware", "Quillfeather"} <= underlined and "Common" not in underlined


@pytest.mark.parametrize("angle", [-3.0, -1.3, 0.0, 0.7, 2.5, 4.2])
def test_skew_estimate_is_within_a_few_hundredths_of_a_degree(angle):
    page = docs.render_pages(docs.made_up_pdf(), dpi=150)[0]
    tilted = np.asarray(docs.scan(page, angle))
    assert estimate_skew(tilted) == pytest.approx(angle, abs=0.1)


def test_multi_page_tiff_gives_one_page_per_frame():
    second = docs.scan_pdf_pages(docs.not_a_form_pdf(), angle=-0.5)[0]
    layout = read_image(docs.tiff_bytes([docs.made_up_scan(), second]), "two-pages.tif")
    assert [p.number for p in layout.pages] == [1, 2]
    assert all(w.page == p.number for p in layout.pages for w in p.words)
    assert "Brambleton" in {w.text for w in layout.pages[0].words}
    assert {"Pelicorn", "orchards"} <= {w.text for w in layout.pages[1].words}
    assert abs(layout.pages[1].skew_degrees + 0.5) <= 0.3
    lines = [w.line for w in layout.words]
    assert lines == sorted(lines) and min(w.line for w in layout.pages[1].words) > max(w.line for w in layout.pages[0].words)


def test_jpeg_scan_reads_like_the_png():
    layout = read_layout(docs.jpeg_bytes(docs.made_up_scan()), "made-up.jpg")
    assert layout.format == "image" and layout.pages[0].dpi == 300.0
    assert set(docs.MADE_UP_KEY_WORDS) <= {w.text for w in layout.words}


def test_image_only_pdf_is_a_scan_pdf_read_by_ocr_in_points():
    data = docs.image_pdf([docs.made_up_scan()])
    layout = read_layout(data, "scanned.pdf")
    assert (layout.format, layout.ocr) == ("scan-pdf", True)
    page = layout.pages[0]
    assert (page.unit, page.dpi) == ("pt", 300.0)
    assert (round(page.width), round(page.height)) == (612, 792)  # letter, from the image's 300 dpi
    assert set(docs.MADE_UP_KEY_WORDS) <= {w.text for w in page.words}
    assert all(inside(w, page.width, page.height) for w in page.words)
    assert abs(page.skew_degrees - docs.SCAN_ANGLE) <= 0.3


def test_pdf_with_a_text_page_and_a_scanned_page_ocrs_only_the_scan():
    import io

    import pikepdf

    scanned = docs.image_pdf([docs.scan_pdf_pages(docs.not_a_form_pdf())[0]])
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(docs.made_up_pdf())) as first, pikepdf.open(io.BytesIO(scanned)) as second:
        first.pages.extend(second.pages)
        first.save(out)
    layout = read_layout(out.getvalue(), "mixed.pdf")
    assert (layout.format, layout.ocr, len(layout.pages)) == ("pdf", True, 2)
    text_page, scan_page = layout.pages
    assert all(w.confidence is None for w in text_page.words) and text_page.skew_degrees is None
    assert all(w.confidence is not None for w in scan_page.words) and "Pelicorn" in {w.text for w in scan_page.words}


def test_photo_and_blank_page_give_few_or_no_words_without_error():
    photo = read_image(docs.png_bytes(docs.photo()), "holiday.png")
    assert len(list(photo.words)) < 15 and photo.pages[0].skew_degrees == 0.0
    blank = read_image(docs.png_bytes(docs.blank_page()), "blank.png")
    assert list(blank.words) == [] and blank.pages[0].skew_degrees == 0.0


def test_images_of_every_mode_are_read():
    page = docs.made_up_scan().crop((100, 180, 1800, 420))  # the title lines only: quick to OCR
    for mode in ("1", "L", "RGB", "RGBA", "P", "I;16"):
        image = page.convert(mode) if mode != "I;16" else Image.fromarray(np.asarray(page).astype(np.uint16) * 257)
        words = {w.text for w in ocr_page_image(image, 1, OcrSettings()).words}
        assert "STATEMENT" in words or "FORM" in words, mode


def test_fax_read_as_jagged_one_bit_print_is_smoothed_and_enlarged_to_400_dpi():
    """Faxes OCR'd at their own 200 dpi lost most small print (dev faxes 0.495 field F1, 0.584 smoothed)."""
    page = docs.render_pages(docs.made_up_pdf(), dpi=200)[0].convert("L")
    one_bit = page.point(lambda v: 255 if v >= 150 else 0).convert("1")
    prepared = prepare_page(one_bit, 200.0, OcrSettings())
    assert prepared.scale == 2.0 and prepared.levelled.shape == (2 * page.height, 2 * page.width)
    assert len(np.unique(prepared.levelled)) > 2  # grey edges, not stair steps
    # Grey pages are read at their own size, as before; one-bit ones at 400 dpi.
    assert prepare_page(page, 200.0, OcrSettings()).scale == 1.0
    assert prepare_page(one_bit, 300.0, OcrSettings()).scale == pytest.approx(4 / 3)
    assert prepare_page(one_bit, 400.0, OcrSettings()).scale == 1.0
    assert prepare_page(one_bit, 200.0, OcrSettings(smooth_bilevel=False)).scale == 1.0
    # A fax as sent (200 x 100 dpi) gets its lines repeated, so it stays one-bit and is smoothed too.
    sent = one_bit.resize((page.width, page.height // 2), Image.Resampling.NEAREST)
    square = _square_pixels(sent.copy(), {"dpi": (200, 100)})  # it closes the frame it stretched
    assert square.size == (page.width, 2 * (page.height // 2)) and set(np.unique(np.asarray(square))) == {0, 255}
    buf = io.BytesIO()
    sent.save(buf, "TIFF", dpi=(200, 100), compression="group4")
    layout = read_image(buf.getvalue(), "sent.tiff")
    assert layout.pages[0].height == square.height
    assert len(set(docs.MADE_UP_KEY_WORDS) & {w.text for w in layout.words}) >= 6


# ---- format detection and dispatch --------------------------------------------------------


@pytest.mark.parametrize(("make", "expected"), [
    (lambda: docs.made_up_pdf(), "pdf"),
    (lambda: b"From: scanner@example.com\r\n\r\n" + docs.made_up_pdf(), "pdf"),
    (lambda: docs.png_bytes(docs.blank_page(10, 10)), "image"),
    (lambda: docs.jpeg_bytes(docs.blank_page(10, 10)), "image"),
    (lambda: docs.tiff_bytes([docs.blank_page(10, 10)]), "image"),
    (lambda: _saved(docs.blank_page(10, 10), "GIF"), "image"),
    (lambda: _saved(docs.blank_page(10, 10), "BMP"), "image"),
    (lambda: _saved(docs.blank_page(10, 10).convert("RGB"), "WEBP"), "image"),
    (lambda: b'<?xml version="1.0"?>\n<ownershipDocument><schemaVersion>X0508</schemaVersion></ownershipDocument>', "xml"),
    (lambda: b"<SEC-DOCUMENT>0000000000-31-000001.txt\n<DOCUMENT>\n<TYPE>4\n<TEXT>\n<XML>\n"
             b"<ownershipDocument></ownershipDocument>\n</XML>\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n", "xml"),
    (lambda: docs.MADE_UP_FORM_HTML.encode(), "html"),
    (lambda: b"<table><tr><td>1. Title of Security</td><td>Common Stock</td></tr></table>", "html"),
    (lambda: b"**FORM 4**\n\n1. Name <u>Quillfeather Marigold T</u>\n", "markdown"),
    (lambda: b"Price <sup>(1)</sup>\t<input checked type=checkbox/> Director\n", "markdown"),
    (lambda: b"| Title | Date |\n|---|---|\n| Common Stock | 02/17/2031 |\n", "markdown"),
    (lambda: b"# FORM 4\n\nSTATEMENT OF CHANGES\n", "markdown"),
    (lambda: docs.NOT_A_FORM_TEXT.encode(), "text"),
    (lambda: "Caf\u00e9 \u2013 Form 4\nPrice: $8.25\n".encode("cp1252"), "text"),
    (lambda: "FORM 4\r\nName: Quillfeather\r\n".encode("utf-16"), "text"),
    # A text dump that ran the form's footer lines together: its "**" are the form's asterisks, not bold.
    (lambda: b"FORM 4\n** Intentional misstatements constitute Violations ** Signature of Reporting Person Date\n", "text"),
])
def test_detect_format_from_content(make, expected):
    assert detect_format(make(), "input.bin") == expected


def _saved(image: Image.Image, kind: str) -> bytes:
    import io

    buf = io.BytesIO()
    image.save(buf, kind)
    return buf.getvalue()


def test_detect_format_ignores_the_file_name(tmp_path):
    path = tmp_path / "looks-like-text.txt"
    path.write_bytes(docs.made_up_pdf())
    layout = read_layout_file(path)
    assert layout.format == "pdf" and layout.source == str(path)


def test_decode_text_honours_byte_order_marks_and_falls_back_to_windows_1252():
    text = "Quillfeather – 12,345 shares"
    assert decode_text(b"\xef\xbb\xbf" + text.encode()) == text
    assert decode_text(text.encode("utf-16")) == text
    assert decode_text(b"\xfe\xff" + text.encode("utf-16-be")) == text
    assert decode_text(text.encode("cp1252")) == text
    assert decode_text(text.encode()) == text


def test_read_layout_dispatches_text_formats_to_their_readers():
    assert read_layout(b"**FORM 4**\n\nName <u>Quillfeather</u>\n", "a.md").format == "markdown"
    assert read_layout(docs.NOT_A_FORM_TEXT.encode(), "a.txt").format == "text"
    assert read_layout(docs.MADE_UP_FORM_HTML.encode(), "a.htm").format == "html"


def test_settings_validate_themselves():
    for bad in (lambda: PdfSettings(max_pages=0), lambda: PdfSettings(ocr_dpi=20),
                lambda: PdfSettings(min_text_chars=-1), lambda: OcrSettings(psm=5), lambda: OcrSettings(lang="eng;rm"),
                lambda: OcrSettings(max_pixels=10), lambda: OcrSettings(max_frames=0), lambda: OcrSettings(timeout=-1),
                lambda: LayoutSettings(max_bytes=0)):
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(Exception):
        PdfSettings().max_pages = 3  # frozen


def test_bracket_boxes_are_checkboxes_not_words_in_pdf_and_text():
    """Typewritten forms print "[_]" for an empty box: read as a word, the model tagged it with the
    box's field and checked every relationship box of such forms."""
    line = "[_] Director   [X] Officer (give title below)   [ ] 10% Owner"
    html = f"<html><body style='font-family: DejaVu Sans Mono; font-size: 10pt'><p>{line}</p></body></html>"
    for layout in (read_layout(docs.html_to_pdf(html), "boxes.pdf"), read_layout(line.encode(), "boxes.txt")):
        boxes = {w.text: w.checkbox for page in layout.pages for ln in page.lines for w in ln.words
                 if w.checkbox is not None}
        assert boxes.get("[_]") is False and boxes.get("[X]") is True, boxes
        assert all(w.checkbox is None for page in layout.pages for ln in page.lines for w in ln.words
                   if w.text in ("Director", "Officer", "10%"))


def test_layout_keeping_text_dump_keeps_the_gap_between_two_fields_on_a_line():
    layout = read_layout(b"ADAMS JOHN K JR        SCHWAB CHARLES CORP [ SCHW ]\nADAMS JOHN K JR SCHWAB CHARLES CORP [ SCHW ]\n", "dump.txt")
    spaced, single = (line.words for line in layout.pages[0].lines)
    gap = [words[4].x0 - words[3].x1 for words in (spaced, single)]
    assert gap[0] > 4 * gap[1]
    assert [w.text for w in spaced] == [w.text for w in single]


def test_only_a_layout_keeping_dump_gives_its_words_character_columns():
    kept = b"Name        Date      Amount\nSmith J     01/02/23  100\nDoe A       01/02/23  50\n            01/03/23  200\n"
    words = list(read_layout(kept, "kept.txt").words)
    assert [(w.text, w.column) for w in words if w.text in ("Date", "01/02/23", "01/03/23", "200")] == [
        ("Date", 12), ("01/02/23", 12), ("01/02/23", 12), ("01/03/23", 12), ("200", 22)]
    single = b"Name Date Amount\nSmith J 01/02/23 100\nDoe A 01/02/23 50\n01/03/23 200\n"
    assert {w.column for w in read_layout(single, "single.txt").words} == {None}
    cells = b"Name\tDate\nSmith J\t01/02/23\nDoe A\t01/03/23\n"
    assert {w.column for w in read_layout(cells, "cells.txt").words} == {None}


def test_empty_bracket_box_with_a_space_is_one_checkbox_word_not_two_brackets():
    """The reader kept the space of "[ ]" with a no-break space, which regular expressions count as
    whitespace: the box came out as the words "[" and "]"."""
    for text in ("[X] Director   [ ] Officer", "[X] Director [ ] Officer"):
        words = list(read_layout(text.encode(), "boxes.txt").words)
        assert [(w.text, w.checkbox) for w in words] == [("[X]", True), ("Director", None), ("[ ]", False),
                                                        ("Officer", None)]
