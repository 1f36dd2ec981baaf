"""The parts every layout family draws, as cells: header boxes, Tables I and II, closing section.

A family picks a `Look` (its styles and value formats), arranges these cells in its own
grid and draws them; the text and the label of every word come from here and from
`printed.py`, so the families agree on what a form says and differ only in how it looks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from ..records import Record
from .canvas import LABEL, Piece, Slot, Style
from .grid import Block, Cell, Frame, Table, fit_columns, table_min_widths
from .printed import (
    Formats,
    FormKind,
    Leaf,
    Styles,
    Token,
    box_captions,
    cell_tokens,
    date_key,
    footnote_tokens,
    pieces,
    state_tokens,
    table_leaves,
    value_tokens,
)

# Relative widths of the leaf columns, roughly as EDGAR prints them.
COLUMN_WEIGHTS = {
    "security_title": 18.0, "transaction_date": 7.0, "deemed_execution_date": 6.5, "transaction_code": 4.5,
    "v_flag": 2.6, "shares": 8.0, "acquired_disposed": 4.5, "price_per_share": 6.5,
    "shares_owned_following": 9.0, "direct_or_indirect": 6.0, "nature_of_ownership": 9.0,
    "conversion_or_exercise_price": 6.5, "shares_acquired": 6.0, "shares_disposed": 6.0,
    "exercise_date": 6.5, "expiration_date": 6.5, "underlying_title": 10.0, "underlying_shares": 7.5,
}
CENTERED = {"transaction_date", "deemed_execution_date", "transaction_code", "v_flag", "shares", "acquired_disposed",
            "price_per_share", "shares_owned_following", "direct_or_indirect", "conversion_or_exercise_price",
            "shares_acquired", "shares_disposed", "exercise_date", "expiration_date", "underlying_shares"}


@dataclass(frozen=True)
class Look:
    """A family's styles and value formats for one rendering."""

    value: Style  # the filled-in values
    caption: Style  # box captions
    small: Style  # column headers, small print
    heading: Style  # table titles, section headings
    title: Style  # "FORM 4", the statement's title
    marker: Style  # raised footnote markers
    check: Style  # check glyphs that need a symbol font
    formats: Formats
    dollar: Style | None = None  # None: "$" in the value's style, so "$5.00" is one word
    marker_rise: float = 2.0
    small_value: Style | None = None  # values in crowded table cells

    def styles(self, value: Style | None = None) -> Styles:
        return Styles(value or self.value, self.caption, self.marker, self.check, self.dollar, self.marker_rise)


def caption(text: str, style: Style, align: str = "left", star: Style | None = None) -> Block:
    """Printed form text; `star` adds the raised '*' EDGAR puts after box 1's caption."""
    parts = [Piece(text, style, LABEL)]
    if star is not None:
        parts.append(Piece("*", star, LABEL, glue=True, rise=style.size * 0.35))
    return Block(parts, align)


def tokens_block(tokens: list[Token], look: Look, align: str = "left", value: Style | None = None,
                 rule_below: bool = False) -> Block:
    return Block(pieces(tokens, look.styles(value), look.formats), align, rule_below=rule_below)


def label_pieces(text: str, style: Style) -> list[Piece]:
    return [Piece(text, style, LABEL)]


# --- header boxes ------------------------------------------------------------------------------

def owner_blocks(record: Record, index: int, look: Look, sub_captions: bool = True,
                 rules: bool = True, spread: bool = True) -> list[Block]:
    """Name, street lines and city/state/zip of one reporting owner (without the box caption).

    `spread` sets (Last) (First) (Middle) and city, state, zip in thirds of the box, as wide
    browser windows do; otherwise they follow each other one space apart, as printed pages do.
    """

    def row(parts: list[list[Piece]], widths: list[float] | None = None, rule: bool = False) -> Block:
        if spread:
            return Block(parts=parts, widths=widths, rule_below=rule)
        return Block([p for part in parts for p in part], rule_below=rule)

    owner = record.owners[index]
    base = f"owners.{index}"
    f = look.formats
    small = look.caption
    blocks = [tokens_block(value_tokens(owner.name, Slot(f"{base}.name"), "text", f), look, rule_below=rules)]
    if sub_captions:
        blocks.append(row([label_pieces(t, small) for t in ("(Last)", "(First)", "(Middle)")]))
    address = owner.address
    for name in ("street1", "street2"):
        tokens = value_tokens(getattr(address, name), Slot(f"{base}.address.{name}"), "text", f)
        if tokens:
            blocks.append(tokens_block(tokens, look))
    if rules:
        blocks[-1].rule_below = True
    if sub_captions:
        blocks.append(caption("(Street)", small))
    city = pieces(value_tokens(address.city, Slot(f"{base}.address.city"), "text", f), look.styles(), f)
    state = pieces(state_tokens(address.state, Slot(f"{base}.address.state"), f), look.styles(), f)
    zip_code = pieces(value_tokens(address.zip_code, Slot(f"{base}.address.zip_code"), "text", f), look.styles(), f)
    blocks.append(row([city, state, zip_code], [0.45, 0.22, 0.33], rules))
    if sub_captions:
        blocks.append(row([label_pieces(t, small) for t in ("(City)", "(State)", "(Zip)")], [0.45, 0.22, 0.33]))
    return blocks


