"""Word chains: where a value of the record is printed, found by spelling it out.

A value is looked for as a chain of words: left to right on a line, and on into a following
line under the same block where a cell or a paragraph wraps (a hanging indent, a page break
and the header the next page repeats included). Chains are compared with the value
character by character, case and punctuation aside, so OCR damage and split or glued words
cost a little similarity instead of the match; a beam keeps the few best chains as they grow.
Dates and numbers are compared by what they mean first (``Jan 5, 2023`` is ``01/05/2023``,
``$1,234.50`` is ``1234.5``), codes as the letter they are.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from rapidfuzz.distance import Levenshtein

from ..layout.document import GRID_LINE_HEIGHT, Layout, Word
from ..values import decimal_text, parse_date, parse_number, state_code, state_names

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
# Footnote markers printed touching the value they cite: "757,756(1)", "$0.00[1]".
GLUED_MARKERS = re.compile(r"(?:[(\[{]\d{1,2}[)\]}])+$")
_TORN_MARKER = re.compile(r"[(\[{]\d{1,2}$")
# OCR's usual digit confusions, applied only when comparing numbers fuzzily.
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "i": "1",
                             "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9"})
# What OCR makes of a one-letter code.
_CODE_CONFUSIONS = {"D": "0O", "I": "1l|!", "A": "4", "S": "5$", "G": "6", "C": "(", "V": "v", "L": "1"}
_CODE_FIELDS = {"transaction_code", "acquired_disposed", "direct_or_indirect", "transaction_timeliness"}
_DOLLARS = ("$", "S")  # a price's dollar sign, and OCR's reading of it


@dataclass(frozen=True)
class ChainSettings:
    """How far a chain of words may stray from the value it spells, and how it may run."""

    min_text_similarity: float = 0.78  # a text value's chain must be at least this close
    min_number_similarity: float = 0.8  # digits compared fuzzily when they do not parse equal
    prefix_tolerance: float = 0.34  # share of edits a growing chain may carry before it is dropped
    max_word_gap: float = 2.0  # word heights between neighbours of one value on a line
    wrap_gap: float = 2.2  # word heights a wrapped value's next line may stand below the last
    beam_width: int = 6

    def __post_init__(self) -> None:
        for name in ("min_text_similarity", "min_number_similarity", "prefix_tolerance"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], not {value}")
        if self.max_word_gap <= 0 or self.wrap_gap <= 0:
            raise ValueError(f"max_word_gap and wrap_gap must be positive, not {self.max_word_gap}, {self.wrap_gap}")
        if self.beam_width < 1:
            raise ValueError(f"beam_width must be at least 1, not {self.beam_width}")


@dataclass(frozen=True)
class Target:
    """One value of the record to find: its path, kind and the forms it may be printed in."""

    path: str
    kind: str  # text, number, date, code, flag, or none (only its footnote markers print)
    value: Any
    keys: tuple[str, ...]  # normalized printed forms
    table: str | None = None
    row: int | None = None
    column: str | None = None
    footnote_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Span:
    """Words (indices into the layout's words) printing one value, and how well they spell it."""

    words: tuple[int, ...]
    score: float

    @property
    def first(self) -> int:
        return self.words[0]


def alnum(text: str) -> str:
    """Lower-case letters and digits only: what two printings of a value must share."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text.lower() if c.isalnum() and c.isascii())


def number_key(text: str, ocr: bool = False) -> str:
    """Digits of a printed number with its decimal point, trailing zeros and markers gone."""
    text = GLUED_MARKERS.sub("", text.strip())
    if ocr:
        text = text.translate(_OCR_DIGITS)
    digits = "".join(c for c in text if c.isdigit() or c == ".")
    if "." in digits:
        head, _, tail = digits.partition(".")
        tail = tail.replace(".", "").rstrip("0")
        digits = head + ("." + tail if tail else "")
    return digits.lstrip("0") or "0" if digits else ""


def date_keys(value: dt.date) -> tuple[str, ...]:
    m, d, y = value.month, value.day, value.year
    name = _MONTHS[m - 1]
    forms = {f"{m:02d}{d:02d}{y}", f"{m}{d}{y}", f"{y}{m:02d}{d:02d}", f"{m:02d}{d:02d}{y % 100:02d}",
             f"{name}{d}{y}", f"{name[:3]}{d}{y}", f"{d}{name}{y}", f"{d}{name[:3]}{y}", f"{d:02d}{m:02d}{y}"}
    return tuple(sorted(forms))


def text_keys(name: str, value: str) -> tuple[str, ...]:
    """A text's printed forms: itself, a state's name for its code, a name's word orders."""
    keys = [alnum(value)]
    if name == "state":
        keys += [alnum(full) for full in state_names() if len(full) > 2 and state_code(full) == value.upper()]
    elif name == "name" and 1 < len(value.split()) <= 4:
        tokens = value.replace(",", " ").split()
        keys += [alnum(" ".join(tokens[k:] + tokens[:k])) for k in range(1, len(tokens))]
    return tuple(dict.fromkeys(k for k in keys if k))


def make_target(path: str, value: Any, footnote_ids: tuple[str, ...], printed: bool = True) -> Target:
    """What to look for to find `value` of `path` (a Record.values() path)."""
    parts = path.split(".")
    table = row = column = None
    if parts[0] in ("non_derivative", "derivative"):
        table, row, column = ("I" if parts[0] == "non_derivative" else "II"), int(parts[1]), parts[2]
    cell = (table, row, column, footnote_ids)
    if value is None or not printed:
        return Target(path, "none", None, (), *cell)
    if isinstance(value, bool):
        return Target(path, "flag", value, (), *cell)
    if isinstance(value, dt.date):
        return Target(path, "date", value, date_keys(value), *cell)
    if isinstance(value, Decimal):
        return Target(path, "number", value, (number_key(decimal_text(value)),), *cell)
    if parts[-1] in _CODE_FIELDS:
        code = str(value).upper()
        return Target(path, "code", code, (code,), *cell)
    keys = text_keys(parts[-1], str(value))
    if not keys:  # nothing but punctuation: nothing to spell out
        return Target(path, "none", None, (), *cell)
    return Target(path, "text", str(value), keys, *cell)


class WordGraph:
    """The words of a layout with who may follow whom in a printed value, and the chain search."""

    def __init__(self, layout: Layout, settings: ChainSettings, captions: frozenset[int] = frozenset()):
        self.settings = settings
        self.grid = layout.geometry == "grid"
        self.ocr = layout.ocr
        # Words of printed captions (the aligner sets them once found): a value running on over a
        # page break skips the header the next page repeats.
        self.captions = captions
        self.words: list[Word] = list(layout.words)
        self.index = {id(w): i for i, w in enumerate(self.words)}
        self.lines = [line for line in layout.lines if line.words]
        self.line_of: list[int] = [0] * len(self.words)
        self.place: list[int] = [0] * len(self.words)
        for li, line in enumerate(self.lines):
            for j, w in enumerate(line.words):
                self.line_of[self.index[id(w)]] = li
                self.place[self.index[id(w)]] = j
        self.alnum = [alnum(w.text) for w in self.words]
        heights = sorted(w.height for w in self.words if w.height > 0) or [GRID_LINE_HEIGHT]
        self.height = heights[len(heights) // 2]
        self.tol = 1.0 if self.grid else self.height * 0.8
        # Plain text with no cells (pdftotext's flow): positions say nothing about columns.
        self.flat = self.grid and all(not w.cell for w in self.words)

    def candidates(self, target: Target, allowed: Callable[[int], bool]) -> list[Span]:
        """Every place `target` may be printed, among the words `allowed` lets it use."""
        if target.kind == "text":
            return self.text_spans(target.keys, allowed, target.path.endswith("state") or len(target.keys[0]) <= 2)
        if target.kind == "number":
            return self.short_spans(target, allowed, 3)
        if target.kind == "date":
            return self.short_spans(target, allowed, 5)
        if target.kind == "code":
            return self.code_spans(target, allowed)
        return []

    def short_spans(self, target: Target, allowed: Callable[[int], bool], longest: int) -> list[Span]:
        """Numbers and dates: up to `longest` neighbouring words, a wrap in a narrow cell included."""
        out: list[Span] = []
        for i, w in enumerate(self.words):
            if w.superscript or re.match(r"^[\[(]\d{1,2}[\])]", w.text):
                continue  # a footnote marker, not the start of a value
            if not allowed(i) or not any(c.isdigit() for c in w.text) and w.text not in _DOLLARS and (
                    target.kind != "date" or not alnum(w.text)[:3] in {m[:3] for m in _MONTHS}):
                continue
            best: Span | None = None
            stack: list[tuple[tuple[int, ...], tuple[str, ...]]] = [((i,), (w.text,))]
            while stack:
                run, pieces = stack.pop()
                texts = [self.words[j].text for j in run]
                score = self.short_score(target, texts)
                if len(pieces) < len(texts):
                    score = max(score, self.short_score(target, list(pieces)))
                if score and (best is None or score > best.score or score == best.score and len(run) < len(best.words)):
                    best = Span(run, score)
                if len(run) == longest:
                    continue
                right = self.right_of(run[-1])
                x0 = min(self.words[j].x0 for j in run)
                x1 = max(self.words[j].x1 for j in run)
                nexts = [right] if self.words[run[-1]].text in _DOLLARS else self.successors(run[-1], x0, x1)
                for nxt in nexts:
                    if nxt is not None and allowed(nxt) and nxt not in run and self.words[nxt].text not in _DOLLARS:
                        # A narrow cell breaks a number or date anywhere: a wrapped piece joins without a space.
                        text = self.words[nxt].text
                        grown = pieces + (text,) if nxt == right else pieces[:-1] + (pieces[-1] + text,)
                        stack.append((run + (nxt,), grown))
            if best is not None:
                out.append(best)
        return self.drop_inner(out)

    def short_score(self, target: Target, texts: list[str]) -> float:
        joined = " ".join(texts)
        if texts[-1] in _DOLLARS or texts[0] in ("-",):
            return 0.0
        if target.kind == "number":
            parsed = parse_number(GLUED_MARKERS.sub("", joined))
            if parsed is not None and abs(parsed) == abs(target.value) and number_key(joined) == target.keys[0]:
                return 1.0
            key = number_key(joined, ocr=True)
            if len(target.keys[0]) < 3 or not key:
                return 0.0
            sim = Levenshtein.normalized_similarity(key, target.keys[0])
            return 0.9 * sim if sim >= self.settings.min_number_similarity else 0.0
        if parse_date(joined) == target.value and (len(texts) == 1 or (
                not parse_date(" ".join(texts[:-1]))
                and all(parse_date(" ".join(texts[k:])) != target.value for k in range(1, len(texts))))):
            return 1.0
        key = alnum(joined.translate(_OCR_DIGITS) if not re.search(r"[a-z]{3}", joined.lower()) else joined)
        sim = max(Levenshtein.normalized_similarity(key, k) for k in target.keys)
        return 0.9 * sim if sim >= self.settings.min_number_similarity and len(key) >= 5 else 0.0

    def code_spans(self, target: Target, allowed: Callable[[int], bool]) -> list[Span]:
        code = target.value
        out = []
        for i, w in enumerate(self.words):
            if not allowed(i):
                continue
            text = GLUED_MARKERS.sub("", w.text).rstrip(",.;:*")
            words: tuple[int, ...] = (i,)
            torn = _TORN_MARKER.search(text)
            if torn:  # "S[1" with "]" on the next line: a narrow cell broke the glued marker
                text = text[: torn.start()]
                closing = [j for j in self.successors(i, w.x0, w.x1) if re.fullmatch(r"[\])}]+", self.words[j].text)]
                words += tuple(closing[:1])
            if text.upper() == code:
                out.append(Span(words, 1.0 if text == code or code.lower() == text else 0.9))
            elif len(text) == len(code) == 1 and text in _CODE_CONFUSIONS.get(code, ""):
                out.append(Span(words, 0.6))
            elif self.ocr and len(code) == 1 and 1 < len(text) <= 4 and text[0].upper() == code:
                out.append(Span(words, 0.5))  # a code with its marker, garbled: "P(1)" read "PL)"
        return out

    def text_spans(self, keys: tuple[str, ...], allowed: Callable[[int], bool], exact: bool) -> list[Span]:
        out: list[Span] = []
        for key_index, key in enumerate(keys):
            penalty = 0.0 if key_index == 0 else 0.02
            for i, tok in enumerate(self.alnum):
                if not tok or not allowed(i) or len(tok) > len(key) + max(2, len(key) // 5):
                    continue
                head = key[: len(tok)]
                if exact and tok != head:
                    continue
                if len(tok) <= 2 and tok != head:
                    continue
                if self.prefix_edits(tok, key) > max(1.0, self.settings.prefix_tolerance * len(tok)):
                    continue
                span = self.grow(i, key, allowed)
                if span is not None:
                    threshold = 1.0 if exact else self.settings.min_text_similarity
                    if span.score >= threshold - 1e-9:
                        out.append(Span(span.words, span.score - penalty))
        return self.drop_inner(out)

    def grow(self, start: int, key: str, allowed: Callable[[int], bool]) -> Span | None:
        """The chain of words from `start` that best spells `key` (beam search over wraps)."""
        w0 = self.words[start]
        Node = tuple  # (words, chars, x0, x1)
        beam: list[Node] = [((start,), self.alnum[start], w0.x0, w0.x1)]
        best: Span | None = None
        limit = len(key) + max(3, len(key) // 6)
        while beam:
            grown: list[tuple[float, Node]] = []
            for words, chars, x0, x1 in beam:
                score = Levenshtein.normalized_similarity(chars, key)
                # At equal score the longer chain wins: it keeps punctuation inside the value ("Stock - Class A").
                if self.alnum[words[-1]] and (best is None or score > best.score + 1e-9 or (
                        score > best.score - 1e-9 and len(words) > len(best.words))):
                    best = Span(words, score)
                if len(chars) >= limit:
                    continue
                for j in self.successors(words[-1], x0, x1):
                    # A lone "$" belongs to the price in the next cell, never to a text value.
                    if j in words or not allowed(j) or self.words[j].text in _DOLLARS:
                        continue
                    more = chars + self.alnum[j]
                    edits = self.prefix_edits(more, key) if self.alnum[j] else 0
                    if edits > max(1.0, self.settings.prefix_tolerance * len(more)):
                        continue
                    w = self.words[j]
                    grown.append((edits / max(len(more), 1), (words + (j,), more, min(x0, w.x0), max(x1, w.x1))))
            grown.sort(key=lambda g: g[0])
            beam = [node for _, node in grown[: self.settings.beam_width]]
        return best

    @staticmethod
    def prefix_edits(chars: str, key: str) -> int:
        n = len(chars)
        return min(Levenshtein.distance(chars, key[: max(n + d, 0)]) for d in (-2, -1, 0, 1, 2))

    def right_of(self, i: int) -> int | None:
        line = self.lines[self.line_of[i]]
        j = self.place[i] + 1
        if j >= len(line.words):
            return None
        w, nxt = self.words[i], line.words[j]
        if self.grid:
            return self.index[id(nxt)] if nxt.cell == w.cell else None
        if nxt.x0 - w.x1 > self.settings.max_word_gap * max(w.height, nxt.height, 1.0):
            return None
        return self.index[id(nxt)]

    def successors(self, i: int, x0: float, x1: float) -> list[int]:
        out = []
        right = self.right_of(i)
        if right is not None:
            out.append(right)
        w = self.words[i]
        li = self.line_of[i]
        if self.grid:
            for lj in range(li + 1, min(li + 4, len(self.lines))):
                line = self.lines[lj]
                if line.page != w.page or (line.words[0].line or 0) - (w.line or 0) > 3:
                    break
                if self.flat and right is None:
                    # Text flow (pdftotext) interleaves a wrapped cell with its row's other cells:
                    # the value goes on anywhere in the next lines.
                    out += [self.index[id(v)] for v in line.words]
                    continue
                same = [v for v in line.words if v.cell == w.cell]
                if same:
                    out.append(self.index[id(same[0])])
                    if len(out) > (right is not None) + 1:
                        break
            return out
        limit = w.bottom + self.settings.wrap_gap * max(w.height, 1.0)
        page_lines = [lj for lj in range(li + 1, len(self.lines)) if self.lines[lj].page == w.page]
        for lj in page_lines:
            line = self.lines[lj]
            if line.top > limit:
                break
            found = self.continuations(line.words, x0, x1)
            if found:
                out += found
                if lj != page_lines[-1]:
                    return out
                break  # the page's last line may be its footer: the value may also go on overleaf
        # Nothing close below: the value may run on over the page break (past a page footer),
        # below whatever header the next page repeats.
        for line in self.lines[li + 1: li + 60]:
            if line.page > w.page + 1:
                break
            if line.page == w.page + 1:
                found = self.continuations(line.words, x0, x1)
                if found and found[0] not in self.captions:
                    return out + found
        return out

    def continuations(self, words: list[Word], x0: float, x1: float) -> list[int]:
        """Where a block spanning x0..x1 can go on in a following line of `words`."""
        under = next((v for v in words if self.under_block(v, x0, x1)), None)
        if under is None:
            return []
        found = [self.index[id(under)]]
        # A hanging indent: "1. Text" runs on at the margin, left of where the text began.
        lead = words[0]
        if lead is not under and x0 - 4 * max(lead.height, 1.0) <= lead.x0 < x0:
            found.append(self.index[id(lead)])
        return found

    def under_block(self, v: Word, x0: float, x1: float) -> bool:
        """Whether a word of a following line can continue a block spanning x0..x1."""
        if abs(v.x0 - x0) <= self.tol:
            return True
        overlap = min(v.x1, x1) - max(v.x0, x0)
        return overlap > 0.3 * min(v.x1 - v.x0, x1 - x0)

    def drop_inner(self, spans: list[Span]) -> list[Span]:
        """Of spans sharing words keep the better (a chain started mid-value is no rival).

        At equal score a span on fewer lines wins: a value ending one row and the start of the
        next do not make a wrapped value.
        """
        spans = sorted(spans, key=lambda s: (-s.score, len({self.line_of[i] for i in s.words}), -len(s.words)))
        taken: set[int] = set()
        out = []
        for span in spans:
            if taken.isdisjoint(span.words):
                out.append(span)
                taken.update(span.words)
        return out
