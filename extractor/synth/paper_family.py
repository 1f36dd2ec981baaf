"""The "paper" family: the SEC's official paper form (SEC 1473/1474/2270), filled in.

A ruled grid of numbered boxes under the form's name and OMB box, Tables I and II with
every column ruled and blank rows left for more entries, the explanation of responses and
a signature line; the printed captions in a small sans or serif, the values typed in by a
typewriter (monospaced) or by form-filling software, in the formats the seed chose, with
check boxes drawn as glyphs. Every page carries the form's SEC number and a page number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records import Record
from .canvas import LABEL, OTHER_SLOT, Piece, Sheet, Slot, Style, draw_text, set_text, symbol_font
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
from .grid import Block, Cell, Flow, Frame, Placed, columns, draw_blocks, draw_box_grid, draw_row, draw_table
from .printed import (
    COMMISSION,
    FILED_PURSUANT,
    FOOTER_NOTES,
    OMB,
    TITLES,
    WASHINGTON,
    FormKind,
    form_kind,
    pick_formats,
    pieces,
    table_leaves,
    table_titles,
    top_checkboxes,
    value_tokens,
)

if TYPE_CHECKING:
    from .render import Chooser, Drawn

SEC_NUMBERS = {"3": "SEC 1473", "4": "SEC 1474", "5": "SEC 2270"}
REVISIONS = ("(9-02)", "(9-08)", "(02-23)", "(7-96)")


def draw(record: Record, chooser: "Chooser") -> "Drawn":
    from .render import Drawn

    kind = form_kind(record)
    width, height = _page(chooser)
    printed = chooser.fonts("font.captions", chooser.pick("caption_kind", ("sans", "serif"), [3, 1]))
    typed_kind = chooser.pick("typed_with", ("mono", "sans", "serif"), [3, 2, 1])
    typed = chooser.fonts("font.values", typed_kind)
    k = chooser.scale()
    formats = pick_formats(chooser.rng, chooser.symbols())
    chooser.variation.update(formats.describe())
    symbols = symbol_font()
    size = (8.6 if typed_kind == "mono" else 8.8) * k
    look = Look(
        value=Style(typed.regular, size),
        caption=Style(printed.regular, 6.6 * k),
        small=Style(printed.regular, 6.0 * k),
        heading=Style(printed.bold, 8.6 * k),
        title=Style(printed.bold, 11.0 * k),
        marker=Style(typed.regular, size * 0.66),
        check=Style(symbols or typed.regular, size),
        formats=formats,
        marker_rise=size * 0.38,
        small_value=Style(typed.regular, size * 0.9),
    )
    margin = chooser.uniform("margin", 22.0, 40.0)
    sheet = Sheet(width, height, f"Form {kind.name}")
    revision = chooser.pick("revision", REVISIONS)
    footer = Style(printed.regular, 6.2 * k)

    def page_footer(flow: Flow) -> None:
        _footer(flow, kind, revision, footer)

    flow = Flow(sheet, margin, margin, width - margin, height - margin - 14.0, page_footer)
    _footer(flow, kind, revision, footer)
    _top(flow, record, kind, look)
    _header(flow, record, kind, look, chooser)
    body = Frame(padding=2.6 * k, leading=1.2, rules="grid", valign="top", rule_width=0.5)
    head = Frame(padding=2.2 * k, leading=1.1, rules="grid", valign="top", rule_width=0.7)
    blanks = chooser.pick("blank_rows", (0, 2, 4, 6))
    continued = chooser.chance("continued_title", 0.5)
    title_i, (title_ii, eg) = table_titles(kind)
    for which, title_text in (("I", title_i), ("II", f"{title_ii} {eg}")):
        title = [caption(title_text, look.heading, "left")]
        more = [caption(title_text.split(" - ")[0] + " (Continued)", look.heading, "left")] if continued else None
        weights = leaf_weights(table_leaves(kind, which), chooser.rng, 0.1)
        table = fitted_table(record, kind, which, look, look.small, title, flow.left, flow.right, weights, body, head,
                             value=look.small_value if which == "II" else None, continued=more, title_align="center",
                             empty_rows=blanks)
        flow.y += 5.0
        draw_table(flow, table, body, head)
    if len(record.owners) > 1:
        flow.y += 6.0
        flow.ensure(30.0)
        draw_blocks(flow, [caption("Joint Filer Information", look.heading)], flow.left, flow.right)
        for index in range(1, len(record.owners)):
            edges = columns(flow.left, flow.right, [0.45, 0.55])
            frame = Frame(padding=3.0, leading=1.2, rules="grid")
            draw_box_grid(flow, edges, [Placed(owner_box(record, kind, index, look), 0, 0, 1, 1),
                                        Placed(relationship_box(record, kind, index, look), 1, 0, 2, 1)], frame)
    _closing(flow, record, look)
    pdf = sheet.finish()
    return Drawn(sheet, pdf, None, chooser.variation)


def _page(chooser: "Chooser") -> tuple[float, float]:
    # The paper Forms 4 and 5 are printed sideways; Form 3 too in most revisions.
    size = chooser.page(landscape_ok=False)
    if chooser.chance("landscape", 0.7):
        chooser.note("orientation", "landscape")
        return size[1], size[0]
    return size


def _footer(flow: Flow, kind: FormKind, revision: str, style: Style) -> None:
    sheet = flow.sheet
    y = flow.bottom + 6.0
    text = [Piece(f"{SEC_NUMBERS[kind.base]} {revision}", style, LABEL)]
    draw_text(sheet, set_text(text, 200.0), flow.left, y, 200.0)
    page = [Piece("Page", style, OTHER_SLOT), Piece(str(sheet.page), style, OTHER_SLOT)]
    draw_text(sheet, set_text(page, 80.0), flow.right - 80.0, y, 80.0, "right")


def _top(flow: Flow, record: Record, kind: FormKind, look: Look) -> None:
    sheet, left, right = flow.sheet, flow.left, flow.right
    span = right - left
    top = flow.y
    form_right = left + span * 0.26
    omb_left = left + span * 0.76
    big = Style(look.title.font, look.title.size * 1.7)
    name = [Piece("FORM", big, LABEL), Piece(kind.name, big, Slot("document_type"))]
    y = top + 3.0 + draw_text(sheet, set_text(name, form_right - left - 6), left + 3, top + 3, form_right - left - 6)
    for field, text in top_checkboxes(record, kind):
        glyph = value_tokens(getattr(record, field), Slot(field), "flag", look.formats)
        marks = pieces(glyph, look.styles(), look.formats)
        lines = set_text(marks, 18.0)
        draw_text(sheet, lines, left + 3, y, 18.0, "center")
        sheet.rect(left + 6.0, y + 1.0, left + 15.0, y + 10.0, 0.5)
        used = draw_text(sheet, set_text([Piece(text, look.small, LABEL)], form_right - left - 30), left + 24, y,
                         form_right - left - 30, "left", 1.12)
        y += max(used, 11.0) + 3.0
    y += draw_text(sheet, set_text([Piece("(Print or Type Responses)", look.small, LABEL)], form_right - left - 6),
                   left + 3, y, form_right - left - 6) + 3.0
    sheet.rect(left, top, form_right, y, 0.9)
    y_mid = top + 2.0
    for text, style in ((COMMISSION, look.heading), (WASHINGTON, look.caption), (TITLES[kind.base], look.title)):
        y_mid += draw_text(sheet, set_text([Piece(text, style, LABEL)], omb_left - form_right - 12), form_right + 6,
                           y_mid, omb_left - form_right - 12, "center") + 3.0
    for text in FILED_PURSUANT:
        y_mid += draw_text(sheet, set_text([Piece(text, look.small, LABEL)], omb_left - form_right - 12), form_right + 6,
                           y_mid, omb_left - form_right - 12, "center")
    number, hours = OMB[kind.base]
    rows = [[Piece("OMB APPROVAL", look.heading, LABEL)],
            [Piece("OMB Number:", look.small, LABEL), Piece(number, look.small, LABEL)],
            [Piece("Estimated average burden", look.small, LABEL)],
            [Piece("hours per response", look.small, LABEL), Piece(hours, look.small, LABEL)]]
    y_omb = top + 2.0
    for i, row in enumerate(rows):
        y_omb += draw_text(sheet, set_text(row, right - omb_left - 8), omb_left + 4, y_omb, right - omb_left - 8,
                           "center" if i == 0 else "left") + 2.0
        if i == 0:
            sheet.line(omb_left, y_omb, right, y_omb, 0.5)
            y_omb += 2.0
    sheet.rect(omb_left, top, right, y_omb + 2.0, 0.9)
    flow.y = max(y, y_mid, y_omb + 2.0) + 4.0


def _header(flow: Flow, record: Record, kind: FormKind, look: Look, chooser: "Chooser") -> None:
    frame = Frame(padding=3.0, leading=1.22, rules="grid", rule_width=0.8)
    empty_owner = Cell([caption("1. Name and Address of Reporting Person", look.caption)])
    owner = owner_box(record, kind, 0, look) if record.owners else empty_owner
    relationship = relationship_box(record, kind, 0, look) if record.owners else Cell()
    first = chooser.uniform("box1_width", 0.26, 0.33)
    middle = chooser.uniform("box2_width", 0.34, 0.4)
    edges = columns(flow.left, flow.right, [first, middle / 2, middle / 2, 1.0 - first - middle])
    placed = [Placed(owner, 0, 0, 1, 2), Placed(issuer_box(record, kind, look), 1, 0, 3, 1),
              Placed(date_box(record, kind, look), 1, 1, 2, 2), Placed(amendment_box(record, kind, look), 2, 1, 3, 2),
              Placed(relationship, 3, 0, 4, 1), Placed(filing_box(record, kind, look), 3, 1, 4, 2)]
    draw_box_grid(flow, edges, placed, frame)


def _closing(flow: Flow, record: Record, look: Look) -> None:
    flow.y += 6.0
    blocks = [caption("Explanation of Responses:", look.heading)] + footnote_blocks(record, look)
    remarks = remarks_block(record, look)
    if remarks is not None:
        blocks += [caption("Remarks:", look.heading), remarks]
    draw_blocks(flow, blocks, flow.left + 2.0, flow.right - 2.0, 1.2, 2.0)
    flow.y += 10.0
    edges = columns(flow.left, flow.right, [0.5, 0.33, 0.17])
    frame = Frame(padding=2.0, leading=1.2, rules="none")
    for index in range(len(record.signatures)):
        name, date = signature_pieces(record, index, look)
        draw_row(flow, edges, [Cell(), Cell([Block(name)]), Cell([Block(date)])], frame)
    flow.sheet.line(edges[1] + 2.0, flow.y, edges[3] - 2.0, flow.y, 0.7)
    notes = Cell([caption(FOOTER_NOTES[2], look.small)])
    draw_row(flow, edges, [notes, Cell([caption("** Signature of Reporting Person", look.caption)]),
                           Cell([caption("Date", look.caption)])], frame)
    flow.y += 2.0
    draw_blocks(flow, [caption(FOOTER_NOTES[0], look.caption), caption(FOOTER_NOTES[3], look.small),
                       caption(FOOTER_NOTES[4], look.small)], flow.left + 2.0, flow.right - 2.0, 1.15, 1.5)
