"""The one Layout type every reader produces: pages, lines and words with boxes.

Coordinates are in page units with the origin at the top left (PDF points for PDFs, pixels
for images). Readers of text and HTML have no real geometry; they lay words out on a grid
instead (one column band per table cell, one row band per line), so that the same
position-based logic works everywhere, and say so with `geometry="grid"`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Iterator, Literal

Geometry = Literal["page", "grid"]

_WORD_OF_LETTERS = re.compile(r"[^\W\d_]{3}")

# Width of one table-cell band and height of one line band on grid layouts.
# Checkboxes typed as brackets, as typewritten and plain forms print them: "[_]" is an empty box, not a
# word. Unknown to the readers, "[_]" came through as text and the model, tagging it with the box's
# field, checked every box on such forms (dev PDFs of three layout families).
BRACKET_BOXES = {"[_]": False, "[ ]": False, "[]": False, "(_)": False, "( )": False,
                 "[x]": True, "[X]": True, "(x)": True, "(X)": True}
# Stands for the space inside "[ ]" while a line is split into words. Not a no-break space: regular
# expressions count that as whitespace, and "[ ]" came out as the words "[" and "]".
INSIDE_BOX = "\ue000"

GRID_CELL_WIDTH = 100.0
GRID_LINE_HEIGHT = 10.0


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    page: int = 1  # 1-based
    confidence: float | None = None  # OCR confidence in [0, 1]; None where the text layer is exact
    underline: bool = False  # values are underlined on some renderings (`<u>`)
    superscript: bool = False  # footnote markers
    checkbox: bool | None = None  # a checkbox glyph: True checked, False empty, None not a checkbox
    chunk: int | None = None  # id of the styled run (HTML span, `<u>` run) the word belongs to
    cell: int | None = None  # grid column of the table cell holding the word, where known
    line: int | None = None  # 1-based index of the line in the document, where known
    # The character column a layout-keeping text dump printed the word at: x0 spreads each line over
    # the page, so only this says which words of different lines stand one above the other.
    column: int | None = None

    @property
    def x_mid(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def y_mid(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0, self.top, self.x1, self.bottom)


class WordExtent:
    """Right, top and bottom edges of anything made of `words` (a line, a matched label)."""

    __slots__ = ()
    words: list[Word]

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


@dataclass(slots=True)
class Line(WordExtent):
    words: list[Word]
    page: int = 1

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)


@dataclass(slots=True)
class Rect:
    """A drawn rectangle or ruling line (a line is a rect with zero width or height)."""

    x0: float
    top: float
    x1: float
    bottom: float
    filled: bool = False


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    unit: Literal["pt", "px", "grid"] = "pt"
    dpi: float | None = None  # for rasterized pages
    skew_degrees: float | None = None  # deskew angle applied before OCR

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]


@dataclass(slots=True)
class Layout:
    pages: list[Page]
    source: str  # file name or "<bytes>", for messages
    format: str  # "pdf", "scan-pdf", "image", "text", "markdown", "html", "xml"
    geometry: Geometry = "page"
    ocr: bool = False

    @property
    def lines(self) -> Iterator[Line]:
        for page in self.pages:
            yield from page.lines

    @property
    def words(self) -> Iterator[Word]:
        for page in self.pages:
            for line in page.lines:
                yield from line.words

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def group_lines(words: list[Word], page: int, tolerance: float | None = None) -> list[Line]:
    """Group words into lines by vertical position, each line sorted left to right.

    Used by the PDF and OCR readers; `tolerance` defaults to half the median word height.
    A word joins a line when its middle is within `tolerance` of the line's first word, not
    of its last: chaining word to word would fuse the stacked lines of a table header. A
    smaller raised or lowered word (a footnote marker) joins the line it sits in.
    """
    if not words:
        return []
    heights = sorted(w.height for w in words)
    tol = tolerance if tolerance is not None else max(heights[len(heights) // 2] * 0.5, 1.0)
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.y_mid, w.x0)):
        if lines and (abs(lines[-1][0].y_mid - word.y_mid) <= tol or _raised_or_lowered(lines[-1][0], word)):
            lines[-1].append(word)
        else:
            lines.append([word])
    _follow_left_neighbours(lines)
    return [Line(words=sorted(ws, key=lambda w: w.x0), page=page) for ws in lines if ws]


def _follow_left_neighbours(lines: list[list[Word]]) -> None:
    """Move each small raised word (a footnote marker) into the line of the word it follows.

    A marker set high beside a value in a vertically centred cell can sit nearer another
    line's middle than its own value's.
    """
    line_of = {id(w): i for i, ws in enumerate(lines) for w in ws}
    everything = [w for ws in lines for w in ws]
    tallest = max((w.height for w in everything), default=0.0)
    # Only words overlapping a marker's height can be its neighbour: those whose top lies within
    # one tallest word above its bottom. Searching that band, not the page, keeps this linear-ish.
    by_top = sorted(range(len(everything)), key=lambda i: everything[i].top)
    tops = [everything[i].top for i in by_top]
    for w in everything:
        if w.height > 0.85 * tallest:
            continue
        # A word (not a marker) with a mate beside it on its own line is at home there: a header
        # word whose left neighbour's OCR box came out taller and lower is not that word's marker.
        # A lone one set low by its descenders ("person") still rejoins its line.
        if _WORD_OF_LETTERS.search(w.text) and _has_line_mate(w, lines[line_of[id(w)]]):
            continue
        best, best_gap = None, None
        band = sorted(by_top[bisect_left(tops, w.top - tallest):bisect_right(tops, w.bottom)])
        for left in (everything[i] for i in band):
            if left is w or left.height * 0.85 < w.height:
                continue
            gap = w.x0 - left.x1
            overlap = min(w.bottom, left.bottom) - max(w.top, left.top)
            if -1.0 <= gap <= left.height and overlap >= 0.5 * w.height and (best_gap is None or gap < best_gap):
                best, best_gap = left, gap
        if best is not None and line_of[id(best)] != line_of[id(w)]:
            lines[line_of[id(w)]].remove(w)
            lines[line_of[id(best)]].append(w)
            line_of[id(w)] = line_of[id(best)]


def _has_line_mate(word: Word, line: list[Word]) -> bool:
    """Another word of `line` right beside `word`, level with it."""
    for other in line:
        if other is word:
            continue
        gap = max(other.x0 - word.x1, word.x0 - other.x1)
        overlap = min(word.bottom, other.bottom) - max(word.top, other.top)
        if gap <= 1.5 * max(word.height, other.height) and overlap >= 0.7 * min(word.height, other.height):
            return True
    return False


def _raised_or_lowered(a: Word, b: Word) -> bool:
    """A smaller word set mostly within a bigger one's height: a superscript or subscript of its line."""
    small, big = sorted((a, b), key=lambda w: w.height)
    if small.height > 0.85 * big.height:
        return False
    overlap = min(small.bottom, big.bottom) - max(small.top, big.top)
    return overlap >= 0.5 * small.height


