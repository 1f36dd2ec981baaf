"""From per-word field probabilities to a Record.

The classifier names each word's field with its row index collapsed ("non_derivative.*.shares");
the indices come back here from geometry: owners by the "Name and Address" captions above
them, table rows by line bands (anchored the way `tables._rows` anchors them), footnotes at
their numbered starts, signatures by runs in reading order. Values are parsed as the rules
parse them (`values.py`); each carries method "model", the mean probability of its words as
confidence, and its page and box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import fmean
from typing import Any

import numpy as np

from .labels import LabelFinder, catalog
from .layout.document import Layout, Word
from .records import (
    DerivativeRow,
    Footnote,
    NonDerivativeRow,
    Provenance,
    Record,
    ReportingOwner,
    Signature,
    Value,
)
from .tables import _rows
from .validate import TRANSACTION_CODES
from .word_breaks import find_breaks
from .values import is_check_mark, ownership_letter, parse_date, parse_number, split_footnotes, state_code

NUMBER_COLUMNS = {"shares", "price_per_share", "shares_owned_following", "value_owned_following",
                  "conversion_or_exercise_price", "underlying_shares", "underlying_value", "total_value"}
DATE_COLUMNS = {"transaction_date", "deemed_execution_date", "exercise_date", "expiration_date"}
TOP_FLAGS = ("not_subject_to_section16", "aff10b5_one", "form3_holdings_reported", "form4_transactions_reported",
             "no_securities_owned", "joint_filing")
_MARKER = re.compile(r"^\(?(\d{1,2})\)$|^\((\d{1,2})\)?$")
_FOOTNOTE_START = re.compile(r"^\(?(\d{1,2})[.):]$|^\((\d{1,2})\)")
_TICKER = re.compile(r"[\[\](){}|]")
_ACQUIRED = re.compile(r"^[\[({]A[\])}]$")
_DISPOSED = re.compile(r"^[\[({][D0O][\])}]$")


_TABLE_ROWS = {"non_derivative": NonDerivativeRow, "derivative": DerivativeRow}
# Fields whose values run over several words in a line, and how torn a word must be to follow a neighbour.
_PHRASE_FIELDS = frozenset({
    "issuer.name", "owners.*.name", "owners.*.address.street1", "owners.*.address.street2", "owners.*.address.city",
    "owners.*.relationship.officer_title", "owners.*.relationship.other_text", "signatures.*.name", "remarks",
    "footnotes.*.text", "non_derivative.*.security_title", "non_derivative.*.nature_of_ownership",
    "derivative.*.security_title", "derivative.*.underlying_title", "derivative.*.nature_of_ownership"})
_SURE_NEIGHBOUR = 0.8
_TORN_SHARE = 0.3
_TORN_MARGIN = 0.25


@dataclass(frozen=True)
class DecodeSettings:
    """Which words count: a word's best label needs at least this probability."""

    min_word_probability: float = 0.3

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_word_probability < 1.0:
            raise ValueError(f"min_word_probability must be in [0, 1), not {self.min_word_probability}")


@dataclass
class _Tagged:
    word: Word
    index: int
    field: str
    probability: float


def decode(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
           settings: DecodeSettings | None = None, document_type: tuple[str, float] | None = None) -> Record:
    """A Record from `layout` and one row of class probabilities per word (in `layout.words` order)."""
    settings = settings or DecodeSettings()
    words = list(layout.words)
    best = probabilities.argmax(axis=1) if len(words) else np.zeros(0, int)
    grid = layout.geometry == "grid"
    best = _follow_phrase_neighbours(words, probabilities, classes, best, grid)
    tagged = [_Tagged(w, i, str(classes[best[i]]), float(probabilities[i, best[i]])) for i, w in enumerate(words)]
    tagged = [t for t in tagged if t.field not in ("label", "other") and t.probability >= settings.min_word_probability]
    tagged = _join_broken_words(tagged, layout)
    tagged = _one_table_per_line(_table_regions(tagged, layout), layout)
    record = Record()
    if document_type is not None:
        record.document_type = Value(value=document_type[0], confidence=round(document_type[1], 4), method="model")
    by_field: dict[str, list[_Tagged]] = {}
    for t in tagged:
        by_field.setdefault(t.field, []).append(t)

    _header(record, by_field, grid)
    _owners(record, by_field, layout, grid)
    _joint_filing(record, [t for t in by_field.get("joint_filing", []) if t.word.checkbox is not False], words, grid)
    kind = record.document_type.value
    if kind and "/" not in kind and record.date_of_original_submission.present:
        record.document_type = record.document_type.model_copy(update={"value": kind + "/A"})  # an amendment
    base_type = (document_type[0] if document_type else "4")[0]
    for table, row_type in (("non_derivative", NonDerivativeRow), ("derivative", DerivativeRow)):
        rows = _table(table, row_type, tagged, grid, words if table == "derivative" else None,
                      wrapped=layout.format == "text", form=base_type)
        for row in rows:
            if row.kind == "transaction":
                row.transaction_form_type = Value(value=base_type, confidence=0.8, method="model")
                if not row.equity_swap_involved.present:
                    row.equity_swap_involved = Value(value=False, confidence=0.8, method="model")
        setattr(record, table, rows)
    record.footnotes = _footnotes(tagged, grid)
    record.signatures = _signatures(by_field, grid)
    record.source.format = layout.format
    record.source.path = layout.source
    record.source.pages = len(layout.pages)
    return record


