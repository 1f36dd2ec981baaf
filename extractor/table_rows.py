"""Table I and Table II rows from tagged words: which table a cell is in, its row, its column.

Cells follow their caption's table and their line's; rows come from line bands (anchored as
`tables._rows` anchors them, a text dump's wrapped lines joined to their row); footnote markers
join the value left of them, else the empty column they stand in; Table II's acquired/disposed
comes from the column its amount stands in.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from .labels import LabelFinder, catalog, leaf_columns, table_spec_names
from .layout.document import Layout, Word
from .item_columns import column_starts, in_a_later_column
from .line_fields import column_gap, filler_classes
from .records import DerivativeRow, NonDerivativeRow, Value
from .tables import TEXT_COLUMNS, _rows
from .tagged import Tagged, joined_text, value_of
from .validate import TRANSACTION_CODES
from .values import is_check_mark, ownership_letter, parse_date, parse_number, split_footnotes

NUMBER_COLUMNS = {"shares", "price_per_share", "shares_owned_following", "value_owned_following",
                  "conversion_or_exercise_price", "underlying_shares", "underlying_value", "total_value"}
DATE_COLUMNS = {"transaction_date", "deemed_execution_date", "exercise_date", "expiration_date"}
_ACQUIRED = re.compile(r"^[\[({]A[\])}]$")
_DISPOSED = re.compile(r"^[\[({][D0O][\])}]$")
TABLE_ROWS = {"non_derivative": NonDerivativeRow, "derivative": DerivativeRow}
_DATE_HEADERS = {"exercise_date": "exercisable", "expiration_date": "expiration"}
_TITLE_WORD = re.compile(r"^[A-Za-z][A-Za-z.,&'-]*$")  # a word of a title, not a marker or a number
_TITLE_START_MIN = 0.005  # a word before a row's title this unlikely the title's is left as it is
_CELL_WORD_MIN = 0.05  # a markdown cell's untagged word this likely in the cell's column is the column's


def table_regions(tagged: list[Tagged], layout: Layout) -> list[Tagged]:
    """Cells below a table's caption (down to the next caption) belong to that table.

    Below, not after: OCR reads a page in blocks, so reading order can put a cell before a caption above it.
    """
    finder = LabelFinder(layout)
    grid = layout.geometry == "grid"

    def place(w: Word) -> tuple[int, float]:
        return (w.page, float(w.line or 0) if grid else w.top)

    captions = sorted(
        (place(m.first), table)
        for key, table in (("table1", "non_derivative"), ("table2", "derivative"))
        for m in finder.find(key, catalog()["sections"][key], min_score=0.8, mark=False)
    )
    if not any(table == "derivative" for _, table in captions):
        return tagged  # Table II's caption unread (OCR): Table I's region would run over Table II
    out = []
    for t in tagged:
        table, _, name = t.field.partition(".*.")
        at = place(t.word)
        if table in TABLE_ROWS and at > captions[0][0]:
            region = [c for c in captions if c[0] < at][-1][1]
            if region != table and name in TABLE_ROWS[region].model_fields:
                t = Tagged(t.word, t.index, f"{region}.*.{name}", t.probability)
        out.append(t)
    return out


def one_table_per_line(tagged: list[Tagged], layout: Layout) -> list[Tagged]:
    """A line of a table belongs to one table: cells tagged with the other table's field join the line's table.

    The two tables share most column names (amount, ownership form, nature), and a word far
    from its header is sometimes given the other table's.
    """
    line_of = {id(w): i for i, line in enumerate(layout.lines) for w in line.words}
    by_line: dict[int, list[Tagged]] = {}
    for t in tagged:
        if t.field.startswith(("non_derivative.*.", "derivative.*.")) and id(t.word) in line_of:
            by_line.setdefault(line_of[id(t.word)], []).append(t)
    out = {id(t): t for t in tagged}
    for cells in by_line.values():
        counts = {table: sum(1 for t in cells if t.field.startswith(table + ".*.")) for table in TABLE_ROWS}
        table, other = sorted(counts, key=counts.get, reverse=True)
        if counts[table] < 3 or counts[other] * 2 >= counts[table]:
            continue
        for t in cells:
            name = t.field.split(".*.", 1)[1]
            if t.field.startswith(other + ".*.") and name in TABLE_ROWS[table].model_fields:
                out[id(t)] = Tagged(t.word, t.index, f"{table}.*.{name}", t.probability)
    return [out[id(t)] for t in tagged]


def title_starts_its_row_line(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                              best: np.ndarray) -> np.ndarray:
    """A row's line starts with its security title, the table's first column: up to three words before
    the first word tagged the title, on a line that goes on to hold two of the row's dates or amounts,
    are the title's when they were taken for a printed label or for the last column, the nature of
    ownership ("Southern" of "Southern Company Common Stock Feb 13, 2023 A 44,233 ..." at 0.94 a label;
    "PepsiCo," of "PepsiCo, Inc. Common 03/01/2023 A ..." at 0.31 the nature of ownership)."""
    names = [str(c) for c in classes]
    movable = set(filler_classes(names)) | {i for i, name in enumerate(names) if name.endswith(".*.nature_of_ownership")}
    position = {id(w): i for i, w in enumerate(layout.words)}
    out = best.copy()
    for line in layout.lines:
        members = [position[id(w)] for w in line.words]
        first = next((k for k, i in enumerate(members) if names[out[i]].endswith(".*.security_title")), None)
        if not first or first > 3:
            continue
        title = out[members[first]]
        table = names[title].split(".*.")[0]
        prefix = line.words[:first + 1]
        if (dates_and_amounts([names[out[i]] for i in members[first + 1:]], table) >= 2
                and all(out[i] in movable and _TITLE_WORD.match(w.text) for i, w in zip(members[:first], prefix))
                and not any(column_gap(a, b) for a, b in zip(prefix, prefix[1:]))
                and all(probabilities[i, title] >= _TITLE_START_MIN for i in members[:first])):
            out[members[:first]] = title
    return out


_SOME_EXERCISE = 0.05  # a holding's first date this likely the exercise date is it


def holding_dates(layout: Layout, probabilities: np.ndarray, classes: np.ndarray, best: np.ndarray) -> np.ndarray:
    """A Table II line with a transaction date and an expiration date after it, but no transaction
    code, amount or exercise date, is a holding's: its first date is the exercise date. ("Stock
    Option $61.47 2018-01-15 2027-01-14 Common 4404 4404 D": 0.82 the transaction date, 0.16 the
    exercise date, and the holding had become a transaction without a code.)"""
    index = {str(c): i for i, c in enumerate(classes)}
    dated, exercise, expiration = (index.get(f"derivative.*.{field}")
                                   for field in ("transaction_date", "exercise_date", "expiration_date"))
    if dated is None or exercise is None or expiration is None:
        return best
    transacted = {index.get("derivative.*.transaction_code"), index.get("derivative.*.shares"), exercise}
    position = {id(w): i for i, w in enumerate(layout.words)}
    out = best.copy()
    for line in layout.lines:
        members = [position[id(w)] for w in line.words]
        tags = [int(out[i]) for i in members]
        if transacted & set(tags) or tags.count(dated) != 1 or expiration not in tags:
            continue
        first, last = tags.index(dated), tags.index(expiration)
        # Whole dates both: a torn cell's "2023" under "Jun 8," is the transaction date's year.
        whole = all(parse_date(line.words[k].text) for k in (first, last))
        if first < last and whole and probabilities[members[first], exercise] >= _SOME_EXERCISE:
            out[members[first]] = exercise
    return out


def dates_and_amounts(fields: list[str], table: str) -> int:
    """How many of `fields` are `table`'s dates and amounts: a row's own line holds some."""
    return sum(1 for f in fields if f.startswith(table + ".*.") and f.split(".*.")[1] in NUMBER_COLUMNS | DATE_COLUMNS)


def one_field_per_table_cell(layout: Layout, probabilities: np.ndarray, classes: np.ndarray, best: np.ndarray) -> np.ndarray:
    """On a markdown or HTML grid a table cell holds one value: its words take the column their
    probabilities add up to most ("Comm Stock - $.16-2/3 value" had its "-" tagged as the amount
    beside it and "$.16-2/3" as a price)."""
    out = best.copy()
    names = [str(c) for c in classes]
    columns = [i for i, name in enumerate(names) if name.startswith(("non_derivative.*.", "derivative.*."))]
    if not columns:
        return out
    loose = set(filler_classes(names))
    cells: dict[tuple[int, int, int], list[int]] = {}
    doubted: dict[tuple[int, int, int], list[int]] = {}
    for i, w in enumerate(layout.words):
        if w.cell is not None and out[i] in columns:
            cells.setdefault((w.page, w.line or 0, w.cell), []).append(i)
        elif w.cell is not None and out[i] in loose:
            doubted.setdefault((w.page, w.line or 0, w.cell), []).append(i)
    for key, members in cells.items():
        column = columns[int(probabilities[np.ix_(members, columns)].sum(axis=0).argmax())]
        out[members] = column
        # A value's cell prints no caption: a word of it taken for one, fewer than the cell's tagged words,
        # is the value's ("Southern" of "Southern Company Common Stock" at 0.55 a label, 0.41 the title).
        others = doubted.get(key, [])
        if len(others) < len(members):
            out[[i for i in others if probabilities[i, column] >= _CELL_WORD_MIN]] = column
    return out


def table_rows(table: str, row_type: type, tagged: list[Tagged], grid: bool, page_words: list[Word] | None = None,
           wrapped: bool = False, form: str = "4") -> list:
    prefix = table + ".*."
    cells = [t for t in tagged if t.field.startswith(prefix)]
    if not cells:
        return []
    placed: dict[int, str] = {}
    if wrapped and page_words is not None:
        tagged, placed = _markers_onto_their_rows(tagged, cells, page_words, prefix, table == "derivative")
    column = {id(t.word): t.field[len(prefix):] for t in cells}
    if not grid and not wrapped:
        _titles_under_their_columns(cells, column)
    headers = _date_headers(cells, page_words) if page_words is not None and not grid else {}
    starts = (column_starts(table, form, [t.word for t in cells], page_words)
              if page_words is not None and not grid and not wrapped else {})
    for t in cells:
        if column[id(t.word)] in _DATE_HEADERS and t.word.page in headers:
            column[id(t.word)] = _nearest_date_header(t.word, headers[t.word.page])
    info = {id(t.word): t for t in cells}
    # Footnote markers in the table join the cell of the value just left of them.
    markers = [t for t in tagged if t.field == "footnote_ref"]
    cell_words = sorted((t.word for t in cells), key=lambda w: (w.page, w.top, w.x0))
    bands: dict[str, tuple[float, float]] = {}
    for t in cells:
        name = column[id(t.word)]
        x0, x1 = bands.get(name, (t.word.x0, t.word.x1))
        bands[name] = (min(x0, t.word.x0), max(x1, t.word.x1))
    table_top = min((w.page, w.top) for w in cell_words)
    table_bottom = max((w.page, w.bottom) for w in cell_words)
    leaves = table_leaves(table, form)
    for m in markers:
        if id(m.word) in placed:
            column[id(m.word)] = placed[id(m.word)]
            info[id(m.word)] = m
            continue
        left = _left_value(m.word, cell_words, grid)
        if left is not None and wrapped:
            # A text dump prints a marker standing apart where it is a cell's whole content: as many
            # lone markers as empty columns between two values are those columns' ("2,715 [4]
            # 2030-03-01" notes the exercise date, "1,228 (1) (1) Common" both dates), not the value's
            # before them. (A value's own marker is glued on, "1,810[1]", or set tight against it.)
            inside = _between_column(m.word, markers, cells, leaves)
            if inside is not None:
                column[id(m.word)] = inside
                info[id(m.word)] = m
                continue
        if left is not None and m.word.page in starts and in_a_later_column(m.word, left, starts[m.word.page]):
            left = None  # alone in an empty cell beside a value a narrow column tore ("Restri [1] 04/01/2023")
        if left is not None and column[id(left)] not in _DATE_HEADERS and m.word.page in headers:
            # A raised marker alone in an empty date cell reaches the wrapped title left of the
            # column's edge ("Stock Option" / "(Right to Buy)" beside "(5)"): the edge decides.
            edge = headers[m.word.page]["exercise_date"].x0
            if left.x1 < edge <= m.word.x0 + 1.0 and _date_column_of_marker(m.word, headers[m.word.page]):
                left = None
        if left is not None:
            column[id(m.word)] = column[id(left)]
            info[id(m.word)] = m
        # A superscript marker over an empty cell of the first row stands higher than the row's words.
        elif table_top <= (m.word.page, m.word.bottom) and (m.word.page, m.word.top) <= table_bottom:
            inside = _date_column_of_marker(m.word, headers[m.word.page]) if m.word.page in headers else None
            if inside is None:
                inside = _band_of(m.word, bands, cells, grid)
            if inside is None:
                inside = _grid_column(m.word, cells, leaves) if grid else _between_column(m.word, markers, cells, leaves)
            if inside is not None:
                column[id(m.word)] = inside
                info[id(m.word)] = m
    words = [info[k].word for k in info]
    rows = _markers_join_the_row_below(_rows(words, grid, lambda w: column[id(w)], "security_title", wrapped),
                                       {id(m.word) for m in markers})
    out = []
    for row_words in rows:
        if not row_words:
            continue
        by_column: dict[str, list[Tagged]] = {}
        for w in row_words:
            by_column.setdefault(column[id(w)], []).append(info[id(w)])
        _one_amount_per_column(by_column, leaves, grid)
        row = row_type()
        for name, tags in by_column.items():
            _set_cell(row, name, tags, grid)
        if form == "3":
            _form_three_columns(row)
        row.kind = "transaction" if (row.transaction_code.present or row.transaction_date.present) else "holding"
        if page_words is not None and row.shares.present and not row.acquired_disposed.present:
            _amount_direction(row, by_column, page_words, grid)
        if any(v.present for _, v in _row_values(row)):
            out.append(row)
    return out


_SURE_TITLE = 0.85  # a title word this likely in its column marks where that column stands


def _titles_under_their_columns(cells: list[Tagged], column: dict[int, str]) -> None:
    """On a page, a title word standing inside one text column's span and outside its own is that
    column's: "par" / "value" under "Class F Common Stock," had gone, at 0.59, to the underlying
    title printed far to the right, which then read "Class A Common Stock, par par value value".
    A column's span is where the words sure of it stand, on every page alike."""
    spans: dict[str, tuple[float, float]] = {}
    for t in cells:
        name = column[id(t.word)]
        if name in TEXT_COLUMNS and t.probability >= _SURE_TITLE:
            x0, x1 = spans.get(name, (t.word.x0, t.word.x1))
            spans[name] = (min(x0, t.word.x0), max(x1, t.word.x1))
    for t in cells:
        name = column[id(t.word)]
        if name not in TEXT_COLUMNS or t.probability >= _SURE_TITLE or name not in spans:
            continue
        inside = [other for other, (x0, x1) in spans.items() if x0 <= t.word.x_mid <= x1]
        if len(inside) == 1 and inside[0] != name:
            column[id(t.word)] = inside[0]


