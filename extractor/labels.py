"""Finding the form's printed labels in a Layout, tolerant of OCR damage and wrapping.

A label is matched token by token in reading order; where a line ends before the label
does, the match continues on a following line that starts at the label's left edge (the
way narrow boxes wrap their captions). A garbled or missing token is forgiven now and
then. The catalog of labels is data: `extractor/data/form_labels.json`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Iterable

from rapidfuzz.fuzz import ratio

from .layout.document import GRID_LINE_HEIGHT, Layout, Line, Word, WordExtent

_ITEM_NUMBER = re.compile(r"^\d{1,2}[A-Z]?\.$")
_OCR_LOOKALIKES = str.maketrans({"l": "i", "1": "i", "|": "i", "!": "i", "0": "o"})
_STRIP = re.compile(r"^[^\w%$#/&]+|[^\w%$#/&]+$")


@lru_cache(maxsize=1)
def catalog() -> dict[str, Any]:
    with resources.files("extractor.data").joinpath("form_labels.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def table_spec_names(form: str) -> tuple[str, str]:
    """Keys of Table I's and Table II's column specs in the catalog's "tables", for a Form 3, 4 or 5
    ("3", "4", "5"; a Form 4's for anything else)."""
    return {"3": ("holdings_1", "holdings_2"), "5": ("form5_1", "form5_2")}.get(form, ("transactions_1", "transactions_2"))


def leaf_columns(spec: list) -> list[str]:
    """A table spec's columns left to right, a group's sub-headers in place of the group's header."""
    return [leaf for entry in spec for leaf in ([entry[0]] if entry[0] else [sub[0] for sub in entry[2]])]


def token(text: str) -> str:
    """The comparable form of a printed token: lower case, outer punctuation gone."""
    return _STRIP.sub("", text.lower().replace("’", "'"))


def phrase_tokens(phrase: str) -> list[str]:
    return [t for t in (token(p) for p in phrase.split()) if t]


@lru_cache(maxsize=1 << 16)
def similar(a: str, b: str) -> float:
    """Similarity in [0, 1] of two normalized tokens; short tokens and numbers must match exactly.

    Cached: every label search compares each word of the page with the same few label tokens,
    and the same words recur across pages and documents.
    """
    if a == b:
        return 1.0
    if b.isalpha() and a.translate(_OCR_LOOKALIKES) == b:
        return 0.9  # "l" or "|" read for "I", "0" for "O"
    if not a or not b or len(b) <= 2 or any(c.isdigit() for c in b):
        return 0.0
    score = ratio(a, b) / 100.0
    threshold = 0.8 if len(b) >= 5 else 0.74
    return score if score >= threshold else 0.0


@dataclass(slots=True)
class LabelMatch(WordExtent):
    key: str
    words: list[Word]
    score: float

    @property
    def first(self) -> Word:
        return self.words[0]

    @property
    def x0(self) -> float:
        return self.words[0].x0  # where the label starts, even if a wrapped line sits further left

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def last(self) -> Word:
        return self.words[-1]


def _cell_gaps(lines: list[Line], ocr: bool = False) -> dict[int, float]:
    """Per line, the gap between words (in word heights) wider than a space: a cell's edge.

    The usual gap between words is one space (the median gap of the line, or of the page
    where a line has too few); half as much again ends the cell.
    """
    per_line: dict[int, list[float]] = {}
    per_page: dict[int, list[float]] = {}
    for line in lines:
        for a, b in zip(line.words, line.words[1:]):
            height = max(a.height, b.height, 0.1)
            gap = (b.x0 - a.x1) / height
            if 0 < gap < 1:
                per_line.setdefault(id(line), []).append(gap)
                per_page.setdefault(line.page, []).append(gap)
    median = lambda values: sorted(values)[len(values) // 2]
    page_gap = {page: median(values) for page, values in per_page.items()}
    out = {}
    for line in lines:
        values = per_line.get(id(line), [])
        space = median(values) if len(values) >= 3 else page_gap.get(line.page)
        if space is not None:
            out[id(line)] = space * (2.4 if ocr else 1.6)  # OCR boxes make gaps uneven
    return out


class LabelFinder:
    """Fuzzy label search over one Layout; remembers which words are already labels."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.grid = layout.geometry == "grid"
        self.lines: list[Line] = [line for line in layout.lines if line.words]
        self.tokens: dict[int, str] = {id(w): token(w.text) for line in self.lines for w in line.words}
        self.used: set[int] = set()
        self._line_of: dict[int, int] = {}
        for index, line in enumerate(self.lines):
            for w in line.words:
                self._line_of[id(w)] = index
        self.cell_gap = {} if self.grid else _cell_gaps(self.lines, ocr=layout.ocr)

    def is_label(self, word: Word) -> bool:
        return id(word) in self.used

    def mark(self, match: LabelMatch) -> None:
        self.used.update(id(w) for w in match.words)

    def find(
        self,
        key: str,
        phrase: str,
        where: Callable[[Word], bool] | None = None,
        min_score: float = 0.7,
        mark: bool = True,
        limit: int | None = None,
    ) -> list[LabelMatch]:
        wanted = phrase_tokens(phrase)
        if not wanted:
            return []
        matches: list[LabelMatch] = []
        for line_index, line in enumerate(self.lines):
            for start, word in enumerate(line.words):
                if id(word) in self.used or word.underline or (where is not None and not where(word)):
                    continue
                first = self.tokens[id(word)]
                offsets = [0] if similar(first, wanted[0]) else []
                if not offsets and len(wanted) > 2 and similar(first, wanted[1]) and not wanted[0].isalpha():
                    offsets = [1]  # the item number was lost ("Name and Address" without "1.")
                for offset in offsets:
                    found = self._extend(line_index, start, wanted, offset)
                    if found is None:
                        continue
                    words, score = found
                    if start > 0 and not _ITEM_NUMBER.match(words[0].text):
                        number = line.words[start - 1]
                        if (_ITEM_NUMBER.match(number.text) and id(number) not in self.used
                                and word.x0 - number.x1 < 2 * max(word.height, 1.0)):
                            words = [number] + words  # the box's number ("2.") starts the box
                    if score >= min_score:
                        match = LabelMatch(key, words, score)
                        matches.append(match)
                        if mark:
                            self.mark(match)
                        break
                if limit is not None and len(matches) >= limit:
                    return matches
        return matches

    def _extend(self, line_index: int, start: int, wanted: list[str], k: int) -> tuple[list[Word], float] | None:
        line = self.lines[line_index]
        block_x0 = line.words[start].x0
        if start > 0 and _ITEM_NUMBER.match(line.words[start - 1].text):
            block_x0 = line.words[start - 1].x0  # a wrapped caption starts again under its number
        j = start
        matched: list[Word] = []
        total = 0.0
        misses = k
        allowed = max(1, len(wanted) // 4)
        while k < len(wanted):
            words = line.words
            # A line ends the caption's run; so, on a page, does a gap as wide as a table cell's
            # border: the caption goes on below, in its own cell, not in the next cell of the line.
            # "1." sits a little apart from its caption, but not a cell away.
            item_number = (j < len(words) and len(matched) == 1 and _ITEM_NUMBER.match(matched[0].text)
                           and words[j].x0 - matched[0].x1 < 2 * max(words[j].height, 1.0))
            if j >= len(words) or (not self.grid and j > 0 and matched and matched[-1] is words[j - 1]
                                   and not item_number and self._cell_edge(line, words[j - 1], words[j])):
                nxt = self._continuation(line_index, block_x0, wanted[k])
                if nxt is None:
                    break
                line_index, j = nxt
                line = self.lines[line_index]
                continue
            w = words[j]
            if (id(w) in self.used or w.underline) and w not in matched:
                break
            if not self.tokens[id(w)] and w.text not in ("|", "!"):
                j += 1  # a dash or a speck between the label's words
                continue
            score = similar(self.tokens[id(w)] or w.text, wanted[k])
            if score:
                matched.append(w)
                total += score
                k += 1
                j += 1
                continue
            if not self.grid and matched:
                # OCR spacing hides the cell's edge, but the caption goes on under itself: the
                # word to its right belongs to the next cell's caption.
                nxt = self._continuation(line_index, block_x0, wanted[k])
                if nxt is not None:
                    line_index, j = nxt
                    line = self.lines[line_index]
                    continue
            if misses >= allowed:
                break
            misses += 1
            if j + 1 < len(words) and similar(self.tokens[id(words[j + 1])], wanted[k]):
                j += 1  # a stray word (OCR speck) inside the label
            elif k + 1 < len(wanted) and similar(self.tokens[id(w)], wanted[k + 1]):
                k += 1  # a token of the label missing from the print
            else:
                matched.append(w)  # a token garbled beyond recognition: still part of the label
                k += 1
                j += 1
        if not matched:
            return None
        return matched, total / len(wanted)

    def _cell_edge(self, line: Line, left: Word, right: Word) -> bool:
        return right.x0 - left.x1 > self.cell_gap.get(id(line), 1e9) * max(left.height, right.height)

    def _continuation(self, line_index: int, block_x0: float, wanted: str) -> tuple[int, int] | None:
        line = self.lines[line_index]
        height = max(w.height for w in line.words) or 1.0
        limit = line.bottom + (GRID_LINE_HEIGHT * 0.5 if self.grid else height * 1.6)
        tolerance = 1.0 if self.grid else max(height * 0.8, 2.0)
        for index in range(line_index + 1, min(line_index + 8, len(self.lines))):
            candidate = self.lines[index]
            if candidate.page != line.page or candidate.top > limit:
                break
            for j, w in enumerate(candidate.words):
                if -tolerance <= w.x0 - block_x0 <= max(tolerance, 12.0 if not self.grid else 0.0) and id(w) not in self.used:
                    if similar(self.tokens[id(w)], wanted):
                        return index, j
                    break
        return None

    def value_words(self, words: Iterable[Word]) -> list[Word]:
        return [w for w in words if id(w) not in self.used]
