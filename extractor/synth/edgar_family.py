"""The "edgar" family: the SEC's public HTML rendering of Forms 3, 4 and 5, as a browser prints it.

Captions in a sans serif, values in a blue serif, footnote markers small, raised and
green; the header is a bordered grid of numbered boxes, Tables I and II carry their
titles inside the table and repeat their headers on every page they run on to. Owners after
the first are listed after Table II, each with their own relationship box. The HTML
(`Rendering.html`) follows the real rendering's structure: nested tables and `FormData`,
`FootnoteData`, `SmallFormText` spans.
"""

from __future__ import annotations

import html as html_lib
from typing import TYPE_CHECKING

from ..records import Record
from .canvas import LABEL, Piece, Sheet, Slot, Style, draw_text, set_text, symbol_font
from .forms import (
    Look,
    amendment_box,
    caption,
    date_box,
    filing_box,
    footnote_blocks,
    issuer_box,
    leaf_weights,
    fitted_table,
    owner_box,
    relationship_box,
    remarks_block,
    signature_pieces,
)
from .grid import (
    Block,
    Cell,
    Flow,
    Frame,
    Placed,
    columns,
    draw_blocks,
    draw_box_grid,
    draw_row,
    draw_table,
)
from .printed import (
    COMMISSION,
    EDGAR_FORMATS,
    FILED_PURSUANT,
    FOOTER_NOTES,
    OMB,
    TITLES,
    WASHINGTON,
    FormKind,
    Token,
    box_captions,
    cell_tokens,
    date_key,
    footnote_tokens,
    form_kind,
    state_tokens,
    table_leaves,
    table_titles,
    top_checkboxes,
    value_tokens,
)

if TYPE_CHECKING:
    from .render import Chooser, Drawn

BLUE = (0.0, 0.0, 0.85)
GREEN = (0.0, 0.45, 0.0)
BLACK = (0.0, 0.0, 0.0)


def draw(record: Record, chooser: "Chooser") -> "Drawn":
    from .render import Drawn

    kind = form_kind(record)
    width, height = chooser.page(landscape_ok=False)
    sans = chooser.fonts("font.captions", "sans")
    serif = chooser.fonts("font.values", "serif")
    k = chooser.scale()
    margin = chooser.uniform("margin", 26.0, 50.0)
    symbols = symbol_font() if chooser.symbols() else None
    formats = EDGAR_FORMATS
    chooser.variation.update(formats.describe())
    value = Style(serif.regular, 9.5 * k, BLUE)
    look = Look(
        value=value,
        caption=Style(sans.regular, 7.2 * k),
        small=Style(sans.regular, 6.4 * k),
        heading=Style(sans.bold, 9.2 * k),
        title=Style(sans.bold, 11.5 * k),
        marker=Style(serif.regular, 6.0 * k, GREEN),
        check=Style(symbols or serif.regular, 9.5 * k, BLUE),
        formats=formats,
        dollar=Style(sans.regular, 9.0 * k),
        marker_rise=3.3 * k,
        small_value=Style(serif.regular, 7.6 * k, BLUE),
    )
    sheet = Sheet(width, height, f"SEC Form {kind.name}")
    flow = Flow(sheet, margin, margin, width - margin, height - margin)
    _top(flow, record, kind, look, chooser)
    _header_grid(flow, record, kind, look, chooser)
    repeat = chooser.chance("repeat_header", 0.85)
    body = Frame(padding=2.8 * k, leading=1.18, rules="grid", valign=chooser.pick("cell_valign", ("middle", "top"), [3, 1]))
    head = Frame(padding=2.4 * k, leading=1.12, rules="grid", valign="top")
    small_ii = chooser.chance("small_table_ii", 0.7)
    title_i, (title_ii, eg) = table_titles(kind)
    for which, title in (("I", [caption(title_i, look.heading, "center")]),
                         ("II", [caption(title_ii, look.heading, "center"), caption(eg, look.heading, "center")])):
        weights = leaf_weights(table_leaves(kind, which), chooser.rng)
        style = look.small_value if which == "II" and small_ii else None
        table = fitted_table(record, kind, which, look, look.small, title, flow.left, flow.right, weights, body, head,
                             value=style, repeat_header=repeat)
        flow.y += 4.0
        draw_table(flow, table, body, head)
    for index in range(1, len(record.owners)):
        flow.y += 6.0
        edges = columns(flow.left, flow.right, [0.5, 0.5])
        frame = Frame(padding=3.0 * k, leading=1.2, rules="grid")
        draw_box_grid(flow, edges, [Placed(owner_box(record, kind, index, look), 0, 0, 1, 1),
                                    Placed(relationship_box(record, kind, index, look), 1, 0, 2, 1)], frame)
    _closing(flow, record, look, chooser)
    pdf = sheet.finish()
    text = edgar_html(record) if chooser.settings.html else None
    return Drawn(sheet, pdf, text, chooser.variation)