def _marker_lines_over_rows(tagged: list[Tagged], cells: list[Tagged],
                            page_words: list[Word]) -> list[tuple[list[Tagged], list[Word]]]:
    """Each line of nothing but footnote markers with the row's words on the line just below it."""
    lines: dict[tuple[int, int], list[Word]] = {}
    for w in page_words:
        lines.setdefault((w.page, w.line or 0), []).append(w)
    marker_tags: dict[tuple[int, int], list[Tagged]] = {}
    for t in tagged:
        if t.field == "footnote_ref":
            marker_tags.setdefault((t.word.page, t.word.line or 0), []).append(t)
    rows: dict[tuple[int, int], list[Word]] = {}
    for t in cells:
        rows.setdefault((t.word.page, t.word.line or 0), []).append(t.word)
    out = []
    for (page, line), tags in marker_tags.items():
        row = rows.get((page, line + 1), [])
        if len(row) >= 2 and len(tags) == len(lines[(page, line)]):
            out.append((sorted(tags, key=lambda t: t.word.x0), sorted(row, key=lambda w: w.x0)))
    return out


# Where a lone marker notes an empty cell of Table II: the price and the two dates, in the form's order.
_MARKED_EMPTY_CELLS = ("conversion_or_exercise_price", "exercise_date", "expiration_date")


