"""Cells, rows and ruled tables on a Sheet, flowing down the page and on to the next.

A cell holds blocks of pieces (a caption, a value) set in the cell's width; a row is as
tall as its tallest cell; a table repeats its column headers (and optionally a
"continued" title) at the top of every page it runs on to, the way browsers print a
`<thead>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .canvas import Piece, Sheet, TextLine, draw_text, min_width, set_text, text_height


@dataclass
class Block:
    """A paragraph of a cell, or a row of side-by-side parts (City | State | Zip, a check mark | its caption)."""

    pieces: list[Piece] = field(default_factory=list)
    align: str = "left"  # left, center, right
    parts: list[list[Piece]] | None = None  # side by side instead of `pieces`
    widths: list[float] | None = None  # the parts' shares of the width; equal when None
    part_align: list[str] | None = None
    rule_below: bool = False  # a line under the block across the cell (the EDGAR <hr>)


@dataclass
class Cell:
    blocks: list[Block] = field(default_factory=list)
    span: int = 1


@dataclass(frozen=True)
class Frame:
    """How cells are drawn: padding, line spacing, rulings, vertical alignment."""

    padding: float = 3.0
    leading: float = 1.2
    block_gap: float = 1.5
    rules: str = "grid"  # grid: every cell boxed; rows: lines between rows only; none
    rule_width: float = 0.6
    valign: str = "top"  # top or middle

    def __post_init__(self) -> None:
        if self.padding < 1.0:
            raise ValueError(f"padding must be at least 1 point (neighbouring cells' words would merge), not {self.padding}")
        if not 1.0 <= self.leading <= 2.5:
            raise ValueError(f"leading must be between 1 and 2.5, not {self.leading}")
        if self.rules not in ("grid", "rows", "none") or self.valign not in ("top", "middle"):
            raise ValueError(f"unknown rules {self.rules!r} or valign {self.valign!r}")


class Flow:
    """The vertical position on the current page, and page breaks."""

    def __init__(self, sheet: Sheet, left: float, top: float, right: float, bottom: float,
                 on_new_page: Callable[["Flow"], None] | None = None):
        if not (0 <= left < right <= sheet.width and 0 <= top < bottom <= sheet.height):
            raise ValueError(f"margins leave no page: {left}, {top}, {right}, {bottom}")
        self.sheet, self.left, self.top, self.right, self.bottom = sheet, left, top, right, bottom
        self.y = top
        self.on_new_page = on_new_page

    @property
    def width(self) -> float:
        return self.right - self.left

    def room(self) -> float:
        return self.bottom - self.y

    def new_page(self) -> None:
        self.sheet.new_page()
        self.y = self.top
        if self.on_new_page is not None:
            self.on_new_page(self)

    def ensure(self, height: float) -> bool:
        """Start a new page unless `height` fits; True when a page was started."""
        if self.y + height <= self.bottom or self.y <= self.top + 0.5:
            return False
        self.new_page()
        return True


_PART_GAP = 3.0  # points kept clear between side-by-side parts


def _part_edges(block: Block, width: float) -> list[float]:
    """Part edges by the block's shares, widened where a part's longest word would not fit (as a browser does)."""
    count = len(block.parts or [])
    shares = block.widths or [1.0] * count
    mins = [min_width(part) + _PART_GAP for part in block.parts or []]
    return fit_columns(0.0, width, shares, mins)


def set_block(block: Block, width: float) -> list[list[TextLine]]:
    """Lines of each part of the block (one part for a plain paragraph)."""
    if block.parts is None:
        return [set_text(block.pieces, max(width, 4.0))]
    edges = _part_edges(block, width)
    return [set_text(part, max(edges[i + 1] - edges[i] - _PART_GAP, 4.0)) for i, part in enumerate(block.parts)]


def _block_height(sets: list[list[TextLine]], frame: Frame) -> float:
    return max((text_height(lines, frame.leading) for lines in sets), default=0.0)


def set_cell(cell: Cell, width: float, frame: Frame) -> list[list[list[TextLine]]]:
    return [set_block(block, width - 2 * frame.padding) for block in cell.blocks]


def cell_height(sets: list[list[list[TextLine]]], frame: Frame) -> float:
    body = [_block_height(s, frame) for s in sets]
    body = [h if h > 0 else frame.leading * 4.0 for h in body]  # an empty block keeps a little room
    return sum(body) + frame.block_gap * max(len(body) - 1, 0) + 2 * frame.padding


def draw_cell(sheet: Sheet, cell: Cell, sets: list[list[list[TextLine]]], x0: float, x1: float, top: float,
              bottom: float, frame: Frame, valign: str | None = None) -> None:
    y = top + frame.padding
    if (valign or frame.valign) == "middle":
        y += max(0.0, (bottom - top) - cell_height(sets, frame)) / 2
    inner_x, inner_w = x0 + frame.padding, x1 - x0 - 2 * frame.padding
    for block, parts in zip(cell.blocks, sets):
        height = _block_height(parts, frame) or frame.leading * 4.0
        if block.parts is None:
            draw_text(sheet, parts[0], inner_x, y, inner_w, block.align, frame.leading)
        else:
            edges = _part_edges(block, inner_w)
            for i, lines in enumerate(parts):
                align = block.part_align[i] if block.part_align else block.align
                draw_text(sheet, lines, inner_x + edges[i], y, edges[i + 1] - edges[i] - _PART_GAP, align, frame.leading)
        y += height
        if block.rule_below:
            sheet.line(inner_x, y + frame.block_gap / 2, inner_x + inner_w, y + frame.block_gap / 2, 0.8)
        y += frame.block_gap


def _spans(edges: list[float], cells: list[Cell]) -> list[tuple[float, float]]:
    out, i = [], 0
    for cell in cells:
        out.append((edges[i], edges[min(i + cell.span, len(edges) - 1)]))
        i += cell.span
    return out


def row_height(edges: list[float], cells: list[Cell], frame: Frame) -> tuple[float, list]:
    spans = _spans(edges, cells)
    sets = [set_cell(cell, x1 - x0, frame) for cell, (x0, x1) in zip(cells, spans)]
    return max((cell_height(s, frame) for s in sets), default=2 * frame.padding), sets


def draw_row(flow: Flow, edges: list[float], cells: list[Cell], frame: Frame, min_height: float = 0.0) -> float:
    """One row of cells at the flow's position (on a new page if it does not fit)."""
    height, sets = row_height(edges, cells, frame)
    height = max(height, min_height)
    flow.ensure(height)
    top = flow.y
    spans = _spans(edges, cells)
    for cell, s, (x0, x1) in zip(cells, sets, spans):
        draw_cell(flow.sheet, cell, s, x0, x1, top, top + height, frame)
    _rule_row(flow.sheet, [x for x, _ in spans] + [spans[-1][1]], top, top + height, frame)
    flow.y = top + height
    return height


