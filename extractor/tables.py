"""Reading Table I and Table II: columns from their printed headers, rows from the values.

Columns come from the header words' horizontal extents, split half-way between
neighbours (headers are left-aligned and values centred, so the middle of the gap is the
fairest border). On a grid layout each line is one row. On a page, a row is anchored by a
line holding values in at least two columns, and wrapped cell text (long titles, a
footnote marker set higher) joins the anchor nearest to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .layout.document import Line, Word, group_lines

_MARKER = re.compile(r"^\(?\d{1,2}\)$|^\(\d{1,2}\)?$")
# What a narrow cell leaves on the line under a value: the rest of a torn marker ("]", "5]", "][3][4]")
# or of a number ("69[1]" under "7,418,6", ",173" under "27,127").
_MARKER_DEBRIS = re.compile(r"^(?:\d{0,2}[\])])?(?:[\[(]\d{1,2}[\])])*$")
_UNFINISHED = re.compile(r"(?:[\[(]\d{0,2}|[,.$]|,\d{1,2})$")
_CONTINUING = re.compile(r"^[,.\])]")
_ENDS_WITH_MARKER = re.compile(r"[A-Za-z.)][\[(]\d{1,2}[\])]$")  # "Trust(3)": the cell's text ends there
_PIECE = re.compile(r"^[\d,.]+(?:[\[(]\d{1,2}[\])])*$")  # the end of a number or date and its markers
# Cells whose text wraps freely; a line holding only these continues the row above.
TEXT_COLUMNS = {"security_title", "underlying_title", "nature_of_ownership"}
# Widest gap between a cell's wrapped lines, in word heights: a text layer's word boxes span the
# font's whole height, OCR's only the ink, so the same line spacing leaves OCR boxes further apart
# (about 0.6 of a word's height on the real renderings' scans, against 1.0 between rows). A PDF set
# at 1.45 line pitch leaves 0.45 between lines, which 0.45 split at rounding's whim.
_LINE_GAP = {False: 0.5, True: 0.8}


@dataclass(slots=True)
class Column:
    field: str
    words: list[Word]
    x0: float = field(init=False)
    x1: float = field(init=False)

    def __post_init__(self) -> None:
        self.x0 = min(w.x0 for w in self.words)
        self.x1 = max(w.x1 for w in self.words)


def column_borders(columns: list[Column]) -> list[tuple[str, float, float]]:
    ordered = sorted(columns, key=lambda c: c.x0)
    borders = []
    for i, column in enumerate(ordered):
        left = float("-inf") if i == 0 else (ordered[i - 1].x1 + column.x0) / 2
        right = float("inf") if i == len(ordered) - 1 else (column.x1 + ordered[i + 1].x0) / 2
        if i > 0 and ordered[i - 1].x1 > column.x0:  # overlapping extents: split at the starts
            left = column.x0 - 0.5
        if i < len(ordered) - 1 and column.x1 > ordered[i + 1].x0:
            right = ordered[i + 1].x0 - 0.5
        borders.append((column.field, left, right))
    return borders


def read_table(
    columns: list[Column],
    data: list[Word],
    grid: bool,
    order: Callable[[Word], tuple],
) -> list[dict[str, tuple[str, list[Word]]]]:
    """Rows of a table as {field: (cell text, words)}, top to bottom."""
    header_bottom = max(w.bottom for c in columns for w in c.words)
    header_line = max((w.line or 0) for c in columns for w in c.words)
    header_page = max(w.page for c in columns for w in c.words)

    def below_header(w: Word) -> bool:
        if w.page != header_page:
            return w.page > header_page
        return (w.line or 0) > header_line if grid else w.top >= header_bottom - 0.5

    data = [w for w in data if below_header(w)]
    if not data:
        return []
    borders = column_borders(columns)
    title_field = borders[0][0]

    def column_of(w: Word) -> str:
        x = w.x_mid if not grid else w.x0 + 0.01
        for name, left, right in borders:
            if left <= x < right:
                return name
        return borders[-1][0]

    rows = _rows(data, grid, column_of, title_field)
    out = []
    for words in rows:
        cells: dict[str, list[Word]] = {}
        ordered = sorted(words, key=order)
        for i, w in enumerate(ordered):
            target = column_of(w)
            if _MARKER.match(w.text) or w.superscript:
                left = _left_neighbour(w, ordered, grid)
                if left is not None:
                    target = column_of(left)
            cells.setdefault(target, []).append(w)
        out.append({name: (" ".join(w.text for w in ws), ws) for name, ws in cells.items()})
    return out


def _left_neighbour(marker: Word, words: list[Word], grid: bool) -> Word | None:
    best = None
    for w in words:
        if w is marker or _MARKER.match(w.text) or w.page != marker.page:
            continue
        if abs(w.y_mid - marker.y_mid) > max(w.height, marker.height):
            continue
        gap = marker.x0 - w.x1
        limit = 3.0 if grid else max(w.height * 0.6, 1.0)
        if grid and w.cell != marker.cell:
            continue
        if -0.5 <= gap <= limit and (best is None or w.x1 > best.x1):
            best = w
    return best


def _rows(data: list[Word], grid: bool, column_of: Callable[[Word], str], title_field: str,
          wrapped: bool = False) -> list[list[Word]]:
    if grid:
        by_line: dict[tuple[int, int], list[Word]] = {}
        for w in data:
            by_line.setdefault((w.page, w.line or 0), []).append(w)
        lines = [by_line[k] for k in sorted(by_line)]
        return _join_wrapped(lines, column_of, title_field) if wrapped else lines
    rows: list[list[Word]] = []
    for page in sorted({w.page for w in data}):
        lines = group_lines([w for w in data if w.page == page], page=page)
        anchors = [line for i, line in enumerate(lines)
                   if starts_row(line.words, lines[i - 1].words if i else [], column_of, title_field)]
        if not anchors:
            anchors = lines[:1]
        anchors = _merge_side_by_side(anchors)
        groups: list[list[Word]] = [[] for _ in anchors]
        # A row's middle is its values' middle: a raised marker among them would pull it up.
        centres = [_median([w.y_mid for w in a.words if not w.superscript] or [w.y_mid for w in a.words])
                   for a in anchors]
        anchor_of = {id(w): i for i, a in enumerate(anchors) for w in a.words}
        spans = [[a.top, a.bottom] for a in anchors]
        loose: list[list[Word]] = []
        for block in _cell_blocks([w for line in lines for w in line.words], column_of):
            owners = sorted({anchor_of[id(w)] for w in block if id(w) in anchor_of})
            if len(owners) == 1:  # a cell's text around the row's own values
                groups[owners[0]].extend(block)
                spans[owners[0]][0] = min(spans[owners[0]][0], min(w.top for w in block))
                spans[owners[0]][1] = max(spans[owners[0]][1], max(w.bottom for w in block))
            elif len(owners) > 1:  # rows set too close to tell by spacing
                # A cell that starts on its row's line (none of it above the first) wraps downward:
                # each word to the row at or above it. Else (centred cells) each to its nearest row.
                top_aligned = not any(w.bottom <= anchors[owners[0]].top for w in block)
                for w in block:
                    above = [i for i in owners if anchors[i].top <= w.y_mid]
                    if top_aligned and above:
                        groups[above[-1]].append(w)
                    else:
                        groups[min(owners, key=lambda i: abs(centres[i] - w.y_mid))].append(w)
            else:
                loose.append(block)
        for block in loose:
            top, bottom = min(w.top for w in block), max(w.bottom for w in block)
            # A cell with none of the row's values on its lines (a title centred in a taller row)
            # still lies within the height of that row's other cells.
            overlaps = [min(bottom, b) - max(top, t) for t, b in spans]
            best = max(range(len(anchors)), key=lambda i: overlaps[i])
            if overlaps[best] > 0.25 * min(bottom - top, spans[best][1] - spans[best][0]):
                groups[best].extend(block)
                continue
            if rows and page > data[0].page and bottom < spans[0][0]:
                rows[-1].extend(block)  # the end of a row the page break cut: it belongs to the last row before
                continue
            middle = (top + bottom) / 2
            groups[min(range(len(anchors)), key=lambda i: abs(centres[i] - middle))].extend(block)
        rows.extend(groups)
    return rows


def _merge_side_by_side(anchors: list[Line]) -> list[Line]:
    """Two anchor lines that share most of their height are one row.

    A tall row prints its cells at different heights (a title at the top, the numbers centred),
    and a few points apart they group into two lines, each with values enough to anchor a row.
    Two rows never overlap that much: their text would collide.
    """
    merged: list[Line] = []
    for line in anchors:
        if merged:
            last = merged[-1]
            overlap = min(last.bottom, line.bottom) - max(last.top, line.top)
            if overlap > 0.5 * min(last.bottom - last.top, line.bottom - line.top):
                merged[-1] = Line(words=last.words + line.words, page=line.page)
                continue
        merged.append(line)
    return merged


def _join_wrapped(lines: list[list[Word]], column_of: Callable[[Word], str], title_field: str) -> list[list[Word]]:
    """Rows of a text dump, whose cells wrap onto the lines next to the row's first.

    A line with values in at least two columns besides the title starts a row (as an anchor
    does on a page); any other line continues the row above it, but for the lines a row's
    centred cells print above its first line. A dump of cells set in the middle of their rows
    prints a tall cell's first lines above the row's values ("Comm" / "Stock - ... 1,228 ..." /
    "value"): as many lines of a column as the first row has above its own line are the next
    row's, not the end of the row above.
    """
    starts = [i for i, line in enumerate(lines)
              if starts_row(line, lines[i - 1] if i else [], column_of, title_field, by_position=False)]
    if not starts:
        return [[w for line in lines for w in line]] if lines else []
    owner = [0] * len(lines)
    for k, start in enumerate(starts):
        for i in range(start, starts[k + 1] if k + 1 < len(starts) else len(lines)):
            owner[i] = k
    above_first: dict[str, int] = {}
    for line in lines[:starts[0]]:
        for column in {column_of(w) for w in line if column_of(w) in TEXT_COLUMNS | {title_field}}:
            above_first[column] = above_first.get(column, 0) + 1
    moved: dict[int, int] = {}  # id of a word moved to the next row -> that row
    for k in range(len(starts) - 1):
        between = range(starts[k] + 1, starts[k + 1])
        for column, count in above_first.items():
            holding = [i for i in between if any(column_of(w) == column for w in lines[i])]
            for i in holding[-count:]:  # the last `count` of them, or all
                for w in lines[i]:
                    if column_of(w) == column:
                        moved[id(w)] = k + 1
    for k in range(len(starts) - 1):
        # A text cell whose row line ends it with a footnote marker ("By Trust(3)") takes no more
        # lines: that column's words before the next row are the next row's ("By Spouse" / "IRA").
        ended = {column_of(w) for w in lines[starts[k]] if column_of(w) in TEXT_COLUMNS and _ENDS_WITH_MARKER.search(w.text)}
        for i in range(starts[k] + 1, starts[k + 1]):
            for w in lines[i]:
                if column_of(w) in ended:
                    moved[id(w)] = k + 1
    rows: list[list[Word]] = [[] for _ in starts]
    for i, line in enumerate(lines):
        for w in line:
            rows[moved.get(id(w), owner[i])].append(w)
    return rows


def starts_row(line: list[Word], above: list[Word], column_of: Callable[[Word], str], title_field: str,
               by_position: bool = True) -> bool:
    """A line starts a row when it holds values in at least two columns besides the title, one of them not free text.

    Pieces a narrow cell carried over from the value above them (a torn marker or number) are not
    values of their own, nor is the wrapped end of a title or a nature of ownership. A text dump
    keeps no positions: there, the line's value pieces ("2023[2] 2023[2]" under "Feb 1, Feb 1,")
    continue the line above when it left at least as many values unfinished.
    """
    columns = set()
    pieces = []
    for w in line:
        if _MARKER.match(w.text) or _MARKER_DEBRIS.match(w.text) or by_position and _continues(w, above, column_of):
            continue
        columns.add(column_of(w))
        if column_of(w) not in TEXT_COLUMNS and column_of(w) != title_field:
            pieces.append(w)
    if not by_position and pieces and all(_PIECE.match(w.text) for w in pieces):
        unfinished = sum(1 for u in above if _UNFINISHED.search(u.text))
        if len(pieces) <= unfinished:
            columns = {column_of(w) for w in line if w not in pieces}
    columns.discard(title_field)
    return len(columns) >= 2 and bool(columns - TEXT_COLUMNS)


def _continues(w: Word, above: list[Word], column_of: Callable[[Word], str]) -> bool:
    """Whether `w` is the rest of a value the line above left unfinished in the same column."""
    column = column_of(w)
    for u in above:
        if column_of(u) == column and u.x0 < w.x1 and w.x0 < u.x1 + u.height:
            if _UNFINISHED.search(u.text) or _CONTINUING.match(w.text):
                return True
    return False


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _cell_blocks(words: list[Word], column_of: Callable[[Word], str]) -> list[list[Word]]:
    """Words of one column whose lines follow each other at text spacing: one cell's text."""
    blocks: list[list[Word]] = []
    by_column: dict[str, list[Word]] = {}
    for w in words:
        by_column.setdefault(column_of(w), []).append(w)
    for column_words in by_column.values():
        column_words.sort(key=lambda w: (w.top, w.x0))
        block = [column_words[0]]
        for w in column_words[1:]:
            previous = block[-1]
            if w.top - previous.bottom > _LINE_GAP[w.confidence is not None] * max(w.height, previous.height):
                blocks.append(block)
                block = []
            block.append(w)
        blocks.append(block)
    return blocks