def _follow_phrase_neighbours(words: list[Word], probabilities: np.ndarray, classes: np.ndarray,
                              best: np.ndarray, grid: bool) -> np.ndarray:
    """A word torn between two labels takes the one its sure neighbour on the line has, for phrase fields.

    The first word of a name or a title is the likeliest to be given to the field before it
    ("Marta" at 0.50 footnote text and 0.47 signature, "Woods by Power of Attorney" after it at 0.97).
    """
    phrase = np.array([str(c) in _PHRASE_FIELDS for c in classes])
    out = best.copy()
    for i, w in enumerate(words):
        for j in (i - 1, i + 1):
            if not 0 <= j < len(words) or not phrase[best[j]] or best[j] == best[i]:
                continue
            v = words[j]
            gap = w.x0 - v.x1 if j < i else v.x0 - w.x1
            if not _same_line(v, w, grid) or (grid and v.cell != w.cell) \
                    or not -1.0 <= gap <= 1.5 * max(w.height, v.height):
                continue
            label = best[j]
            if (probabilities[j, label] >= _SURE_NEIGHBOUR and probabilities[i, label] >= _TORN_SHARE
                    and probabilities[i, best[i]] - probabilities[i, label] < _TORN_MARGIN):
                out[i] = label
                break
    return out


def _join_broken_words(tagged: list[_Tagged], layout: Layout) -> list[_Tagged]:
    """A value word a narrow cell broke in two reads whole, under its first piece's tag (`word_breaks`)."""
    by_word = {id(t.word): t for t in tagged}
    breaks = find_breaks(layout, [t.word for t in tagged])
    if not breaks:
        return tagged
    joined = {id(b.first): b.joined for b in breaks}
    dropped = {id(b.second) for b in breaks if id(b.first) in by_word}
    return [t if id(t.word) not in joined else _Tagged(joined[id(t.word)], t.index, t.field, t.probability)
            for t in tagged if id(t.word) not in dropped]


def _table_regions(tagged: list[_Tagged], layout: Layout) -> list[_Tagged]:
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
                t = _Tagged(t.word, t.index, f"{region}.*.{name}", t.probability)
        out.append(t)
    return out


def _one_table_per_line(tagged: list[_Tagged], layout: Layout) -> list[_Tagged]:
    """A line of a table belongs to one table: cells tagged with the other table's field join the line's table.

    The two tables share most column names (amount, ownership form, nature), and a word far
    from its header is sometimes given the other table's.
    """
    line_of = {id(w): i for i, line in enumerate(layout.lines) for w in line.words}
    by_line: dict[int, list[_Tagged]] = {}
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
                out[id(t)] = _Tagged(t.word, t.index, f"{table}.*.{name}", t.probability)
    return [out[id(t)] for t in tagged]


def value_of(tags: list[_Tagged], parsed: Any, grid: bool, footnotes: list[str] | None = None) -> Value:
    """A Value read from `tags`, its confidence their mean probability (lowered by OCR doubt)."""
    confidence = fmean(t.probability for t in tags) if tags else 0.5
    ocr = [t.word.confidence for t in tags if t.word.confidence is not None]
    if ocr:
        confidence *= 0.6 + 0.4 * min(ocr)
    provenance = None
    if tags:
        first = tags[0].word
        if grid:
            provenance = Provenance(page=first.page, line=first.line)
        else:
            page = [t.word for t in tags if t.word.page == first.page]
            provenance = Provenance(page=first.page, bbox=(min(w.x0 for w in page), min(w.top for w in page),
                                                          max(w.x1 for w in page), max(w.bottom for w in page)))
    return Value(value=parsed, footnote_ids=footnotes or [], confidence=round(min(max(confidence, 0.0), 1.0), 4),
                 method="model", provenance=provenance)


