"""Real documents against their gold records, every printed field (issue 2's bar)."""

from __future__ import annotations

import pytest

from extractor.edgar_xml import read_xml
from extractor.layout.html import read_html
from extractor.layout.text import read_text
from extractor.pipeline import ExtractSettings, extract_bytes, extract_file
from extractor.records import RELATIONSHIP_BOXES, TOP_BOXES
from extractor.rules import RuleExtractor
from extractor.scoring import comparable, differences

from .shared_data import RENDERING_NAMES, RENDERINGS, SEED_GOLD, SEED_TEXT, need


def test_seed_markdown_gives_its_gold_record_exactly():
    gold = read_xml(need(SEED_GOLD).read_bytes(), str(SEED_GOLD))
    record = extract_file(need(SEED_TEXT))
    assert differences(gold, record) == []
    # Spot-check the hardest fields by value, so a scorer bug cannot hide a wrong answer.
    row = record.non_derivative[0]
    assert str(row.shares.value) == "859" and row.price_per_share.footnote_ids == ["F1"]
    assert record.signatures[0].name.value == "Susan M. Chiarmonte, attorney-in-fact for Richard D. Federico"
    assert record.signatures[0].date.value.isoformat() == "2012-11-05"
    assert record.remarks.value is None


BOXES = {*TOP_BOXES, *RELATIONSHIP_BOXES}


def test_seed_values_are_tagged_with_method_and_confidence():
    record = extract_file(need(SEED_TEXT))
    for path, value in record.values():
        if value.present:
            # The rules pass validation here, so auto takes the model's record with the rules' owner
            # names and addresses (the owners' checkboxes stay the model's reading) and, this being
            # markdown, the rules' tables.
            by_rules = ((path.startswith("owners.") and path.rsplit(".", 1)[-1] not in BOXES)
                        or path.startswith(("non_derivative.", "derivative.")))
            assert value.method == ("rules" if by_rules else "model"), path
            assert 0.0 < value.confidence <= 1.0, path
    assert record.issuer.name.provenance is not None and record.issuer.name.provenance.line is not None


@pytest.mark.parametrize("name", RENDERING_NAMES)
def test_edgar_html_rendering_gives_its_xml_record(name):
    html = need(RENDERINGS / f"{name}.html")
    gold = read_xml((RENDERINGS / f"{name}.xml").read_bytes(), name)
    record = RuleExtractor().extract(read_html(html.read_text(encoding="utf-8"), str(html)))
    assert differences(gold, record) == []
    assert len(comparable(gold)) >= 30  # the comparison covered a whole record, not an empty one


def test_seed_as_plain_text_without_markup_keeps_the_table():
    # The same document with the converter's markup stripped, as a plain text dump would be.
    import re

    text = re.sub(r"<[^>]+>", "", need(SEED_TEXT).read_text(encoding="utf-8")).replace("\\", "")
    record = RuleExtractor().extract(read_text(text, "seed.txt", markdown=False))
    row = record.non_derivative[0]
    assert (row.transaction_code.value, str(row.shares.value), str(row.shares_owned_following.value)) == ("P", "859", "7688")


@pytest.mark.parametrize("name", RENDERING_NAMES)
def test_edgar_rendering_printed_to_pdf_gives_its_xml_record(name):
    # Page geometry: stacked header captions, cells centred vertically, Table II going on
    # over a second page with repeated headers (Form 3), a row the page break cuts in two.
    from extractor.pipeline import extract_bytes

    from .fixture_docs import rendering_pdf

    need(RENDERINGS / f"{name}.html")
    gold = read_xml((RENDERINGS / f"{name}.xml").read_bytes(), name)
    record = extract_bytes(rendering_pdf(name), f"{name}.pdf")
    assert differences(gold, record) == []
    assert record.source.format == "pdf" and record.issuer.name.provenance.bbox is not None


# Wrong fields the rules still make on the scans (issue 2's bar is at most 2 each). A ceiling, so a
# change that loses fields fails here; lower it when a fix lands. What is left: 374Water's "Rajesh"
# read as "Raiesh" (name and signature; Tesseract is over 90% sure of it at every scale).
SCAN_WRONG_AT_MOST = {"374water-form4": 2, "snowflake-form3": 0, "snowflake-form5": 0}


# Both the rules and auto, the default: auto takes the model's checkbox states, and on the Snowflake
# Form 3 scan the model had given the director's mark to the 10% owner box.
@pytest.mark.parametrize("method", ["rules", "auto"])
@pytest.mark.parametrize("name", RENDERING_NAMES)
def test_edgar_rendering_printed_and_scanned_at_300_dpi_keeps_its_fields(name, method):
    from extractor.pipeline import ExtractSettings, extract_bytes

    from .fixture_docs import rendering_pdf, scan_pdf_pages, tiff_bytes

    need(RENDERINGS / f"{name}.html")
    gold = read_xml((RENDERINGS / f"{name}.xml").read_bytes(), name)
    scan = tiff_bytes(scan_pdf_pages(rendering_pdf(name), 300))
    record = extract_bytes(scan, f"{name}.scan.tiff", ExtractSettings(method=method))
    wrong = differences(gold, record)
    assert record.source.format == "image" and record.issuer.trading_symbol.value == gold.issuer.trading_symbol.value
    assert len(wrong) <= SCAN_WRONG_AT_MOST[name], wrong


def test_form_three_conversion_price_the_model_read_as_a_price_per_share_is_the_conversion_price():
    """A Form 3's Table II prints the conversion price where a Form 4 prints the price per share, and
    the classifier, which saw few Forms 3, read the Snowflake Form 3's "$3.74" there (14 wrong fields)."""
    name = "snowflake-form3"
    html = need(RENDERINGS / f"{name}.html")
    gold = read_xml((RENDERINGS / f"{name}.xml").read_bytes(), name)
    record = extract_bytes(html.read_bytes(), str(html), ExtractSettings(method="model"))
    assert record.document_type.value == "3"
    assert differences(gold, record) == []
