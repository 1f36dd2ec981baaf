"""Where things are on a page, for the aligner: printed captions, sections, tables, header boxes, columns.

The form's printed text is found first (`LabelFinder`, long phrases before short ones); its
captions then cut the page into the header, Tables I and II, footnotes, remarks and the
closing, give each header word the box whose caption stands above it, and give each table
page the borders of its columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..labels import LabelFinder, LabelMatch, catalog, leaf_columns, table_spec_names
from ..tables import Column, column_borders
from .chains import Span

if TYPE_CHECKING:
    from .align import Aligner


@dataclass
class Zones:
    table: dict[int, str] = field(default_factory=dict)  # word -> "I" / "II"
    section: dict[int, str] = field(default_factory=dict)  # word -> header / footnotes / remarks / closing
    box: dict[int, str] = field(default_factory=dict)  # header word -> box key
    # (table, page) -> column field, left border, right border, header extent, whether its neighbours are known
    columns: dict[tuple[str, int], list[tuple[str, float, float, tuple[float, float], bool]]] = field(default_factory=dict)


def _title_numeral_fits(key: str, match: LabelMatch) -> bool:
    """Fuzzy matching takes "Table II" for "Table I" and back: their numerals must be read as printed."""
    if key not in ("table1", "table2") or len(match.words) < 2:
        return True
    numeral = match.words[1].text.lower()
    return numeral in ({"i", "l", "1", "|"} if key == "table1" else {"ii", "il", "li", "11", "ll", "i1", "1i"})


def find_labels(al: Aligner) -> None:
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
        for match in al.finder.find(key, phrase, min_score=0.9 if short else al.s.min_label_score, mark=False):
            if any(al.finder.is_label(w) for w in match.words) or not _title_numeral_fits(key, match):
                continue
            if not al.grid and any(b.page != a.page or b.top - a.bottom > 1.5 * max(a.height, 1.0)
                                   for a, b in zip(match.words, match.words[1:])):
                continue  # a caption wraps to the next line, it does not leap over others
            al.finder.mark(match)
            al.anchors[key].append(match)
            al.label_words.update(al.index[id(w)] for w in match.words)


def find_zones(al: Aligner) -> Zones:
    zones = Zones()
    first = lambda key: min((al.pos(al.index[id(m.first)]) for m in al.anchors.get(key, [])), default=None)
    t1, t2 = first("table1"), first("table2")
    closing = [p for p in (first("explanation"), first("remarks"), first("signature"), first("reminder")) if p]
    end = min(closing) if closing else (10**9, 0.0)
    header_end = min([p for p in (t1, t2) if p] + [end])
    explanation, remarks = first("explanation"), first("remarks")
    signature = first("signature")
    for i in range(len(al.words)):
        p = al.pos(i)
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
    find_boxes(al, zones)
    find_columns(al, zones)
    return zones


def find_boxes(al: Aligner, zones: Zones) -> None:
    keys = list(catalog()["boxes"])
    anchors = [(k, m) for k in keys for m in al.anchors.get(k, [])]
    for i, w in enumerate(al.words):
        if zones.section.get(i) != "header" or i in al.label_words:
            continue
        best: tuple[tuple[int, float], str] | None = None
        for key, a in anchors:
            if a.page != w.page or w.x0 < a.x0 - al.tol:
                continue
            start = al.pos(al.index[id(a.first)])
            if start > al.pos(i) or (not al.grid and a.top > w.top + w.height * 0.3):
                continue
            if al.grid and w.cell is not None and a.first.cell is not None and w.cell != a.first.cell:
                continue
            if not al.grid:
                right = [b.x0 for _, b in anchors if b.page == a.page and b.x0 > a.x0 + al.tol
                         and b.top < a.bottom + 400 and b.bottom > a.top - 2 * al.height]
                if right and w.x0 >= min(right) - al.tol:
                    continue
            if best is None or start > best[0]:
                best = (start, key)
        if best is not None:
            zones.box[i] = best[1]


def find_columns(al: Aligner, zones: Zones) -> None:
    specs = catalog()["tables"]
    names = table_spec_names((al.record.document_type.value or "4")[0])
    for table, spec_name in zip(("I", "II"), names):
        if al.flat:
            break
        in_table = [i for i, t in zones.table.items() if t == table]
        for page in sorted({al.words[i].page for i in in_table}):
            region = {id(al.words[i]) for i in in_table if al.words[i].page == page}
            columns = columns_on(al, specs[spec_name], region)
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


def columns_on(al: Aligner, spec: list, region: set[int]) -> list[Column]:
    finder = LabelFinder(al.layout)
    inside = lambda w: id(w) in region
    found = []
    for entry in spec:
        match = finder.find("header", entry[1], where=inside, min_score=al.s.min_label_score, limit=1)
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
        right = min((x for x in xs if x > match.x0 + al.tol), default=float("inf"))
        for leaf_field, phrase in entry[2]:
            leaf = finder.find("leaf", phrase, min_score=0.9, limit=1, where=lambda w, m=match, r=right: (
                inside(w) and m.x0 - al.tol <= w.x0 < r and (w.page, al.pos(al.index[id(w)]))
                > (m.page, al.pos(al.index[id(m.first)]))))
            if leaf:
                columns.append(Column(leaf_field, leaf[0].words))
                al.label_words.update(al.index[id(w)] for w in leaf[0].words)
    return columns


def column_of(al: Aligner, span: Span, strict: bool = False) -> str | None:
    w = al.words[span.first]
    table = al.zones.table.get(span.first)
    borders = al.zones.columns.get((table, w.page)) if table else None
    if not borders:
        return None
    line = [al.words[i] for i in span.words if al.line_of[i] == al.line_of[span.first]]
    x = w.x0 + 0.01 if al.grid else (min(v.x0 for v in line) + max(v.x1 for v in line)) / 2
    for name, left, right, (x0, x1), trusted in borders:
        if left <= x < right and (trusted or not strict and x0 - al.tol <= x <= x1 + al.tol):
            return {"v_flag": "equity_swap_involved", "shares_acquired": "shares",
                    "shares_disposed": "shares"}.get(name, name)
    return None