def _text(tags: list[_Tagged]) -> str:
    return " ".join(t.word.text for t in sorted(tags, key=lambda t: t.index))


def _header(record: Record, by_field: dict[str, list[_Tagged]], grid: bool) -> None:
    for name in ("period_of_report", "date_of_original_submission"):
        tags = by_field.get(name, [])
        date = parse_date(_text(tags))
        if date:
            setattr(record, name, value_of(tags, date, grid))
    tags = by_field.get("issuer.name", [])
    text, _ = split_footnotes(_text(tags))
    if text:
        record.issuer.name = value_of(tags, " ".join(text.split()), grid)
    tags = by_field.get("issuer.trading_symbol", [])
    symbol = _TICKER.sub("", _text(tags)).strip()
    if symbol:
        record.issuer.trading_symbol = value_of(tags, symbol.upper(), grid)
    tags = by_field.get("remarks", [])
    if tags:
        record.remarks = value_of(tags, _text(tags), grid)
    for name in TOP_FLAGS:
        tags = [t for t in by_field.get(name, []) if t.word.checkbox is not False]
        if name == "joint_filing":
            continue  # decided with the owners: the mark may sit by either caption
        if tags:
            setattr(record, name, value_of(tags, True, grid))
        elif name in ("not_subject_to_section16", "aff10b5_one", "form3_holdings_reported", "form4_transactions_reported"):
            setattr(record, name, Value(value=False, confidence=0.6, method="model"))


def _joint_filing(record: Record, tags: list[_Tagged], words: list[Word], grid: bool) -> None:
    """The filing box's mark: by "more than one reporting person" it is joint, by "one reporting person" not."""
    for t in tags:
        after = " ".join(w.text for w in words[t.index + 1:t.index + 5]).lower()
        if "more" in after or "joint" in after:
            record.joint_filing = value_of([t], True, grid)
            return
        if "one" in after or "individual" in after:
            record.joint_filing = value_of([t], False, grid)
            return
    record.joint_filing = Value(value=len(record.owners) > 1, confidence=0.7, method="model")


def _owner_starts(layout: Layout) -> list[Word]:
    finder = LabelFinder(layout)
    return [m.first for m in finder.find("name_address", catalog()["boxes"]["name_address"], min_score=0.7)]


def _owners(record: Record, by_field: dict[str, list[_Tagged]], layout: Layout, grid: bool) -> None:
    owner_tags = {k: v for k, v in by_field.items() if k.startswith("owners.*.")}
    if not owner_tags:
        return
    starts = _owner_starts(layout)
    order = {id(w): i for i, w in enumerate(layout.words)}
    start_positions = sorted(order[id(w)] for w in starts)

    def owner_of(t: _Tagged) -> int:
        if len(start_positions) <= 1:
            return 0
        # On a page the caption nearest above-left in reading order owns the word; box
        # layouts side by side are rare enough for reading order to do.
        return max(sum(1 for p in start_positions if p <= t.index) - 1, 0)

    grouped: dict[int, dict[str, list[_Tagged]]] = {}
    for name, tags in owner_tags.items():
        for t in tags:
            grouped.setdefault(owner_of(t), {}).setdefault(name[len("owners.*."):], []).append(t)
    for index in sorted(grouped):
        fields = grouped[index]
        owner = ReportingOwner()
        for path, tags in fields.items():
            text = _text(tags)
            if path.startswith("relationship.is_"):
                tags = [t for t in tags if t.word.checkbox is not False and (t.word.checkbox or is_check_mark(t.word.text)
                                                                            or len(t.word.text) <= 3)]
                if tags:
                    setattr(owner.relationship, path.split(".")[1], value_of(tags, True, grid))
            elif path in ("relationship.officer_title", "relationship.other_text", "name"):
                target = owner.relationship if path.startswith("relationship.") else owner
                setattr(target, path.split(".")[-1], value_of(tags, text, grid))
            elif path == "address.state":
                code = state_code(text)
                if code:
                    owner.address.state = value_of(tags, code, grid)
            elif path.startswith("address."):
                key = path.split(".")[1]
                if key in ("non_us_address", "good_address"):
                    continue
                setattr(owner.address, key, value_of(tags, text.rstrip(","), grid))
        _title_boxes(owner.relationship)
        for flag in ("is_director", "is_officer", "is_ten_percent_owner", "is_other"):
            if not getattr(owner.relationship, flag).present:
                setattr(owner.relationship, flag, Value(value=False, confidence=0.5, method="model"))
        _street_lines(owner, fields.get("address.street1", []) + fields.get("address.street2", []), grid)
        if owner.name.present:
            record.owners.append(owner)


