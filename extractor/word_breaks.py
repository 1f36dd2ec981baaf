"""Words a narrow cell broke across two lines ("Commo" / "n Stock"), found and joined again.

Renderers and converters wrap a cell's text at its width, and where one word is wider than
the cell they break it without a hyphen. The classifier tags the pieces as it tags any word,
and the value would read "Commo n Stock". A break is only undone where the joined word is
known, from the same document (a title printed whole in another row, a footnote) or from the
form's own vocabulary, and where at least one piece is not a word by itself: "Comm" above
"Stock" stays two words.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from .labels import catalog
from .layout.document import Layout, Word
from .values import split_footnotes

_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass(frozen=True)
class WordBreakSettings:
    """How far the second piece may sit from the first, in the first piece's heights."""

    max_line_gap: float = 1.0  # from the first piece's bottom to the second's top (page layouts)
    min_joined_length: int = 4  # "in" + "to" is not worth the risk

    def __post_init__(self) -> None:
        if self.max_line_gap <= 0:
            raise ValueError(f"max_line_gap must be positive, not {self.max_line_gap}")
        if self.min_joined_length < 2:
            raise ValueError(f"min_joined_length must be at least 2, not {self.min_joined_length}")


@dataclass(frozen=True)
class WordBreak:
    """The first piece's word, the second's, and the word they make together."""

    first: Word
    second: Word
    joined: Word


def normal(text: str) -> str:
    return _PUNCTUATION.sub("", text).lower()


@lru_cache(maxsize=1)
def form_vocabulary() -> frozenset[str]:
    """Words of the form's printed labels and of the project's own invented vocabularies."""
    words: set[str] = set()

    def walk(item) -> None:
        if isinstance(item, str):
            words.update(normal(w) for w in item.split())
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(catalog())
    walk(json.loads(resources.files(f"{__package__}.data").joinpath("fake_words.json").read_text("utf-8")))
    walk(json.loads(resources.files(f"{__package__}.data").joinpath("form_words.json").read_text("utf-8"))["words"])
    return frozenset(w for w in words if len(w) >= 2 and w.isalpha())


def find_breaks(layout: Layout, firsts: list[Word] | None = None,
                settings: WordBreakSettings | None = None) -> list[WordBreak]:
    """Each broken word of `layout` once, looked for from `firsts` (default: every word) in their order."""
    settings = settings or WordBreakSettings()
    grid = layout.geometry == "grid"
    if grid and layout.format != "text":
        return []  # markdown and HTML keep each table row on one line: nothing wraps
    words = list(layout.words)
    counts = Counter(normal(w.text) for w in words)
    vocabulary = form_vocabulary()
    known = vocabulary | set(counts)
    by_line: dict[tuple[int, int], list[Word]] = {}  # a text dump's lines
    by_page: dict[int, list[Word]] = {}  # a page's words by their top, for `_below`
    if grid:
        for w in words:
            by_line.setdefault((w.page, w.line or 0), []).append(w)
    else:
        for w in sorted(words, key=lambda w: w.top):
            by_page.setdefault(w.page, []).append(w)
    tops = {page: [w.top for w in page_words] for page, page_words in by_page.items()}

    def joins(first: Word) -> list[tuple[Word, str, str]]:
        """The words under `first` it could be the start of, with both pieces' normal forms."""
        head = normal(first.text)
        if not head.isalpha() or not first.text[-1:].isalpha():
            return []
        candidates = (by_line.get((first.page, (first.line or 0) + 1), []) if grid
                      else _below(first, by_page[first.page], tops[first.page], settings))
        out = []
        for second in candidates:
            tail = normal(second.text)
            if not second.text[:1].isalpha() or not tail.isalpha():
                continue
            if not (second.text[0].islower() or first.text.isupper()) or (grid and second.cell != first.cell):
                continue
            if first.column is not None and second.column is not None and second.column != first.column:
                continue  # a dump that keeps its columns starts a cell's next line at its left edge
            if len(head + tail) >= settings.min_joined_length and head + tail in known:
                out.append((second, head, tail))
        return out

    # A piece is a word in its own right if the form knows it or the document prints it often
    # where it could not be a piece: a dump that breaks "Souther" / "n" in every row prints both
    # as often as the rows, and only there.
    joins_of = {id(w): joins(w) for w in words}
    as_pieces: Counter[str] = Counter()
    for found in joins_of.values():
        if found:
            as_pieces[found[0][1]] += 1
            as_pieces.update({tail for _, _, tail in found})
    whole = vocabulary | {w for w, n in counts.items() if n - as_pieces[w] >= 2}
    taken: set[int] = set()
    breaks: list[WordBreak] = []
    for first in words if firsts is None else firsts:
        if id(first) in taken:
            continue
        for second, head, tail in joins_of[id(first)] if id(first) in joins_of else joins(first):
            if id(second) in taken:
                continue
            if head in whole and tail in whole:
                continue  # two words that happen to make a third ("for" + "ward")
            if grid and first.column is None and (head in whole or tail in whole):
                continue  # a text dump's next line holds every column's rest: "stock" and "holders" of two cells
            breaks.append(WordBreak(first, second, _joined(first, second)))
            taken.update((id(first), id(second)))
            break
    wanted = None if firsts is None else {id(w) for w in firsts}
    torn = _torn_values(by_line) if grid else _torn_values_below(by_page, tops, settings)
    for first, second in torn:
        if id(first) not in taken and id(second) not in taken and (wanted is None or id(first) in wanted):
            # A PDF's value stays on its first piece's line, where the footnote marker beside it is; a
            # dump's spans both, so its row takes in the line of the rests ("Option ... g 00").
            joined = _joined(first, second) if layout.format == "text" else replace(first, text=first.text + second.text)
            breaks.append(WordBreak(first, second, joined))
            taken.update((id(first), id(second)))
    return breaks