def _top(flow: Flow, record: Record, kind: FormKind, look: Look, chooser: "Chooser") -> None:
    sheet, left, right = flow.sheet, flow.left, flow.right
    span = right - left
    body = Style(look.value.font, 11.0 * look.value.size / 9.5)
    flow.y += draw_text(sheet, set_text([Piece(f"SEC Form {kind.name}", body, LABEL)], span), left, flow.y, span)
    top = flow.y + 2.0
    split = left + span * chooser.uniform("title_split", 0.44, 0.52)
    omb_left = left + span * 0.79
    name = [Piece("FORM", Style(look.title.font, look.title.size * 1.25), LABEL),
            Piece(kind.name, Style(look.title.font, look.title.size * 1.25), Slot("document_type"))]
    y_left = top + draw_text(sheet, set_text(name, split - left), left, top, (split - left) * 0.5, "center") + 6.0
    for field, text in top_checkboxes(record, kind):
        lines = set_text([Piece(text, look.small, LABEL)], split - left - span * 0.12 - 4)
        box = 8.0 * look.caption.size / 7.2
        x_box = left + span * 0.06
        sheet.rect(x_box, y_left, x_box + box, y_left + box, 0.6)
        checked = getattr(record, field)
        if checked.value:
            glyph_style = Style(look.value.font, look.small.size * 1.15, BLUE)
            glyph = [Piece(look.formats.check, glyph_style, Slot(field))]
            draw_text(sheet, set_text(glyph, box), x_box, y_left - 0.6, box, "center", 1.0)
        used = draw_text(sheet, lines, left + span * 0.12, y_left, split - left - span * 0.12, "left", 1.15)
        y_left += max(used, box) + 5.0
    center = [caption(COMMISSION, look.title, "center"), caption(WASHINGTON, look.caption, "center"),
              caption(TITLES[kind.base], look.title, "center")] + [caption(t, look.caption, "center") for t in FILED_PURSUANT]
    y_mid = top
    for block in center:
        lines = set_text(block.pieces, omb_left - split - 8)
        y_mid += draw_text(sheet, lines, split, y_mid, omb_left - split - 8, "center", 1.2) + 3.0
    number, hours = OMB[kind.base]
    omb_rows = [[Piece("OMB APPROVAL", look.caption, LABEL)],
                [Piece("OMB Number:", look.small, LABEL), Piece(number, look.small, LABEL)],
                [Piece("Estimated average burden", look.small, LABEL)],
                [Piece("hours per response:", look.small, LABEL), Piece(hours, look.small, LABEL)]]
    y_omb = top + 3.0
    for i, row in enumerate(omb_rows):
        lines = set_text(row, right - omb_left - 6)
        y_omb += draw_text(sheet, lines, omb_left + 3, y_omb, right - omb_left - 6, "center" if i == 0 else "left", 1.2) + 1.5
    sheet.rect(omb_left, top, right, y_omb + 2.0, 0.8)
    flow.y = max(y_left, y_mid, y_omb + 2.0) + 4.0


