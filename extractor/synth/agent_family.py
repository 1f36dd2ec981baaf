"""The "agent" family: a filing agent's compact layout, denser than EDGAR's.

Small print, one sans family, the header boxes in another order and other widths (issuer
and dates first, or the classic three columns), every reporting owner in the header with
their own relationship box, tables ruled between rows only, portrait or landscape pages
with a running head on the pages after the first.
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
    FOOTER_NOTES,
    OMB,
    TITLES,
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

ARRANGEMENTS = ("issuer_first", "three_columns", "owners_left")


def draw(record: Record, chooser: "Chooser") -> "Drawn":
    from .render import Drawn

    kind = form_kind(record)
    width, height = chooser.page(landscape_ok=True)
    family = chooser.fonts("font", chooser.pick("font_kind", ("sans", "serif"), [4, 1]))
    k = chooser.scale()
    formats = pick_formats(chooser.rng, chooser.symbols())
    chooser.variation.update(formats.describe())
    size = 7.4 * k
    ink = chooser.pick("value_ink", ("black", "navy"), [3, 1])
    color = (0.0, 0.0, 0.0) if ink == "black" else (0.05, 0.1, 0.45)
    symbols = symbol_font()
    look = Look(
        value=Style(family.regular, size, color),
        caption=Style(family.regular, 5.9 * k),
        small=Style(family.regular, 5.4 * k),
        heading=Style(family.bold, 7.2 * k),
        title=Style(family.bold, 10.0 * k),
        marker=Style(family.regular, size * 0.68, color),
        check=Style(symbols or family.regular, size, color),
        formats=formats,
        marker_rise=size * 0.36,
        small_value=Style(family.regular, size * 0.92, color),
    )
    margin = chooser.uniform("margin", 18.0, 34.0)
    sheet = Sheet(width, height, f"Form {kind.name}")
    running = Style(family.regular, 5.8 * k)

    def running_head(flow: Flow) -> None:
        text = [Piece("FORM", running, LABEL), Piece(kind.name, running, Slot("document_type")),
                Piece("(continued)", running, LABEL)]
        number = [Piece("Page", running, OTHER_SLOT), Piece(str(flow.sheet.page), running, OTHER_SLOT)]
        draw_text(flow.sheet, set_text(text, 200.0), flow.left, flow.top - 12.0, 200.0)
        draw_text(flow.sheet, set_text(number, 60.0), flow.right - 60.0, flow.top - 12.0, 60.0, "right")

    flow = Flow(sheet, margin, margin + 12.0, width - margin, height - margin, running_head)
    _top(flow, record, kind, look)
    _header(flow, record, kind, look, chooser)
    body = Frame(padding=2.0 * k, leading=1.15, rules="rows", valign="top", rule_width=0.4)
    head = Frame(padding=2.0 * k, leading=1.08, rules=chooser.pick("header_rules", ("grid", "rows")), valign="top",
                 rule_width=0.5)
    title_i, (title_ii, eg) = table_titles(kind)
    for which, title_text in (("I", title_i), ("II", f"{title_ii} {eg}")):
        weights = leaf_weights(table_leaves(kind, which), chooser.rng, 0.3)
        table = fitted_table(record, kind, which, look, look.small, [caption(title_text, look.heading)], flow.left,
                             flow.right, weights, body, head, value=look.small_value if which == "II" else None,
                             repeat_header=chooser.rng.random() < 0.8)
        flow.y += 4.0
        draw_table(flow, table, body, head)
    _closing(flow, record, look, chooser)
    pdf = sheet.finish()
    return Drawn(sheet, pdf, None, chooser.variation)


def _top(flow: Flow, record: Record, kind: FormKind, look: Look) -> None:
    sheet, left, right = flow.sheet, flow.left, flow.right
    number, hours = OMB[kind.base]
    head = [Piece("FORM", look.title, LABEL), Piece(kind.name, look.title, Slot("document_type")),
            Piece(TITLES[kind.base], look.title, LABEL)]
    omb = [Piece("OMB Number:", look.small, LABEL), Piece(number, look.small, LABEL),
           Piece("Estimated average burden hours per response:", look.small, LABEL), Piece(hours, look.small, LABEL)]
    split = left + (right - left) * 0.68
    used = draw_text(sheet, set_text(head, split - left), left, flow.y, split - left)
    draw_text(sheet, set_text(omb, right - split), split, flow.y, right - split, "right")
    flow.y += used
    flow.y += draw_text(sheet, set_text([Piece(COMMISSION, look.caption, LABEL)], right - left), left, flow.y, right - left)
    sheet.line(left, flow.y + 1.5, right, flow.y + 1.5, 1.0)
    flow.y += 4.0
    for field, text in top_checkboxes(record, kind):
        marks = pieces(value_tokens(getattr(record, field), Slot(field), "flag", look.formats), look.styles(), look.formats)
        draw_text(sheet, set_text(marks, 16.0), left, flow.y, 16.0, "center")
        flow.y += draw_text(sheet, set_text([Piece(text, look.small, LABEL)], right - left - 20), left + 20, flow.y,
                            right - left - 20) + 1.5
    flow.y += 3.0


def _header(flow: Flow, record: Record, kind: FormKind, look: Look, chooser: "Chooser") -> None:
    arrangement = chooser.pick("arrangement", ARRANGEMENTS)
    sub_captions = chooser.chance("address_captions", 0.5)
    frame = Frame(padding=2.4, leading=1.15, rules=chooser.pick("box_rules", ("grid", "rows"), [2, 1]), rule_width=0.5)
    spread = chooser.chance("address_spread", 0.5)
    owners = [owner_box(record, kind, i, look, sub_captions, rules=False, spread=spread) for i in range(len(record.owners))]
    relations = [relationship_box(record, kind, i, look) for i in range(len(record.owners))]
    owner, relation = (owners[0], relations[0]) if owners else (Cell(), Cell())
    issuer, date, amend, filing = (issuer_box(record, kind, look), date_box(record, kind, look),
                                   amendment_box(record, kind, look), filing_box(record, kind, look))
    if arrangement == "issuer_first":
        edges = columns(flow.left, flow.right, [0.36, 0.16, 0.16, 0.32])
        placed = [Placed(issuer, 0, 0, 1, 1), Placed(date, 1, 0, 2, 1), Placed(amend, 2, 0, 3, 1), Placed(filing, 3, 0, 4, 1),
                  Placed(owner, 0, 1, 2, 2), Placed(relation, 2, 1, 4, 2)]
    elif arrangement == "owners_left":
        edges = columns(flow.left, flow.right, [0.3, 0.3, 0.4])
        placed = [Placed(issuer, 1, 0, 3, 1), Placed(date, 1, 1, 2, 2), Placed(amend, 2, 1, 3, 2),
                  Placed(filing, 1, 2, 3, 3), Placed(owner, 0, 0, 1, 2), Placed(relation, 0, 2, 1, 3)]
    else:
        edges = columns(flow.left, flow.right, [0.33, 0.34, 0.33])
        placed = [Placed(owner, 0, 0, 1, 3), Placed(issuer, 1, 0, 2, 1), Placed(date, 1, 1, 2, 2),
                  Placed(amend, 1, 2, 2, 3), Placed(relation, 2, 0, 3, 2), Placed(filing, 2, 2, 3, 3)]
    draw_box_grid(flow, edges, placed, frame)
    # Further owners: one row each, still above Table I.
    pair = columns(flow.left, flow.right, [0.5, 0.5])
    for extra_owner, extra_relation in zip(owners[1:], relations[1:]):
        draw_box_grid(flow, pair, [Placed(extra_owner, 0, 0, 1, 1), Placed(extra_relation, 1, 0, 2, 1)], frame)


def _closing(flow: Flow, record: Record, look: Look, chooser: "Chooser") -> None:
    flow.y += 5.0
    blocks = [caption("Explanation of Responses:", look.heading)] + footnote_blocks(record, look)
    remarks = remarks_block(record, look)
    if remarks is not None:
        blocks += [caption("Remarks:", look.heading), remarks]
    draw_blocks(flow, blocks, flow.left, flow.right, 1.15, 1.5)
    flow.y += 8.0
    left_side = chooser.chance("signature_left", 0.5)
    edges = columns(flow.left, flow.right, [0.35, 0.15, 0.5] if left_side else [0.5, 0.32, 0.18])
    slots = (0, 1) if left_side else (1, 2)
    frame = Frame(padding=1.5, leading=1.15, rules="none")
    for index in range(len(record.signatures)):
        name, date = signature_pieces(record, index, look)
        cells = [Cell(), Cell(), Cell()]
        cells[slots[0]], cells[slots[1]] = Cell([Block(name)]), Cell([Block(date)])
        draw_row(flow, edges, cells, frame)
    flow.sheet.line(edges[slots[0]], flow.y, edges[slots[1] + 1], flow.y, 0.5)
    cells = [Cell(), Cell(), Cell()]
    cells[slots[0]] = Cell([caption("** Signature of Reporting Person", look.caption)])
    cells[slots[1]] = Cell([caption("Date", look.caption)])
    draw_row(flow, edges, cells, frame)
    flow.y += 2.0
    draw_blocks(flow, [caption(text, look.small) for text in FOOTER_NOTES], flow.left, flow.right, 1.12, 1.0)