def _markers_onto_their_rows(tagged: list[Tagged], cells: list[Tagged], page_words: list[Word], prefix: str,
                             empty_cells: bool) -> tuple[list[Tagged], dict[int, str]]:
    """A text dump prints a row's superscripts on a line of their own above it; each goes down onto
    the row's line (rows are read line by line, and a line of markers between two rows would go on
    the one above).

    Where the dump keeps its columns ("[1]   [1]" over the empty date cells), a marker is placed
    among the row's words by its character column, where the markers set beside their cells are.
    A single-spaced dump says nothing of where each stood ("[1] [2] [2]" over "Restricted 2023-05-18
    M 15,273 Common ..."): with `empty_cells` (Table II), as many markers as the row's empty price and
    date cells are those cells', in order; they come back keyed by their moved words."""
    field_of = {id(t.word): t.field[len(prefix):] for t in cells}
    moved: dict[int, Word] = {}
    placed: dict[int, str] = {}
    for tags, row in _marker_lines_over_rows(tagged, cells, page_words):
        if all(t.word.column is not None for t in tags) and all(w.column is not None for w in row):
            row = sorted(row, key=lambda w: w.column)
            for t in tags:
                moved[id(t.word)] = _at_its_column(t.word, row)
        elif empty_cells and all(t.word.column is None for t in tags):
            filled = {field_of[id(w)] for w in row}
            empty = [name for name in _MARKED_EMPTY_CELLS if name not in filled]
            if len(empty) == len(tags):
                for t, name in zip(tags, empty):
                    word = replace(t.word, top=row[0].top, bottom=row[0].bottom, line=row[0].line)
                    moved[id(t.word)] = word
                    placed[id(word)] = name
    out = [Tagged(moved[id(t.word)], t.index, t.field, t.probability) if id(t.word) in moved else t for t in tagged]
    return out, placed


