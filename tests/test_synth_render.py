"""Rendered forms: deterministic, every family and form type, labels that agree with pdfplumber word for word."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import html as lxml_html

from extractor.layout import read_layout
from extractor.records import Record, Value
from extractor.scoring import NOT_PRINTED
from extractor.synth.canvas import Piece, Sheet, Slot, Style, draw_text, font_pairs, set_text
from extractor.synth.fake import FakeSettings, make_record
from extractor.synth.labels import FOOTNOTE_REF, Rendering
from extractor.synth.printed import Formats, FormKind, date_text, form_kind, number_text, table_leaves
from extractor.synth.render import FAMILIES, RenderSettings, render, text_layer_agreement

# Fields a rendered form has no place for, beyond the ones scoring already leaves out.
UNPRINTED = ("transaction_form_type", "transaction_timeliness", "no_securities_owned", "joint_filing")


def printed_columns(kind: FormKind, table: str) -> set[str]:
    keys = {leaf.key for leaf in table_leaves(kind, table)}
    if "v_flag" in keys:
        keys.add("equity_swap_involved")
    if "shares_acquired" in keys:
        keys |= {"shares", "acquired_disposed"}
    alternatives = {"shares": "total_value", "shares_owned_following": "value_owned_following",
                    "underlying_shares": "underlying_value"}
    return keys | {alt for key, alt in alternatives.items() if key in keys}


def missing_fields(record: Record, rendering: Rendering) -> list[str]:
    """Every value the form prints that no label carries (footnote-only cells: no marker label for the cell)."""
    kind = form_kind(record)
    fields = {w.field for w in rendering.words}
    refs = {(w.table, w.row, w.column) for w in rendering.words if w.field == FOOTNOTE_REF}
    columns = {"non_derivative": printed_columns(kind, "I"), "derivative": printed_columns(kind, "II")}
    missing = []
    for path, value in record.values():
        parts = path.split(".")
        skip = [s for s in NOT_PRINTED if s not in ("equity_swap_involved", "total_value", "value_owned_following",
                                                   "underlying_value")]
        if not value.present or parts[-1] in UNPRINTED or any(path.endswith(s) or s + "." in path for s in skip):
            continue
        if value.value is False and not value.footnote_ids:
            continue  # an unchecked box may print nothing
        if path in ("not_subject_to_section16", "aff10b5_one") and kind.base == "3":
            continue
        if path in ("form3_holdings_reported", "form4_transactions_reported") and kind.base != "5":
            continue
        cell = None
        if parts[0] in columns:
            if parts[2] not in columns[parts[0]]:
                continue
            if parts[0] == "derivative" and parts[2] == "acquired_disposed" and kind.base != "3":
                if not value.footnote_ids:
                    continue  # said by the (A) or (D) column the amount is printed in
                value = Value(value=None, footnote_ids=value.footnote_ids)
            cell = ("I" if parts[0] == "non_derivative" else "II", int(parts[1]), parts[2])
        if value.value is not None and path not in fields:
            missing.append(path)
        elif value.value is None and (cell or (None, None, path)) not in refs:
            missing.append(path + " (marker)")
    return missing


@pytest.fixture(scope="module")
def records() -> dict[str, Record]:
    return {
        "form3": make_record(FakeSettings(seed=31, document_type="3", multi_owner=True)),
        "form4": make_record(FakeSettings(seed=41, document_type="4/A")),
        "form5": make_record(FakeSettings(seed=51, document_type="5")),
        "long": make_record(FakeSettings(seed=61, document_type="4", derivative_heavy=True, min_rows=40, max_rows=50,
                                         multi_owner=True, long_remarks=True)),
    }


@pytest.fixture(scope="module")
def renderings(records: dict[str, Record]) -> dict[tuple[str, str], Rendering]:
    return {(family, name): render(record, family, seed=7 + i)
            for family in FAMILIES for i, (name, record) in enumerate(records.items())}


@pytest.mark.parametrize("family", FAMILIES)
def test_same_seed_same_bytes_other_seed_other_document(records: dict[str, Record], family: str) -> None:
    first, again = render(records["form4"], family, 3), render(records["form4"], family, 3)
    assert first.pdf == again.pdf and first.words == again.words and first.variation == again.variation
    others = [render(records["form4"], family, seed) for seed in (4, 5, 6)]
    assert any(other.variation != first.variation for other in others)
    assert all(other.pdf != first.pdf for other in others)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_form_type_renders_with_labels_matching_pdfplumber(
        records: dict[str, Record], renderings: dict[tuple[str, str], Rendering], family: str) -> None:
    for name, record in records.items():
        rendering = renderings[(family, name)]
        assert rendering.family == family and rendering.pages >= 1 and rendering.pdf.startswith(b"%PDF")
        matched, total = text_layer_agreement(rendering)
        assert total > 300 and matched / total >= 0.99, (name, matched, total)
        assert len(rendering.words) == total  # no label for a word pdfplumber does not see
        assert missing_fields(record, rendering) == [], name
        kind = form_kind(record)
        assert any(w.field == "document_type" and w.text.startswith(kind.base) for w in rendering.words)


@pytest.mark.parametrize("family", FAMILIES)
def test_long_table_breaks_across_pages_with_rows_on_both(renderings: dict[tuple[str, str], Rendering], family: str) -> None:
    rendering = renderings[(family, "long")]
    assert rendering.pages >= 2
    pages_with_rows = {w.page for w in rendering.words if w.table == "II" and w.field != "label"}
    assert len(pages_with_rows) >= 2
    owners = {w.field.split(".")[1] for w in rendering.words if w.field.startswith("owners.") and w.field.endswith(".name")}
    assert len(owners) >= 2  # every owner of the joint filing is printed


def test_multi_word_values_label_every_word_with_their_field(records: dict[str, Record],
                                                             renderings: dict[tuple[str, str], Rendering]) -> None:
    record = records["long"]
    title = record.derivative[0].security_title.value
    for family in FAMILIES:
        words = [w.text for w in renderings[(family, "long")].words if w.field == "derivative.0.security_title"]
        assert "".join(words) == "".join(title.split()), family  # wrapped, maybe cut, never lost or mixed


def test_glued_marker_joins_its_value_only_in_the_same_font_and_size() -> None:
    font = font_pairs("sans")[0].regular
    value, small = Style(font, 9.0), Style(font, 6.0)
    sheet = Sheet(300, 200)
    for top, marker_style, rise in ((20.0, value, 0.0), (60.0, small, 3.0)):
        pieces = [Piece("757,756", value, Slot("non_derivative.0.shares", "I", 0, "shares")),
                  Piece("(1)", marker_style, Slot(FOOTNOTE_REF, "I", 0, "shares"), glue=True, rise=rise)]
        draw_text(sheet, set_text(pieces, 200.0), 20.0, top, 200.0)
    pdf = sheet.finish()
    assert [w.text for w in sheet.labels] == ["757,756(1)", "757,756", "(1)"]
    read = sorted((w.text for w in read_layout(pdf, "glue.pdf").words))
    assert read == sorted(w.text for w in sheet.labels)


def test_value_formats() -> None:
    day = dt.date(2023, 1, 5)
    assert [date_text(day, Formats(date=f)) for f in ("mdy", "iso", "words", "mdy_short")] == [
        "01/05/2023", "2023-01-05", "Jan 5, 2023", "1/5/2023"]
    assert number_text(Decimal("1234567.5"), Formats(thousands=True)) == "1,234,567.5"
    assert number_text(Decimal("1234567.5"), Formats(thousands=False)) == "1234567.5"
    assert number_text(Decimal("12.5"), Formats(cents=True), price=True) == "12.50"
    assert number_text(Decimal("12.125"), Formats(cents=True), price=True) == "12.125"


def test_edgar_html_is_structured_like_the_real_rendering(records: dict[str, Record],
                                                          renderings: dict[tuple[str, str], Rendering]) -> None:
    record, rendering = records["form5"], renderings[("edgar", "form5")]
    assert rendering.html is not None and renderings[("paper", "form5")].html is None
    tree = lxml_html.fromstring(rendering.html)
    data = [" ".join(e.text_content().split()) for e in tree.xpath('//span[@class="FormData"]')]
    assert record.issuer.trading_symbol.value in data
    assert any("Table I - Non-Derivative Securities" in t for t in tree.xpath("//th//text()"))
    layout = read_layout(rendering.html.encode(), "rendered.html")
    assert layout.format == "html" and record.issuer.name.value.split()[0] in layout.text


def test_bad_family_and_settings_are_refused(records: dict[str, Record]) -> None:
    with pytest.raises(ValueError, match="family must be one of"):
        render(records["form4"], "fax", 1)
    with pytest.raises(ValueError, match="landscape_share"):
        RenderSettings(landscape_share=1.5)
    with pytest.raises(ValueError, match="size_scale"):
        RenderSettings(size_scale=(1.2, 0.9))
    with pytest.raises(ValueError, match="bare number marker"):
        Formats(marker="sup", marker_raised=False)


def test_standard_fonts_only_still_render(records: dict[str, Record]) -> None:
    settings = RenderSettings(truetype_fonts=False, symbols=False)
    rendering = render(records["form4"], "agent", 11, settings)
    assert rendering.variation["font"] in ("Helvetica", "Times-Roman")
    assert rendering.variation["format.check"] in ("X", "x", "[X]")
    matched, total = text_layer_agreement(rendering)
    assert matched == total
