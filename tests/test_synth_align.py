"""The aligner: word labels from a gold record alone, on made-up documents and the real renderings."""

from __future__ import annotations

import datetime as dt
import functools
import html
from decimal import Decimal

import pytest

from extractor.edgar_xml import read_xml
from extractor.layout import read_layout
from extractor.layout.document import Layout, Page, Word, group_lines, number_lines
from extractor.records import Footnote, NonDerivativeRow, Record, ReportingOwner, Signature, Value
from extractor.synth.align import AlignSettings, agreement, align, labels_for_layout
from extractor.synth.chains import ChainSettings, number_key
from extractor.synth.labels import FOOTNOTE_REF, FORM_LABEL, WordLabel

from .shared_data import RENDERING_NAMES, RENDERINGS, SEED_GOLD, SEED_TEXT, need


def v(value, *notes: str) -> Value:
    return Value(value=value, footnote_ids=list(notes))


def made_up_record() -> Record:
    """A Form 4 whose rows repeat dates, amounts and titles, so only geometry can tell them apart."""
    record = Record(document_type=v("4"), period_of_report=v(dt.date(2031, 2, 17)))
    record.issuer.name = v("Brambleton Kitchenware Holdings")
    record.issuer.trading_symbol = v("BKWH")
    owner = ReportingOwner(name=v("Quillfeather Marigold T"))
    owner.address.street1 = v("C/O Brambleton Kitchenware")
    owner.address.street2 = v("77 Larkspur Lane, Suite 4")
    owner.address.city = v("Fennimore")
    owner.address.state = v("WI")
    owner.address.zip_code = v("53809")
    owner.relationship.is_director = v(True)
    owner.relationship.is_officer = v(False)
    record.owners = [owner]
    rows = [("02/17/2031", "P", "1,000", "A", "8.25", "5,000", "F1"),
            ("02/17/2031", "P", "1,000", "A", "8.25", "6,000", None),
            ("02/18/2031", "S", "1,000", "D", "9.10", "5,000", "F2")]
    for date, code, shares, ad, price, after, note in rows:
        month, day, year = map(int, date.split("/"))
        record.non_derivative.append(NonDerivativeRow(
            security_title=v("Common Stock"), transaction_date=v(dt.date(year, month, day)),
            transaction_code=v(code), shares=v(Decimal(shares.replace(",", ""))),
            price_per_share=v(Decimal(price), *([note] if note else [])), acquired_disposed=v(ad),
            shares_owned_following=v(Decimal(after.replace(",", ""))), direct_or_indirect=v("D")))
    record.footnotes = [Footnote(id="F1", text=v("The price is a weighted average of trades between $8.10 and $8.40.")),
                        Footnote(id="F2", text=v("Sold to cover the tax due on the vesting of restricted units."))]
    record.signatures = [Signature(name=v("/s/ Marigold T. Quillfeather"), date=v(dt.date(2031, 2, 19)))]
    return record