def _at_its_column(marker: Word, row: list[Word]) -> Word:
    """`marker` on the line of `row` (sorted by column), its x where its character column falls among the row's."""
    before = max((w for w in row if w.column <= marker.column), key=lambda w: w.column, default=row[0])
    after = min((w for w in row if w.column > marker.column), key=lambda w: w.column, default=row[-1])
    # A dump's x spreads each line over the page: the row's own characters measure the marker.
    if after.column != before.column:
        character = (after.x0 - before.x0) / (after.column - before.column)
    else:
        character = (before.x1 - before.x0) / max(len(before.text), 1)
    x0 = before.x0 + (marker.column - before.column) * character
    return replace(marker, x0=x0, x1=x0 + character * len(marker.text), top=before.top, bottom=before.bottom,
                   line=before.line)


def _markers_join_the_row_below(rows: list[list[Word]], marker_ids: set[int]) -> list[list[Word]]:
    """Rows with the footnote markers that stood alone on a line above a row joined to that row:
    superscripts over the empty cells of a first row sit higher than its words."""
    out: list[list[Word]] = []
    pending: list[Word] = []
    for row in rows:
        if row and all(id(w) in marker_ids for w in row):
            pending.extend(row)
            continue
        if pending and row and row[0].page == pending[0].page:
            row = pending + row
        elif pending:
            out.append(pending)  # the next row is on another page: left as it was
        out.append(row)
        pending = []
    if pending:
        out.append(pending)
    return out