def mark_underlines(words: list[Word], rects: list[Rect]) -> None:
    """Set `underline` on words that a thin horizontal rule runs just beneath.

    Used by the PDF and OCR readers. A rule only counts when it spans no more than the words
    above it: a table cell's border runs on past its text and leaves the words alone.
    """
    for rule in rects:
        thickness, length = rule.bottom - rule.top, rule.x1 - rule.x0
        if length <= 0 or thickness > length / 3:
            continue
        y = (rule.top + rule.bottom) / 2
        above = [
            w for w in words
            if w.height > 0 and thickness <= 0.35 * w.height
            and w.bottom - 0.35 * w.height <= y <= w.bottom + 0.35 * w.height
            and min(w.x1, rule.x1) - max(w.x0, rule.x0) >= 0.5 * (w.x1 - w.x0)
        ]
        if not above:
            continue
        slack = 0.8 * sorted(w.height for w in above)[len(above) // 2]
        if min(w.x0 for w in above) - slack <= rule.x0 and rule.x1 <= max(w.x1 for w in above) + slack:
            for w in above:
                w.underline = True


def number_lines(pages: list[Page]) -> None:
    """Set each word's 1-based `line`, counting lines through the whole document."""
    index = 0
    for page in pages:
        for line in page.lines:
            index += 1
            for word in line.words:
                word.line = index