def _rule_row(sheet: Sheet, xs: list[float], top: float, bottom: float, frame: Frame) -> None:
    if frame.rules == "none":
        return
    sheet.line(xs[0], bottom, xs[-1], bottom, frame.rule_width)
    if frame.rules == "grid":
        sheet.line(xs[0], top, xs[-1], top, frame.rule_width)
        for x in xs:
            sheet.line(x, top, x, bottom, frame.rule_width)


@dataclass
class Table:
    """A table: leaf column edges, header cells (grouped or not), body rows of leaf cells."""

    edges: list[float]
    headers: list[tuple[int, int, Cell]]  # (first leaf, leaf count, cell); grouped ones have sub-headers
    subheaders: dict[int, Cell]  # leaf index -> sub-header cell under its group
    rows: list[list[Cell]]
    title: list[Block] = field(default_factory=list)
    continued: list[Block] | None = None  # title on the pages it runs on to; None repeats `title`
    repeat_header: bool = True
    empty_rows: int = 0  # blank ruled rows printed after the data (paper forms)


def _header_height(table: Table, frame: Frame) -> tuple[float, float, dict[int, list], dict[int, list]]:
    e = table.edges
    group_sets, sub_sets = {}, {}
    single, top_part = 0.0, 0.0
    for first, count, cell in table.headers:
        s = set_cell(cell, e[first + count] - e[first], frame)
        group_sets[first] = s
        h = cell_height(s, frame)
        if any(first <= k < first + count for k in table.subheaders):
            top_part = max(top_part, h)
        else:
            single = max(single, h)
    sub = 0.0
    for k, cell in table.subheaders.items():
        s = set_cell(cell, e[k + 1] - e[k], frame)
        sub_sets[k] = s
        sub = max(sub, cell_height(s, frame))
    total = max(single, top_part + sub)
    return total, sub, group_sets, sub_sets


