"""How far aligned labels agree with exact ones, and exact labels carried onto a layout's words.

A renderer knows each printed word's label; a reader of its PDF (or an OCR of its scan) finds
words of its own. `labels_for_layout` gives each read word the exact label of the printed word
under it, so exact and aligned labels can be compared word for word with `agreement`;
`measure_agreement` does it all for a batch of records in one layout family.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from rapidfuzz.distance import Levenshtein

from ..layout.document import Layout
from ..records import Record
from .chains import alnum
from .labels import FOOTNOTE_REF, OTHER, WordLabel

if TYPE_CHECKING:
    from .scan import ScanSettings


@dataclass(frozen=True)
class AlignAgreement:
    """How far aligned labels agree with exact ones, word by word."""

    words: int
    agreed: int
    per_field: dict[str, tuple[int, int]]  # field pattern ("non_derivative.*.shares") -> (agreed, words)
    confusions: dict[str, dict[str, int]]  # worst field patterns -> what they were aligned as -> count

    @property
    def share(self) -> float:
        return self.agreed / self.words if self.words else 1.0


def field_pattern(label: str) -> str:
    """A field with its row and list indices starred: 'non_derivative.*.shares'."""
    return re.sub(r"\.\d+(?=\.|$)", ".*", label)


def agreement(exact: list[WordLabel], aligned: list[WordLabel], worst: int = 5) -> AlignAgreement:
    """Share of words whose aligned field is the exact one; the lists are word for word.

    A footnote marker agrees only when it cites the same cell (table, row and column).
    """
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


def merge(results: Iterable[AlignAgreement], worst: int = 5) -> AlignAgreement:
    """Several documents' agreements as one: words, per-field counts and confusions summed."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confused: dict[str, Counter[str]] = defaultdict(Counter)
    words = agreed = 0
    for result in results:
        words += result.words
        agreed += result.agreed
        for pattern, (ok, n) in result.per_field.items():
            per[pattern][0] += ok
            per[pattern][1] += n
        for pattern, counts in result.confusions.items():
            confused[pattern].update(counts)
    ranked = sorted(confused, key=lambda p: per[p][1] - per[p][0], reverse=True)[:worst]
    return AlignAgreement(words, agreed, {k: (v[0], v[1]) for k, v in sorted(per.items())},
                          {p: dict(confused[p].most_common(4)) for p in ranked})


def measure_agreement(records: Iterable[Record], family: str, seed: int = 0,
                      scan: "ScanSettings | None" = None) -> AlignAgreement:
    """Render each record in `family` (then scan it with `scan` and OCR it, if given), align the
    words read back against the record, and sum the agreement with the renderer's exact labels.

    Record k is rendered (and scanned) with seed `seed + k`.
    """
    from ..layout import read_layout
    from .align import align
    from .render import render

    results = []
    for k, record in enumerate(records):
        rendering = render(record, family, seed + k)
        if scan is None:
            layout = read_layout(rendering.pdf, f"{rendering.record_id}.pdf")
            exact = labels_for_layout(layout, rendering.words)
        else:
            from .scan import scan_to_tiff, simulate_scan, transfer_labels

            scanned = simulate_scan(rendering.pdf, scan, seed + k)
            layout = read_layout(scan_to_tiff(scanned), f"{rendering.record_id}.tiff")
            exact = transfer_labels(rendering.words, scanned, layout)
        results.append(agreement(exact, align(layout, record)))
    return merge(results)