def _title_boxes(relationship) -> None:
    """The officer title and the "other" text against the boxes they go with.

    Each is given only with its box checked (so are all 1,156 titled owners in 2,000 train
    filings). A text under the box that is checked belongs to it; a title with no box read at
    all checks its own, as OCR misses marks more often than words.
    """
    officer, other = relationship.officer_title, relationship.other_text
    if relationship.is_other.present and not relationship.is_officer.present and officer.present and not other.present:
        relationship.other_text, relationship.officer_title = officer, type(officer)()
    elif relationship.is_officer.present and not relationship.is_other.present and other.present and not officer.present:
        relationship.officer_title, relationship.other_text = other, type(other)()
    checked = [relationship.is_director, relationship.is_officer, relationship.is_ten_percent_owner,
               relationship.is_other]
    if any(flag.present for flag in checked):
        return
    for text, flag in (("officer_title", "is_officer"), ("other_text", "is_other")):
        given = getattr(relationship, text)
        if given.present and str(given.value).strip():
            setattr(relationship, flag, given.model_copy(update={"value": True}))


def _street_lines(owner: ReportingOwner, tags: list[_Tagged], grid: bool) -> None:
    """Street words by line: the first line is street 1, the rest street 2 (the classifier mixes the two up).

    On a grid each cell is a line of its own: markdown puts both street lines in one row.
    """
    lines: list[list[_Tagged]] = []
    for t in sorted(tags, key=lambda t: t.index):
        previous = lines[-1][-1].word if lines else None
        if previous is not None and _same_line(previous, t.word, grid) and (not grid or previous.cell == t.word.cell):
            lines[-1].append(t)
        else:
            lines.append([t])
    if not lines:
        return
    owner.address.street1 = value_of(lines[0], _text(lines[0]).rstrip(","), grid)
    rest = [t for line in lines[1:] for t in line]
    owner.address.street2 = value_of(rest, _text(rest).rstrip(","), grid) if rest else type(owner.address.street2)()


def _same_line(a: Word, b: Word, grid: bool) -> bool:
    if grid:
        return a.line == b.line
    return a.page == b.page and abs(a.y_mid - b.y_mid) < 0.6 * max(a.height, b.height, 0.1)


def _table(table: str, row_type: type, tagged: list[_Tagged], grid: bool, page_words: list[Word] | None = None,
           wrapped: bool = False, form: str = "4") -> list:
    prefix = table + ".*."
    cells = [t for t in tagged if t.field.startswith(prefix)]
    if not cells:
        return []
    column = {id(t.word): t.field[len(prefix):] for t in cells}
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
    for m in markers:
        left = _left_value(m.word, cell_words, grid)
        if left is not None:
            column[id(m.word)] = column[id(left)]
            info[id(m.word)] = m
        elif table_top <= (m.word.page, m.word.top) <= table_bottom:
            inside = _band_of(m.word, bands, cells, grid)
            if inside is None:
                leaves = _leaves(table, form)
                inside = _grid_column(m.word, cells, leaves) if grid else _between_column(m.word, markers, cells, leaves)
            if inside is not None:
                column[id(m.word)] = inside
                info[id(m.word)] = m
    words = [info[k].word for k in info]
    rows = _rows(words, grid, lambda w: column[id(w)], "security_title", wrapped)
    out = []
    for row_words in rows:
        if not row_words:
            continue
        by_column: dict[str, list[_Tagged]] = {}
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


def _amount_direction(row: DerivativeRow, by_column: dict[str, list[_Tagged]], words: list[Word], grid: bool) -> None:
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


def _direction_by_cell(amount: Word, by_column: dict[str, list[_Tagged]]) -> str | None:
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
    part = "1" if table == "non_derivative" else "2"
    spec = catalog()["tables"][{"3": "holdings_", "5": "form5_"}.get(form, "transactions_") + part]
    rename = {"v_flag": "", "shares_acquired": "shares", "shares_disposed": ""}
    return [rename.get(leaf, leaf) for entry in spec for leaf in ([entry[0]] if entry[0] else [l[0] for l in entry[2]])]