def _amount_direction(row: DerivativeRow, by_column: dict[str, list[Tagged]], words: list[Word], grid: bool) -> None:
    """Table II's acquired/disposed: the column its amount stands in, else what the code usually means.

    The form prints no letter for it, so the classifier has no word to tag.
    """
    amount = [t for t in by_column.get("shares", []) if t.field != "footnote_ref"]
    letter = None
    if amount and grid:
        letter = _direction_by_cell(amount[0].word, by_column)
    elif amount:
        letter = _direction_by_header(amount[0].word, words)
    if letter is not None:
        row.acquired_disposed = value_of(amount, letter, grid)
        return
    code = (row.transaction_code.value or "").strip().upper()
    rule = TRANSACTION_CODES.get(code)
    likely = rule.likely_direction("derivative") if rule else None
    if likely is not None:
        row.acquired_disposed = Value(value=likely[0], confidence=round(likely[1] * row.transaction_code.confidence, 4),
                                      method="model", provenance=row.transaction_code.provenance)


def _direction_by_header(amount: Word, words: list[Word]) -> str | None:
    """"(A)" or "(D)": whichever of the two sub-headers printed side by side above the amount is nearer."""
    above = [w for w in words if w.page == amount.page and w.bottom <= amount.top]
    acquired = [w for w in above if _ACQUIRED.match(w.text)]
    disposed = [w for w in above if _DISPOSED.match(w.text)]
    pairs = []
    for a in acquired:
        beside = [d for d in disposed if d.x0 > a.x1 and abs(d.y_mid - a.y_mid) < max(a.height, d.height)]
        if not beside:
            continue
        d = min(beside, key=lambda d: d.x0)
        # Adjacent headers only: "(A) or (D)" and "Acquired (A) or Disposed of (D)" head one column.
        between = [w for w in above if a.x1 <= w.x_mid <= d.x0 and abs(w.y_mid - a.y_mid) < max(a.height, d.height)]
        if not between:
            pairs.append((a, d))
    if not pairs:
        return None
    a, d = max(pairs, key=lambda p: p[0].top)
    width = d.x_mid - a.x_mid
    if not a.x_mid - width <= amount.x_mid <= d.x_mid + width:
        return None
    return "A" if abs(amount.x_mid - a.x_mid) < abs(amount.x_mid - d.x_mid) else "D"


