"""The aligner: word labels for any Layout from the document's gold Record alone.

Every printed value of the record is searched for as a chain of words: left to right on a
line, and on into the next line under the same block where a cell or paragraph wraps.
Chains are compared character by character (case and punctuation ignored) so OCR damage,
split and glued words cost a little similarity rather than the match. Dates, numbers,
states and codes are compared by what they mean first (``Jan 5, 2023`` is ``01/05/2023``).

Which occurrence of a repeated value is the right one is decided by the form's geometry:
the tables' rows are aligned column by column (a column's values run top to bottom in
record row order, so a dynamic programme pairs them), header values prefer the box whose
printed caption stands above them, footnotes and remarks are placed first since they are
long and unique. What is left is printed form text ("label"), footnote markers citing a
cell ("footnote_ref"), or noise ("other").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable

from rapidfuzz.distance import Levenshtein

from ..labels import LabelFinder, LabelMatch, catalog
from ..layout.document import GRID_LINE_HEIGHT, Layout, Word
from ..records import Record
from ..tables import Column, column_borders
from ..values import CHECK_MARKS, decimal_text, parse_date, parse_number, state_code, _states
from .labels import FOOTNOTE_REF, FORM_LABEL, OTHER, WordLabel

# Record leaves a rendered form never prints (or prints only as a consequence of others).
_UNPRINTED = re.compile(
    r"(^|\.)(cik|ccc|transaction_form_type|good_address|non_us_address|schema_version)$|^document_type$"
    r"|^derivative\.\d+\.acquired_disposed$")
_CODE_FIELDS = {"transaction_code", "acquired_disposed", "direct_or_indirect", "transaction_timeliness"}
_MARKER = re.compile(r"^[\[(]?\d{1,2}[\])]?(?:[,;]?\s*[\[(]\d{1,2}[\])])*[,.;]?$")
# The same as OCR reads it: brackets as braces or "q", a one as "l", "I" or "|".
_OCR_MARKER = re.compile(r"^[\[({q]?[\dlIi|]{1,2}[\])}]?(?:[\[({][\dlIi|]{1,2}[\])}])*[,.;]?$")
_OCR_ONE = str.maketrans({"l": "1", "I": "1", "i": "1", "|": "1", "O": "0", "o": "0"})
_GLUED_MARKERS = re.compile(r"(?:[(\[{]\d{1,2}[)\]}])+$")
_NOISE = re.compile(r"^(?:[|_—=~'`\",;!•·^]+|[-_=.~]{2,})$")
_RULE_CHARS = set("-_~=.—–ewaorH")
# Check marks and empty boxes as renderers and OCR print them.
_BOXES = {m.lower() for m in CHECK_MARKS} | {"■", "☐", "□", "[_]", "[", "]", "o", "[ ]"}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
# OCR's usual digit confusions, applied only when comparing numbers fuzzily.
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "i": "1",
                             "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9"})
_CODE_CONFUSIONS = {"D": "0O", "I": "1l|!", "A": "4", "S": "5$", "G": "6", "P": "", "M": "", "F": "", "J": "",
                    "C": "(", "V": "v", "L": "1", "E": ""}


@dataclass(frozen=True)
class AlignSettings:
    """Thresholds of the aligner (similarities in [0, 1] of normalized characters)."""

    min_text_similarity: float = 0.78  # a text value's chain must be at least this close
    min_number_similarity: float = 0.8  # digits compared fuzzily when they do not parse equal
    prefix_tolerance: float = 0.34  # share of edits a growing chain may carry before it is dropped
    max_word_gap: float = 2.0  # word heights between neighbours of one value on a line
    wrap_gap: float = 2.2  # word heights a wrapped value's next line may stand below the last
    beam_width: int = 6
    box_bonus: float = 0.25  # for a header value found in the box its caption names
    column_penalty: float = 0.5  # for a table value found outside its column
    min_label_score: float = 0.75

    def __post_init__(self) -> None:
        for name in ("min_text_similarity", "min_number_similarity", "prefix_tolerance", "min_label_score"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], not {value}")
        if self.max_word_gap <= 0 or self.wrap_gap <= 0:
            raise ValueError(f"max_word_gap and wrap_gap must be positive, not {self.max_word_gap}, {self.wrap_gap}")
        if self.beam_width < 1:
            raise ValueError(f"beam_width must be at least 1, not {self.beam_width}")
        if not 0.0 <= self.box_bonus <= 1.0 or not 0.0 <= self.column_penalty <= 1.0:
            raise ValueError("box_bonus and column_penalty must be in [0, 1]")


@dataclass(frozen=True)
class AlignAgreement:
    """How far aligned labels agree with exact ones, word by word."""

    words: int
    agreed: int
    per_field: dict[str, tuple[int, int]]  # field pattern ("non_derivative.*.shares") -> (agreed, words)
    confusions: dict[str, dict[str, int]]  # worst field patterns -> aligned field pattern -> count

    @property
    def share(self) -> float:
        return self.agreed / self.words if self.words else 1.0


@dataclass(frozen=True)
class _Target:
    path: str
    kind: str  # text, number, date, code, flag
    value: Any
    keys: tuple[str, ...]  # normalized printed forms
    table: str | None = None
    row: int | None = None
    column: str | None = None
    footnote_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Span:
    words: tuple[int, ...]
    score: float

    @property
    def first(self) -> int:
        return self.words[0]


@dataclass
class _Zones:
    table: dict[int, str] = field(default_factory=dict)  # word -> "I" / "II"
    section: dict[int, str] = field(default_factory=dict)  # word -> header / footnotes / remarks / closing
    box: dict[int, str] = field(default_factory=dict)  # header word -> box key
    # (table, page) -> column field, left border, right border, header extent, whether its neighbours are known
    columns: dict[tuple[str, int], list[tuple[str, float, float, tuple[float, float], bool]]] = field(default_factory=dict)


def align(layout: Layout, record: Record, settings: AlignSettings | None = None) -> list[WordLabel]:
    """One label per word of `layout`, in the order of `layout.words`."""
    return _Aligner(layout, record, settings or AlignSettings()).run()


def alnum(text: str) -> str:
    """Lower-case letters and digits only: what two printings of a value must share."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text.lower() if c.isalnum() and c.isascii())