def _draw_title(flow: Flow, blocks: list[Block], frame: Frame) -> None:
    if blocks:
        draw_row(flow, [flow.left, flow.right], [Cell(list(blocks))], Frame(
            frame.padding, frame.leading, frame.block_gap, "none" if frame.rules == "none" else frame.rules,
            frame.rule_width, "top"))


def _draw_header(flow: Flow, table: Table, frame: Frame) -> None:
    total, sub, group_sets, sub_sets = _header_height(table, frame)
    e, sheet, top = table.edges, flow.sheet, flow.y
    for first, count, cell in table.headers:
        x0, x1 = e[first], e[first + count]
        grouped = any(first <= k < first + count for k in table.subheaders)
        bottom = top + total - sub if grouped else top + total
        draw_cell(sheet, cell, group_sets[first], x0, x1, top, bottom, frame, "top")
        if frame.rules == "grid":
            sheet.line(x0, top, x0, top + total, frame.rule_width)
            if grouped:
                sheet.line(x0, bottom, x1, bottom, frame.rule_width)
    for k, cell in table.subheaders.items():
        draw_cell(sheet, cell, sub_sets[k], e[k], e[k + 1], top + total - sub, top + total, frame, "top")
        if frame.rules == "grid":
            sheet.line(e[k], top + total - sub, e[k], top + total, frame.rule_width)
    if frame.rules != "none":
        if frame.rules == "grid":
            sheet.line(e[0], top, e[-1], top, frame.rule_width)
            sheet.line(e[-1], top, e[-1], top + total, frame.rule_width)
        sheet.line(e[0], top + total, e[-1], top + total, frame.rule_width * (1 if frame.rules == "grid" else 1.5))
    flow.y = top + total


def draw_table(flow: Flow, table: Table, frame: Frame, header_frame: Frame | None = None) -> None:
    """The table's title, headers and rows; rows that do not fit go on to a new page under repeated headers."""
    header_frame = header_frame or frame
    title_height = row_height([flow.left, flow.right], [Cell(list(table.title))], header_frame)[0] if table.title else 0.0
    header_height = _header_height(table, header_frame)[0]
    first_row = row_height(table.edges, table.rows[0], frame)[0] if table.rows else 0.0
    flow.ensure(title_height + header_height + first_row)
    _draw_title(flow, table.title, header_frame)
    _draw_header(flow, table, header_frame)
    blank = [Cell() for _ in range(len(table.edges) - 1)]
    body = list(table.rows) + [blank] * table.empty_rows
    for index, cells in enumerate(body):
        height = row_height(table.edges, cells, frame)[0]
        if index >= len(table.rows):
            height = max(height, 2 * frame.padding + 8.0)
            if flow.y + height > flow.bottom:
                break  # blank rows never start a page
        if flow.y + height > flow.bottom and flow.y > flow.top + 0.5:
            flow.new_page()
            if table.repeat_header:
                _draw_title(flow, table.title if table.continued is None else table.continued, header_frame)
                _draw_header(flow, table, header_frame)
        draw_row(flow, table.edges, cells, frame, min_height=height)


def columns(left: float, right: float, weights: list[float]) -> list[float]:
    """Edges of columns between `left` and `right` in proportion to `weights`."""
    total = sum(weights)
    edges, x = [left], left
    for w in weights:
        x += (right - left) * w / total
        edges.append(x)
    edges[-1] = right
    return edges


@dataclass
class Placed:
    """A cell of a box grid: columns [col, col_end) and rows [row, row_end)."""

    cell: Cell
    col: int
    row: int
    col_end: int
    row_end: int


