"""The scan and fax simulator, label transfer onto real OCR words, and the text channels.

Documents are made up here (tests/fixture_docs.py's form); OCR is real Tesseract through
`read_layout`, kept to three pages in all because each costs a second or more.
"""

from __future__ import annotations

import functools
import io
import random

import numpy as np
import pytest
from PIL import Image

from extractor.layout import detect_format, read_layout
from extractor.layout.ocr import estimate_skew, to_grey
from extractor.synth.channels import html_markdown, pdf_layout_text, pdf_text, seed_style_markdown
from extractor.synth.labels import FORM_LABEL, OTHER, WordLabel
from extractor.synth.scan import (
    FAX_DPI, Affine, ScanSettings, layout_transforms, scan_preset, scan_to_pdf, scan_to_png_pages, scan_to_tiff,
    simulate_scan, transfer_labels,
)

from .fixture_docs import MADE_UP_FORM_HTML, MADE_UP_KEY_WORDS, html_to_pdf, made_up_pdf

# Fields of a few words of the made-up form, as a rendering's exact labels would give them.
KNOWN_FIELDS = {
    "Quillfeather": "owners.0.name",
    "Brambleton": "issuer.name",
    "BKWH": "issuer.ticker",
    "12,345": "non_derivative.0.shares",
    "67,890": "non_derivative.0.shares_owned_following",
    "65,390": "non_derivative.1.shares_owned_following",
}
SECOND_PAGE_WORDS = ("Hollowmere", "Vantablue", "Orchardine")


@functools.cache
def two_page_pdf() -> bytes:
    """The made-up form, then a short second page, so a scan has more than one page."""
    second = (f"<div style='page-break-before: always; font-size: 14pt'><p>Continuation sheet</p>"
              f"<p>Remarks: {' '.join(SECOND_PAGE_WORDS)} partners</p></div></body>")
    return html_to_pdf(MADE_UP_FORM_HTML.replace("</body>", second))


def exact_labels(pdf: bytes) -> list[WordLabel]:
    """Every word of the PDF's text layer, the known ones with their field and the rest as form text."""
    labels = []
    for word in read_layout(pdf).words:
        field = KNOWN_FIELDS.get(word.text, "remarks" if word.text in SECOND_PAGE_WORDS else FORM_LABEL)
        labels.append(WordLabel(page=word.page, text=word.text, bbox=word.bbox, field=field,
                                table="I" if field.startswith("non_derivative") else None))
    return labels


# Settings, presets, the affine map.


@pytest.mark.parametrize("bad", [
    dict(dpi=100), dict(dpi=600), dict(mode="colour"), dict(max_skew_deg=2.5), dict(blur=-1),
    dict(mode="bilevel", jpeg_quality=80), dict(jpeg_quality=5), dict(fax=True),
    dict(fax=True, mode="bilevel", dpi=300), dict(threshold=250), dict(speckle=0.5),
])
def test_settings_refuse_values_out_of_range(bad):
    with pytest.raises(ValueError):
        ScanSettings(**bad)


def test_presets_are_valid_and_drawn_from_the_rng_alone():
    scans = [scan_preset("scan", random.Random(seed)) for seed in range(40)]
    assert scans == [scan_preset("scan", random.Random(seed)) for seed in range(40)]
    assert {s.mode for s in scans} == {"grey", "bilevel"} and len({s.dpi for s in scans}) >= 3
    assert any(s.jpeg_quality for s in scans) and any(s.stamps for s in scans) and any(s.marks for s in scans)
    fax = scan_preset("fax", random.Random(1))
    assert fax.fax and fax.mode == "bilevel" and fax.dpi == FAX_DPI[0]
    with pytest.raises(ValueError):
        scan_preset("photocopy", random.Random(0))