def made_up_html(record: Record) -> str:
    """The record printed the way EDGAR's public rendering lays a Form 4 out (values in FormData spans)."""
    def val(text: str) -> str:
        return f'<span class="FormData">{html.escape(text)}</span>'

    owner = record.owners[0]
    a = owner.address
    rows = []
    for row in record.non_derivative:
        price = f"${row.price_per_share.value}" + "".join(f"<sup>({n[1:]})</sup>" for n in row.price_per_share.footnote_ids)
        rows.append(
            "<tr>" + "".join(f"<td>{c}</td>" for c in (
                val(row.security_title.value), val(row.transaction_date.value.strftime("%m/%d/%Y")),
                val(row.transaction_code.value), "", val(f"{row.shares.value:,}"), val(row.acquired_disposed.value),
                val(price.split("<")[0]) + price[len(price.split("<")[0]):],
                val(f"{row.shares_owned_following.value:,}"), val(row.direct_or_indirect.value), "")) + "</tr>")
    notes = "".join(f"<tr><td>{n.id[1:]}. {html.escape(n.text.value)}</td></tr>" for n in record.footnotes)
    sig = record.signatures[0]
    return f"""<html><body>
<table><tr><td>SEC Form 4</td></tr><tr><td>FORM 4</td><td>UNITED STATES SECURITIES AND EXCHANGE COMMISSION
Washington, D.C. 20549 STATEMENT OF CHANGES IN BENEFICIAL OWNERSHIP</td></tr></table>
<table><tr>
<td>1. Name and Address of Reporting Person<sup>*</sup><br>{val(owner.name.value)}<br>(Last) (First) (Middle)<br>
{val(a.street1.value)}<br>{val(a.street2.value)}<br>(Street)<br>{val(a.city.value)} {val(a.state.value)} {val(a.zip_code.value)}
<br>(City) (State) (Zip)</td>
<td>2. Issuer Name and Ticker or Trading Symbol<br>{val(record.issuer.name.value)} [ {val(record.issuer.trading_symbol.value)} ]</td>
<td>5. Relationship of Reporting Person(s) to Issuer (Check all applicable)<br>
<span class="FormData">X</span> Director 10% Owner<br>Officer (give title below) Other (specify below)</td></tr>
<tr><td></td><td>3. Date of Earliest Transaction (Month/Day/Year)<br>{val(record.period_of_report.value.strftime("%m/%d/%Y"))}</td></tr>
</table>
<table>
<tr><th colspan="10">Table I - Non-Derivative Securities Acquired, Disposed of, or Beneficially Owned</th></tr>
<tr><th rowspan="2">1. Title of Security (Instr. 3)</th><th rowspan="2">2. Transaction Date (Month/Day/Year)</th>
<th colspan="2">3. Transaction Code (Instr. 8)</th><th colspan="3">4. Securities Acquired (A) or Disposed Of (D) (Instr. 3, 4 and 5)</th>
<th rowspan="2">5. Amount of Securities Beneficially Owned Following Reported Transaction(s) (Instr. 3 and 4)</th>
<th rowspan="2">6. Ownership Form: Direct (D) or Indirect (I) (Instr. 4)</th>
<th rowspan="2">7. Nature of Indirect Beneficial Ownership (Instr. 4)</th></tr>
<tr><th>Code</th><th>V</th><th>Amount</th><th>(A) or (D)</th><th>Price</th></tr>
{''.join(rows)}
</table>
<table><tr><td>Explanation of Responses:</td></tr>{notes}</table>
<table><tr><td>{val(sig.name.value)}</td><td>{val(sig.date.value.strftime("%m/%d/%Y"))}</td></tr>
<tr><td>** Signature of Reporting Person</td><td>Date</td></tr></table>
<p>Reminder: Report on a separate line for each class of securities beneficially owned directly or indirectly.</p>
</body></html>"""


# What each value of the made-up record prints as (so the test reads the words, not just the paths).
PRINTED = {
    "issuer.name": "Brambleton Kitchenware Holdings", "issuer.trading_symbol": "BKWH",
    "owners.0.name": "Quillfeather Marigold T", "owners.0.address.street1": "C/O Brambleton Kitchenware",
    "owners.0.address.street2": "77 Larkspur Lane, Suite 4", "owners.0.address.city": "Fennimore",
    "owners.0.address.state": "WI", "owners.0.address.zip_code": "53809",
    "owners.0.relationship.is_director": "X", "period_of_report": "02/17/2031",
    "non_derivative.0.security_title": "Common Stock", "non_derivative.0.transaction_date": "02/17/2031",
    "non_derivative.0.shares": "1,000", "non_derivative.0.price_per_share": "$8.25",
    "non_derivative.0.shares_owned_following": "5,000", "non_derivative.1.shares_owned_following": "6,000",
    "non_derivative.2.transaction_date": "02/18/2031", "non_derivative.2.acquired_disposed": "D",
    "non_derivative.2.price_per_share": "$9.10", "non_derivative.2.shares_owned_following": "5,000",
    "footnotes.0.text": "The price is a weighted average of trades between $8.10 and $8.40.",
    "signatures.0.name": "/s/ Marigold T. Quillfeather", "signatures.0.date": "02/19/2031",
}