def _header_grid(flow: Flow, record: Record, kind: FormKind, look: Look, chooser: "Chooser") -> None:
    spread = chooser.chance("address_spread", 0.25)
    empty_owner = Cell([caption(box_captions(kind)["name_address"], look.caption)])
    owner = owner_box(record, kind, 0, look, spread=spread) if record.owners else empty_owner
    relationship = (relationship_box(record, kind, 0, look) if record.owners else
                    Cell([caption(box_captions(kind)["relationship"], look.caption)]))
    frame = Frame(padding=3.2, leading=1.2, rules="grid")
    if kind.base == "3":
        w = [chooser.uniform("box1_width", 0.27, 0.33), 0.15, 0.28]
        w.append(1.0 - sum(w))
        edges = columns(flow.left, flow.right, w)
        placed = [Placed(owner, 0, 0, 1, 3), Placed(date_box(record, kind, look), 1, 0, 2, 3),
                  Placed(issuer_box(record, kind, look), 2, 0, 4, 1), Placed(relationship, 2, 1, 3, 3),
                  Placed(amendment_box(record, kind, look), 3, 1, 4, 2), Placed(filing_box(record, kind, look), 3, 2, 4, 3)]
    else:
        first = chooser.uniform("box1_width", 0.3, 0.37)
        edges = columns(flow.left, flow.right, [first, 0.34, 1.0 - first - 0.34])
        placed = [Placed(owner, 0, 0, 1, 3), Placed(issuer_box(record, kind, look), 1, 0, 2, 1),
                  Placed(relationship, 2, 0, 3, 2), Placed(date_box(record, kind, look), 1, 1, 2, 2),
                  Placed(amendment_box(record, kind, look), 1, 2, 2, 3), Placed(filing_box(record, kind, look), 2, 2, 3, 3)]
    draw_box_grid(flow, edges, placed, frame)


def _closing(flow: Flow, record: Record, look: Look, chooser: "Chooser") -> None:
    footnote_style = Style(look.value.font, look.small_value.size if look.small_value else look.value.size, GREEN)
    bold = Style(look.heading.font, look.caption.size)
    flow.y += 6.0
    blocks = [caption("Explanation of Responses:", bold)] + footnote_blocks(record, look, footnote_style)
    remarks = remarks_block(record, look, footnote_style)
    if remarks is not None or chooser.chance("remarks_caption_when_empty", 0.5):
        blocks.append(caption("Remarks:", bold))
        if remarks is not None:
            blocks.append(remarks)
    draw_blocks(flow, blocks, flow.left + 2.0, flow.right - 2.0, 1.2, 2.5)
    flow.y += 8.0
    edges = columns(flow.left, flow.right, [0.6, 0.2, 0.2])
    frame = Frame(padding=2.0, leading=1.2, rules="none", valign="top")
    for index in range(len(record.signatures)):
        name, date = signature_pieces(record, index, look)
        draw_row(flow, edges, [Cell(), Cell([Block(name)]), Cell([Block(date)])], frame)
        for x0, x1 in ((edges[1], edges[2]), (edges[2], edges[3])):  # the rendering underlines both
            flow.sheet.line(x0 + 2.0, flow.y - 1.0, x1 - 4.0, flow.y - 1.0, 0.5)
    draw_row(flow, edges, [Cell(), Cell([caption("** Signature of Reporting Person", look.caption)]),
                           Cell([caption("Date", look.caption)])], frame)
    flow.y += 3.0
    notes = [caption(text, look.caption) for text in FOOTER_NOTES]
    draw_blocks(flow, notes, flow.left + 2.0, flow.right - 2.0, 1.2, 1.5)


# --- the HTML, structured like the real rendering -------------------------------------------------

_STYLE = """.FormData {color: blue; background-color: white; font-size: small; font-family: Times, serif;}
.SmallFormData {color: blue; background-color: white; font-size: x-small; font-family: Times, serif;}
.FootnoteData {color: green; background-color: white; font-size: x-small; font-family: Times, serif;}
.FormText {font-size: small; font-weight: normal; font-family: arial, helvetica, sans-serif; text-align: left;}
.FormTextC {font-size: small; font-weight: normal; font-family: arial, helvetica, sans-serif; text-align: center;}
.SmallFormText {font-size: xx-small; font-family: arial, helvetica, sans-serif; text-align: left;}
.SmallFormTextR {font-size: xx-small; font-family: arial, helvetica, sans-serif; text-align: right;}
.MedSmallFormText {font-size: x-small; font-family: arial, helvetica, sans-serif; text-align: left;}
.FormTitle {font-size: medium; font-family: arial, helvetica, sans-serif; font-weight: bold;}
.FormName {font-size: large; font-family: arial, helvetica, sans-serif; font-weight: bold;}"""