def test_affine_composes_in_order_and_boxes_rotated_corners():
    scale, shift = Affine(a=2.0, e=2.0), Affine(c=10.0, f=-5.0)
    assert scale.then(shift).point(1.0, 1.0) == (12.0, -3.0)
    assert shift.then(scale).point(1.0, 1.0) == (22.0, -8.0)
    quarter = Affine(a=0.0, b=-1.0, d=1.0, e=0.0)  # 90 degrees
    assert quarter.box((0.0, 0.0, 4.0, 2.0)) == (-2.0, 0.0, 0.0, 4.0)


# The simulator, without OCR.


def test_same_seed_gives_the_same_pixels_and_another_seed_does_not():
    settings = ScanSettings(dpi=150, noise=9, blur=0.5, salt_pepper=1e-4, jpeg_quality=60, stamps=True, marks=True)
    one, again, other = (simulate_scan(made_up_pdf(), settings, seed) for seed in (5, 5, 6))
    assert [p.image.tobytes() for p in one.pages] == [p.image.tobytes() for p in again.pages]
    assert [p.transform for p in one.pages] == [p.transform for p in again.pages]
    assert one.pages[0].image.tobytes() != other.pages[0].image.tobytes()
    assert one.pages[0].skew_deg != other.pages[0].skew_deg


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_skew_stays_within_bounds_and_the_readers_deskew_finds_it(seed):
    scan = simulate_scan(made_up_pdf(), ScanSettings(dpi=150, max_skew_deg=2.0), seed)
    page = scan.pages[0]
    assert abs(page.skew_deg) <= 2.0
    assert estimate_skew(to_grey(page.image)) == pytest.approx(page.skew_deg, abs=0.1)