# A date or an amount a narrow cell broke: no value ends this way ("07/15/" / "2024", "3,3" / "82",
# "$143." / "5"; a bare number ending in a full stop may end a sentence).
_TORN = re.compile(r"^(?:\d{1,2}/(?:\d{1,2}/\d{0,3})?|\$?\d{1,3}(?:,\d{3})*,\d{0,2}|\$\d[\d,]*\.)$")
# Prose goes on in whole words ("February 13," / "125 accrued dividend ..."); a table's rests are short.
_PROSE_WORD = re.compile(r"^[a-z]{4,}")
# A price that may go on in the next line ("$120.8" / "6"): only where a torn value shows the line wrapped.
_MAYBE_TORN = re.compile(r"^\$?\d[\d,]*\.\d{1,3}$")
_WHOLE = re.compile(r"^(?:(?P<m>\d{1,2})/(?P<d>\d{1,2})/\d{4}|\$?\d{1,3}(?:,\d{3})+|\$?\d[\d,]*\.\d{1,4})$")
_DIGITS = re.compile(r"^\d+$")
# Where a dump keeps its columns, the rest stands under its value, so a piece that could also end a
# sentence ("261." / "32") or an ISO date's start ("2023-07-" / "01") is torn there, and a rest
# may hold a decimal point ("1,04" / "5.3").
_TORN_IN_COLUMN = re.compile(r"^(?:\$\d[\d,]*\.|\d[\d,]{2,}\.|\d{4}-(?:\d{2}-?)?)$")  # not an item's "3."
_REST_IN_COLUMN = re.compile(r"^\.?\d[\d.]*$")
_BARE_AMOUNT = re.compile(r"^\d[\d,]*$")
# A footnote marker glued to its value and broken inside its brackets ("A[2" / "]", "A(2" / ")").
# Only after a code or a number: the classifier reads a title word with a whole marker as prose ("Stock[3]").
_OPEN_MARKER = re.compile(r"^(?:[A-Z]|\$?\d[\d,.]*)[\[(]\d*$")
_MARKER_END = re.compile(r"^\d*[\])]")
_ISO_DATE = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$")
_ROW_VALUE = re.compile(r"^(?:\d{1,2}/\d{1,2}/\d{2,4}|\$\S+)$")  # a whole date or a price: a row of its own


def _whole(text: str) -> bool:
    if _ISO_DATE.match(text):
        return True
    match = _WHOLE.match(text)
    return bool(match) and (match.group("m") is None or (1 <= int(match.group("m")) <= 12 and 1 <= int(match.group("d")) <= 31))


def _torn_values(by_line: dict[tuple[int, int], list[Word]]) -> list[tuple[Word, Word]]:
    """A text dump's torn dates and amounts with their ends. The next line holds the rest of every
    cell that wrapped, in column order: its digits go, in order, to the torn values above that they
    make whole; a price above that the next digit makes whole may have wrapped too and takes it first
    ("$120.8 07/15/202 A 3,3" over "6 3 82": $120.86, 07/15/2023, 3,382)."""
    pairs = []
    for (page, line), heads in by_line.items():
        rests = by_line.get((page, line + 1), [])
        if any(_ROW_VALUE.match(w.text) for w in rests):
            continue
        prose = any(_PROSE_WORD.match(w.text) for w in rests)
        if rests and all(w.column is not None for w in heads + rests):
            # Under its column a rest is known by where it stands, whatever else the line holds
            # ("Restri" / "cted" beside "47,6" / "19"); but a piece that may be whole ("2020.") is only
            # torn where no prose goes on below it.
            pairs.extend(_torn_values_in_columns(heads, rests, prose))
            continue
        if prose or not any(_TORN.match(w.text) for w in heads):
            continue
        digits = [w for w in rests if _DIGITS.match(w.text)]
        # Rests beyond one per torn value: only those can be a whole-looking price's ("69.54 07/10/202
        # ... 31,65" over "8 ... 3": the price took the "8", the date the amount's "3").
        spare = len(digits) - sum(1 for w in heads if _TORN.match(w.text))
        start = 0
        for head in heads:
            torn = bool(_TORN.match(head.text))
            if not (torn or (_MAYBE_TORN.match(head.text) and spare > 0)):
                continue
            # A price that looks whole only takes the next rest: a later one is another cell's.
            for k in range(start, len(digits) if torn else min(start + 1, len(digits))):
                if _whole(head.text + digits[k].text):
                    if torn:
                        pairs.append((head, digits[k]))
                    else:
                        spare -= 1
                    start = k + 1
                    break
    return pairs