def texts_by_field(labels: list[WordLabel]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for label in labels:
        out.setdefault(label.field, []).append(label.text)
    return {k: " ".join(v) for k, v in out.items()}


def row_lines(layout: Layout, labels: list[WordLabel], table_prefix: str) -> dict[int, set[float]]:
    """Row index -> the vertical positions its value words sit at."""
    rows: dict[int, set[float]] = {}
    for w, label in zip(layout.words, labels):
        if label.field.startswith(table_prefix) and not label.field.endswith("security_title"):
            rows.setdefault(int(label.field.split(".")[1]), set()).add(round(w.top))
    return rows


@functools.cache
def made_up_pdf() -> bytes:
    import weasyprint

    css = weasyprint.CSS(string="@page { size: letter landscape; margin: 0.4in } body { font: 8pt 'DejaVu Sans' } "
                                "td, th { border: 0.5pt solid black; vertical-align: top; width: 9% }")
    return weasyprint.HTML(string=made_up_html(made_up_record())).write_pdf(stylesheets=[css])


@pytest.mark.parametrize("channel", ["html", "pdf"])
def test_every_value_of_a_made_up_form_gets_its_own_words(channel):
    record = made_up_record()
    data = made_up_html(record).encode() if channel == "html" else made_up_pdf()
    layout = read_layout(data, f"made-up.{channel}")
    labels = align(layout, record)
    assert len(labels) == len(list(layout.words))
    assert [(l.page, l.text, l.bbox) for l in labels] == [(w.page, w.text, w.bbox) for w in layout.words]
    found = texts_by_field(labels)
    for path, printed in PRINTED.items():
        assert found.get(path, "").replace("$ ", "$") == printed, path
    # Repeated values went to their own row: each row's value words on one band, rows top to bottom.
    rows = row_lines(layout, labels, "non_derivative.")
    assert sorted(rows) == [0, 1, 2]
    assert max(rows[0]) < min(rows[1]) and max(rows[1]) < min(rows[2])
    refs = [(l.text, l.row, l.column) for l in labels if l.field == FOOTNOTE_REF]
    # Markers cite their cells; a footnote's own number leads its text.
    assert refs == [("(1)", 0, "price_per_share"), ("(2)", 2, "price_per_share"), ("1.", None, None), ("2.", None, None)]
    assert "Explanation" in found[FORM_LABEL] and "Director" in found[FORM_LABEL]


def page_words(lines: list[tuple[float, list[tuple[float, str]]]], size: float = 8.0, page: int = 1) -> list[Word]:
    """Words laid out by hand: (top, [(x0, text), ...]) with widths from a fixed character pitch."""
    out = []
    for top, items in lines:
        for x0, text in items:
            x = x0
            for token in text.split():
                out.append(Word(token, x, top, x + 0.5 * size * len(token), top + size, page))
                x += 0.5 * size * (len(token) + 1)
    return out


def page_layout(words: list[Word], ocr: bool = False) -> Layout:
    page = Page(number=1, width=792, height=612, lines=group_lines(words, page=1))
    number_lines([page])
    return Layout(pages=[page], source="made-up", format="image" if ocr else "pdf", ocr=ocr)


def small_record(title: str, shares: list[str], note: str) -> Record:
    record = Record(document_type=v("4"))
    for k, amount in enumerate(shares):
        record.non_derivative.append(NonDerivativeRow(
            security_title=v(title), shares=v(Decimal(amount)), transaction_date=v(dt.date(2031, 3, 2)),
            transaction_code=v("M"), direct_or_indirect=v("D")))
    record.footnotes = [Footnote(id="F1", text=v(note))]
    return record


HEADER = [(100, [(20, "Table I - Non-Derivative Securities Acquired, Disposed of, or Beneficially Owned")]),
          (115, [(20, "1. Title of Security"), (120, "2. Transaction Date"), (220, "3. Code"),
                 (300, "Amount"), (400, "6. Ownership Form: Direct (D) or Indirect (I)")])]
NOTE = "Granted under the orchard cooperative's long term incentive plan and vesting over four years."


def test_wrapped_title_and_footnote_are_followed_across_lines():
    title = "Common Stock (deferred growers' units)"
    words = page_words(HEADER + [
        (140, [(20, "Common Stock"), (120, "03/02/2031"), (220, "M"), (300, "2,400"), (400, "D")]),
        (150, [(20, "(deferred")]),
        (160, [(20, "growers' units)")]),
        (190, [(20, "Explanation of Responses:")]),
        (202, [(20, "1. Granted under the orchard cooperative's long")]),
        (212, [(20, "term incentive plan and vesting over four years.")]),
    ])
    record = small_record(title, ["2400"], NOTE)
    labels = align(page_layout(words), record)
    found = texts_by_field(labels)
    assert found["non_derivative.0.security_title"] == title
    assert found["footnotes.0.text"] == NOTE
    assert found["non_derivative.0.shares"] == "2,400"
    assert found["non_derivative.0.transaction_code"] == "M"


def test_ocr_damaged_values_are_still_aligned():
    words = page_words(HEADER + [
        (140, [(20, "Cornmon Stock"), (120, "O3/02/2031"), (220, "M"), (300, "2,4O0"), (400, "D")]),
        (190, [(20, "Explanation of Responses:")]),
        (202, [(20, "1. Granted undor the orchard cooperatives long term")]),
        (212, [(20, "incentive plan and vestirg over four years.")]),
    ])
    for w in words:
        w.confidence = 0.7
    record = small_record("Common Stock", ["2400"], NOTE)
    found = texts_by_field(align(page_layout(words, ocr=True), record))
    assert found["non_derivative.0.security_title"] == "Cornmon Stock"
    assert found["non_derivative.0.transaction_date"] == "O3/02/2031"
    assert found["non_derivative.0.shares"] == "2,4O0"
    assert found["footnotes.0.text"].startswith("Granted undor") and found["footnotes.0.text"].endswith("years.")


def test_identical_rows_go_top_to_bottom_in_record_order():
    # Three rows printing the same title, date and code; only the amounts tell them apart, and
    # the middle one repeats the first. The record's row order must follow the page.
    words = page_words(HEADER + [
        (140 + 14 * k, [(20, "Common Stock"), (120, "03/02/2031"), (220, "M"), (300, amount), (400, "D")])
        for k, amount in enumerate(["500", "500", "750"])])
    record = small_record("Common Stock", ["500", "500", "750"], NOTE)
    layout = page_layout(words)
    labels = align(layout, record)
    for w, label in zip(layout.words, labels):
        if label.field.startswith("non_derivative."):
            row = int(label.field.split(".")[1])
            assert round(w.top) == 140 + 14 * row, (label.field, w.text, w.top)
    assert sum(l.field == "non_derivative.2.shares" and l.text == "750" for l in labels) == 1


def test_state_names_dates_in_words_and_check_marks_are_recognized():
    record = Record(document_type=v("4"), period_of_report=v(dt.date(2031, 1, 5)))
    owner = ReportingOwner(name=v("Thistlewood Orrin"))
    owner.address.city = v("Lakemont")
    owner.address.state = v("NY")
    owner.address.zip_code = v("14857")
    owner.relationship.is_ten_percent_owner = v(True)
    record.owners = [owner]
    words = page_words([
        (20, [(20, "1. Name and Address of Reporting Person*"), (300, "3. Date of Earliest Transaction (Month/Day/Year)")]),
        (32, [(20, "Thistlewood Orrin"), (300, "Jan 5, 2031")]),
        (44, [(20, "Lakemont New York 14857")]),
        (60, [(300, "5. Relationship of Reporting Person(s) to Issuer")]),
        (72, [(300, "Director"), (390, "X"), (400, "10% Owner")]),
    ])
    layout = page_layout(words)
    found = texts_by_field(align(layout, record))
    assert found["owners.0.address.state"] == "New York"
    assert found["period_of_report"] == "Jan 5, 2031"
    assert found["owners.0.relationship.is_ten_percent_owner"] == "X"
    assert found["owners.0.name"] == "Thistlewood Orrin"


def test_footnote_quoting_a_caption_keeps_every_word():
    # "Director" and "Form 4" are captions elsewhere on the form; inside a footnote they are its text.
    note = "Granted under the Director Stock Plan as reported on Form 4 last spring."
    words = page_words(HEADER + [
        (140, [(20, "Common Stock"), (120, "03/02/2031"), (220, "M"), (300, "2,400"), (400, "D")]),
        (190, [(20, "Explanation of Responses:")]),
        (202, [(20, "(1) Granted under the Director Stock Plan as reported on")]),
        (212, [(20, "Form 4 last spring.")]),
    ])
    labels = align(page_layout(words), small_record("Common Stock", ["2400"], note))
    found = texts_by_field(labels)
    assert found["footnotes.0.text"] == note
    assert [l.text for l in labels if l.field == FOOTNOTE_REF] == ["(1)"]  # the footnote's own number


def test_text_flow_wrapped_cell_between_its_rows_words():
    # pdftotext's flow: a wrapped title's last word comes a line after the rest of its row.
    from extractor.layout.text import read_text

    text = "\n".join([
        "Table I - Non-Derivative Securities Acquired, Disposed of, or Beneficially Owned",
        "Class A Common",
        "03/02/2031 M 2,400 D",
        "Stock",
        "Explanation of Responses:",
        "(1) " + NOTE,
    ])
    record = small_record("Class A Common Stock", ["2400"], NOTE)
    found = texts_by_field(align(read_text(text, "flow.txt"), record))
    assert found["non_derivative.0.security_title"] == "Class A Common Stock"
    assert found["non_derivative.0.shares"] == "2,400" and found["non_derivative.0.transaction_code"] == "M"


@pytest.mark.parametrize("family", ["edgar", "paper", "agent", "typewriter"])
def test_rendered_made_up_filings_agree_with_their_exact_labels(family):
    render_module = pytest.importorskip("extractor.synth.render", reason="the renderer is not in this checkout")
    fake = pytest.importorskip("extractor.synth.fake", reason="the made-up filings generator is not in this checkout")
    for k, record in enumerate(fake.make_records(2, seed=5)):
        rendering = render_module.render(record, family, seed=k)
        layout = read_layout(rendering.pdf, f"{family}-{k}.pdf")
        result = agreement(labels_for_layout(layout, rendering.words), align(layout, record))
        assert result.share >= 0.99, (family, k, result.confusions)


def test_agreement_counts_words_and_names_the_confusions():
    box = (0.0, 0.0, 1.0, 1.0)
    exact = [WordLabel(1, "a", box, "issuer.name"), WordLabel(1, "b", box, "non_derivative.0.shares"),
             WordLabel(1, "c", box, "non_derivative.1.shares"), WordLabel(1, "d", box, FORM_LABEL)]
    aligned = [WordLabel(1, "a", box, "issuer.name"), WordLabel(1, "b", box, "non_derivative.1.shares"),
               WordLabel(1, "c", box, "non_derivative.1.shares"), WordLabel(1, "d", box, FORM_LABEL)]
    result = agreement(exact, aligned)
    assert (result.words, result.agreed, result.share) == (4, 3, 0.75)
    assert result.per_field["non_derivative.*.shares"] == (1, 2)
    assert list(result.confusions) == ["non_derivative.*.shares"]
    with pytest.raises(ValueError, match="differ in length"):
        agreement(exact, aligned[:2])


def test_exact_labels_carry_onto_the_words_read_back():
    words = page_words([(20, [(20, "Brambleton Kitchenware"), (300, "1,000")])])
    exact = [WordLabel(1, w.text, w.bbox, "issuer.name" if i < 2 else "non_derivative.0.shares", *(
        (None, None, None) if i < 2 else ("I", 0, "shares"))) for i, w in enumerate(words)]
    # The reader glued nothing but its boxes are a little off, and it saw a speck the renderer never drew.
    shifted = [Word(w.text, w.x0 + 0.6, w.top - 0.4, w.x1 + 0.6, w.bottom - 0.4, 1) for w in words]
    shifted.append(Word("'", 500, 300, 502, 304, 1))
    carried = labels_for_layout(page_layout(shifted), exact)
    assert [l.field for l in carried] == ["issuer.name", "issuer.name", "non_derivative.0.shares", "other"]
    assert carried[2].row == 0 and carried[2].column == "shares"


def test_settings_validate_themselves():
    with pytest.raises(ValueError, match="min_text_similarity"):
        ChainSettings(min_text_similarity=1.5)
    with pytest.raises(ValueError, match="beam_width"):
        ChainSettings(beam_width=0)
    with pytest.raises(ValueError, match="box_bonus"):
        AlignSettings(box_bonus=2.0)
    with pytest.raises(TypeError, match="ChainSettings"):
        AlignSettings(chains=0.5)
    assert number_key("$1,234.500(2)") == "1234.5" and number_key("(0.00)") == "0"


# --- the real EDGAR renderings and the seed --------------------------------------------------------


def printed_values(record: Record) -> dict[str, object]:
    """Gold values a rendering prints as words of their own (not CIKs, not Table II's implied A/D)."""
    from extractor.synth.align import UNPRINTED

    out = {}
    for path, value in record.values():
        if value.value is None or value.value is False or UNPRINTED.search(path):
            continue
        if path.startswith("derivative.") and path.endswith("acquired_disposed"):
            continue
        out[path] = value.value
    return out


@pytest.mark.parametrize("name", RENDERING_NAMES)
def test_real_html_rendering_every_printed_field_found(name):
    page = need(RENDERINGS / f"{name}.html")
    gold = read_xml((RENDERINGS / f"{name}.xml").read_bytes(), name)
    layout = read_layout(page.read_bytes(), name)
    labels = align(layout, gold)
    found = texts_by_field(labels)
    missing = [p for p in printed_values(gold) if p not in found]
    assert missing == []
    # EDGAR styles its values: every styled word is a value's, every value word (but "$") styled.
    for w, label in zip(layout.words, labels):
        is_value = label.field not in (FORM_LABEL, "other")
        if w.underline:
            assert is_value, (w.text, label.field)
    assert sum(l.field == FOOTNOTE_REF for l in labels) >= 1


def test_real_rendering_printed_to_pdf_keeps_rows_apart():
    from .fixture_docs import rendering_pdf

    need(RENDERINGS / "snowflake-form3.html")
    gold = read_xml((RENDERINGS / "snowflake-form3.xml").read_bytes(), "snowflake-form3")
    layout = read_layout(rendering_pdf("snowflake-form3"), "snowflake-form3.pdf")
    labels = align(layout, gold)
    found = texts_by_field(labels)
    assert [p for p in printed_values(gold) if p not in found] == []
    # Five option rows print the same title, price and date: each row's words must follow the last.
    positions = {}
    for w, label in zip(layout.words, labels):
        if label.field.startswith("derivative.") and label.field.endswith("conversion_or_exercise_price"):
            positions[int(label.field.split(".")[1])] = (w.page, w.top)
    assert list(positions) == sorted(positions) and [positions[k] for k in sorted(positions)] == sorted(positions.values())


def test_seed_markdown_values_are_found():
    gold = read_xml(need(SEED_GOLD).read_bytes(), str(SEED_GOLD))
    layout = read_layout(need(SEED_TEXT).read_bytes(), "seed.md")
    found = texts_by_field(align(layout, gold))
    assert [p for p in printed_values(gold) if p not in found] == []