def _direction_by_cell(amount: Word, by_column: dict[str, list[Tagged]]) -> str | None:
    """On a table grid the amount's cell against its row's fixed neighbours: code, V, (A), (D), date exercisable."""
    if amount.cell is None:
        return None
    guesses = set()
    for name, offset in (("transaction_code", 2), ("exercise_date", -2), ("expiration_date", -3)):
        cells = {t.word.cell for t in by_column.get(name, []) if t.field != "footnote_ref" and t.word.cell is not None}
        if len(cells) == 1:
            start = cells.pop() + offset
            if amount.cell in (start, start + 1):
                guesses.add("A" if amount.cell == start else "D")
    return guesses.pop() if len(guesses) == 1 else None


def table_leaves(table: str, form: str) -> list[str]:
    """The table's columns left to right, one per grid cell, as record fields.

    "" stands for the V cell and Table II's (D) cell: Table II's amount stands under (A) or (D),
    and "shares" holds the (A) place.
    """
    spec = catalog()["tables"][table_spec_names(form)[0 if table == "non_derivative" else 1]]
    rename = {"v_flag": "", "shares_acquired": "shares", "shares_disposed": ""}
    return [rename.get(leaf, leaf) for leaf in leaf_columns(spec)]


def _grid_column(marker: Word, cells: list[Tagged], leaves: list[str]) -> str | None:
    """The column of a marker alone in its grid cell, from where its row's values stand among the form's columns."""
    if marker.cell is None:
        return None
    offsets = set()
    for t in cells:
        name = t.field.split(".*.")[-1]
        ambiguous = name == "shares" and "acquired_disposed" not in leaves  # Table II: under (A) or (D)
        if t.word.line == marker.line and t.word.cell is not None and name in leaves and not ambiguous:
            offsets.add(leaves.index(name) - t.word.cell)
    if len(offsets) != 1:
        return None
    at = marker.cell + offsets.pop()
    return leaves[at] or None if 0 <= at < len(leaves) else None


