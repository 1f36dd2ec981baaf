"""Reader for HTML, EDGAR's public rendering first of all, with lxml.

Each row of a top-level table becomes one line, its cells placed on the table's grid
(rowspan and colspan honoured, so a sub-header lands under its header); whatever a cell
nests (inner tables, breaks) is flattened into that cell in reading order, as
HTML-to-text converters do. Text outside tables becomes lines of its own. Form values,
which EDGAR prints in `FormData` spans and owner links, become underlined chunks, so the
rules can tell them from the printed labels just as with `<u>` in converted text.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from ..errors import CorruptInputError
from .document import GRID_CELL_WIDTH, GRID_LINE_HEIGHT, Layout, Line, Page, Word
from .text import CHECKED_GLYPHS, UNCHECKED_GLYPHS

_SKIP = {"script", "style", "head", "noscript", "template"}
_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "center", "tr", "pre", "blockquote"}
_VALUE_CLASS = re.compile(r"FormData|FootnoteData", re.I)


class _Cell:
    """Tokens of one grid cell (or one free-standing block) with their inline style."""

    def __init__(self) -> None:
        self.tokens: list[tuple[str, bool, bool, int | None]] = []  # text, underline, superscript, chunk

    def add(self, text: str, underline: bool, superscript: bool, chunk: int | None) -> None:
        for token in text.split():
            self.tokens.append((token, underline, superscript, chunk))


class _Builder:
    def __init__(self) -> None:
        self.lines: list[list[Word]] = []
        self.chunks = 0

    def new_chunk(self) -> int:
        self.chunks += 1
        return self.chunks

    def add_line(self, cells: list[tuple[int, int, _Cell]]) -> None:
        line_no = len(self.lines) + 1
        top = (line_no - 1) * GRID_LINE_HEIGHT
        words: list[Word] = []
        for col, span, cell in cells:
            if not cell.tokens:
                continue
            total = sum(len(t[0]) + 1 for t in cell.tokens)
            offset = 0
            x_start = col * GRID_CELL_WIDTH
            usable = span * GRID_CELL_WIDTH * 0.96
            for text, underline, superscript, chunk in cell.tokens:
                checkbox = True if text in CHECKED_GLYPHS else False if text in UNCHECKED_GLYPHS else None
                words.append(
                    Word(
                        text=text,
                        x0=x_start + usable * offset / total,
                        top=top - (1.0 if superscript else 0.0),
                        x1=x_start + usable * (offset + len(text)) / total,
                        bottom=top + GRID_LINE_HEIGHT * 0.8,
                        underline=underline,
                        superscript=superscript,
                        checkbox=checkbox,
                        chunk=chunk,
                        cell=col,
                        line=line_no,
                    )
                )
                offset += len(text) + 1
        self.lines.append(words)


def read_html(text: str, source: str) -> Layout:
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise CorruptInputError(source, f"the HTML cannot be parsed ({exc})") from None
    builder = _Builder()
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        cell = _Cell()
        cell.add(title.text_content(), False, False, None)
        builder.add_line([(0, 1, cell)])
    body = root.find(".//body")
    pending = _Cell()
    _walk_blocks(body if body is not None else root, builder, pending)
    _flush(builder, pending)
    lines = [Line(words=ws, page=1) for ws in builder.lines if ws]
    n_cols = max((w.cell or 0) + 1 for line in lines for w in line.words) if lines else 1
    page = Page(
        number=1,
        width=n_cols * GRID_CELL_WIDTH,
        height=max(len(builder.lines), 1) * GRID_LINE_HEIGHT,
        lines=lines,
        unit="grid",
    )
    return Layout(pages=[page], source=source, format="html", geometry="grid")


def _flush(builder: _Builder, pending: _Cell) -> None:
    if pending.tokens:
        cell = _Cell()
        cell.tokens = list(pending.tokens)
        builder.add_line([(0, 1, cell)])
        pending.tokens.clear()


def _walk_blocks(element: etree._Element, builder: _Builder, pending: _Cell) -> None:
    """Walk outside tables: text accumulates into `pending` until a block boundary."""
    if element.text:
        pending.add(element.text, False, False, None)
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _SKIP:
            pass
        elif child.tag == "table":
            _flush(builder, pending)
            _table(child, builder)
        elif child.tag in _BLOCK:
            _flush(builder, pending)
            _walk_blocks(child, builder, pending)
            _flush(builder, pending)
        else:
            _inline(child, pending, builder, False, False, None)
        if child.tail:
            pending.add(child.tail, False, False, None)


def _rows(table: etree._Element) -> list[etree._Element]:
    rows = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if isinstance(r.tag, str) and r.tag == "tr")
    return rows


def _span(cell: etree._Element, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1")), 100))
    except ValueError:
        return 1


def table_grid(table: etree._Element) -> list[list[tuple[int, int, etree._Element]]]:
    """Each row's cells as (grid column, colspan, cell), columns counted past rowspans from above."""
    occupied: set[tuple[int, int]] = set()
    grid = []
    for row_index, row in enumerate(_rows(table)):
        col = 0
        cells: list[tuple[int, int, etree._Element]] = []
        for td in row:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while (row_index, col) in occupied:
                col += 1
            colspan, rowspan = _span(td, "colspan"), _span(td, "rowspan")
            for r in range(row_index, row_index + rowspan):
                for c in range(col, col + colspan):
                    occupied.add((r, c))
            cells.append((col, colspan, td))
            col += colspan
        grid.append(cells)
    return grid


def _table(table: etree._Element, builder: _Builder) -> None:
    for row in table_grid(table):
        cells: list[tuple[int, int, _Cell]] = []
        for col, colspan, td in row:
            cell = _Cell()
            _inline(td, cell, builder, False, False, None, cell_root=True)
            cells.append((col, colspan, cell))
        builder.add_line(cells)


def _inline(
    element: etree._Element,
    cell: _Cell,
    builder: _Builder,
    underline: bool,
    superscript: bool,
    chunk: int | None,
    cell_root: bool = False,
) -> None:
    """Flatten an element into one cell's tokens, keeping value and footnote styling."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIP:
        return
    if not cell_root:
        classes = element.get("class", "")
        if tag in ("u", "ins", "a") or (tag == "span" and _VALUE_CLASS.search(classes) and "Footnote" not in classes):
            underline, chunk = True, builder.new_chunk()
        if tag == "sup" or "Footnote" in classes and tag == "span" and element.find("sup") is not None:
            superscript = superscript or tag == "sup"
        if tag == "input" and (element.get("type") or "").lower() == "checkbox":
            cell.tokens.append(("☒" if element.get("checked") is not None else "☐", False, False, None))
    if element.text:
        cell.add(element.text, underline, superscript, chunk)
    for child in element:
        _inline(child, cell, builder, underline, superscript, chunk)
        if child.tail:
            cell.add(child.tail, underline, superscript, chunk)
