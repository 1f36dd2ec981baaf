"""The aligner: word labels for any Layout from the document's gold Record alone.

With a user's own documents and their XML (or JSON) records, the classifiers train on
labels nobody drew. Each printed value of the record is found as a chain of words
(`chains.py`); which of several printings of a repeated value is the right one is decided by
the form's geometry. The tables' rows are paired with the record's column by column: a
column's values run top to bottom in record row order, so a dynamic programme pairs them,
helped by the row band and the left-to-right order of the cells already placed. Header
values prefer the box whose caption stands above them; footnotes and remarks go first, as
they are long and unique. The rest is printed form text ("label", the captions found with
`LabelFinder`), footnote markers citing a cell ("footnote_ref"), or noise ("other").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..labels import LabelFinder, LabelMatch, catalog, leaf_columns, table_spec_names
from ..layout.document import GRID_LINE_HEIGHT, Layout
from ..records import Record
from ..tables import Column, column_borders
from ..values import CHECK_MARKS
from .agreement import AlignAgreement, agreement, field_pattern, labels_for_layout
from .chains import ChainSettings, Span, Target, WordGraph, make_target
from .labels import FOOTNOTE_REF, FORM_LABEL, OTHER, WordLabel

__all__ = ["AlignAgreement", "AlignSettings", "agreement", "align", "field_pattern", "labels_for_layout"]

# Record leaves a rendered form never prints (or prints only as a consequence of others:
# Table II's acquired/disposed is the column its amount stands in).
UNPRINTED = re.compile(
    r"(^|\.)(cik|ccc|transaction_form_type|good_address|non_us_address|schema_version)$|^document_type$"
    r"|^derivative\.\d+\.acquired_disposed$")
_MARKER = re.compile(r"^[\[(]?\d{1,2}[\])]?(?:[,;]?\s*[\[(]\d{1,2}[\])])*[,.;]?$")
# The same as OCR reads it: brackets as braces or "q", a one as "l", "I" or "|".
_OCR_MARKER = re.compile(r"^[\[({q]?[\dlIi|]{1,2}[\])}]?(?:[\[({][\dlIi|]{1,2}[\])}])*[,.;]?$")
_OCR_ONE = str.maketrans({"l": "1", "I": "1", "i": "1", "|": "1", "O": "0", "o": "0"})
_NOISE = re.compile(r"^(?:[|_—=~'`\",;!•·^]+|[-_=.~]{2,})$")
# A typed rule of dashes as OCR reads it: "-----", "ee", "wee".
_RULE_CHARS = set("-_~=.—–ewaorH")
# Check marks and empty boxes as renderers and OCR print them.
_BOXES = {m.lower() for m in CHECK_MARKS} | {"■", "☐", "□", "[_]", "[", "]", "o", "[ ]"}


@dataclass(frozen=True)
class AlignSettings:
    """Thresholds of the aligner: how chains may run (`chains`), and the weights of geometry."""

    chains: ChainSettings = field(default_factory=ChainSettings)
    box_bonus: float = 0.25  # for a value in the box (or row) its caption (or row's cells) names
    column_penalty: float = 0.5  # for a table value found outside its column
    min_label_score: float = 0.75  # of a printed caption matched fuzzily

    def __post_init__(self) -> None:
        if not isinstance(self.chains, ChainSettings):
            raise TypeError("chains must be ChainSettings")
        if not 0.0 <= self.box_bonus <= 1.0 or not 0.0 <= self.column_penalty <= 1.0:
            raise ValueError(f"box_bonus and column_penalty must be in [0, 1], not {self.box_bonus}, {self.column_penalty}")
        if not 0.0 < self.min_label_score <= 1.0:
            raise ValueError(f"min_label_score must be in (0, 1], not {self.min_label_score}")


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


def _title_numeral_fits(key: str, match: LabelMatch) -> bool:
    """Fuzzy matching takes "Table II" for "Table I" and back: their numerals must be read as printed."""
    if key not in ("table1", "table2") or len(match.words) < 2:
        return True
    numeral = match.words[1].text.lower()
    return numeral in ({"i", "l", "1", "|"} if key == "table1" else {"ii", "il", "li", "11", "ll", "i1", "1i"})


class _Aligner:
    def __init__(self, layout: Layout, record: Record, settings: AlignSettings):
        self.layout = layout
        self.record = record
        self.s = settings
        self.graph = WordGraph(layout, settings.chains)
        g = self.graph
        self.grid, self.flat, self.words, self.index = g.grid, g.flat, g.words, g.index
        self.lines, self.line_of, self.place, self.height, self.tol = g.lines, g.line_of, g.place, g.height, g.tol
        self.labels: list[WordLabel | None] = [None] * len(self.words)
        self.label_words: set[int] = set()
        self.finder = LabelFinder(layout)
        self.anchors: dict[str, list[LabelMatch]] = defaultdict(list)
        self.assigned: dict[str, Span] = {}
        self.targets: dict[str, Target] = {}

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
        self.graph.captions = frozenset(self.label_words)
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

    def assign(self, target: Target, span: Span) -> None:
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
                if not self.grid and any(b.page != a.page or b.top - a.bottom > 1.5 * max(a.height, 1.0)
                                         for a, b in zip(match.words, match.words[1:])):
                    continue  # a caption wraps to the next line, it does not leap over others
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
        names = table_spec_names((self.record.document_type.value or "4")[0])
        for table, spec_name in zip(("I", "II"), names):
            if self.flat:
                break
            in_table = [i for i, t in zones.table.items() if t == table]
            for page in sorted({self.words[i].page for i in in_table}):
                region = {id(self.words[i]) for i in in_table if self.words[i].page == page}
                columns = self.columns_on(specs[spec_name], region)
                if not columns:
                    continue
                order = leaf_columns(specs[spec_name])
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
                # A header wraps inside its column: its first line spans the column, its tail may stray.
                columns.append(Column(entry[0], [w for w in match.words if w.line == match.first.line] or match.words))
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

    def column_of(self, span: Span, strict: bool = False) -> str | None:
        w = self.words[span.first]
        table = self.zones.table.get(span.first)
        borders = self.zones.columns.get((table, w.page)) if table else None
        if not borders:
            return None
        line = [self.words[i] for i in span.words if self.line_of[i] == self.line_of[span.first]]
        x = w.x0 + 0.01 if self.grid else (min(v.x0 for v in line) + max(v.x1 for v in line)) / 2
        for name, left, right, (x0, x1), trusted in borders:
            if left <= x < right and (trusted or not strict and x0 - self.tol <= x <= x1 + self.tol):
                return {"v_flag": "equity_swap_involved", "shares_acquired": "shares",
                        "shares_disposed": "shares"}.get(name, name)
        return None

    # --- what to look for ------------------------------------------------------------------------
    def make_targets(self) -> Iterable[Target]:
        for path, value in self.record.values():
            unprinted = UNPRINTED.search(path) is not None
            if value.present and not (unprinted and not value.footnote_ids):
                yield make_target(path, value.value, tuple(value.footnote_ids), printed=not unprinted)

    def usable(self, i: int) -> bool:
        return self.free(i) and i not in self.label_words

    # --- footnotes and remarks ------------------------------------------------------------------
    def place_long_texts(self) -> None:
        long_texts = [t for t in self.targets.values() if t.kind == "text" and t.table is None
                      and (t.path.startswith("footnotes.") or t.path == "remarks")]
        long_texts.sort(key=lambda t: -len(t.keys[0]))
        for target in long_texts:
            zone = "remarks" if target.path == "remarks" else "footnotes"
            # Their prose may quote a caption ("Form 4", "Director"): printed words are no bar.
            self.place_best(target, lambda span: 0.1 if self.zones.section.get(span.first) == zone else 0.0, self.free)

    def place_best(self, target: Target, bonus: Callable[[Span], float],
                   allowed: Callable[[int], bool] | None = None) -> bool:
        ok = allowed or self.usable
        spans = self.graph.candidates(target, lambda i: ok(i) and self.free(i))
        if not spans and allowed is None:  # the value may coincide with printed words
            spans = self.graph.candidates(target, self.free)
            spans = [Span(s.words, s.score - 0.05) for s in spans]
        if not spans:
            return False
        best = max(spans, key=lambda s: (s.score + bonus(s), -self.pos(s.first)[0]))
        self.assign(target, best)
        return True

    # --- Tables I and II -----------------------------------------------------------------------
    def place_tables(self) -> None:
        # Distinct values first (amounts, dates): the rows they fix then tell repeated titles and codes apart.
        order = {"number": 0, "date": 1, "text": 2, "code": 3}
        by_column: dict[tuple[str, str], list[Target]] = defaultdict(list)
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

    def twin_rank(self, target: Target) -> int | None:
        """How many cells left of this one print the same value in its row (None: none at all)."""
        spec = self.leaf_order(target.table)
        twins = [t for t in self.targets.values() if t.table == target.table and t.row == target.row
                 and t.kind == target.kind and set(t.keys) & set(target.keys) and t.column in spec]
        if len(twins) < 2 or target.column not in spec:
            return None
        return sum(1 for t in twins if spec.index(t.column) < spec.index(target.column))

    def order_fit(self, target: Target, span: Span) -> float:
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

    def centre(self, span: Span) -> float:
        first = [self.words[i] for i in span.words if self.line_of[i] == self.line_of[span.first]]
        if self.grid:
            return first[0].x0
        return (min(w.x0 for w in first) + max(w.x1 for w in first)) / 2

    def row_placed(self, target: Target) -> bool:
        return any(t is not None and t.table == target.table and t.row == target.row
                   for t in (self.targets.get(p) for p in self.assigned))

    def row_fit(self, target: Target, span: Span) -> float:
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

    def same_band(self, a: Span, b: Span) -> bool:
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

    def flag_targets_in_tables(self) -> list[Target]:
        """The V column: a printed 'V' where the row says the transaction involved an equity swap."""
        return [Target(t.path, "code", "V", ("V",), t.table, t.row, t.column) for t in self.targets.values()
                if t.kind == "flag" and t.table is not None and t.column == "equity_swap_involved" and t.value]

    def in_table(self, table: str) -> Callable[[int], bool]:
        has_zone = any(v == table for v in self.zones.table.values())
        return (lambda i: self.zones.table.get(i) == table) if has_zone else (lambda i: True)

    def place_column(self, table: str, column: str, targets: list[Target]) -> None:
        """Pair the column's values with its printed cells in order, top to bottom."""
        inside = self.in_table(table)
        allowed = lambda i: inside(i) and self.usable(i)
        scored: dict[int, dict[int, Span]] = defaultdict(dict)  # start word -> row -> span
        for k, target in enumerate(targets):
            spans = self.graph.candidates(target, allowed)
            rank = self.twin_rank(target)
            for span in spans:
                where = self.column_of(span)
                fit = 1.0 if where in (None, column) else 1.0 - self.s.column_penalty
                if target.kind == "code" and self.column_of(span, strict=True) not in (None, column):
                    continue
                if target.kind == "code" and self.row_fit(target, span) <= 0 and self.row_placed(target):
                    continue  # a lone letter away from its row's cells is a caption's
                score = span.score * fit + self.row_fit(target, span) + self.order_fit(target, span)
                if rank is not None:
                    # A value printed twice in its row: the k-th copy from the left is the k-th column.
                    left = sum(1 for o in spans if o is not span and self.same_band(o, span)
                               and self.centre(o) < self.centre(span))
                    score += 0.15 if left == rank else 0.0
                span = Span(span.words, score)
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
        chosen: list[tuple[Target, Span]] = []
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
    _FIELD_BOXES = (
        (re.compile(r"^issuer\."), {"issuer"}),
        (re.compile(r"^owners\.\d+\.relationship\."), {"relationship"}),
        (re.compile(r"^owners\.\d+\.(name|address\.)"), {"name_address"}),
        (re.compile(r"^period_of_report$"), {"earliest", "event", "fiscal_year"}),
        (re.compile(r"^date_of_original_submission$"), {"amendment"}),
    )

    def header_bonus(self, target: Target) -> Callable[[Span], float]:
        expected = next((boxes for pattern, boxes in self._FIELD_BOXES if pattern.search(target.path)), set())
        signature = target.path.startswith("signatures.")
        group = re.match(r"^signatures\.\d+\.", target.path)
        sig_lines = [self.pos(self.index[id(m.first)])[0] for m in self.anchors.get("signature", [])]

        def bonus(span: Span) -> float:
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
                checked = getattr(self.record, path).value
                if key in ("individual", "joint"):  # one box of the pair is ticked
                    checked = bool(checked) == (key == "joint")
            else:
                if not self.record.owners:
                    continue
                # Each owner has a relationship box of its own, in the owners' order.
                owner = min(seen[key], len(self.record.owners) - 1)
                seen[key] += 1
                path = f"owners.{owner}.relationship.{key}"
                checked = getattr(self.record.owners[owner].relationship, key).value
            for mark in self.box_before(match, bool(checked)):
                w = self.words[mark]
                self.labels[mark] = WordLabel(w.page, w.text, w.bbox, path)

    def box_before(self, match: LabelMatch, checked: bool) -> list[int]:
        """The check mark or empty box just left of a checkbox caption, on its line."""
        first = match.first
        li = self.line_of[self.index[id(first)]]
        best = None
        for lj in range(max(0, li - 1), min(li + 2, len(self.lines))):
            for w in self.lines[lj].words:
                i = self.index[id(w)]
                if not self.free(i) or w.page != first.page or i in self.label_words:
                    continue
                # OCR makes anything of a box; an empty one at least keeps some of its outline.
                ocr_box = self.graph.ocr and len(w.text) <= 4 and sum(c.isalpha() for c in w.text) <= 2 and (
                    checked or any(c in "[](){}_oO0☐□LJU|" for c in w.text))
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
        pattern = _OCR_MARKER if self.graph.ocr else _MARKER
        for i, w in enumerate(self.words):
            if not self.free(i) or i in self.label_words or not pattern.match(w.text):
                continue
            if self.zones.section.get(i) in ("footnotes", "remarks"):
                continue
            text = w.text.translate(_OCR_ONE) if self.graph.ocr else w.text
            ids = [f"F{int(n)}" for n in re.findall(r"\d{1,2}", text)]
            if not ids:
                continue
            cell = self.adjacent_cell(i, ids)
            if cell is not None:
                self.set_ref(i, cell)
                continue
            table = self.zones.table.get(i)
            whole = re.match(r"^[\[({]\d{1,2}[\])}]", text) is not None or self.graph.ocr and w.text.isdigit()
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
                known = [self.column_of(Span((i,), 1.0)) for i in markers]
                if all(k is not None for k in known):
                    cells = [next((t for t in cells if t.column == k), cells[0]) for k in known]
            for i, target in zip(markers, cells):
                self.set_ref(i, target)

    def set_ref(self, i: int, target: Target) -> None:
        w = self.words[i]
        column = target.column if target.table else target.path  # a header value's marker names the value
        self.labels[i] = WordLabel(w.page, w.text, w.bbox, FOOTNOTE_REF, target.table, target.row, column)

    def adjacent_cell(self, i: int, ids: list[str]) -> Target | None:
        """The cell of the value the marker stands right after (on its line, or under it when wrapped)."""
        w = self.words[i]
        best: tuple[float, Target] | None = None
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
                x0 = min(self.words[j].x0 for j in span.words)
                x1 = max(self.words[j].x1 for j in span.words)
                if gap is None and i in self.graph.successors(span.words[-1], x0, x1):
                    gap = self.height * 3  # the marker wrapped onto the next line of the cell
            if gap is None:
                continue
            for cell in (target, *self.companions(target)):
                if set(ids) & set(cell.footnote_ids) and (best is None or gap < best[0]):
                    best = (gap, cell)
        return best[1] if best else None

    def companions(self, target: Target) -> list[Target]:
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
        names = table_spec_names((self.record.document_type.value or "4")[0])
        if table is not None:
            names = names[:1] if table == "I" else names[1:]
        rename = {"v_flag": "equity_swap_involved", "shares_acquired": "shares", "shares_disposed": "acquired_disposed"}
        leaves = (rename.get(leaf, leaf) for name in names for leaf in leaf_columns(specs[name]))
        return list(dict.fromkeys(leaves))

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
                j = self.index[id(nxt)]
                if word.text.upper() != "FORM" or nxt.text.upper() != kind.upper() or not self.usable(j):
                    continue
                # The title starts its line ("FORM 4", "FORM 4 (continued)"); "SEC Form 4" and
                # "Form 4" in a caption are printed text.
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