def number_key(text: str, ocr: bool = False) -> str:
    """Digits of a printed number with its decimal point, trailing zeros and markers gone."""
    text = _GLUED_MARKERS.sub("", text.strip())
    if ocr:
        text = text.translate(_OCR_DIGITS)
    digits = "".join(c for c in text if c.isdigit() or c == ".")
    if "." in digits:
        head, _, tail = digits.partition(".")
        tail = tail.replace(".", "").rstrip("0")
        digits = head + ("." + tail if tail else "")
    return digits.lstrip("0") or "0" if digits else ""


def _title_numeral_fits(key: str, match: LabelMatch) -> bool:
    """Fuzzy matching takes "Table II" for "Table I" and back: their numerals must be read as printed."""
    if key not in ("table1", "table2") or len(match.words) < 2:
        return True
    numeral = match.words[1].text.lower()
    return numeral in ({"i", "l", "1", "|"} if key == "table1" else {"ii", "il", "li", "11", "ll", "i1", "1i"})


def date_keys(value: dt.date) -> tuple[str, ...]:
    m, d, y = value.month, value.day, value.year
    name = _MONTHS[m - 1]
    forms = {f"{m:02d}{d:02d}{y}", f"{m}{d}{y}", f"{y}{m:02d}{d:02d}", f"{m:02d}{d:02d}{y % 100:02d}",
             f"{name}{d}{y}", f"{name[:3]}{d}{y}", f"{d}{name}{y}", f"{d}{name[:3]}{y}", f"{d:02d}{m:02d}{y}"}
    return tuple(sorted(forms))