def _esc(text: str) -> str:
    return html_lib.escape(text, quote=False)


def _spans(tokens: list[Token], data_class: str = "FormData") -> str:
    out = []
    for token in tokens:
        if token.kind == "marker":
            out.append(f'<span class="FootnoteData"><sup>{_esc(token.text)}</sup></span>')
        elif token.kind == "dollar":
            out.append(f'<span class="FormText">{_esc(token.text)}</span>')
        elif token.kind == "label":
            out.append(f" {_esc(token.text)} ")
        else:
            out.append(f'<span class="{data_class}">{_esc(token.text)}</span>')
    return "".join(out)


def _owner_html(record: Record, kind: FormKind, index: int) -> str:
    owner = record.owners[index]
    f = EDGAR_FORMATS
    base = f"owners.{index}"
    address = owner.address
    streets = "".join(
        f"<tr><td>{_spans(value_tokens(getattr(address, n), Slot(f'{base}.address.{n}'), 'text', f))}</td></tr>"
        for n in ("street1", "street2") if getattr(address, n).present)
    city = _spans(value_tokens(address.city, Slot(""), "text", f))
    state = _spans(state_tokens(address.state, Slot(""), f))
    zip_code = _spans(value_tokens(address.zip_code, Slot(""), "text", f))
    name = _spans(value_tokens(owner.name, Slot(""), "text", f))
    return (f'<span class="MedSmallFormText">{_esc(box_captions(kind)["name_address"])}<sup>*</sup></span>'
            f'<table border="0" width="100%"><tr><td>{name}</td></tr></table><hr width="98%">'
            '<table border="0" width="100%"><tr><td width="33%" class="MedSmallFormText">(Last)</td>'
            '<td width="33%" class="MedSmallFormText">(First)</td><td width="33%" class="MedSmallFormText">(Middle)</td>'
            f'</tr></table><table border="0" width="100%">{streets}</table><hr width="98%">'
            '<span class="MedSmallFormText">(Street)</span><table border="0" width="100%"><tr>'
            f'<td width="33%">{city}</td><td width="33%">{state}</td><td width="33%">{zip_code}</td></tr></table>'
            '<hr width="98%"><table border="0" width="100%"><tr><td width="33%" class="MedSmallFormText">(City)</td>'
            '<td width="33%" class="MedSmallFormText">(State)</td><td width="33%" class="MedSmallFormText">(Zip)</td>'
            '</tr></table>')


def _check(flag) -> str:
    return '<span class="FormData">X</span>' if flag.value is True else ""


def _relationship_html(record: Record, kind: FormKind, index: int) -> str:
    rel = record.owners[index].relationship
    f = EDGAR_FORMATS
    caption_text = box_captions(kind)["relationship"].replace(" (Check all applicable)", "")
    title = _spans(value_tokens(rel.officer_title, Slot(""), "text", f))
    other = _spans(value_tokens(rel.other_text, Slot(""), "text", f))
    return (f'<span class="MedSmallFormText">{_esc(caption_text)}</span><br>'
            '<span class="MedSmallFormText">(Check all applicable)</span><table border="0" width="100%">'
            f'<tr><td width="15%" align="center">{_check(rel.is_director)}</td>'
            '<td width="35%" class="MedSmallFormText">Director</td>'
            f'<td width="15%" align="center">{_check(rel.is_ten_percent_owner)}</td>'
            '<td width="35%" class="MedSmallFormText">10% Owner</td></tr>'
            f'<tr><td align="center">{_check(rel.is_officer)}</td><td class="MedSmallFormText">Officer (give title below)</td>'
            f'<td align="center">{_check(rel.is_other)}</td><td class="MedSmallFormText">Other (specify below)</td></tr>'
            f'<tr><td></td><td style="color: blue">{title}</td><td></td><td style="color: blue">{other}</td></tr></table>')