def _between_column(marker: Word, markers: list[Tagged], cells: list[Tagged], leaves: list[str]) -> str | None:
    """On a page, the column of a marker standing alone between two of its row's values.

    The form's columns between theirs are the empty cells it can note; it takes the one in its
    place when the lone markers there are as many as those columns.
    """
    def beside(w: Word) -> bool:
        return w.page == marker.page and abs(w.y_mid - marker.y_mid) <= max(w.height, marker.height)

    row = [t for t in cells if beside(t.word) and t.field.split(".*.")[-1] in leaves]
    left = max((t for t in row if t.word.x1 <= marker.x0), key=lambda t: t.word.x1, default=None)
    right = min((t for t in row if t.word.x0 >= marker.x1), key=lambda t: t.word.x0, default=None)
    if left is None or right is None:
        return None
    start, end = (leaves.index(t.field.split(".*.")[-1]) for t in (left, right))
    between = [leaf for leaf in leaves[start + 1:end] if leaf]
    lone = sorted((m.word for m in markers if beside(m.word) and left.word.x1 <= m.word.x0 and m.word.x1 <= right.word.x0),
                  key=lambda w: w.x0)
    if len(lone) != len(between):
        # A title between them may have gone untagged: markers note dates and numbers, not titles.
        between = [leaf for leaf in between if leaf not in TEXT_COLUMNS]
    if not between or len(lone) != len(between) or marker not in lone:
        return None
    return between[lone.index(marker)]


def _band_of(marker: Word, bands: dict[str, tuple[float, float]], cells: list[Tagged], grid: bool) -> str | None:
    """The column a lone footnote marker stands in (its own cell holds no value)."""
    if grid:
        same = [t for t in cells if t.word.cell is not None and t.word.cell == marker.cell]
        return same[0].field.split(".")[-1] if same else None
    for name, (x0, x1) in bands.items():
        if x0 - 1.0 <= marker.x_mid <= x1 + 1.0:
            return name
    return None


def _date_headers(cells: list[Tagged], page_words: list[Word]) -> dict[int, dict[str, Word]]:
    """Per page, the "Exercisable" and "Expiration" header words over Table II's date columns.

    The two date columns stand side by side under one caption, and the classifier tells them
    apart less well than their headers do: a lone "3/15/2023" under "Date Exercisable" was taken
    for the expiration date, and with it the footnote markers the empty cells beside it hold.
    A page that does not repeat the headers keeps the last page's.
    """
    tops: dict[int, float] = {}
    for t in cells:
        tops[t.word.page] = min(tops.get(t.word.page, t.word.top), t.word.top)
    out: dict[int, dict[str, Word]] = {}
    last: dict[str, Word] | None = None
    for page in sorted(tops):
        found: dict[str, Word] = {}
        for w in page_words:
            if w.page != page or w.bottom > tops[page] + 0.5:
                continue
            word = re.sub(r"[^a-z]", "", w.text.lower())
            for column, header in _DATE_HEADERS.items():
                if word == header and (column not in found or w.top > found[column].top):
                    found[column] = w
        if len(found) == 2 and found["exercise_date"].x_mid < found["expiration_date"].x_mid:
            last = found
        if last is not None:
            out[page] = last
    return out


def _nearest_date_header(w: Word, headers: dict[str, Word]) -> str:
    return min(headers, key=lambda column: abs(headers[column].x_mid - w.x_mid))


def _date_column_of_marker(marker: Word, headers: dict[str, Word]) -> str | None:
    """The date column a lone marker stands in, where it stands between the two headers' outer edges."""
    first, second = headers["exercise_date"], headers["expiration_date"]
    reach = 0.5 * max(marker.height, 1.0)
    if first.x0 - reach <= marker.x_mid <= second.x1 + reach:
        return _nearest_date_header(marker, headers)
    return None


def _row_values(row) -> list[tuple[str, Value]]:
    return [(name, getattr(row, name)) for name in type(row).model_fields if isinstance(getattr(row, name), Value)]


def _left_value(marker: Word, words: list[Word], grid: bool) -> Word | None:
    best = None
    for w in words:
        if w.page != marker.page or abs(w.y_mid - marker.y_mid) > max(w.height, marker.height):
            continue
        if grid and w.cell != marker.cell:
            continue  # a marker alone in its cell notes that cell's (empty) value, not the one before
        gap = marker.x0 - w.x1
        if -1.0 <= gap <= max(w.height * 1.5, 3.0) and (best is None or w.x1 > best.x1):
            best = w
    return best