class _Aligner:
    def __init__(self, layout: Layout, record: Record, settings: AlignSettings):
        self.layout = layout
        self.record = record
        self.s = settings
        self.grid = layout.geometry == "grid"
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
        self.labels: list[WordLabel | None] = [None] * len(self.words)
        self.label_words: set[int] = set()
        self.finder = LabelFinder(layout)
        self.anchors: dict[str, list[LabelMatch]] = defaultdict(list)
        self.assigned: dict[str, _Span] = {}
        self.targets: dict[str, _Target] = {}

    # --- the whole document ------------------------------------------------------------------
    def run(self) -> list[WordLabel]:
        if not self.words:
            return []
        # On a page an "underline" is any rule beneath a word, table borders included, and the
        # label finder passes underlined words by as values: let it see every word meanwhile.
        underlined = [w for w in self.words if w.underline] if not self.grid else []
        for w in underlined:
            w.underline = False
        try:
            self.find_labels()
            self.zones = self.find_zones()
        finally:
            for w in underlined:
                w.underline = True
        self.targets = {t.path: t for t in self.make_targets()}
        self.place_long_texts()
        self.place_tables()
        self.place_header()
        self.place_check_marks()
        self.place_footnote_leads()
        self.place_footnote_refs()
        self.place_form_name()
        self.place_page_numbers()
        return self.finish()

    def pos(self, i: int) -> tuple[int, float]:
        return self.line_of[i], self.words[i].x0

    def free(self, i: int) -> bool:
        return self.labels[i] is None

    def assign(self, target: _Target, span: _Span) -> None:
        for i in span.words:
            w = self.words[i]
            self.labels[i] = WordLabel(w.page, w.text, w.bbox, target.path, target.table, target.row, target.column)
        self.assigned[target.path] = span

    # --- printed form text ---------------------------------------------------------------------
    def find_labels(self) -> None:
        labels = catalog()
        phrases: list[tuple[str, str]] = [(k, p) for k, p in labels["titles"].items()]
        phrases += [(k, p) for group in ("boxes", "sections", "address_parts") for k, p in labels[group].items()]
        phrases += [(k, p) for k, p in labels["checkboxes"].items()]
        phrases += [("boilerplate", p) for p in labels["boilerplate"]]
        for spec_name, spec in labels["tables"].items():
            if spec_name.startswith("_"):
                continue
            for entry in spec:
                phrases.append((f"column:{entry[0]}" if entry[0] else "column:group", entry[1]))
        # Long phrases first, so a short caption cannot take a word out of a longer one.
        phrases.sort(key=lambda kp: -len(kp[1].split()))
        for key, phrase in phrases:
            short = len(phrase.split()) <= 2
            for match in self.finder.find(key, phrase, min_score=0.9 if short else self.s.min_label_score, mark=False):
                if any(self.finder.is_label(w) for w in match.words) or not _title_numeral_fits(key, match):
                    continue
                self.finder.mark(match)
                self.anchors[key].append(match)
                self.label_words.update(self.index[id(w)] for w in match.words)

    # --- where things are: tables, sections, header boxes ---------------------------------------
    def find_zones(self) -> _Zones:
        zones = _Zones()
        first = lambda key: min((self.pos(self.index[id(m.first)]) for m in self.anchors.get(key, [])), default=None)
        t1, t2 = first("table1"), first("table2")
        closing = [p for p in (first("explanation"), first("remarks"), first("signature"), first("reminder")) if p]
        end = min(closing) if closing else (10**9, 0.0)
        header_end = min([p for p in (t1, t2) if p] + [end])
        explanation, remarks = first("explanation"), first("remarks")
        signature = first("signature")
        for i in range(len(self.words)):
            p = self.pos(i)
            if p < header_end:
                zones.section[i] = "header"
            elif t1 and t1 <= p < (t2 if t2 and t2 > t1 else end):
                zones.table[i] = "I"
            elif t2 and t2 <= p < end:
                zones.table[i] = "II"
            elif remarks and p > remarks and (not signature or p < signature):
                zones.section[i] = "remarks"
            elif explanation and p > explanation and (not remarks or p < remarks):
                zones.section[i] = "footnotes"
            else:
                zones.section[i] = "closing"
        self.find_boxes(zones)
        self.find_columns(zones)
        return zones

    def find_boxes(self, zones: _Zones) -> None:
        keys = list(catalog()["boxes"])
        anchors = [(k, m) for k in keys for m in self.anchors.get(k, [])]
        for i, w in enumerate(self.words):
            if zones.section.get(i) != "header" or i in self.label_words:
                continue
            best: tuple[tuple[int, float], str] | None = None
            for key, a in anchors:
                if a.page != w.page or w.x0 < a.x0 - self.tol:
                    continue
                start = self.pos(self.index[id(a.first)])
                if start > self.pos(i) or (not self.grid and a.top > w.top + w.height * 0.3):
                    continue
                if self.grid and w.cell is not None and a.first.cell is not None and w.cell != a.first.cell:
                    continue
                if not self.grid:
                    right = [b.x0 for _, b in anchors if b.page == a.page and b.x0 > a.x0 + self.tol
                             and b.top < a.bottom + 400 and b.bottom > a.top - 2 * self.height]
                    if right and w.x0 >= min(right) - self.tol:
                        continue
                if best is None or start > best[0]:
                    best = (start, key)
            if best is not None:
                zones.box[i] = best[1]

    def find_columns(self, zones: _Zones) -> None:
        specs = catalog()["tables"]
        kind = (self.record.document_type.value or "4")[0]
        names = {"3": ("holdings_1", "holdings_2"), "5": ("form5_1", "form5_2")}.get(kind, ("transactions_1", "transactions_2"))
        for table, spec_name in zip(("I", "II"), names):
            if self.flat:
                break
            in_table = [i for i, t in zones.table.items() if t == table]
            for page in sorted({self.words[i].page for i in in_table}):
                region = {id(self.words[i]) for i in in_table if self.words[i].page == page}
                columns = self.columns_on(specs[spec_name], region)
                if not columns:
                    continue
                order = [leaf for entry in specs[spec_name] for leaf in ([entry[0]] if entry[0] else [l[0] for l in entry[2]])]
                ranked = sorted(columns, key=lambda c: c.x0)
                extents = {c.field: (c.x0, c.x1) for c in columns}
                borders = []
                for k, (name, left, right) in enumerate(column_borders(columns)):
                    at = order.index(name)
                    # Borders between found columns are only trusted where no column of the form
                    # is missing between them (a lost header must not hand its cells to a neighbour).
                    before = order.index(ranked[k - 1].field) if k else -1
                    after = order.index(ranked[k + 1].field) if k + 1 < len(ranked) else len(order)
                    borders.append((name, left, right, extents[name], before == at - 1 and after == at + 1))
                zones.columns[(table, page)] = borders

    def columns_on(self, spec: list, region: set[int]) -> list[Column]:
        finder = LabelFinder(self.layout)
        inside = lambda w: id(w) in region
        found = []
        for entry in spec:
            match = finder.find("header", entry[1], where=inside, min_score=self.s.min_label_score, limit=1)
            found.append((entry, match[0] if match else None))
        xs = sorted(m.x0 for _, m in found if m is not None)
        columns: list[Column] = []
        for entry, match in found:
            if match is None:
                continue
            if entry[0] is not None:
                columns.append(Column(entry[0], match.words))
                continue
            right = min((x for x in xs if x > match.x0 + self.tol), default=float("inf"))
            for leaf_field, phrase in entry[2]:
                leaf = finder.find("leaf", phrase, min_score=0.9, limit=1, where=lambda w, m=match, r=right: (
                    inside(w) and m.x0 - self.tol <= w.x0 < r and (w.page, self.pos(self.index[id(w)]))
                    > (m.page, self.pos(self.index[id(m.first)]))))
                if leaf:
                    columns.append(Column(leaf_field, leaf[0].words))
                    self.label_words.update(self.index[id(w)] for w in leaf[0].words)
        return columns

    def column_of(self, span: _Span) -> str | None:
        w = self.words[span.first]
        table = self.zones.table.get(span.first)
        borders = self.zones.columns.get((table, w.page)) if table else None
        if not borders:
            return None
        line = [self.words[i] for i in span.words if self.line_of[i] == self.line_of[span.first]]
        x = w.x0 + 0.01 if self.grid else (min(v.x0 for v in line) + max(v.x1 for v in line)) / 2
        for name, left, right, (x0, x1), trusted in borders:
            if left <= x < right and (trusted or x0 - self.tol <= x <= x1 + self.tol):
                return {"v_flag": "equity_swap_involved", "shares_acquired": "shares",
                        "shares_disposed": "shares"}.get(name, name)
        return None

    # --- what to look for ------------------------------------------------------------------------
    def make_targets(self) -> Iterable[_Target]:
        for path, value in self.record.values():
            if not value.present or _UNPRINTED.search(path) and not value.footnote_ids:
                continue
            parts = path.split(".")
            table = row = column = None
            if parts[0] in ("non_derivative", "derivative"):
                table, row, column = ("I" if parts[0] == "non_derivative" else "II"), int(parts[1]), parts[2]
            v = value.value
            name = parts[-1]
            notes = tuple(value.footnote_ids)
            if v is None or _UNPRINTED.search(path):  # only its footnote markers are printed
                yield _Target(path, "none", None, (), table, row, column, notes)
            elif isinstance(v, bool):
                yield _Target(path, "flag", v, (), table, row, column, notes)
            elif isinstance(v, dt.date):
                yield _Target(path, "date", v, date_keys(v), table, row, column, notes)
            elif isinstance(v, Decimal):
                yield _Target(path, "number", v, (number_key(decimal_text(v)),), table, row, column, notes)
            elif name in _CODE_FIELDS:
                yield _Target(path, "code", str(v).upper(), (str(v).upper(),), table, row, column, notes)
            else:
                yield _Target(path, "text", str(v), self.text_keys(name, str(v)), table, row, column, notes)

    @staticmethod
    def text_keys(name: str, value: str) -> tuple[str, ...]:
        keys = [alnum(value)]
        if name == "state":
            keys += [alnum(full) for full, code in _states().items() if code == value.upper()]
        elif name == "name" and 1 < len(value.split()) <= 4:
            tokens = value.replace(",", " ").split()
            keys += [alnum(" ".join(tokens[k:] + tokens[:k])) for k in range(1, len(tokens))]
        return tuple(dict.fromkeys(k for k in keys if k))

    # --- finding a value's words ---------------------------------------------------------------
    def candidates(self, target: _Target, allowed: Callable[[int], bool]) -> list[_Span]:
        if target.kind == "text":
            return self.text_spans(target.keys, allowed, target.path.endswith("state") or len(target.keys[0]) <= 2)
        if target.kind == "number":
            return self.short_spans(target, allowed, 3)
        if target.kind == "date":
            return self.short_spans(target, allowed, 5)
        if target.kind == "code":
            return self.code_spans(target, allowed)
        return []

    def short_spans(self, target: _Target, allowed: Callable[[int], bool], longest: int) -> list[_Span]:
        """Numbers and dates: runs of up to `longest` neighbouring words on one line."""
        out: list[_Span] = []
        for i, w in enumerate(self.words):
            if w.superscript or re.match(r"^[\[(]\d{1,2}[\])]", w.text):
                continue  # a footnote marker, not the start of a value
            if not allowed(i) or not any(c.isdigit() for c in w.text) and w.text not in ("$", "S") and (
                    target.kind != "date" or not alnum(w.text)[:3] in {m[:3] for m in _MONTHS}):
                continue
            best: _Span | None = None
            stack: list[tuple[tuple[int, ...], tuple[str, ...]]] = [((i,), (w.text,))]
            while stack:
                run, pieces = stack.pop()
                texts = [self.words[j].text for j in run]
                score = self.short_score(target, texts)
                if len(pieces) < len(texts):
                    score = max(score, self.short_score(target, list(pieces)))
                if score and (best is None or score > best.score or score == best.score and len(run) < len(best.words)):
                    best = _Span(run, score)
                if len(run) == longest:
                    continue
                right = self.right_of(run[-1])
                x0 = min(self.words[j].x0 for j in run)
                x1 = max(self.words[j].x1 for j in run)
                nexts = [right] if self.words[run[-1]].text in ("$", "S") else self.successors(run[-1], x0, x1)
                for nxt in nexts:
                    if nxt is not None and allowed(nxt) and nxt not in run and self.words[nxt].text not in ("$", "S"):
                        # A narrow cell breaks a number or date anywhere: a wrapped piece joins without a space.
                        text = self.words[nxt].text
                        grown = pieces + (text,) if nxt == right else pieces[:-1] + (pieces[-1] + text,)
                        stack.append((run + (nxt,), grown))
            if best is not None:
                out.append(best)
        return self.drop_inner(out)

    def short_score(self, target: _Target, texts: list[str]) -> float:
        joined = " ".join(texts)
        if texts[-1] in ("$", "S") or texts[0] in ("-",):
            return 0.0
        if target.kind == "number":
            parsed = parse_number(_GLUED_MARKERS.sub("", joined))
            if parsed is not None and abs(parsed) == abs(target.value) and number_key(joined) == target.keys[0]:
                return 1.0
            key = number_key(joined, ocr=True)
            if len(target.keys[0]) < 3 or not key:
                return 0.0
            sim = Levenshtein.normalized_similarity(key, target.keys[0])
            return 0.9 * sim if sim >= self.s.min_number_similarity else 0.0
        if parse_date(joined) == target.value and (len(texts) == 1 or (
                not parse_date(" ".join(texts[:-1]))
                and all(parse_date(" ".join(texts[k:])) != target.value for k in range(1, len(texts))))):
            return 1.0
        key = alnum(joined.translate(_OCR_DIGITS) if not re.search(r"[a-z]{3}", joined.lower()) else joined)
        sim = max(Levenshtein.normalized_similarity(key, k) for k in target.keys)
        return 0.9 * sim if sim >= self.s.min_number_similarity and len(key) >= 5 else 0.0

    def code_spans(self, target: _Target, allowed: Callable[[int], bool]) -> list[_Span]:
        code = target.value
        out = []
        for i, w in enumerate(self.words):
            if not allowed(i):
                continue
            text = _GLUED_MARKERS.sub("", w.text).rstrip(",.;:*")
            if text.upper() == code:
                out.append(_Span((i,), 1.0 if text == code or code.lower() == text else 0.9))
            elif len(text) == len(code) == 1 and text in _CODE_CONFUSIONS.get(code, ""):
                out.append(_Span((i,), 0.6))
            elif self.layout.ocr and len(code) == 1 and 1 < len(text) <= 4 and text[0].upper() == code:
                out.append(_Span((i,), 0.5))  # a code with its marker, garbled: "P(1)" read "PL)"
        return out

    def text_spans(self, keys: tuple[str, ...], allowed: Callable[[int], bool], exact: bool) -> list[_Span]:
        out: list[_Span] = []
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
                if self.prefix_edits(tok, key) > max(1.0, self.s.prefix_tolerance * len(tok)):
                    continue
                span = self.grow(i, key, allowed)
                if span is not None:
                    threshold = 1.0 if exact else self.s.min_text_similarity
                    if span.score >= threshold - 1e-9:
                        out.append(_Span(span.words, span.score - penalty))
        return self.drop_inner(out)

    def grow(self, start: int, key: str, allowed: Callable[[int], bool]) -> _Span | None:
        """The chain of words from `start` that best spells `key` (beam search over wraps)."""
        w0 = self.words[start]
        Node = tuple  # (words, chars, x0, x1)
        beam: list[Node] = [((start,), self.alnum[start], w0.x0, w0.x1)]
        best: _Span | None = None
        limit = len(key) + max(3, len(key) // 6)
        while beam:
            grown: list[tuple[float, Node]] = []
            for words, chars, x0, x1 in beam:
                score = Levenshtein.normalized_similarity(chars, key)
                # At equal score the longer chain wins: it keeps punctuation inside the value ("Stock - Class A").
                if self.alnum[words[-1]] and (best is None or score > best.score + 1e-9 or (
                        score > best.score - 1e-9 and len(words) > len(best.words))):
                    best = _Span(words, score)
                if len(chars) >= limit:
                    continue
                for j in self.successors(words[-1], x0, x1):
                    # A lone "$" belongs to the price in the next cell, never to a text value.
                    if j in words or not allowed(j) or self.words[j].text in ("$", "S"):
                        continue
                    more = chars + self.alnum[j]
                    edits = self.prefix_edits(more, key) if self.alnum[j] else 0
                    if edits > max(1.0, self.s.prefix_tolerance * len(more)):
                        continue
                    w = self.words[j]
                    grown.append((edits / max(len(more), 1), (words + (j,), more, min(x0, w.x0), max(x1, w.x1))))
            grown.sort(key=lambda g: g[0])
            beam = [node for _, node in grown[: self.s.beam_width]]
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
        if nxt.x0 - w.x1 > self.s.max_word_gap * max(w.height, nxt.height, 1.0):
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
        limit = w.bottom + self.s.wrap_gap * max(w.height, 1.0)
        for lj in range(li + 1, len(self.lines)):
            line = self.lines[lj]
            if line.page != w.page or line.top > limit:
                break
            found = self.continuations(line.words, x0, x1)
            if found:
                return out + found
        # Nothing close below: the value may run on over the page break (past a page footer),
        # below whatever header the next page repeats.
        for line in self.lines[li + 1: li + 60]:
            if line.page > w.page + 1:
                break
            if line.page == w.page + 1:
                found = self.continuations(line.words, x0, x1)
                if found and found[0] not in self.label_words:
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

    def drop_inner(self, spans: list[_Span]) -> list[_Span]:
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

    def usable(self, i: int) -> bool:
        return self.free(i) and i not in self.label_words

    # --- footnotes and remarks ------------------------------------------------------------------
    def place_long_texts(self) -> None:
        long_texts = [t for t in self.targets.values() if t.kind == "text" and t.table is None
                      and (t.path.startswith("footnotes.") or t.path == "remarks")]
        long_texts.sort(key=lambda t: -len(t.keys[0]))
        for target in long_texts:
            zone = "remarks" if target.path == "remarks" else "footnotes"
            self.place_best(target, lambda span: 0.1 if self.zones.section.get(span.first) == zone else 0.0)

    def place_best(self, target: _Target, bonus: Callable[[_Span], float],
                   allowed: Callable[[int], bool] | None = None) -> bool:
        ok = allowed or self.usable
        spans = self.candidates(target, lambda i: ok(i) and self.free(i))
        if not spans and allowed is None:  # the value may coincide with printed words
            spans = self.candidates(target, self.free)
            spans = [_Span(s.words, s.score - 0.05) for s in spans]
        if not spans:
            return False
        best = max(spans, key=lambda s: (s.score + bonus(s), -self.pos(s.first)[0]))
        self.assign(target, best)
        return True

    # --- Tables I and II -----------------------------------------------------------------------
    def place_tables(self) -> None:
        # Distinct values first (amounts, dates): the rows they fix then tell repeated titles and codes apart.
        order = {"number": 0, "date": 1, "text": 2, "code": 3}
        by_column: dict[tuple[str, str], list[_Target]] = defaultdict(list)
        for t in self.targets.values():
            if t.table is not None and t.kind in order:
                by_column[(t.table, t.column)].append(t)
        for t in self.flag_targets_in_tables():
            by_column[(t.table, t.column)].append(t)

        printed = defaultdict(list)  # (table, row) -> the printed forms of its cells
        for targets in by_column.values():
            for t in targets:
                printed[(t.table, t.row)].append(set(t.keys))

        def rank(key: tuple[str, str]) -> tuple:
            targets = by_column[key]
            # A value its row prints twice (an amount also underlying, "A" as code and as acquired)
            # waits until the row's other cells fix the order of columns around it.
            collides = sum(sum(1 for keys in printed[(t.table, t.row)] if keys & set(t.keys)) > 1 for t in targets)
            repeats = len(targets) - len({t.keys for t in targets})
            return collides > 0, order[targets[0].kind], repeats, -max(len(t.keys[0]) for t in targets)

        for table, column in sorted(by_column, key=rank):
            self.place_column(table, column, sorted(by_column[(table, column)], key=lambda t: t.row))

    def twin_rank(self, target: _Target) -> int | None:
        """How many cells left of this one print the same value in its row (None: none at all)."""
        spec = self.leaf_order(target.table)
        twins = [t for t in self.targets.values() if t.table == target.table and t.row == target.row
                 and t.kind == target.kind and set(t.keys) & set(target.keys) and t.column in spec]
        if len(twins) < 2 or target.column not in spec:
            return None
        return sum(1 for t in twins if spec.index(t.column) < spec.index(target.column))

    def order_fit(self, target: _Target, span: _Span) -> float:
        """Malus for a cell out of the form's column order among its row's cells already placed."""
        spec = self.leaf_order(target.table)
        if target.column not in spec:
            return 0.0
        k = spec.index(target.column)
        x = self.centre(span)
        page = self.words[span.first].page
        wrong = 0
        for path, placed in self.assigned.items():
            t = self.targets.get(path)
            if t is None or t.table != target.table or t.row != target.row or t.column not in spec:
                continue
            if self.words[placed.first].page != page or t.column == target.column:
                continue
            other = spec.index(t.column)
            xp = self.centre(placed)
            if other < k and xp >= x or other > k and xp <= x:
                wrong += 1
        return -0.6 * wrong

    def centre(self, span: _Span) -> float:
        first = [self.words[i] for i in span.words if self.line_of[i] == self.line_of[span.first]]
        if self.grid:
            return first[0].x0
        return (min(w.x0 for w in first) + max(w.x1 for w in first)) / 2

    def row_placed(self, target: _Target) -> bool:
        return any(t is not None and t.table == target.table and t.row == target.row
                   for t in (self.targets.get(p) for p in self.assigned))

    def row_fit(self, target: _Target, span: _Span) -> float:
        """Bonus for a cell beside its row's other values, malus for one beside another row's."""
        mine = other = False
        for path, placed in self.assigned.items():
            t = self.targets.get(path)
            if t is None or t.table != target.table or t.row is None:
                continue
            if self.same_band(span, placed):
                mine = mine or t.row == target.row
                other = other or t.row != target.row
        return self.s.box_bonus if mine else (-self.s.box_bonus if other else 0.0)

    def same_band(self, a: _Span, b: _Span) -> bool:
        for i in a.words:
            u = self.words[i]
            for j in b.words:
                v = self.words[j]
                if u.page != v.page:
                    continue
                if self.grid and u.line == v.line:
                    return True
                if not self.grid and min(u.bottom, v.bottom) - max(u.top, v.top) > 0.3 * min(u.height, v.height):
                    return True
        return False

    def flag_targets_in_tables(self) -> list[_Target]:
        """The V column: a printed 'V' where the row says the transaction involved an equity swap."""
        return [_Target(t.path, "code", "V", ("V",), t.table, t.row, t.column) for t in self.targets.values()
                if t.kind == "flag" and t.table is not None and t.column == "equity_swap_involved" and t.value]

    def in_table(self, table: str) -> Callable[[int], bool]:
        has_zone = any(v == table for v in self.zones.table.values())
        return (lambda i: self.zones.table.get(i) == table) if has_zone else (lambda i: True)

    def place_column(self, table: str, column: str, targets: list[_Target]) -> None:
        """Pair the column's values with its printed cells in order, top to bottom."""
        inside = self.in_table(table)
        allowed = lambda i: inside(i) and self.usable(i)
        scored: dict[int, dict[int, _Span]] = defaultdict(dict)  # start word -> row -> span
        for k, target in enumerate(targets):
            spans = self.candidates(target, allowed)
            rank = self.twin_rank(target)
            for span in spans:
                where = self.column_of(span)
                fit = 1.0 if where in (None, column) else 1.0 - self.s.column_penalty
                if where is not None and where != column and target.kind == "code":
                    continue
                if target.kind == "code" and self.row_fit(target, span) <= 0 and self.row_placed(target):
                    continue  # a lone letter away from its row's cells is a caption's
                score = span.score * fit + self.row_fit(target, span) + self.order_fit(target, span)
                if rank is not None:
                    # A value printed twice in its row: the k-th copy from the left is the k-th column.
                    left = sum(1 for o in spans if o is not span and self.same_band(o, span)
                               and self.centre(o) < self.centre(span))
                    score += 0.15 if left == rank else 0.0
                span = _Span(span.words, score)
                previous = scored[span.first].get(k)
                if previous is None or span.score > previous.score:
                    scored[span.first][k] = span
        starts = sorted(scored, key=self.pos)
        n, m = len(targets), len(starts)
        if not m:
            return
        # dp[a][b]: best total pairing the first a rows with the first b printed cells.
        dp = [[0.0] * (m + 1) for _ in range(n + 1)]
        for a in range(1, n + 1):
            for b in range(1, m + 1):
                span = scored[starts[b - 1]].get(a - 1)
                pair = dp[a - 1][b - 1] + span.score if span is not None else float("-inf")
                dp[a][b] = max(dp[a - 1][b], dp[a][b - 1], pair)
        a, b = n, m
        chosen: list[tuple[_Target, _Span]] = []
        while a > 0 and b > 0:
            span = scored[starts[b - 1]].get(a - 1)
            if span is not None and abs(dp[a][b] - (dp[a - 1][b - 1] + span.score)) < 1e-9:
                chosen.append((targets[a - 1], span))
                a, b = a - 1, b - 1
            elif dp[a][b] == dp[a][b - 1]:
                b -= 1
            else:
                a -= 1
        for target, span in reversed(chosen):
            if all(self.free(i) for i in span.words):
                self.assign(target, span)

    # --- the header boxes and the signature ----------------------------------------------------
    _BOXES = (
        (re.compile(r"^issuer\."), {"issuer"}),
        (re.compile(r"^owners\.\d+\.relationship\."), {"relationship"}),
        (re.compile(r"^owners\.\d+\.(name|address\.)"), {"name_address"}),
        (re.compile(r"^period_of_report$"), {"earliest", "event", "fiscal_year"}),
        (re.compile(r"^date_of_original_submission$"), {"amendment"}),
    )

    def header_bonus(self, target: _Target) -> Callable[[_Span], float]:
        expected = next((boxes for pattern, boxes in self._BOXES if pattern.search(target.path)), set())
        signature = target.path.startswith("signatures.")
        group = re.match(r"^signatures\.\d+\.", target.path)
        sig_lines = [self.pos(self.index[id(m.first)])[0] for m in self.anchors.get("signature", [])]

        def bonus(span: _Span) -> float:
            i = span.first
            if signature:
                # A signature's date stands beside its own name; else just above the caption.
                own = [p for p in self.assigned if group and p.startswith(group.group(0))]
                if own:
                    return self.s.box_bonus if any(self.same_band(span, self.assigned[p]) for p in own) else -self.s.box_bonus
                line = self.line_of[i]
                near = any(0 <= s - line <= (3 if self.grid else 4) for s in sig_lines)
                return self.s.box_bonus if near else (-self.s.box_bonus if self.zones.section.get(i) == "header" else 0.0)
            box = self.zones.box.get(i)
            if expected and box in expected:
                return self.s.box_bonus
            if box is not None or self.zones.section.get(i) in ("footnotes", "remarks") or i in self.zones.table:
                return -self.s.box_bonus
            return 0.0
        return bonus

    def place_header(self) -> None:
        rest = [t for t in self.targets.values() if t.table is None and t.path not in self.assigned
                and t.kind in ("text", "number", "date", "code")]
        rest.sort(key=lambda t: (t.kind != "text", -len(t.keys[0]) if t.keys else 0))
        for target in rest:
            self.place_best(target, self.header_bonus(target))

    # --- check marks ----------------------------------------------------------------------------
    _CHECKBOX_FIELDS = {
        "not_subject_to_section16": "not_subject_to_section16", "aff10b5_one": "aff10b5_one",
        "form3_holdings_reported": "form3_holdings_reported",
        "form4_transactions_reported": "form4_transactions_reported",
        "individual": "joint_filing", "joint": "joint_filing",
    }

    def place_check_marks(self) -> None:
        """Boxes left of their captions, checked or not: a box prints its flag either way."""
        seen: Counter[str] = Counter()
        keys = ["is_director", "is_officer", "is_ten_percent_owner", "is_other", *self._CHECKBOX_FIELDS]
        found = sorted(((m, k) for k in keys for m in self.anchors.get(k, [])),
                       key=lambda mk: self.pos(self.index[id(mk[0].first)]))
        for match, key in found:
            if key in self._CHECKBOX_FIELDS:
                path = self._CHECKBOX_FIELDS[key]
            else:
                if not self.record.owners:
                    continue
                # Each owner has a relationship box of its own, in the owners' order.
                owner = min(seen[key], len(self.record.owners) - 1)
                seen[key] += 1
                path = f"owners.{owner}.relationship.{key}"
            for mark in self.box_before(match):
                w = self.words[mark]
                self.labels[mark] = WordLabel(w.page, w.text, w.bbox, path)

    def box_before(self, match: LabelMatch) -> list[int]:
        """The check mark or empty box just left of a checkbox caption, on its line."""
        first = match.first
        li = self.line_of[self.index[id(first)]]
        best = None
        for lj in range(max(0, li - 1), min(li + 2, len(self.lines))):
            for w in self.lines[lj].words:
                i = self.index[id(w)]
                if not self.free(i) or w.page != first.page or i in self.label_words:
                    continue
                ocr_box = self.layout.ocr and len(w.text) <= 4 and sum(c.isalpha() for c in w.text) <= 2
                if w.checkbox is None and w.text.strip().lower() not in _BOXES and not ocr_box:
                    continue
                if abs(w.y_mid - first.y_mid) > max(first.height, w.height) * 0.8:
                    continue
                gap = first.x0 - w.x1
                between = [v for v in self.lines[lj].words if w.x1 <= v.x0 and v.x1 <= first.x0 + 0.5 and v is not first]
                if self.grid:  # beside the caption in its cell, or alone in the cell before it
                    ok = w.line == first.line and gap >= -0.5 and (w.cell == first.cell and gap <= 12.0 or not between)
                else:
                    ok = -1.0 <= gap <= first.height * 8 and not between
                if ok and (best is None or w.x1 > self.words[best].x1):
                    best = i
        if best is None:
            return []
        line = self.lines[self.line_of[best]].words
        k = self.place[best]
        if self.words[best].text == "]" and k and line[k - 1].text == "[":  # "[ ]" read as two words
            return [self.index[id(line[k - 1])], best]
        return [best]

    # --- footnote markers, the form's name, page numbers ------------------------------------------
    def place_footnote_refs(self) -> None:
        loose: dict[tuple[str, int, str], list[int]] = defaultdict(list)  # (table, row, id) -> marker words
        pattern = _OCR_MARKER if self.layout.ocr else _MARKER
        for i, w in enumerate(self.words):
            if not self.free(i) or i in self.label_words or not pattern.match(w.text):
                continue
            if self.zones.section.get(i) in ("footnotes", "remarks"):
                continue
            text = w.text.translate(_OCR_ONE) if self.layout.ocr else w.text
            ids = [f"F{int(n)}" for n in re.findall(r"\d{1,2}", text)]
            if not ids:
                continue
            cell = self.adjacent_cell(i, ids)
            if cell is not None:
                self.set_ref(i, cell)
                continue
            table = self.zones.table.get(i)
            whole = re.match(r"^[\[({]\d{1,2}[\])}]", text) is not None or self.layout.ocr and w.text.isdigit()
            # Raised markers are set small, and a reader may give them a line of their own.
            raised = w.superscript or w.height < 0.85 * self.height or all(
                pattern.match(v.text) for v in self.lines[self.line_of[i]].words)
            if table is None or not (whole or raised):
                continue
            row = self.nearest_row(i, table)
            if row is not None:
                loose[(table, row, ids[0])].append(i)
        for (table, row, note), markers in loose.items():
            spec = self.leaf_order(table)
            # Markers of cells with no value: pair them left to right with the row's cells citing them.
            cells = [t for t in self.targets.values() if t.table == table and t.row == row and note in t.footnote_ids
                     and not (t.path in self.assigned and t.kind != "none")]
            cells.sort(key=lambda t: spec.index(t.column) if t.column in spec else len(spec))
            markers.sort(key=lambda i: self.words[i].x0)
            if len(cells) > len(markers):
                known = [self.column_of(_Span((i,), 1.0)) for i in markers]
                if all(k is not None for k in known):
                    cells = [next((t for t in cells if t.column == k), cells[0]) for k in known]
            for i, target in zip(markers, cells):
                self.set_ref(i, target)

    def set_ref(self, i: int, target: _Target) -> None:
        w = self.words[i]
        column = target.column if target.table else target.path  # a header value's marker names the value
        self.labels[i] = WordLabel(w.page, w.text, w.bbox, FOOTNOTE_REF, target.table, target.row, column)

    def adjacent_cell(self, i: int, ids: list[str]) -> _Target | None:
        """The cell of the value the marker stands right after (on its line, or under it when wrapped)."""
        w = self.words[i]
        best: tuple[float, _Target] | None = None
        for path, span in self.assigned.items():
            target = self.targets.get(path)
            if target is None:
                continue
            last = self.words[span.words[-1]]
            if last.page != w.page:
                continue
            if self.grid:
                near = any(self.words[j].line == w.line and self.words[j].cell == w.cell and self.words[j].x1 <= w.x0 + 0.5
                           for j in span.words)
                gap = 0.0 if near else None
            else:
                gaps = [w.x0 - self.words[j].x1 for j in span.words
                        if abs(self.words[j].y_mid - w.y_mid) <= self.height * 1.2]
                gap = min((g for g in gaps if -1.0 <= g <= self.height * 3), default=None)
                if gap is None and 0 <= w.top - last.bottom <= self.height * 1.5 and span.words[-1] in self.successors(
                        span.words[-1], last.x0, last.x1) and self.under_block(w, min(self.words[j].x0 for j in span.words),
                                                                               max(self.words[j].x1 for j in span.words)):
                    gap = self.height * 3  # the marker wrapped onto the next line of the cell
            if gap is None:
                continue
            for cell in (target, *self.companions(target)):
                if set(ids) & set(cell.footnote_ids) and (best is None or gap < best[0]):
                    best = (gap, cell)
        return best[1] if best else None

    def companions(self, target: _Target) -> list[_Target]:
        """Targets printed in the same cell: Table II's acquired/disposed rides with its amount."""
        if target.table == "II" and target.column == "shares":
            other = self.targets.get(f"derivative.{target.row}.acquired_disposed")
            return [other] if other else []
        return []

    def nearest_row(self, i: int, table: str) -> int | None:
        w = self.words[i]
        best: tuple[float, int] | None = None
        for path, span in self.assigned.items():
            t = self.targets.get(path)
            if t is None or t.table != table or t.row is None:
                continue
            for j in span.words:
                v = self.words[j]
                if v.page != w.page:
                    continue
                d = abs(v.line - w.line) * GRID_LINE_HEIGHT if self.grid and v.line and w.line else (
                    max(0.0, max(v.top, w.top) - min(v.bottom, w.bottom)))
                if best is None or d < best[0]:
                    best = (d, t.row)
        # A marker far from every row is part of the header or a caption, not a cell.
        return best[1] if best is not None and best[0] <= 1.5 * (GRID_LINE_HEIGHT if self.grid else self.height) else None

    def leaf_order(self, table: str | None = None) -> list[str]:
        """Row fields in the left-to-right order of the table's columns (both tables' when None)."""
        specs = catalog()["tables"]
        kind = (self.record.document_type.value or "4")[0]
        names = {"3": ("holdings_1", "holdings_2"), "5": ("form5_1", "form5_2")}.get(kind, ("transactions_1", "transactions_2"))
        if table is not None:
            names = names[:1] if table == "I" else names[1:]
        rename = {"v_flag": "equity_swap_involved", "shares_acquired": "shares", "shares_disposed": "acquired_disposed"}
        order: list[str] = []
        for name in names:
            for entry in specs[name]:
                for leaf in ([entry[0]] if entry[0] else [l[0] for l in entry[2]]):
                    leaf = rename.get(leaf, leaf)
                    if leaf not in order:
                        order.append(leaf)
        return order

    def place_footnote_leads(self) -> None:
        """A footnote's own number ("1." or "(1)") before its text."""
        for path, span in self.assigned.items():
            if not path.startswith("footnotes."):
                continue
            first = span.first
            line = self.lines[self.line_of[first]]
            k = self.place[first]
            if k and self.free(self.index[id(line.words[k - 1])]):
                lead = line.words[k - 1]
                if re.fullmatch(r"[\[({]?[\dlI|]{1,2}[.,)\]}]?", lead.text):
                    self.labels[self.index[id(lead)]] = WordLabel(lead.page, lead.text, lead.bbox, FOOTNOTE_REF)

    def place_form_name(self) -> None:
        """The form's name printed large, "FORM 4": its number is the document type."""
        kind = self.record.document_type.value
        if not kind:
            return
        for line in self.lines:
            for k in range(len(line.words) - 1):
                word, nxt = line.words[k], line.words[k + 1]
                i, j = self.index[id(word)], self.index[id(nxt)]
                if word.text.upper() != "FORM" or nxt.text.upper() != kind.upper() or j in self.label_words:
                    continue
                if k and line.words[k - 1].text.upper() == "SEC" or not self.free(j):
                    continue
                # The title starts its line ("FORM 4", "FORM 4 (continued)"); "Form 4" elsewhere is prose.
                if k and not (len(line.words) > k + 2 and line.words[k + 2].text.lower().startswith("(cont")):
                    continue
                self.labels[j] = WordLabel(nxt.page, nxt.text, nxt.bbox, "document_type")

    def place_page_numbers(self) -> None:
        for line in self.lines:
            for k, word in enumerate(line.words[:-1]):
                nxt = line.words[k + 1]
                if word.text.lower() == "page" and nxt.text.isdigit():
                    for w in line.words[k: k + 4 if k + 3 < len(line.words) and line.words[k + 2].text == "of" else k + 2]:
                        if self.free(self.index[id(w)]):
                            self.labels[self.index[id(w)]] = WordLabel(w.page, w.text, w.bbox, OTHER)

    # --- the rest ----------------------------------------------------------------------------------
    def finish(self) -> list[WordLabel]:
        for line in self.lines:
            # A ruled line typed as dashes, as OCR reads it ("-----", "ee", "wee"): noise, not text.
            ruled = [w for w in line.words if len(w.text) >= 2 and set(w.text) <= _RULE_CHARS]
            if len(line.words) >= 3 and len(ruled) >= 0.6 * len(line.words):
                for w in ruled:
                    i = self.index[id(w)]
                    if self.free(i):
                        self.labels[i] = WordLabel(w.page, w.text, w.bbox, OTHER)
        out = []
        for i, w in enumerate(self.words):
            label = self.labels[i]
            if label is None:
                kind = OTHER if _NOISE.match(w.text) and i not in self.label_words else FORM_LABEL
                label = WordLabel(w.page, w.text, w.bbox, kind)
            out.append(label)
        return out


# --- comparing with exact labels -------------------------------------------------------------------


def field_pattern(label: str) -> str:
    """A field with its row and list indices starred: 'non_derivative.*.shares'."""
    return re.sub(r"\.\d+(?=\.|$)", ".*", label)


def agreement(exact: list[WordLabel], aligned: list[WordLabel], worst: int = 5) -> AlignAgreement:
    """Share of words whose aligned field is the exact one; the lists are word for word."""
    if len(exact) != len(aligned):
        raise ValueError(f"the label lists differ in length ({len(exact)} exact, {len(aligned)} aligned)")
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confused: dict[str, Counter[str]] = defaultdict(Counter)
    agreed = 0
    for e, a in zip(exact, aligned):
        same = e.field == a.field and (e.field != FOOTNOTE_REF or (e.table, e.row, e.column) == (a.table, a.row, a.column))
        pattern = field_pattern(e.field)
        per[pattern][1] += 1
        if same:
            per[pattern][0] += 1
            agreed += 1
        else:
            confused[pattern][field_pattern(a.field) if a.field != e.field else a.field + " (wrong cell or row)"] += 1
    ranked = sorted(confused, key=lambda p: per[p][1] - per[p][0], reverse=True)[:worst]
    return AlignAgreement(
        words=len(exact), agreed=agreed, per_field={k: (v[0], v[1]) for k, v in sorted(per.items())},
        confusions={p: dict(confused[p].most_common(4)) for p in ranked})


def labels_for_layout(layout: Layout, exact: list[WordLabel], min_overlap: float = 0.3) -> list[WordLabel]:
    """Exact labels carried onto the words of a layout read from the same pages (PDF or OCR).

    Each layout word takes the label of the exact word its box overlaps most (as a share of
    the smaller box), text similarity breaking ties; a word over nothing printed is "other".
    """
    by_page: dict[int, list[WordLabel]] = defaultdict(list)
    for label in exact:
        by_page[label.page].append(label)
    out = []
    for w in layout.words:
        best: tuple[float, WordLabel] | None = None
        for label in by_page.get(w.page, []):
            x0, top, x1, bottom = label.bbox
            ix = min(w.x1, x1) - max(w.x0, x0)
            iy = min(w.bottom, bottom) - max(w.top, top)
            if ix <= 0 or iy <= 0:
                continue
            smaller = min((w.x1 - w.x0) * (w.bottom - w.top), (x1 - x0) * (bottom - top)) or 1.0
            overlap = ix * iy / smaller
            score = overlap + 0.2 * Levenshtein.normalized_similarity(alnum(w.text), alnum(label.text))
            if overlap >= min_overlap and (best is None or score > best[0]):
                best = (score, label)
        if best is None:
            out.append(WordLabel(w.page, w.text, w.bbox, OTHER))
        else:
            e = best[1]
            out.append(WordLabel(w.page, w.text, w.bbox, e.field, e.table, e.row, e.column))
    return out