def owner_box(record: Record, kind: FormKind, index: int, look: Look, sub_captions: bool = True,
              rules: bool = True, spread: bool = True) -> Cell:
    text = box_captions(kind)["name_address"]
    return Cell([caption(text, look.caption, star=look.marker)]
                + owner_blocks(record, index, look, sub_captions, rules, spread))


def issuer_tokens(record: Record, f: Formats, brackets: str = "[]") -> list[Token]:
    tokens = value_tokens(record.issuer.name, Slot("issuer.name"), "text", f)
    symbol = value_tokens(record.issuer.trading_symbol, Slot("issuer.trading_symbol"), "text", f)
    if symbol:
        tokens += [Token(brackets[0], LABEL, "label")] + symbol + [Token(brackets[1], LABEL, "label")]
    return tokens


def issuer_box(record: Record, kind: FormKind, look: Look) -> Cell:
    return Cell([caption(box_captions(kind)["issuer"], look.caption), tokens_block(issuer_tokens(record, look.formats), look)])


def date_box(record: Record, kind: FormKind, look: Look) -> Cell:
    tokens = value_tokens(record.period_of_report, Slot("period_of_report"), "date", look.formats)
    return Cell([caption(box_captions(kind)[date_key(kind)], look.caption), tokens_block(tokens, look)])


def amendment_box(record: Record, kind: FormKind, look: Look) -> Cell:
    tokens = value_tokens(record.date_of_original_submission, Slot("date_of_original_submission"), "date", look.formats)
    return Cell([caption(box_captions(kind)["amendment"], look.caption), tokens_block(tokens, look)])


def check_pieces(record_value, field: str, look: Look) -> list[Piece]:
    return pieces(value_tokens(record_value, Slot(field), "flag", look.formats), look.styles(), look.formats)


def relationship_blocks(record: Record, index: int, look: Look) -> list[Block]:
    """The four relationship boxes in two rows, then officer title and other text under them."""
    rel = record.owners[index].relationship
    base = f"owners.{index}.relationship"
    f = look.formats
    cap = look.caption
    widths = [0.15, 0.35, 0.15, 0.35]
    align = ["center", "left", "center", "left"]

    def row(a: str, a_label: str, b: str, b_label: str) -> Block:
        return Block(parts=[check_pieces(getattr(rel, a), f"{base}.{a}", look), label_pieces(a_label, cap),
                            check_pieces(getattr(rel, b), f"{base}.{b}", look), label_pieces(b_label, cap)],
                     widths=widths, part_align=align)

    title = pieces(value_tokens(rel.officer_title, Slot(f"{base}.officer_title"), "text", f), look.styles(), f)
    other = pieces(value_tokens(rel.other_text, Slot(f"{base}.other_text"), "text", f), look.styles(), f)
    blocks = [row("is_director", "Director", "is_ten_percent_owner", "10% Owner"),
              row("is_officer", "Officer (give title below)", "is_other", "Other (specify below)")]
    if title or other:
        blocks.append(Block(parts=[[], title, [], other], widths=widths, part_align=align))
    return blocks


def relationship_box(record: Record, kind: FormKind, index: int, look: Look, numbered: bool = True) -> Cell:
    text = box_captions(kind)["relationship"].replace(" (Check all applicable)", "")
    if not numbered:
        text = text.split(". ", 1)[1]
    return Cell([caption(text, look.caption), caption("(Check all applicable)", look.caption)]
                + relationship_blocks(record, index, look))


