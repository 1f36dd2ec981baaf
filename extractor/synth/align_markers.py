"""Footnote markers for the aligner, and the form's other small print: footnote numbers, the form's name, page numbers.

A marker cites the cell of the value it stands after; a raised marker of a cell with no value
goes to the nearest row's cell citing that footnote.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from ..layout.document import GRID_LINE_HEIGHT
from .align_tables import leaf_order
from .align_zones import column_of
from .chains import Span, Target
from .labels import FOOTNOTE_REF, OTHER, WordLabel

if TYPE_CHECKING:
    from .align import Aligner

_MARKER = re.compile(r"^[\[(]?\d{1,2}[\])]?(?:[,;]?\s*[\[(]\d{1,2}[\])])*[,.;]?$")
# The same as OCR reads it: brackets as braces or "q", a one as "l", "I" or "|".
_OCR_MARKER = re.compile(r"^[\[({q]?[\dlIi|]{1,2}[\])}]?(?:[\[({][\dlIi|]{1,2}[\])}])*[,.;]?$")
_OCR_ONE = str.maketrans({"l": "1", "I": "1", "i": "1", "|": "1", "O": "0", "o": "0"})


def place_footnote_refs(al: Aligner) -> None:
    loose: dict[tuple[str, int, str], list[int]] = defaultdict(list)  # (table, row, id) -> marker words
    pattern = _OCR_MARKER if al.graph.ocr else _MARKER
    for i, w in enumerate(al.words):
        if not al.free(i) or i in al.label_words or not pattern.match(w.text):
            continue
        if al.zones.section.get(i) in ("footnotes", "remarks"):
            continue
        text = w.text.translate(_OCR_ONE) if al.graph.ocr else w.text
        ids = [f"F{int(n)}" for n in re.findall(r"\d{1,2}", text)]
        if not ids:
            continue
        cell = adjacent_cell(al, i, ids)
        if cell is not None:
            set_ref(al, i, cell)
            continue
        table = al.zones.table.get(i)
        whole = re.match(r"^[\[({]\d{1,2}[\])}]", text) is not None or al.graph.ocr and w.text.isdigit()
        # Raised markers are set small, and a reader may give them a line of their own.
        raised = w.superscript or w.height < 0.85 * al.height or all(
            pattern.match(v.text) for v in al.lines[al.line_of[i]].words)
        if table is None or not (whole or raised):
            continue
        row = nearest_row(al, i, table)
        if row is not None:
            loose[(table, row, ids[0])].append(i)
    for (table, row, note), markers in loose.items():
        spec = leaf_order(al, table)
        # Markers of cells with no value: pair them left to right with the row's cells citing them.
        cells = [t for t in al.targets.values() if t.table == table and t.row == row and note in t.footnote_ids
                 and not (t.path in al.assigned and t.kind != "none")]
        cells.sort(key=lambda t: spec.index(t.column) if t.column in spec else len(spec))
        markers.sort(key=lambda i: al.words[i].x0)
        if len(cells) > len(markers):
            known = [column_of(al, Span((i,), 1.0)) for i in markers]
            if all(k is not None for k in known):
                cells = [next((t for t in cells if t.column == k), cells[0]) for k in known]
        for i, target in zip(markers, cells):
            set_ref(al, i, target)


def set_ref(al: Aligner, i: int, target: Target) -> None:
    w = al.words[i]
    column = target.column if target.table else target.path  # a header value's marker names the value
    al.labels[i] = WordLabel(w.page, w.text, w.bbox, FOOTNOTE_REF, target.table, target.row, column)


def adjacent_cell(al: Aligner, i: int, ids: list[str]) -> Target | None:
    """The cell of the value the marker stands right after (on its line, or under it when wrapped)."""
    w = al.words[i]
    best: tuple[float, Target] | None = None
    for path, span in al.assigned.items():
        target = al.targets.get(path)
        if target is None:
            continue
        last = al.words[span.words[-1]]
        if last.page != w.page:
            continue
        if al.grid:
            near = any(al.words[j].line == w.line and al.words[j].cell == w.cell and al.words[j].x1 <= w.x0 + 0.5
                       for j in span.words)
            gap = 0.0 if near else None
        else:
            gaps = [w.x0 - al.words[j].x1 for j in span.words
                    if abs(al.words[j].y_mid - w.y_mid) <= al.height * 1.2]
            gap = min((g for g in gaps if -1.0 <= g <= al.height * 3), default=None)
            x0 = min(al.words[j].x0 for j in span.words)
            x1 = max(al.words[j].x1 for j in span.words)
            if gap is None and i in al.graph.successors(span.words[-1], x0, x1):
                gap = al.height * 3  # the marker wrapped onto the next line of the cell
        if gap is None:
            continue
        for cell in (target, *companions(al, target)):
            if set(ids) & set(cell.footnote_ids) and (best is None or gap < best[0]):
                best = (gap, cell)
    return best[1] if best else None


def companions(al: Aligner, target: Target) -> list[Target]:
    """Targets printed in the same cell: Table II's acquired/disposed rides with its amount."""
    if target.table == "II" and target.column == "shares":
        other = al.targets.get(f"derivative.{target.row}.acquired_disposed")
        return [other] if other else []
    return []


