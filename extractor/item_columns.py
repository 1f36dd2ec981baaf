"""Where a table's printed columns start on a page: the item numbers ("1.", "2.", "3A.", ... "11.")
the form prints at the head of each column.

A form printed with narrow columns tears a cell's value over several lines ("Restri" / "cted" /
"Stock" / "Unit"), and a footnote marker alone in the empty cell beside it ("Restri [1]
04/01/2023") then stands as near the torn value as a value's own marker would. The column
heads say which column the marker is in.
"""

from __future__ import annotations

import re

from .layout.document import Word

_ITEM = re.compile(r"^(\d{1,2})A?\.$")
# The last item number of each table's header, by the form's number.
_LAST_ITEM = {("non_derivative", "3"): 4, ("derivative", "3"): 6, ("non_derivative", "4"): 7, ("derivative", "4"): 11}
_SAME_LINE = 2.0  # points between the tops of one line's item numbers
_START_SLACK = 0.5  # a cell's content starts where its column's item number does, or right of it


def column_starts(table: str, form: str, cells: list[Word], page_words: list[Word]) -> dict[int, list[float]]:
    """Per page, the x at which each of the table's columns starts.

    Read from the nearest line above the table's first value on the page that prints the
    table's item numbers from 1 to its last, in order; a page without one is left out.
    """
    last = _LAST_ITEM.get((table, "3" if form == "3" else "4"))
    tops: dict[int, float] = {}
    for w in cells:
        tops[w.page] = min(tops.get(w.page, w.top), w.top)
    out: dict[int, list[float]] = {}
    for page, top in tops.items():
        items = sorted((w for w in page_words if w.page == page and w.bottom <= top + 0.5 and _ITEM.match(w.text)),
                       key=lambda w: w.top)
        lines: list[list[Word]] = []
        for w in items:
            if lines and abs(lines[-1][0].top - w.top) <= _SAME_LINE:
                lines[-1].append(w)
            else:
                lines.append([w])
        if lines:
            nearest = sorted(lines[-1], key=lambda w: w.x0)
            numbers = [int(_ITEM.match(w.text).group(1)) for w in nearest]
            if numbers[0] == 1 and numbers[-1] == last and numbers == sorted(numbers):
                out[page] = [w.x0 for w in nearest]
    return out


def in_a_later_column(marker: Word, value: Word, starts: list[float]) -> bool:
    """Whether a column starts between a value and the marker right of it: the marker is not the value's."""
    return any(value.x1 <= x and x - _START_SLACK <= marker.x0 for x in starts)
