"""Word tags of a text dump's table rows, before the rows are read: a dump keeps no columns.

A wrapped line's words go to the row's text columns in their order (or the column they stand
under, where the dump kept its layout), a title's lone rest to the unfinished title, and a
month-name date a narrow cell wrapped is whole again.
"""

from __future__ import annotations

import re

import numpy as np

from .layout.document import Layout, Word
from .line_fields import FILLERS, filler_classes
from .table_rows import DATE_COLUMNS, TABLE_ROWS, dates_and_amounts, table_leaves
from .tables import TEXT_COLUMNS, starts_row
from .values import FOOTNOTE_NUMBER, MONTH_NAME, TABLE_AMOUNT, YEAR

_WRAPPED_MIN = 0.05  # a word on a wrapped line this unlikely in every text column is left as it is
_INSIDE_ROW_MIN = 0.2  # a word between a row's values this likely in one of its columns is that column's
_INSIDE_ROW_AMOUNT_MIN = 0.05  # ... and an amount this likely
_GLUED_MARKER = re.compile(r"\w[\[(]\d{1,2}[\])]$")
_SURE_VALUE = 0.5  # a value this likely marks how far along its columns a row's line has come
# A title that stops here goes on: "Class A Common" / "Stock", "Series B Preferred" / "Stock".
_UNFINISHED = re.compile(r"^(?i:common|class|[A-Z]|preferred|ordinary|voting|series|non-voting|limited|partnership)$")
_REST_MIN = 0.03  # a title's rest this likely the unfinished title's goes to it ("Stock" under "Units" and "Common", 0.05-0.08)
_NAMES_A_SERIES = re.compile(r"^(?i:class|series)$")
_SERIES_LETTER = re.compile(r"^[A-Z]$")


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
    coded = False  # whether the row's line holds its transaction code
    for line in layout.lines:
        members = [position[id(w)] for w in line.words]
        fields = [names[out[i]] for i in members]
        tables = {f.split(".*.")[0] for f in fields if f.split(".*.")[0] in TABLE_ROWS}
        if len(tables) == 1 and dates_and_amounts(fields, next(iter(tables))) >= 2:
            table, last = tables.pop(), {}
            coded = f"{table}.*.transaction_code" in fields
        elif table is None or not tables <= {table}:
            table = None
            continue
        titles = (f"{table}.*.security_title", f"{table}.*.underlying_title")
        underlying = last.get(titles[1])
        if table == "derivative" and underlying is not None and _NAMES_A_SERIES.match(underlying.text):
            # The series letter a narrow cell wrapped ("Class" / "Stock Unit A"), taken for a caption
            # (0.97), or, under a row that has its code, for a second code ("Jun 8, ... M ... Class" /
            # "2023 A", 0.54: the "A" made a row of its own).
            second_code = "derivative.*.transaction_code" if coded else None
            letter = next((k for k, (w, f) in enumerate(zip(line.words, fields))
                           if _SERIES_LETTER.match(w.text) and (f in FILLERS or f == second_code)), None)
            if letter is not None:
                out[members[letter]] = rest
                fields[letter] = titles[1]
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
            if (table not in TABLE_ROWS or column not in DATE_COLUMNS
                    or not MONTH_NAME.match(line.words[m].text) or not _DAY.match(line.words[m + 1].text)):
                continue
            out[members[m + 1]] = out[members[m]]
            below = lines[k + 1].words if k + 1 < len(lines) else []
            years = [w for w in below if YEAR.match(w.text)]
            if years and len(years) == len([w for w in below if not w.text.isalpha()]):
                # Each wrapped date of the row has its year there, in column order: this one's is the
                # next not yet taken.
                dates = {f"{table}.*.{date}" for date in DATE_COLUMNS}
                taken = sum(1 for w in years if names[out[position[id(w)]]] in dates)
                if taken < len(years):
                    out[position[id(years[taken])]] = index[field]
    return out


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
    above: list[list[Word]] = []  # lines of titles alone since the last row: a centred row's cells' tops
    tails: dict[int, str] = {}  # each column's last word in the row being read
    for line in layout.lines:
        fields = {id(w): names[out[position[id(w)]]] for w in line.words}
        counts = {t: sum(1 for f in fields.values() if f.startswith(t + ".*.")) for t in TABLE_ROWS}
        here = max(counts, key=counts.get) if max(counts.values()) else None
        titles = [f.split(".*.", 1)[1] for f in fields.values() if f.split(".*.", 1)[0] in TABLE_ROWS]
        if table is not None and here != table and titles and set(titles) <= TEXT_COLUMNS:
            here = table  # the two tables share title words: "Common Stock" under "Class A" taken for Table I's title
        prefix = f"{here}.*."
        column_of = lambda w, p=prefix: fields.get(id(w), "").removeprefix(p)  # noqa: E731
        if here is None:
            table, above = None, []
        elif starts_row([w for w in line.words if fields[id(w)].startswith(prefix)], previous, column_of, "security_title",
                        by_position=False):
            table = here
            _no_labels_inside_a_row(line.words, here, probabilities, index, position, out, fields, loose)
            _text_after_values_in_column_order(line.words, here, probabilities, index, position, out)
            started = {out[position[id(w)]] for w in line.words} | {index.get(prefix + "security_title")}
            closed = _ended_by_markers(line.words, position, out)
            spans = _text_column_spans(line.words, here, index, position, out)
            tails = _last_words(line.words, position, out, {})
            if above and not spans and all(w.column is not None for words in above for w in words):
                started, spans, tails = _title_lines_over_the_row(above, here, probabilities, index, position, out,
                                                                  started, loose)
                tails = _last_words(line.words, position, out, tails)
            above = []
        elif table == here:
            _split_in_column_order(line.words, table, probabilities, index, position, out, started, closed, loose,
                                   spans, tails)
            closed |= _ended_by_markers(line.words, position, out)
            tails = _last_words(line.words, position, out, tails)
        elif table is None and set(titles) <= TEXT_COLUMNS:
            above.append(line.words)
        previous = [w for w in line.words if here is not None and fields[id(w)].startswith(prefix)]
    return out


def _title_lines_over_the_row(above: list[list[Word]], table: str, probabilities: np.ndarray, index: dict[str, int],
                              position: dict[int, int], out: np.ndarray, started: set[int | None],
                              loose: set[int]) -> tuple[set[int | None], dict[int, tuple[int, int]], dict[int, str]]:
    """A dump that centres a row's cells prints its titles' first lines over the row's line, which
    holds only its values ("Class F   Class A" / "Common   Common" / "Stock,   Stock," / "(1) 01/30/2023
    J(2) ..."/ "par   par"). Those lines are the row's: their text columns are open below it, each
    split as a wrapped line is, the columns' character spans growing line by line. Only where the
    dump kept its columns: a single-spaced one gives no sign of which words stand over which.

    Returns the row's open columns, its text columns' spans and each column's last word."""
    columns = _text_column_indices(table, index)
    started = started | {int(out[position[id(w)]]) for words in above for w in words
                         if int(out[position[id(w)]]) in columns}
    spans: dict[int, tuple[int, int]] = {}
    tails: dict[int, str] = {}
    for words in above:
        _split_in_column_order(words, table, probabilities, index, position, out, started, set(), loose, spans, tails)
        for c, (start, end) in _text_column_spans(words, table, index, position, out).items():
            known = spans.get(c, (start, end))
            spans[c] = (min(start, known[0]), max(end, known[1]))
        tails = _last_words(words, position, out, tails)
    return started, spans, tails


def _no_labels_inside_a_row(words: list[Word], table: str, probabilities: np.ndarray, index: dict[str, int],
                            position: dict[int, int], out: np.ndarray, fields: dict[int, str], loose: set[int]) -> None:
    """A row's line prints no captions: a word between its values taken for one ("Common" at 0.60
    label, 0.39 underlying title) is the value it likes next best. An amount as a table prints it
    needs less ("318.16" between the code and its markers, 0.75 label and 0.19 the shares)."""
    inside = [k for k, w in enumerate(words) if fields[id(w)].startswith(table + ".*.")]
    columns = [i for name, i in index.items() if name.startswith(table + ".*.")]
    for w in words[inside[0] + 1:inside[-1]] if inside else []:
        i = position[id(w)]
        if out[i] not in loose:
            continue
        if TABLE_AMOUNT.match(w.text):
            # ... into a column no other word of the line holds: "267.5" beside "4,050.678(1)" is no
            # second amount owned (0.15), and its price (0.02) is too unlikely to say.
            held = {int(out[position[id(v)]]) for v in words if v is not w}
            free = [c for c in columns if c not in held]
            alternative = max(free, key=lambda c: probabilities[i, c]) if free else None
            if alternative is not None and probabilities[i, alternative] >= _INSIDE_ROW_AMOUNT_MIN:
                out[i] = alternative
            continue
        alternative = max(columns, key=lambda c: probabilities[i, c])
        if probabilities[i, alternative] >= _INSIDE_ROW_MIN:
            out[i] = alternative


def _text_after_values_in_column_order(words: list[Word], table: str, probabilities: np.ndarray,
                                       index: dict[str, int], position: dict[int, int], out: np.ndarray) -> None:
    """A row's first line prints its cells in column order: a title word after a value of a later
    column is a later text column's ("Class" of "Earnout $0 2026-06-21 Class B 416,422 ... by Pascal"
    had been given to the security title)."""
    leaves = [name for name in table_leaves(table, "4") if name and f"{table}.*.{name}" in index]
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
    text = _text_column_indices(table, index)
    for w in words:
        c = int(out[position[id(w)]])
        if c in text and w.column is not None:
            start, end = spans.get(c, (w.column, w.column + len(w.text)))
            spans[c] = (min(start, w.column), max(end, w.column + len(w.text)))
    return spans


def _text_column_indices(table: str, index: dict[str, int]) -> set[int]:
    return {index[f"{table}.*.{name}"] for name in TEXT_COLUMNS if f"{table}.*.{name}" in index}


_DOUBLED = np.log(1e-4)  # a column's text with the same word twice running: next to impossible
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


def _last_words(words: list[Word], position: dict[int, int], out: np.ndarray, tails: dict[int, str]) -> dict[int, str]:
    """Each column's last word so far in the row being read, as `_same_word` compares them."""
    tails = dict(tails)
    for w in words:
        tails[int(out[position[id(w)]])] = _same_word(w.text)
    return tails


def _same_word(text: str) -> str:
    return text.lower().rstrip(",;.:")


