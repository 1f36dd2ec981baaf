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

`Aligner` holds one document's words and the labels given so far; the steps it runs in turn
are in `align_zones.py` (captions, sections, header boxes, table columns), `align_tables.py`
(Tables I and II), `align_fields.py` (footnotes, remarks, header values, signatures, check
marks) and `align_markers.py` (footnote markers, the form's name, page numbers).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..labels import LabelFinder, LabelMatch
from ..layout.document import Layout
from ..records import Record
from .agreement import AlignAgreement, agreement, field_pattern, labels_for_layout
from .align_fields import place_check_marks, place_header, place_long_texts
from .align_markers import place_footnote_leads, place_footnote_refs, place_form_name, place_page_numbers
from .align_tables import place_tables
from .align_zones import find_labels, find_zones
from .chains import ChainSettings, Span, Target, WordGraph, make_target
from .labels import FORM_LABEL, OTHER, WordLabel

__all__ = ["AlignAgreement", "AlignSettings", "agreement", "align", "field_pattern", "labels_for_layout"]

# Record leaves a rendered form never prints (or prints only as a consequence of others:
# Table II's acquired/disposed is the column its amount stands in).
UNPRINTED = re.compile(
    r"(^|\.)(cik|ccc|transaction_form_type|good_address|non_us_address|schema_version)$|^document_type$"
    r"|^derivative\.\d+\.acquired_disposed$")
_NOISE = re.compile(r"^(?:[|_—=~'`\",;!•·^]+|[-_=.~]{2,})$")
# A typed rule of dashes as OCR reads it: "-----", "ee", "wee".
_RULE_CHARS = set("-_~=.—–ewaorH")


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


def align(layout: Layout, record: Record, settings: AlignSettings | None = None) -> list[WordLabel]:
    """One label per word of `layout`, in the order of `layout.words`."""
    return Aligner(layout, record, settings or AlignSettings()).run()


class Aligner:
    """One document being aligned: its words, where things are, and the labels given so far."""

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
            find_labels(self)
            self.zones = find_zones(self)
        finally:
            for w in underlined:
                w.underline = True
        self.graph.captions = frozenset(self.label_words)
        self.targets = {t.path: t for t in self.make_targets()}
        place_long_texts(self)
        place_tables(self)
        place_header(self)
        place_check_marks(self)
        place_footnote_leads(self)
        place_footnote_refs(self)
        place_form_name(self)
        place_page_numbers(self)
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

    # --- what to look for, and where it goes ----------------------------------------------------
    def make_targets(self) -> Iterable[Target]:
        for path, value in self.record.values():
            unprinted = UNPRINTED.search(path) is not None
            if value.present and not (unprinted and not value.footnote_ids):
                yield make_target(path, value.value, tuple(value.footnote_ids), printed=not unprinted)

    def usable(self, i: int) -> bool:
        return self.free(i) and i not in self.label_words

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