def _grid_column(marker: Word, cells: list[_Tagged], leaves: list[str]) -> str | None:
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


def _between_column(marker: Word, markers: list[_Tagged], cells: list[_Tagged], leaves: list[str]) -> str | None:
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
    if not between or len(lone) != len(between) or marker not in lone:
        return None
    return between[lone.index(marker)]


def _band_of(marker: Word, bands: dict[str, tuple[float, float]], cells: list[_Tagged], grid: bool) -> str | None:
    """The column a lone footnote marker stands in (its own cell holds no value)."""
    if grid:
        same = [t for t in cells if t.word.cell is not None and t.word.cell == marker.cell]
        return same[0].field.split(".")[-1] if same else None
    for name, (x0, x1) in bands.items():
        if x0 - 1.0 <= marker.x_mid <= x1 + 1.0:
            return name
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


def _set_cell(row, name: str, tags: list[_Tagged], grid: bool) -> None:
    if name not in type(row).model_fields:
        return
    value_tags = [t for t in tags if t.field != "footnote_ref"]
    text, footnotes = split_footnotes(_text(value_tags))
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
    elif name == "acquired_disposed":
        letters = re.sub(r"[^A-Za-z]", "", text).upper()
        parsed = letters[:1] or None
    elif name == "transaction_code":
        letters = re.sub(r"[^A-Za-z]", "", text).upper()
        parsed = letters[:1] or None
    else:
        parsed = text or None
    if parsed is None and not footnotes:
        return
    setattr(row, name, value_of(value_tags, parsed, grid, footnotes))


def _footnotes(tagged: list[_Tagged], grid: bool) -> list[Footnote]:
    words = sorted((t for t in tagged if t.field in ("footnotes.*.text", "footnote_ref")), key=lambda t: t.index)
    notes: list[tuple[str, list[_Tagged]]] = []
    for t in words:
        match = _FOOTNOTE_START.match(t.word.text)
        if match and _is_start(t, words):
            notes.append((f"F{int(match.group(1) or match.group(2))}", []))
            continue
        if t.field != "footnotes.*.text":
            continue
        if not notes:
            notes.append(("F1", []))
        notes[-1][1].append(t)
    out: list[Footnote] = []
    seen: set[str] = set()
    for note_id, tags in notes:
        if note_id in seen or not tags:
            continue
        seen.add(note_id)
        out.append(Footnote(id=note_id, text=value_of(tags, _text(tags), grid)))
    return out


def _is_start(t: _Tagged, words: list[_Tagged]) -> bool:
    """A numbered marker starts a footnote when footnote text follows it."""
    after = [w for w in words if w.index > t.index][:1]
    return bool(after) and after[0].field == "footnotes.*.text" and after[0].index == t.index + 1


def _signatures(by_field: dict[str, list[_Tagged]], grid: bool) -> list[Signature]:
    names = _runs(by_field.get("signatures.*.name", []))
    dates = _runs(by_field.get("signatures.*.date", []))
    names = _wrapped_names(names, max(len(dates), 1), grid)
    out: list[Signature] = []
    for i, run in enumerate(names):
        signature = Signature(name=value_of(run, _text(run), grid))
        if i < len(dates):
            date = parse_date(_text(dates[i]))
            if date:
                signature.date = value_of(dates[i], date, grid)
        out.append(signature)
    return out


def _wrapped_names(names: list[list[_Tagged]], signatures: int, grid: bool) -> list[list[_Tagged]]:
    """More names than dates: a name run starting on the line under the one before it is that name's end.

    A long "/s/ agent, attorney-in-fact for owner" wraps, and its date, set beside the first
    line, comes between the two lines in reading order.
    """
    names = [list(run) for run in names]
    i = 1
    while len(names) > signatures and i < len(names):
        last, first = names[i - 1][-1].word, names[i][0].word
        below = (first.line == (last.line or 0) + 1) if grid else (
            first.page == last.page and 0 <= first.top - last.bottom <= 1.0 * max(last.height, first.height))
        if below:
            names[i - 1].extend(names.pop(i))
        else:
            i += 1
    return names


def _runs(tags: list[_Tagged]) -> list[list[_Tagged]]:
    """Consecutive words (in reading order) of one field: one value each."""
    runs: list[list[_Tagged]] = []
    for t in sorted(tags, key=lambda t: t.index):
        if runs and t.index - runs[-1][-1].index <= 3:
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs
