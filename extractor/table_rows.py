"""Table I and Table II rows from tagged words: which table a cell is in, its row, its column.

Cells follow their caption's table and their line's; rows come from line bands (anchored as
`tables._rows` anchors them, a text dump's wrapped lines joined to their row); footnote markers
join the value left of them, else the empty column they stand in; Table II's acquired/disposed
comes from the column its amount stands in.
"""

from __future__ import annotations

import re

import numpy as np

from .labels import LabelFinder, catalog, leaf_columns, table_spec_names
from .layout.document import Layout, Word
from .line_fields import column_gap, filler_classes
from .records import DerivativeRow, NonDerivativeRow, Value
from .tables import TEXT_COLUMNS, _rows, starts_row
from .tagged import Tagged, joined_text, value_of
from .validate import TRANSACTION_CODES
from .values import MONTH_NAME, is_check_mark, ownership_letter, parse_date, parse_number, split_footnotes

NUMBER_COLUMNS = {"shares", "price_per_share", "shares_owned_following", "value_owned_following",
                  "conversion_or_exercise_price", "underlying_shares", "underlying_value", "total_value"}
DATE_COLUMNS = {"transaction_date", "deemed_execution_date", "exercise_date", "expiration_date"}
_ACQUIRED = re.compile(r"^[\[({]A[\])}]$")
_DISPOSED = re.compile(r"^[\[({][D0O][\])}]$")
_WRAPPED_MIN = 0.05  # a word on a wrapped line this unlikely in every text column is left as it is
_INSIDE_ROW_MIN = 0.2  # a word between a row's values this likely in one of its columns is that column's
_GLUED_MARKER = re.compile(r"\w[\[(]\d{1,2}[\])]$")
_SURE_VALUE = 0.5  # a value this likely marks how far along its columns a row's line has come
_TABLE_ROWS = {"non_derivative": NonDerivativeRow, "derivative": DerivativeRow}
_DATE_HEADERS = {"exercise_date": "exercisable", "expiration_date": "expiration"}
_TITLE_WORD = re.compile(r"^[A-Za-z][A-Za-z.,&'-]*$")  # a word of a title, not a marker or a number
_TITLE_START_MIN = 0.005  # a word before a row's title this unlikely the title's is left as it is
# A title that stops here goes on: "Class A Common" / "Stock", "Series B Preferred" / "Stock".
_UNFINISHED = re.compile(r"^(?i:common|class|[A-Z]|preferred|ordinary|voting|series|non-voting|limited|partnership)$")
_REST_MIN = 0.1  # a title's rest this likely the unfinished title's goes to it
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
        if table in _TABLE_ROWS and at > captions[0][0]:
            region = [c for c in captions if c[0] < at][-1][1]
            if region != table and name in _TABLE_ROWS[region].model_fields:
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
        counts = {table: sum(1 for t in cells if t.field.startswith(table + ".*.")) for table in _TABLE_ROWS}
        table, other = sorted(counts, key=counts.get, reverse=True)
        if counts[table] < 3 or counts[other] * 2 >= counts[table]:
            continue
        for t in cells:
            name = t.field.split(".*.", 1)[1]
            if t.field.startswith(other + ".*.") and name in _TABLE_ROWS[table].model_fields:
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
        if (_dates_and_amounts([names[out[i]] for i in members[first + 1:]], table) >= 2
                and all(out[i] in movable and _TITLE_WORD.match(w.text) for i, w in zip(members[:first], prefix))
                and not any(column_gap(a, b) for a, b in zip(prefix, prefix[1:]))
                and all(probabilities[i, title] >= _TITLE_START_MIN for i in members[:first])):
            out[members[:first]] = title
    return out


def rest_to_the_unfinished_title(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                                 best: np.ndarray) -> np.ndarray:
    """On a text dump, a wrapped line that holds nothing but a title's rest ("Stock") goes to the
    title that is unfinished: the underlying title when it stops at "Common" or "Class A" and the
    security title ends a word of its own ("Restricted Stock 6/8/2023 M 47,619 Class A ..." /
    "Units Common" / "Stock": the classifier, seeing no column, gave "Stock" to the security title
    at 0.43, the underlying title 0.29)."""
    names = [str(c) for c in classes]
    if "derivative.*.underlying_title" not in names:
        return best
    rest = names.index("derivative.*.underlying_title")
    position = {id(w): i for i, w in enumerate(layout.words)}
    out = best.copy()
    last: dict[str, Word] = {}  # the last word of each title column since the row's line
    table: str | None = None
    for line in layout.lines:
        members = [position[id(w)] for w in line.words]
        fields = [names[out[i]] for i in members]
        tables = {f.split(".*.")[0] for f in fields if f.split(".*.")[0] in _TABLE_ROWS}
        if len(tables) == 1 and _dates_and_amounts(fields, next(iter(tables))) >= 2:
            table, last = tables.pop(), {}
        elif table is None or not tables <= {table}:
            table = None
            continue
        titles = (f"{table}.*.security_title", f"{table}.*.underlying_title")
        if table == "derivative" and set(fields) == {titles[0]} and len(members) <= 2:
            security, underlying = last.get(titles[0]), last.get(titles[1])
            if (security is not None and underlying is not None
                    and _UNFINISHED.match(underlying.text) and not _UNFINISHED.match(security.text)
                    and all(probabilities[i, rest] >= _REST_MIN for i in members)):
                out[members] = rest
                fields = [titles[1]] * len(members)
        for w, f in zip(line.words, fields):
            if f in titles:
                last[f] = w
    return out


_DAY = re.compile(r"^\d{1,2},$")
_YEAR = re.compile(r"^(19|20)\d\d$")


def year_of_the_wrapped_date(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                             best: np.ndarray) -> np.ndarray:
    """On a text dump, a date printed with its month's name that a narrow cell wrapped ("Feb 17," /
    "2023") is whole again: the day after a month tagged as a row's date is that date's, and a lone
    year on the next line is too. The classifier gave the day to the shares (no year followed it),
    and the year, alone at the left of its line, to the period of report (0.83)."""
    names = [str(c) for c in classes]
    index = {name: i for i, name in enumerate(names)}
    position = {id(w): i for i, w in enumerate(layout.words)}
    out = best.copy()
    lines = list(layout.lines)
    for k, line in enumerate(lines):
        members = [position[id(w)] for w in line.words]
        for m in range(len(members) - 1):
            field = names[out[members[m]]]
            table, _, column = field.partition(".*.")
            if (table not in _TABLE_ROWS or column not in DATE_COLUMNS
                    or not MONTH_NAME.match(line.words[m].text) or not _DAY.match(line.words[m + 1].text)):
                continue
            out[members[m + 1]] = out[members[m]]
            below = lines[k + 1].words if k + 1 < len(lines) else []
            years = [w for w in below if _YEAR.match(w.text)]
            if years and len(years) == len([w for w in below if not w.text.isalpha()]):
                # Each wrapped date of the row has its year there, in column order: this one's is the
                # next not yet taken.
                dates = {f"{table}.*.{date}" for date in DATE_COLUMNS}
                taken = sum(1 for w in years if names[out[position[id(w)]]] in dates)
                if taken < len(years):
                    out[position[id(years[taken])]] = index[field]
    return out


def _dates_and_amounts(fields: list[str], table: str) -> int:
    """How many of `fields` are `table`'s dates and amounts: a row's own line holds some."""
    return sum(1 for f in fields if f.startswith(table + ".*.") and f.split(".*.")[1] in NUMBER_COLUMNS | DATE_COLUMNS)


def wrapped_text_cells(layout: Layout, probabilities: np.ndarray, classes: np.ndarray, best: np.ndarray) -> np.ndarray:
    """On a text dump, the words of a row's wrapped lines go to its text columns in their order.

    A dump keeps no columns: "Option (Right to Stock" under "Employee Stock ... Common ..."
    ends the security title and then the underlying title, and the classifier, seeing no
    column, often gives the second part to the first ("Stock" at 0.13 security title, 0.37
    underlying title, 0.46 a printed label). The wrapped parts stand left to right in the
    order of their columns, so each such line is split once per column boundary, at the
    split the word probabilities like best.
    """
    out = best.copy()
    names = [str(c) for c in classes]
    index = {name: i for i, name in enumerate(names)}
    position = {id(w): i for i, w in enumerate(layout.words)}
    loose = filler_classes(names)
    previous: list[Word] = []
    table: str | None = None
    started: set[int | None] = set()  # the columns the row being continued has on its first line
    spans: dict[int, tuple[int, int]] = {}  # its text columns' character columns there, where the dump kept them
    closed: set[int] = set()  # its text columns a footnote marker ended ("Units(1)"): nothing follows in them
    for line in layout.lines:
        fields = {id(w): names[out[position[id(w)]]] for w in line.words}
        counts = {t: sum(1 for f in fields.values() if f.startswith(t + ".*.")) for t in _TABLE_ROWS}
        here = max(counts, key=counts.get) if max(counts.values()) else None
        titles = [f.split(".*.", 1)[1] for f in fields.values() if f.split(".*.", 1)[0] in _TABLE_ROWS]
        if table is not None and here != table and titles and set(titles) <= TEXT_COLUMNS:
            here = table  # the two tables share title words: "Common Stock" under "Class A" taken for Table I's title
        prefix = f"{here}.*."
        column_of = lambda w, p=prefix: fields.get(id(w), "").removeprefix(p)  # noqa: E731
        if here is None:
            table = None
        elif starts_row([w for w in line.words if fields[id(w)].startswith(prefix)], previous, column_of, "security_title",
                        by_position=False):
            table = here
            _no_labels_inside_a_row(line.words, here, probabilities, index, position, out, fields, loose)
            _text_after_values_in_column_order(line.words, here, probabilities, index, position, out)
            started = {out[position[id(w)]] for w in line.words} | {index.get(prefix + "security_title")}
            closed = _ended_by_markers(line.words, position, out)
            spans = _text_column_spans(line.words, here, index, position, out)
        elif table == here:
            _split_in_column_order(line.words, table, probabilities, index, position, out, started, closed, loose,
                                   spans)
            closed |= _ended_by_markers(line.words, position, out)
        previous = [w for w in line.words if here is not None and fields[id(w)].startswith(prefix)]
    return out


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


def _no_labels_inside_a_row(words: list[Word], table: str, probabilities: np.ndarray, index: dict[str, int],
                            position: dict[int, int], out: np.ndarray, fields: dict[int, str], loose: set[int]) -> None:
    """A row's line prints no captions: a word between its values taken for one ("Common" at 0.60
    label, 0.39 underlying title) is the value it likes next best."""
    inside = [k for k, w in enumerate(words) if fields[id(w)].startswith(table + ".*.")]
    columns = [i for name, i in index.items() if name.startswith(table + ".*.")]
    for w in words[inside[0] + 1:inside[-1]] if inside else []:
        i = position[id(w)]
        if out[i] in loose:
            alternative = max(columns, key=lambda c: probabilities[i, c])
            if probabilities[i, alternative] >= _INSIDE_ROW_MIN:
                out[i] = alternative


def _text_after_values_in_column_order(words: list[Word], table: str, probabilities: np.ndarray,
                                       index: dict[str, int], position: dict[int, int], out: np.ndarray) -> None:
    """A row's first line prints its cells in column order: a title word after a value of a later
    column is a later text column's ("Class" of "Earnout $0 2026-06-21 Class B 416,422 ... by Pascal"
    had been given to the security title)."""
    leaves = [name for name in _leaves(table, "4") if name and f"{table}.*.{name}" in index]
    rank = {index[f"{table}.*.{name}"]: k for k, name in enumerate(leaves)}
    text = {c: r for c, r in rank.items() if leaves[r] in TEXT_COLUMNS}
    reached = -1
    for w in words:
        i = position[id(w)]
        if out[i] not in rank:
            continue
        if out[i] in text and rank[out[i]] < reached:
            later = [c for c, r in text.items() if r > reached]
            if later:
                out[i] = max(later, key=lambda c: probabilities[i, c])
        elif out[i] not in text and probabilities[i, out[i]] >= _SURE_VALUE:
            reached = max(reached, rank[out[i]])


def _ended_by_markers(words: list[Word], position: dict[int, int], out: np.ndarray) -> set[int]:
    """The columns of this line's words that carry a glued footnote marker."""
    return {int(out[position[id(w)]]) for w in words if _GLUED_MARKER.search(w.text)}


def _text_column_spans(words: list[Word], table: str, index: dict[str, int], position: dict[int, int],
                       out: np.ndarray) -> dict[int, tuple[int, int]]:
    """The character columns each text column's words span on a row's first line (a kept-layout dump)."""
    spans: dict[int, tuple[int, int]] = {}
    text = {index[f"{table}.*.{name}"] for name in TEXT_COLUMNS if f"{table}.*.{name}" in index}
    for w in words:
        c = int(out[position[id(w)]])
        if c in text and w.column is not None:
            start, end = spans.get(c, (w.column, w.column + len(w.text)))
            spans[c] = (min(start, w.column), max(end, w.column + len(w.text)))
    return spans


_ALIGNED_SLACK = 2  # characters a wrapped word may start outside its column's first-line span
_ALIGNED_MARGIN = 4  # ... and how much nearer it must stand to that column than to any other


def _aligned_column(w: Word, spans: dict[int, tuple[int, int]]) -> int | None:
    """The text column a wrapped word stands under, where the dump kept its characters' columns."""
    if w.column is None or not spans:
        return None
    start, end = w.column, w.column + len(w.text)
    distance = {c: max(0, a - end, start - b) for c, (a, b) in spans.items()}
    ranked = sorted(distance, key=distance.get)
    if distance[ranked[0]] > _ALIGNED_SLACK:
        return None
    if len(ranked) > 1 and distance[ranked[1]] <= distance[ranked[0]] + _ALIGNED_MARGIN:
        return None
    return ranked[0]


def _split_in_column_order(words: list[Word], table: str, probabilities: np.ndarray, index: dict[str, int],
                           position: dict[int, int], out: np.ndarray, started: set[int | None], closed: set[int],
                           loose: set[int], spans: dict[int, tuple[int, int]]) -> None:
    """A wrapped line's words to the row's open text columns, left to right, the likeliest such split.

    Open: on the row's first line, and not ended by a footnote marker; a word given to an ended
    column moves too ("Stock" under "Units(1) Common" ends the underlying title). A word standing
    under one open column's first-line words in a kept-layout dump is that column's, whatever the
    classifier, which sees no columns there, made of it ("Stock" alone under "Class A" / "Common",
    0.52 the security title).
    """
    columns = [index[f"{table}.*.{name}"] for name in _leaves(table, "4") if name in TEXT_COLUMNS
               and index.get(f"{table}.*.{name}") in started and index[f"{table}.*.{name}"] not in closed]
    under = {position[id(w)]: c for w in words if (c := _aligned_column(w, spans)) is not None}
    for i, c in under.items():
        if c in closed and out[i] in {*loose, *(index[f"{table}.*.{name}"] for name in TEXT_COLUMNS
                                             if f"{table}.*.{name}" in index)}:
            out[i] = c  # the start of the next row's cell in that column ("By Spouse" under "By Trust(3)")
    if not columns:
        return
    aligned = {i: c for i, c in under.items() if c in columns}
    # A word given the other table's text column ("Stock" at 0.39 Table I's nature, 0.38 Table II's
    # underlying title) is this row's too: the two tables share column names and words.
    other = {i for name, i in index.items() if name.startswith(tuple(f"{t}.*." for t in _TABLE_ROWS if t != table))
             and name.split(".*.", 1)[1] in TEXT_COLUMNS}
    allowed = {*columns, *loose, *closed, *other}
    movable = [i for i in (position[id(w)] for w in words) if out[i] in allowed and under.get(i) not in closed
               and (i in aligned or probabilities[i, columns].max() >= _WRAPPED_MIN)]
    ended = [i for i in movable if out[i] in closed]
    if len(movable) < 2 or len(columns) < 2:
        for i in ended:
            out[i] = columns[int(np.argmax(probabilities[i, columns]))]
        for i in movable:
            out[i] = aligned.get(i, out[i])
        return
    scores = np.log(probabilities[np.ix_(movable, columns)] + 1e-6)
    for k, i in enumerate(movable):
        if i in aligned:
            scores[k, [c != aligned[i] for c in columns]] = np.log(1e-6)
    # total[k][c]: the best score of the first k+1 words with word k in column c (columns never go back)
    total = np.full((len(movable), len(columns)), -np.inf)
    total[0] = scores[0]
    for k in range(1, len(movable)):
        total[k] = np.maximum.accumulate(total[k - 1]) + scores[k]
    c = int(total[-1].argmax())
    for k in range(len(movable) - 1, -1, -1):
        out[movable[k]] = columns[c]
        if k:
            c = int(np.argmax(total[k - 1][: c + 1]))


def table_rows(table: str, row_type: type, tagged: list[Tagged], grid: bool, page_words: list[Word] | None = None,
           wrapped: bool = False, form: str = "4") -> list:
    prefix = table + ".*."
    cells = [t for t in tagged if t.field.startswith(prefix)]
    if not cells:
        return []
    column = {id(t.word): t.field[len(prefix):] for t in cells}
    headers = _date_headers(cells, page_words) if page_words is not None and not grid else {}
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
    leaves = _leaves(table, form)
    for m in markers:
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
        row = row_type()
        for name, tags in by_column.items():
            _set_cell(row, name, tags, grid)
        row.kind = "transaction" if (row.transaction_code.present or row.transaction_date.present) else "holding"
        if page_words is not None and row.shares.present and not row.acquired_disposed.present:
            _amount_direction(row, by_column, page_words, grid)
        if any(v.present for _, v in _row_values(row)):
            out.append(row)
    return out


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


def _leaves(table: str, form: str) -> list[str]:
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
        parsed = text if any(c.isalnum() for c in text) else None
    if parsed is None and not footnotes:
        return
    setattr(row, name, value_of(value_tags, parsed, grid, footnotes))