def _set_cell(row, name: str, tags: list[Tagged], grid: bool) -> None:
    if name not in type(row).model_fields:
        return
    value_tags = [t for t in tags if t.field != "footnote_ref"]
    text, footnotes = split_footnotes(joined_text(value_tags))
    for t in tags:
        number = re.sub(r"\D", "", t.word.text) if t.field == "footnote_ref" else ""
        if number and len(number) <= 2 and f"F{int(number)}" not in footnotes:
            footnotes.append(f"F{int(number)}")
    value_tags = value_tags or tags
    if name in NUMBER_COLUMNS:
        parsed = parse_number(re.sub(r"(?<=[\d.,])\s+(?=[\d.,])", "", text))  # a number wrapped in a narrow cell
    elif name in DATE_COLUMNS:
        parsed = parse_date(text)
    elif name == "equity_swap_involved":
        parsed = True if text.strip().upper().startswith("V") or is_check_mark(text) else None
    elif name == "direct_or_indirect":
        parsed = ownership_letter(text)
    elif name in ("acquired_disposed", "transaction_code"):
        letters = re.sub(r"[^A-Za-z]", "", text).upper()
        parsed = letters[:1] or None
    else:
        # A stray dash or bracket is no title or nature of ownership.
        text = _without_unopened_brackets(text)
        parsed = text if any(c.isalnum() for c in text) else None
    if parsed is None and not footnotes:
        return
    setattr(row, name, value_of(value_tags, parsed, grid, footnotes))


def _without_unopened_brackets(text: str) -> str:
    """A text cell without the lone ")" or "]" that closes nothing in it: the rest of a value's
    marker a narrow cell wrapped ("$13.893(1" / ")") lands among the title's wrapped words
    ("Common" / "Shares )")."""
    kept: list[str] = []
    depth = 0
    for token in text.split(" "):
        if token in (")", "]") and depth <= 0:
            continue
        depth += token.count("(") + token.count("[") - token.count(")") - token.count("]")
        kept.append(token)
    return " ".join(kept)


# A Form 3 reports holdings: its tables have no price or amount of a transaction, and Table II prints
# the conversion price and the underlying amount where a Form 4 prints the price and the amount owned
# after. A value read into a column the form does not have goes to the one standing there.
_FORM_THREE_PLACES = {"price_per_share": "conversion_or_exercise_price", "shares_owned_following": "underlying_shares"}


def _form_three_columns(row) -> None:
    """A Form 3 row's values read into Form 4 columns, moved to the Form 3 column in their place (the
    Snowflake Form 3's "$3.74" read as the price per share; the classifier saw few Forms 3)."""
    if not isinstance(row, DerivativeRow):
        return
    for wrong, right in _FORM_THREE_PLACES.items():
        if getattr(row, wrong).present and not getattr(row, right).present:
            setattr(row, right, getattr(row, wrong))
            setattr(row, wrong, Value())


AMOUNT_COLUMNS = ("shares", "underlying_shares", "shares_owned_following", "value_owned_following")
# An amount printed whole: "5,546", "1,204.5", "2500" (a torn piece or a bare marker is shorter).
_WHOLE_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{3,})$")


def _one_amount_per_column(by_column: dict[str, list[Tagged]], leaves: list[str], grid: bool) -> None:
    """A row's line prints one amount per column: a whole amount given the same column as an amount
    before it on that line is the next empty amount column's ("5,546" beside the amount torn "5,5" /
    "46" went into one number with it, 55465546; it was the underlying amount)."""
    for name in AMOUNT_COLUMNS:
        tags = sorted(by_column.get(name, []), key=lambda t: t.index)
        if len(tags) < 2 or name not in leaves:
            continue
        # The first amount's line: a whole amount after it there is another column's.
        first = next((t for t in tags if any(c.isdigit() for c in t.word.text)), None)
        if first is None:
            continue
        second = next((t for t in reversed(tags) if t is not first and _WHOLE_AMOUNT.match(t.word.text)
                       and _on_one_line(first.word, t.word, grid)), None)
        if second is None:
            continue
        later = [leaf for leaf in leaves[leaves.index(name) + 1:] if leaf in AMOUNT_COLUMNS]
        empty = next((leaf for leaf in later if not by_column.get(leaf)), None)
        if empty is not None:
            by_column[empty] = [second]
            by_column[name] = [t for t in tags if t is not second]


def _on_one_line(a: Word, b: Word, grid: bool) -> bool:
    return a.line == b.line if grid else a.page == b.page and min(a.bottom, b.bottom) > max(a.top, b.top)