def _split_in_column_order(words: list[Word], table: str, probabilities: np.ndarray, index: dict[str, int],
                           position: dict[int, int], out: np.ndarray, started: set[int | None], closed: set[int],
                           loose: set[int], spans: dict[int, tuple[int, int]], tails: dict[int, str]) -> None:
    """A wrapped line's words to the row's open text columns, left to right, the likeliest such split.

    Open: on the row's first line, and not ended by a footnote marker; a word given to an ended
    column moves too ("Stock" under "Units(1) Common" ends the underlying title). A word standing
    under one open column's first-line words in a kept-layout dump is that column's, whatever the
    classifier, which sees no columns there, made of it ("Stock" alone under "Class A" / "Common",
    0.52 the security title).
    """
    columns = [index[f"{table}.*.{name}"] for name in table_leaves(table, "4") if name in TEXT_COLUMNS
               and index.get(f"{table}.*.{name}") in started and index[f"{table}.*.{name}"] not in closed]
    under = {position[id(w)]: c for w in words if (c := _aligned_column(w, spans)) is not None}
    for i, c in under.items():
        if c in closed and out[i] in loose | _text_column_indices(table, index):
            out[i] = c  # the start of the next row's cell in that column ("By Spouse" under "By Trust(3)")
    if not columns:
        return
    aligned = {i: c for i, c in under.items() if c in columns}
    # A word given the other table's text column ("Stock" at 0.39 Table I's nature, 0.38 Table II's
    # underlying title) is this row's too: the two tables share column names and words.
    other = {i for name, i in index.items() if name.startswith(tuple(f"{t}.*." for t in TABLE_ROWS if t != table))
             and name.split(".*.", 1)[1] in TEXT_COLUMNS}
    allowed = {*columns, *loose, *closed, *other}
    movable = [i for i in (position[id(w)] for w in words) if out[i] in allowed and under.get(i) not in closed
               and (i in aligned or probabilities[i, columns].max() >= _WRAPPED_MIN)]
    ended = [i for i in movable if out[i] in closed]
    if len(movable) < 2 or len(columns) < 2:
        for i in ended + [i for i in movable if out[i] in other]:
            out[i] = columns[int(np.argmax(probabilities[i, columns]))]
        for i in movable:
            out[i] = aligned.get(i, out[i])
        return
    scores = np.log(probabilities[np.ix_(movable, columns)] + 1e-6)
    for k, i in enumerate(movable):
        if i in aligned:
            scores[k, [c != aligned[i] for c in columns]] = np.log(1e-6)
    text_of = {position[id(w)]: w.text for w in words}
    texts = [_same_word(text_of[i]) for i in movable]
    # A title never prints a word twice running: "Common Stock Stock" under "Option to Acquire ...
    # Common" is "Common Stock" ending the first title and "Stock" the second, though the classifier
    # liked every word best in the second (0.58-0.95).
    doubled = np.array([[_DOUBLED if tails.get(c) == text else 0.0 for c in columns] for text in texts])
    # total[k][c]: the best score of the first k+1 words with word k in column c (columns never go back);
    # came[k][c]: the column word k-1 is in on that best path.
    total = np.full((len(movable), len(columns)), -np.inf)
    came = np.zeros((len(movable), len(columns)), dtype=int)
    total[0] = scores[0] + doubled[0]
    for k in range(1, len(movable)):
        stay = total[k - 1] + (_DOUBLED if texts[k] == texts[k - 1] else 0.0)
        for c in range(len(columns)):
            before = int(np.argmax(total[k - 1][:c])) if c else -1
            if before >= 0 and total[k - 1][before] + doubled[k][c] > stay[c]:
                total[k][c], came[k][c] = total[k - 1][before] + doubled[k][c], before
            else:
                total[k][c], came[k][c] = stay[c], c
        total[k] += scores[k]
    c = int(total[-1].argmax())
    for k in range(len(movable) - 1, -1, -1):
        out[movable[k]] = columns[c]
        c = int(came[k][c])


_BARE_NUMBER = re.compile(r"^\d{1,2}$")


def bare_markers_of_empty_dates(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                                best: np.ndarray) -> np.ndarray:
    """A dump that prints superscripts as plain digits sets a row's empty date cells' markers as two
    equal bare numbers ("Restricted 1 05/31/2023 A 13,111 2 2 Class A ..."): where the explanation
    has that footnote, they are markers, which the classifier took for printed captions (0.89)."""
    names = [str(c) for c in classes]
    if "footnote_ref" not in names:
        return best
    marker = names.index("footnote_ref")
    movable = filler_classes(names) | {marker}
    position = {id(w): i for i, w in enumerate(layout.words)}
    notes = {m.group(1) for line in layout.lines if (m := FOOTNOTE_NUMBER.match(line.words[0].text))}
    out = best.copy()
    for line in layout.lines:
        members = [position[id(w)] for w in line.words]
        fields = [names[out[i]] for i in members]
        if not any(dates_and_amounts(fields, table) >= 2 for table in TABLE_ROWS):
            continue
        for k in range(len(members) - 1):
            first, second = line.words[k], line.words[k + 1]
            if (first.text == second.text and _BARE_NUMBER.match(first.text) and first.text in notes
                    and out[members[k]] in movable and out[members[k + 1]] in movable):
                out[members[k:k + 2]] = marker
    return out