def nearest_row(al: Aligner, i: int, table: str) -> int | None:
    w = al.words[i]
    best: tuple[float, int] | None = None
    for path, span in al.assigned.items():
        t = al.targets.get(path)
        if t is None or t.table != table or t.row is None:
            continue
        for j in span.words:
            v = al.words[j]
            if v.page != w.page:
                continue
            d = abs(v.line - w.line) * GRID_LINE_HEIGHT if al.grid and v.line and w.line else (
                max(0.0, max(v.top, w.top) - min(v.bottom, w.bottom)))
            if best is None or d < best[0]:
                best = (d, t.row)
    # A marker far from every row is part of the header or a caption, not a cell.
    return best[1] if best is not None and best[0] <= 1.5 * (GRID_LINE_HEIGHT if al.grid else al.height) else None


def place_footnote_leads(al: Aligner) -> None:
    """A footnote's own number ("1." or "(1)") before its text."""
    for path, span in al.assigned.items():
        if not path.startswith("footnotes."):
            continue
        first = span.first
        line = al.lines[al.line_of[first]]
        k = al.place[first]
        if k and al.free(al.index[id(line.words[k - 1])]):
            lead = line.words[k - 1]
            if re.fullmatch(r"[\[({]?[\dlI|]{1,2}[.,)\]}]?", lead.text):
                al.labels[al.index[id(lead)]] = WordLabel(lead.page, lead.text, lead.bbox, FOOTNOTE_REF)


def place_form_name(al: Aligner) -> None:
    """The form's name printed large, "FORM 4": its number is the document type."""
    kind = al.record.document_type.value
    if not kind:
        return
    for line in al.lines:
        for k in range(len(line.words) - 1):
            word, nxt = line.words[k], line.words[k + 1]
            j = al.index[id(nxt)]
            if word.text.upper() != "FORM" or nxt.text.upper() != kind.upper() or not al.usable(j):
                continue
            # The title starts its line ("FORM 4", "FORM 4 (continued)"); "SEC Form 4" and
            # "Form 4" in a caption are printed text.
            if k and not (len(line.words) > k + 2 and line.words[k + 2].text.lower().startswith("(cont")):
                continue
            al.labels[j] = WordLabel(nxt.page, nxt.text, nxt.bbox, "document_type")


def place_page_numbers(al: Aligner) -> None:
    for line in al.lines:
        for k, word in enumerate(line.words[:-1]):
            nxt = line.words[k + 1]
            if word.text.lower() == "page" and nxt.text.isdigit():
                for w in line.words[k: k + 4 if k + 3 < len(line.words) and line.words[k + 2].text == "of" else k + 2]:
                    if al.free(al.index[id(w)]):
                        al.labels[al.index[id(w)]] = WordLabel(w.page, w.text, w.bbox, OTHER)