def _torn_values_in_columns(heads: list[Word], rests: list[Word], prose: bool) -> list[tuple[Word, Word]]:
    """Torn values of a dump that keeps its columns, each with the rest printed under it: a cell's next
    line starts at its left edge, or a little right of it where the cell centres or right-aligns it."""
    pairs = []
    taken: set[int] = set()
    for head in heads:
        marker = bool(_OPEN_MARKER.match(head.text))
        anywhere = marker or bool(_TORN.match(head.text))
        # A piece that could be whole by itself ("261.", "446") only takes a rest standing at its own edge.
        may_be_whole = any(p.match(head.text) for p in (_TORN_IN_COLUMN, _BARE_AMOUNT, _MAYBE_TORN))
        if not anywhere and (prose or not may_be_whole):
            continue
        # A cell that right-aligns or centres its text starts the rest up to two characters left of it.
        left, span = (2, len(head.text)) if anywhere else (1, 2)
        for rest in rests:
            if id(rest) in taken or not head.column - left <= rest.column < head.column + span:
                continue
            if not anywhere and _BARE_AMOUNT.match(head.text) and not rest.text.startswith("."):
                continue  # "1402" / "543" might as well be two numbers
            digits = split_footnotes(rest.text)[0]  # "446." / "8(1)": the marker is the row's
            if (_MARKER_END.match(rest.text) if marker
                    else _REST_IN_COLUMN.match(digits) and _whole(head.text + digits)):
                pairs.append((head, rest))
                taken.add(id(rest))
                break
    return pairs


def _torn_values_below(by_page: dict[int, list[Word]], tops: dict[int, list[float]],
                       settings: WordBreakSettings) -> list[tuple[Word, Word]]:
    """A page's torn dates and amounts, each with the digits under it that make it whole."""
    pairs = []
    for page, page_words in by_page.items():
        for head in page_words:
            if _TORN.match(head.text):
                # A narrow cell starts its next line at its own left edge (or ends it at its right);
                # the digits under a neighbouring cell ("$120.8" / "6" beside "07/15/202" / "3") are that cell's.
                rest = next((w for w in _below(head, page_words, tops[page], settings)
                             if _DIGITS.match(w.text) and min(abs(w.x0 - head.x0), abs(w.x1 - head.x1)) <= head.height
                             and _whole(head.text + w.text)), None)
                if rest is not None:
                    pairs.append((head, rest))
    return pairs


def _below(first: Word, page_words: list[Word], tops: list[float], settings: WordBreakSettings) -> list[Word]:
    """Words starting the next line under `first`'s cell, leftmost first (`page_words` sorted by top)."""
    height = max(first.height, 0.1)
    start = bisect_left(tops, first.bottom - 0.2 * height)
    end = bisect_right(tops, first.bottom + settings.max_line_gap * height)
    out = [w for w in page_words[start:end] if w is not first and first.x0 - 12 * height <= w.x0 <= first.x1]
    return sorted(out, key=lambda w: w.x0)


def broken_value_pairs(layout: Layout) -> list[tuple[Word, Word]]:
    """The pieces `join_broken_values` joins: each first piece with its rest."""
    if layout.format != "text" or layout.geometry != "grid":
        return []
    # Without columns a word's rest is only guessed from the vocabulary; the decoder joins those pieces
    # once they are tagged, so a guess between two cells costs less.
    return [(b.first, b.second) for b in find_breaks(layout)
            if b.first.column is not None or not b.first.text[-1:].isalpha()]


def join_broken_values(layout: Layout, pairs: list[tuple[Word, Word]] | None = None) -> Layout:
    """A text dump with its broken words and torn values made whole on their first piece's line,
    before the classifier reads it: alone, "07/15/", "3,38" and "Comm" look like the wrapped header's
    words, and a value's pieces would take two tags. `pairs` defaults to `broken_value_pairs(layout)`."""
    pairs = broken_value_pairs(layout) if pairs is None else pairs
    if not pairs:
        return layout
    rests = {id(second) for _, second in pairs}
    whole = {id(first): second for first, second in pairs}

    def mended(words: list[Word]) -> list[Word]:
        out = []
        for w in words:
            if id(w) in rests:
                continue
            second = whole.get(id(w))
            if second is not None:
                # The box stays the first piece's: grown, it would reach over the marker beside it.
                w = replace(w, text=w.text + second.text)
            out.append(w)
        return out

    # A copy: the rules read the same layout as it was printed.
    pages = [replace(page, lines=[replace(line, words=words) for line in page.lines if (words := mended(line.words))])
             for page in layout.pages]
    return replace(layout, pages=pages)


def _joined(first: Word, second: Word) -> Word:
    both = first.confidence is not None and second.confidence is not None
    confidence = min(first.confidence, second.confidence) if both else first.confidence
    return replace(first, text=first.text + second.text.lstrip(), x0=min(first.x0, second.x0),
                   x1=max(first.x1, second.x1), bottom=second.bottom, confidence=confidence, checkbox=None)