def test_transform_puts_a_printed_word_on_its_ink():
    pdf = made_up_pdf()
    scan = simulate_scan(pdf, ScanSettings(dpi=200, max_skew_deg=2.0, mode="bilevel"), 3)
    word = next(w for w in read_layout(pdf).words if w.text == "Quillfeather")
    x0, top, x1, bottom = (round(v) for v in scan.pages[0].transform.box(word.bbox))
    ink = np.asarray(scan.pages[0].image.convert("L"))[top:bottom, x0:x1] < 128
    assert 0.05 < ink.mean() < 0.6  # letters, not blank paper and not a black bar
    assert ink[:, : ink.shape[1] // 4].any() and ink[:, -ink.shape[1] // 4 :].any()  # the whole word is inside


def test_fax_is_bilevel_and_sent_at_two_to_one():
    scan = simulate_scan(made_up_pdf(), scan_preset("fax", random.Random(4)), 4)
    page = scan.pages[0]
    assert page.raw.mode == "1" and page.image.mode == "1"
    assert set(np.unique(np.asarray(page.raw.convert("L")))) == {0, 255}
    width, height = page.raw.size
    assert width == page.image.width == round(8.5 * FAX_DPI[0])
    assert height == round(11 * FAX_DPI[1]) and page.image.height == 2 * height
    raw = Image.open(io.BytesIO(scan_to_tiff(scan, raw_fax=True)))
    assert raw.info["compression"] == "group4" and tuple(round(v) for v in raw.info["dpi"]) == FAX_DPI


def test_stamps_and_marks_leave_the_text_readable():
    pdf = made_up_pdf()
    plain = simulate_scan(pdf, ScanSettings(dpi=150, max_skew_deg=0), 8)
    marked = simulate_scan(pdf, ScanSettings(dpi=150, max_skew_deg=0, stamps=True, marks=True), 8)
    before = np.asarray(plain.pages[0].image) < 128
    after = np.asarray(marked.pages[0].image) < 128
    assert (after & ~before).sum() > 2000  # a stamp and strokes were drawn
    text_ink = before.sum()
    assert (before & ~after).sum() == 0 and (after & before).sum() == text_ink
    # Of the boxes of the printed words, hardly any gets new ink.
    words = [w for w in read_layout(pdf).words]
    hit = 0
    for w in words:
        x0, top, x1, bottom = (round(v) for v in plain.pages[0].transform.box(w.bbox))
        hit += bool((after & ~before)[top:bottom, x0:x1].any())
    assert hit <= 0.05 * len(words)


def test_tiff_pdf_and_png_outputs_keep_pages_and_dpi():
    scan = simulate_scan(two_page_pdf(), ScanSettings(dpi=150, mode="bilevel"), 1)
    tiff = Image.open(io.BytesIO(scan_to_tiff(scan)))
    assert tiff.n_frames == 2 and tiff.info["compression"] == "group4"
    pngs = scan_to_png_pages(scan)
    assert len(pngs) == 2 and round(Image.open(io.BytesIO(pngs[1])).info["dpi"][0]) == 150
    pdf = scan_to_pdf(scan)
    assert detect_format(pdf, "scan.pdf") == "pdf"
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 2 and not doc.pages[0].chars
        assert float(doc.pages[0].width) == pytest.approx(612, abs=1)


# Real OCR: three pages in all.


def test_multi_page_tiff_reads_back_with_real_ocr_and_labels_transfer():
    pdf = two_page_pdf()
    scan = simulate_scan(pdf, ScanSettings(dpi=300, noise=6, blur=0.5, max_skew_deg=1.5, stamps=True), 11)
    layout = read_layout(scan_to_tiff(scan), "scan.tiff")
    assert layout.format == "image" and layout.ocr and len(layout.pages) == 2
    first = {w.text for w in layout.pages[0].words}
    assert sum(k in first for k in MADE_UP_KEY_WORDS) >= len(MADE_UP_KEY_WORDS) - 1
    assert sum(k in {w.text for w in layout.pages[1].words} for k in SECOND_PAGE_WORDS) >= 2

    labels = transfer_labels(exact_labels(pdf), scan, layout)
    assert [label.text for label in labels] == [w.text for w in layout.words]
    by_text = {(label.page, label.text): label for label in labels}
    for text, field in KNOWN_FIELDS.items():
        if (1, text) in by_text:
            assert by_text[(1, text)].field == field, text
    assert by_text[(1, "12,345")].table == "I"
    assert any(label.page == 2 and label.field == "remarks" for label in labels)
    # Printed words are labelled; only the stamp's and other stray words are OTHER.
    assert sum(label.field == OTHER for label in labels) <= 0.1 * len(labels)


def test_image_only_pdf_of_a_bilevel_scan_labels_words_in_points():
    pdf = made_up_pdf()
    scan = simulate_scan(pdf, ScanSettings(dpi=200, mode="bilevel", max_skew_deg=2.0, marks=True), 2)
    layout = read_layout(scan_to_pdf(scan), "scan.pdf")
    assert layout.format == "scan-pdf" and layout.pages[0].unit == "pt"
    transform = layout_transforms(scan, layout)[0]
    # Through the scan and the reader's own deskew, PDF points come back to points.
    assert transform.a == pytest.approx(1.0, abs=0.01) and abs(transform.b) < 0.005
    labels = transfer_labels(exact_labels(pdf), scan, layout)
    found = {label.text: label.field for label in labels}
    assert found.get("Brambleton") == "issuer.name" and found.get("67,890") == KNOWN_FIELDS["67,890"]
    printed = {w.text for w in read_layout(pdf).words}
    agree = [label for label in labels if label.text in printed]
    assert sum(label.field != OTHER for label in agree) >= 0.95 * len(agree)


def test_ocr_word_merged_from_two_printed_words_takes_the_larger_part():
    from extractor.layout.document import Layout, Page, Word, group_lines

    scan = simulate_scan(made_up_pdf(), ScanSettings(dpi=150, max_skew_deg=0, max_shift_in=0), 0)
    to_px = scan.pages[0].transform
    big = WordLabel(page=1, text="67,890", bbox=(100, 100, 160, 110), field="non_derivative.0.shares")
    small = WordLabel(page=1, text="(1)", bbox=(160, 100, 170, 110), field="footnote_ref")
    merged_box = to_px.box((101, 101, 169, 109))
    stray_box = to_px.box((300, 500, 330, 510))
    words = [Word("67,890(1)", *merged_box), Word("~~", *stray_box)]
    image = scan.pages[0].image
    page = Page(number=1, width=float(image.width), height=float(image.height),
                lines=group_lines(words, 1), unit="px", skew_degrees=0.0)
    labels = transfer_labels([big, small], scan, Layout(pages=[page], source="t", format="image", ocr=True))
    assert {label.text: label.field for label in labels} == {"67,890(1)": "non_derivative.0.shares", "~~": OTHER}


# Text channels.


def test_pdf_text_channels_read_back_as_text_with_the_values():
    pdf = two_page_pdf()
    for text in (pdf_text(pdf), pdf_layout_text(pdf)):
        assert text.count("\f") == 1
        assert detect_format(text.encode(), "dump.txt") == "text"
        words = [w.text for w in read_layout(text.encode(), "dump.txt").words]
        # A footnote marker set close after its number comes out glued to it ("12,345(1)").
        assert all(any(w.startswith(k) for w in words) for k in MADE_UP_KEY_WORDS)
        assert set(SECOND_PAGE_WORDS) <= set(words)


def test_markdownify_channel_reads_back_as_markdown_with_the_values():
    markdown = html_markdown(MADE_UP_FORM_HTML)
    assert detect_format(markdown.encode(), "x.md") == "markdown"
    words = [w.text for w in read_layout(markdown.encode(), "x.md").words]
    assert all(any(w.startswith(k) for w in words) for k in MADE_UP_KEY_WORDS)  # markers glued on, as above


def test_seed_style_markdown_writes_the_sample_converters_style():
    html = """<html><body>
    <table><tr><td colspan="2"><b>Table I - Made-up Holdings</b></td></tr>
      <tr><td>1. Name<sup>*</sup> <a href="/x">Quillfeather Marigold</a></td>
          <td>5. Relationship <table><tr><td>X</td><td>Director</td><td></td><td>Officer</td></tr></table></td></tr>
      <tr><td rowspan="2">3. Date<br><span class="FormData">02/17/2031</span></td><td>Code</td></tr>
      <tr><td>P</td></tr></table>
    <table><thead><tr><th>Title</th><th>Price</th><th>Owned</th></tr></thead>
      <tbody><tr><td><span class="FormData">Common</span></td>
      <td><span class="FormText">$</span><span class="FormData">8.25</span><span class="FootnoteData"><sup>(1)</sup></span></td>
      <td><span class="FormData">67,890</span></td></tr></tbody></table>
    <p>** Signature of <i>Reporting</i> Person</p><p>Line one<br>line two</p>
    </body></html>"""
    assert seed_style_markdown(html) == (
        "**Table I - Made-up Holdings**\n\n"
        "1. Name* <u>Quillfeather Marigold</u>\t5. Relationship <input checked=\"\" type=\"checkbox\"/> Director Officer\n"
        "3. Date <u>02/17/2031</u>\tCode\n"
        "\tP\n\n"
        "Title\tPrice\tOwned\n"
        "Common\t\\$8.25 <sup>(1)</sup>\t67,890\n\n"
        "\\*\\* Signature of Reporting Person\n\n"
        "Line one  \nline two\n"
    )


def test_seed_style_markdown_reads_back_with_values_boxes_and_markers():
    markdown = seed_style_markdown(MADE_UP_FORM_HTML)
    assert detect_format(markdown.encode(), "x.md") == "markdown"
    layout = read_layout(markdown.encode(), "x.md")
    words = list(layout.words)
    assert set(MADE_UP_KEY_WORDS) <= {w.text for w in words}
    underlined = {w.text for w in words if w.underline}
    assert {"Quillfeather", "Brambleton", "BKWH"} <= underlined
    assert any(w.superscript and w.text == "(1)" for w in words)
    assert any(w.checkbox is True for w in words)
    table_row = next(line for line in layout.lines if "12,345" in line.text)
    assert len({w.cell for w in table_row.words}) == 7  # one cell per column, as tabs