def draw_box_grid(flow: Flow, edges: list[float], placed: list[Placed], frame: Frame,
                  min_row: float = 0.0) -> float:
    """Boxes spanning columns and rows (the form's header); rows grow to fit their tallest box."""
    rows = max(p.row_end for p in placed)
    heights = [min_row] * rows
    sets = {}
    for p in sorted(placed, key=lambda p: p.row_end - p.row):
        s = set_cell(p.cell, edges[p.col_end] - edges[p.col], frame)
        sets[id(p)] = s
        need = cell_height(s, frame)
        have = sum(heights[p.row:p.row_end])
        if need > have:
            heights[p.row_end - 1] += need - have
    total = sum(heights)
    flow.ensure(total)
    top = flow.y
    starts = [top]
    for h in heights:
        starts.append(starts[-1] + h)
    for p in placed:
        x0, x1, y0, y1 = edges[p.col], edges[p.col_end], starts[p.row], starts[p.row_end]
        draw_cell(flow.sheet, p.cell, sets[id(p)], x0, x1, y0, y1, frame, "top")
        if frame.rules == "grid":
            flow.sheet.rect(x0, y0, x1, y1, frame.rule_width)
        elif frame.rules == "rows":
            flow.sheet.line(x0, y1, x1, y1, frame.rule_width)
    flow.y = top + total
    return total


def draw_blocks(flow: Flow, blocks: list[Block], x0: float, x1: float, leading: float = 1.2,
                gap: float = 2.0) -> None:
    """Paragraphs at the flow's position, line by line, so a long one runs on to the next page."""
    for block in blocks:
        for lines in set_block(block, x1 - x0)[:1] if block.parts is None else []:
            for line in lines:
                height = line.size * leading
                flow.ensure(height)
                flow.y += draw_text(flow.sheet, [line], x0, flow.y, x1 - x0, block.align, leading)
        if block.parts is not None:
            cell = Cell([block])
            frame = Frame(padding=1.0, leading=leading, rules="none")
            draw_row(flow, [x0 - 1.0, x1 + 1.0], [cell], frame)
        flow.y += gap


def cell_min_width(cell: Cell, frame: Frame) -> float:
    widest = 0.0
    for block in cell.blocks:
        if block.parts is None:
            widest = max(widest, min_width(block.pieces))
        else:
            shares = block.widths or [1.0] * len(block.parts)
            for part, share in zip(block.parts, shares):
                widest = max(widest, (min_width(part) + _PART_GAP) * sum(shares) / share)
    return widest + 2 * frame.padding


def fit_columns(left: float, right: float, weights: list[float], mins: list[float]) -> list[float]:
    """Column edges in proportion to `weights`, but no column narrower than its widest word (as browsers do)."""
    available = right - left
    total = sum(weights)
    widths = [max(m, available * w / total) for w, m in zip(weights, mins)]
    excess = sum(widths) - available
    if excess > 1e-6:
        slack = [w - m for w, m in zip(widths, mins)]
        if sum(slack) >= excess:
            widths = [w - excess * s / sum(slack) for w, s in zip(widths, slack)]
        else:  # even the widest words do not fit: shrink everything alike, long words will break
            widths = [m * available / sum(mins) for m in mins]
    edges, x = [left], left
    for w in widths:
        x += w
        edges.append(x)
    edges[-1] = right
    return edges


def fit_table(table: Table, left: float, right: float, weights: list[float], frame: Frame,
              header_frame: Frame) -> None:
    """Set the table's edges: proportional to `weights`, each column at least as wide as its widest word."""
    table.edges = fit_columns(left, right, weights, table_min_widths(table, len(weights), frame, header_frame))


def table_min_widths(table: Table, count: int, frame: Frame, header_frame: Frame) -> list[float]:
    """Each leaf column's narrowest width that breaks no word of its headers and cells."""
    mins = [0.0] * count
    for first, count, cell in table.headers:
        share = cell_min_width(cell, header_frame) / count  # a group header's widest word, over its columns
        for k in range(first, first + count):
            mins[k] = max(mins[k], share)
    for k, cell in table.subheaders.items():
        mins[k] = max(mins[k], cell_min_width(cell, header_frame))
    for row in table.rows:
        for i, cell in enumerate(row):
            mins[i] = max(mins[i], cell_min_width(cell, frame))
    return mins
