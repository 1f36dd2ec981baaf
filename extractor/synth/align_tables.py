"""Tables I and II for the aligner: each column's values paired with its printed cells, top to bottom.

A column's values run down the page in record row order, so a dynamic programme pairs them
with the column's candidate cells, helped by the row band and the left-to-right order of the
cells already placed. Distinct values go first (amounts, dates): the rows they fix then tell
repeated titles and codes apart.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Callable

from ..labels import catalog, leaf_columns, table_spec_names
from .align_zones import column_of
from .chains import Span, Target

if TYPE_CHECKING:
    from .align import Aligner


def place_tables(al: Aligner) -> None:
    # Distinct values first (amounts, dates): the rows they fix then tell repeated titles and codes apart.
    order = {"number": 0, "date": 1, "text": 2, "code": 3}
    by_column: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for t in al.targets.values():
        if t.table is not None and t.kind in order:
            by_column[(t.table, t.column)].append(t)
    for t in flag_targets_in_tables(al):
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
        place_column(al, table, column, sorted(by_column[(table, column)], key=lambda t: t.row))


def twin_rank(al: Aligner, target: Target) -> int | None:
    """How many cells left of this one print the same value in its row (None: none at all)."""
    spec = leaf_order(al, target.table)
    twins = [t for t in al.targets.values() if t.table == target.table and t.row == target.row
             and t.kind == target.kind and set(t.keys) & set(target.keys) and t.column in spec]
    if len(twins) < 2 or target.column not in spec:
        return None
    return sum(1 for t in twins if spec.index(t.column) < spec.index(target.column))


def order_fit(al: Aligner, target: Target, span: Span) -> float:
    """Malus for a cell out of the form's column order among its row's cells already placed."""
    spec = leaf_order(al, target.table)
    if target.column not in spec:
        return 0.0
    k = spec.index(target.column)
    x = centre(al, span)
    page = al.words[span.first].page
    wrong = 0
    for path, placed in al.assigned.items():
        t = al.targets.get(path)
        if t is None or t.table != target.table or t.row != target.row or t.column not in spec:
            continue
        if al.words[placed.first].page != page or t.column == target.column:
            continue
        other = spec.index(t.column)
        xp = centre(al, placed)
        if other < k and xp >= x or other > k and xp <= x:
            wrong += 1
    return -0.6 * wrong


def centre(al: Aligner, span: Span) -> float:
    first = [al.words[i] for i in span.words if al.line_of[i] == al.line_of[span.first]]
    if al.grid:
        return first[0].x0
    return (min(w.x0 for w in first) + max(w.x1 for w in first)) / 2


def row_placed(al: Aligner, target: Target) -> bool:
    return any(t is not None and t.table == target.table and t.row == target.row
               for t in (al.targets.get(p) for p in al.assigned))


def row_fit(al: Aligner, target: Target, span: Span) -> float:
    """Bonus for a cell beside its row's other values, malus for one beside another row's."""
    mine = other = False
    for path, placed in al.assigned.items():
        t = al.targets.get(path)
        if t is None or t.table != target.table or t.row is None:
            continue
        if same_band(al, span, placed):
            mine = mine or t.row == target.row
            other = other or t.row != target.row
    return al.s.box_bonus if mine else (-al.s.box_bonus if other else 0.0)


def same_band(al: Aligner, a: Span, b: Span) -> bool:
    for i in a.words:
        u = al.words[i]
        for j in b.words:
            v = al.words[j]
            if u.page != v.page:
                continue
            if al.grid and u.line == v.line:
                return True
            if not al.grid and min(u.bottom, v.bottom) - max(u.top, v.top) > 0.3 * min(u.height, v.height):
                return True
    return False


def flag_targets_in_tables(al: Aligner) -> list[Target]:
    """The V column: a printed 'V' where the row says the transaction involved an equity swap."""
    return [Target(t.path, "code", "V", ("V",), t.table, t.row, t.column) for t in al.targets.values()
            if t.kind == "flag" and t.table is not None and t.column == "equity_swap_involved" and t.value]


def in_table(al: Aligner, table: str) -> Callable[[int], bool]:
    has_zone = any(v == table for v in al.zones.table.values())
    return (lambda i: al.zones.table.get(i) == table) if has_zone else (lambda i: True)


def place_column(al: Aligner, table: str, column: str, targets: list[Target]) -> None:
    """Pair the column's values with its printed cells in order, top to bottom."""
    inside = in_table(al, table)
    allowed = lambda i: inside(i) and al.usable(i)
    scored: dict[int, dict[int, Span]] = defaultdict(dict)  # start word -> row -> span
    for k, target in enumerate(targets):
        spans = al.graph.candidates(target, allowed)
        rank = twin_rank(al, target)
        for span in spans:
            where = column_of(al, span)
            fit = 1.0 if where in (None, column) else 1.0 - al.s.column_penalty
            if target.kind == "code" and column_of(al, span, strict=True) not in (None, column):
                continue
            if target.kind == "code" and row_fit(al, target, span) <= 0 and row_placed(al, target):
                continue  # a lone letter away from its row's cells is a caption's
            score = span.score * fit + row_fit(al, target, span) + order_fit(al, target, span)
            if rank is not None:
                # A value printed twice in its row: the k-th copy from the left is the k-th column.
                left = sum(1 for o in spans if o is not span and same_band(al, o, span)
                           and centre(al, o) < centre(al, span))
                score += 0.15 if left == rank else 0.0
            span = Span(span.words, score)
            previous = scored[span.first].get(k)
            if previous is None or span.score > previous.score:
                scored[span.first][k] = span
    starts = sorted(scored, key=al.pos)
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
        if all(al.free(i) for i in span.words):
            al.assign(target, span)


def leaf_order(al: Aligner, table: str | None = None) -> list[str]:
    """Row fields in the left-to-right order of the table's columns (both tables' when None)."""
    specs = catalog()["tables"]
    names = table_spec_names((al.record.document_type.value or "4")[0])
    if table is not None:
        names = names[:1] if table == "I" else names[1:]
    rename = {"v_flag": "equity_swap_involved", "shares_acquired": "shares", "shares_disposed": "acquired_disposed"}
    leaves = (rename.get(leaf, leaf) for name in names for leaf in leaf_columns(specs[name]))
    return list(dict.fromkeys(leaves))