def filing_box(record: Record, kind: FormKind, look: Look) -> Cell:
    joint = record.joint_filing.value
    if joint is None:
        joint = len(record.owners) > 1
    single = record.joint_filing.model_copy(update={"value": not joint})
    multiple = record.joint_filing.model_copy(update={"value": joint})
    rows = []
    for flag, text in ((single, "Form filed by One Reporting Person"), (multiple, "Form filed by More than One Reporting Person")):
        rows.append(Block(parts=[check_pieces(flag, "joint_filing", look), label_pieces(text, look.caption)],
                          widths=[0.15, 0.85], part_align=["center", "left"]))
    text = box_captions(kind)["filing"]
    return Cell([caption(text, look.caption)] + rows)


# --- tables --------------------------------------------------------------------------------------

def leaf_weights(leaves: list[Leaf], rng: random.Random, jitter: float = 0.2) -> list[float]:
    return [COLUMN_WEIGHTS.get(leaf.key, 6.0) * rng.uniform(1 - jitter, 1 + jitter) for leaf in leaves]


def make_table(record: Record, kind: FormKind, which: str, edges: list[float], look: Look, header: Style,
               title: list[Block], continued: list[Block] | None = None, repeat_header: bool = True,
               value: Style | None = None, title_align: str = "left", empty_rows: int = 0) -> Table:
    """Table I or II of the record: headers from form_labels.json, one body row per record row."""
    leaves = table_leaves(kind, which)
    headers: list[tuple[int, int, Cell]] = []
    subheaders: dict[int, Cell] = {}
    i = 0
    while i < len(leaves):
        leaf = leaves[i]
        if leaf.group is None:
            headers.append((i, 1, Cell([caption(leaf.header, header, title_align)])))
            i += 1
            continue
        j = i
        while j < len(leaves) and leaves[j].group == leaf.group:
            subheaders[j] = Cell([caption(leaves[j].header, header, "center")])
            j += 1
        headers.append((i, j - i, Cell([caption(leaf.group, header, title_align)])))
        i = j
    rows = record.non_derivative if which == "I" else record.derivative
    body = []
    for index, row in enumerate(rows):
        cells = []
        for leaf in leaves:
            tokens = cell_tokens(row, which, index, leaf.key, look.formats)
            align = "center" if leaf.key in CENTERED else "left"
            cells.append(Cell([tokens_block(tokens, look, align, value)] if tokens else []))
        body.append(cells)
    return Table(edges, headers, subheaders, body, title, continued, repeat_header, empty_rows)


# --- closing section -------------------------------------------------------------------------------

def footnote_blocks(record: Record, look: Look, style: Style | None = None) -> list[Block]:
    return [tokens_block(tokens, look, value=style) for tokens in footnote_tokens(record, look.formats)]


def remarks_block(record: Record, look: Look, style: Style | None = None) -> Block | None:
    tokens = value_tokens(record.remarks, Slot("remarks"), "text", look.formats)
    return tokens_block(tokens, look, value=style) if tokens else None


def signature_pieces(record: Record, index: int, look: Look) -> tuple[list[Piece], list[Piece]]:
    signature = record.signatures[index]
    f = look.formats
    name = pieces(value_tokens(signature.name, Slot(f"signatures.{index}.name"), "text", f), look.styles(), f)
    date = pieces(value_tokens(signature.date, Slot(f"signatures.{index}.date"), "date", f), look.styles(), f)
    return name, date


def fitted_table(record: Record, kind: FormKind, which: str, look: Look, header: Style, title: list[Block],
                 left: float, right: float, weights: list[float], frame: Frame, header_frame: Frame,
                 value: Style | None = None, **options) -> Table:
    """Table I or II in the given width: the print shrinks (down to 70%) until no word has to break."""
    value = value or look.value
    table = None
    for scale in (1.0, 0.92, 0.85, 0.78, 0.7):
        small_look = replace(look, marker=replace(look.marker, size=look.marker.size * scale),
                             marker_rise=look.marker_rise * scale, dollar=None if look.dollar is None else
                             replace(look.dollar, size=look.dollar.size * scale))
        table = make_table(record, kind, which, [], small_look, replace(header, size=header.size * scale), title,
                           value=replace(value, size=value.size * scale), **options)
        mins = table_min_widths(table, len(weights), frame, header_frame)
        if sum(mins) <= right - left:
            break
    table.edges = fit_columns(left, right, weights, mins)
    return table