def _table_html(record: Record, kind: FormKind, which: str) -> str:
    leaves = table_leaves(kind, which)
    title_i, (title_ii, eg) = table_titles(kind)
    title = f"<b>{_esc(title_i)}</b>" if which == "I" else f"<b>{_esc(title_ii)}</b><br><b>{_esc(eg)}</b>"
    top, sub = [], []
    seen: set[str] = set()
    for leaf in leaves:
        if leaf.group is None:
            top.append(f'<th valign="top" rowspan="2" align="left" class="SmallFormText">{_esc(leaf.header)}</th>')
        else:
            if leaf.group not in seen:
                seen.add(leaf.group)
                count = sum(1 for x in leaves if x.group == leaf.group)
                top.append(f'<th valign="top" colspan="{count}" align="left" class="SmallFormText">{_esc(leaf.group)}</th>')
            sub.append(f'<th align="center" class="SmallFormText">{_esc(leaf.header)}</th>')
    rows = record.non_derivative if which == "I" else record.derivative
    body = []
    for index, row in enumerate(rows):
        cells = []
        for leaf in leaves:
            tokens = cell_tokens(row, which, index, leaf.key, EDGAR_FORMATS)
            align = "left" if leaf.key in ("security_title", "nature_of_ownership") else "center"
            cells.append(f'<td align="{align}">{_spans(tokens)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return ('<table width="100%" border="1" cellspacing="0" cellpadding="4"><thead>'
            f'<tr><th valign="top" colspan="{len(leaves)}" align="center" class="FormTextC">{title}</th></tr>'
            f'<tr>{"".join(top)}</tr><tr>{"".join(sub)}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def edgar_html(record: Record) -> str:
    """The record as the EDGAR HTML rendering structures it."""
    kind = form_kind(record)
    f = EDGAR_FORMATS
    number, hours = OMB[kind.base]
    checks = "".join(
        f'<tr valign="middle"><td><table width="100%" border="1" cellpadding="0" cellspacing="0"><tr><td>'
        f'{_check(getattr(record, field))}</td></tr></table></td><td class="SmallFormText">{_esc(text)}</td></tr>'
        for field, text in top_checkboxes(record, kind))
    title = "".join(f'<br><span class="MedSmallFormText">{_esc(t)}</span>' for t in FILED_PURSUANT)
    top = (f'<table width="100%" border="0" cellspacing="0" cellpadding="4"><tr>'
           f'<td width="20%" colspan="2" valign="top" align="center" class="FormName">FORM {_esc(kind.name)}</td>'
           f'<td width="60%" valign="middle" align="center"><span class="FormTitle">{COMMISSION}</span><br>'
           f'<span class="MedSmallFormText">{WASHINGTON}</span><br><br><span class="FormTitle">{TITLES[kind.base]}</span>'
           f'<br>{title}</td><td width="20%" valign="top" align="center"><table width="100%" border="1" '
           'summary="OMB Approval Status Box"><tr><td class="FormTextC">OMB APPROVAL</td></tr><tr><td>'
           f'<table width="100%" border="0"><tr><td class="SmallFormText" colspan="3">OMB Number:</td>'
           f'<td class="SmallFormTextR">{number}</td></tr>'
           '<tr><td class="SmallFormText" colspan="4">Estimated average burden</td></tr>'
           f'<tr><td class="SmallFormText" colspan="3">hours per response:</td><td class="SmallFormTextR">{hours}</td></tr>'
           f'</table></td></tr></table></td></tr>{checks}</table>')
    captions = box_captions(kind)
    issuer = _spans(value_tokens(record.issuer.name, Slot(""), "text", f))
    symbol = _spans(value_tokens(record.issuer.trading_symbol, Slot(""), "text", f))
    issuer_cell = f'<span class="MedSmallFormText">{_esc(captions["issuer"])}</span><br>{issuer} [ {symbol} ]'
    date = _spans(value_tokens(record.period_of_report, Slot(""), "date", f))
    date_cell = f'<span class="MedSmallFormText">{_esc(captions[date_key(kind)])}</span><br>{date}'
    amended = _spans(value_tokens(record.date_of_original_submission, Slot(""), "date", f))
    amend_cell = f'<span class="MedSmallFormText">{_esc(captions["amendment"])}</span><br>{amended}'
    joint = record.joint_filing.value if record.joint_filing.value is not None else len(record.owners) > 1
    x = '<span class="FormData">X</span>'
    filing_cell = (f'<span class="MedSmallFormText">{_esc(captions["filing"])}</span><table border="0" width="100%">'
                   f'<tr><td width="15%" align="center">{"" if joint else x}</td>'
                   '<td width="85%" class="MedSmallFormText">Form filed by One Reporting Person</td></tr>'
                   f'<tr><td width="15%" align="center">{x if joint else ""}</td>'
                   '<td width="85%" class="MedSmallFormText">Form filed by More than One Reporting Person</td></tr></table>')
    owner = _owner_html(record, kind, 0) if record.owners else ""
    relationship = _relationship_html(record, kind, 0) if record.owners else ""
    if kind.base == "3":
        grid = (f'<tr><td rowspan="3" width="30%" valign="top">{owner}</td>'
                f'<td rowspan="3" width="15%" valign="top">{date_cell}</td>'
                f'<td valign="top" colspan="2">{issuer_cell}</td></tr><tr><td rowspan="2" width="30%" valign="top">'
                f'{relationship}</td><td valign="top">{amend_cell}</td></tr><tr><td valign="top">{filing_cell}</td></tr>')
    else:
        grid = (f'<tr><td rowspan="3" width="35%" valign="top">{owner}</td><td width="35%" valign="top">{issuer_cell}</td>'
                f'<td rowspan="2" valign="top">{relationship}</td></tr><tr><td valign="top">{date_cell}</td></tr>'
                f'<tr><td valign="top">{amend_cell}</td><td valign="top">{filing_cell}</td></tr>')
    header = f'<table width="100%" border="1" cellspacing="0" cellpadding="4">{grid}</table>'
    others = "".join(
        f'<table width="100%" border="1" cellspacing="0" cellpadding="4"><tr><td width="50%" valign="top">'
        f'{_owner_html(record, kind, i)}</td><td valign="top">{_relationship_html(record, kind, i)}</td></tr></table>'
        for i in range(1, len(record.owners)))
    notes = "".join(f'<tr><td class="FootnoteData">{_esc(tokens[0].text)} {_spans(tokens[1:], "FootnoteData")}</td></tr>'
                    for tokens in footnote_tokens(record, f))
    remarks = _spans(value_tokens(record.remarks, Slot(""), "text", f), "FootnoteData")
    closing = ('<table border="0" width="100%"><tr><td class="MedSmallFormText"><b>Explanation of Responses:</b></td></tr>'
               f'{notes}<tr><td class="FormText"><b>Remarks:</b></td></tr><tr><td class="FootnoteData">{remarks}</td></tr></table>')
    signatures = "".join(
        f'<tr><td width="60%"></td><td width="20%"><u>{_spans(value_tokens(s.name, Slot(""), "text", f))}</u></td>'
        f'<td width="20%"><u>{_spans(value_tokens(s.date, Slot(""), "date", f))}</u></td></tr>'
        for s in record.signatures)
    footer = "".join(f'<tr><td colspan="3" class="MedSmallFormText">{_esc(t)}</td></tr>' for t in FOOTER_NOTES)
    sign = (f'<table width="100%" border="0">{signatures}<tr><td></td><td class="MedSmallFormText">** Signature of '
            f'Reporting Person</td><td class="MedSmallFormText">Date</td></tr>{footer}</table>')
    return ('<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n'
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><title>SEC FORM {kind.name}</title>'
            f'<style type="text/css">{_STYLE}</style></head><body>SEC Form {kind.name}\n{top}{header}'
            f'{_table_html(record, kind, "I")}{_table_html(record, kind, "II")}{others}{closing}{sign}</body></html>\n')
