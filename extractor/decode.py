"""From per-word field probabilities to a Record.

The classifier names each word's field with its row index collapsed ("non_derivative.*.shares");
the indices come back here from geometry: owners by the "Name and Address" captions above
them (`owners`), table rows as `table_rows` reads them, footnotes at their numbered starts,
signatures as `signatures` reads them, check marks by their captions (`boxes`). Values are
parsed as the rules parse them (`values.py`); each carries method "model", the mean probability
of its words as confidence, and its page and box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .boxes import CAPTIONED_BOXES, relationship_boxes_by_caption, top_boxes_by_caption
from .line_fields import (ADDRESS_LINE_FIELDS, CAPTION_WORD, FILLERS, RUNS_ON, TICKER_MARK, column_gap, filler_classes,
                          issuer_name_after_its_caption, issuer_name_wrapped_onto_its_tickers_line,
                          one_field_per_address_line, owner_issuer_by_case, owner_starts,
                          prose_lines_hold_no_signature, same_cell_line, same_line, signature_lines_run_on,
                          ticker_in_its_brackets, title_wrapped_onto_the_next_dump_line, whole_field_lines,
                          whole_state_names)
from .layout.document import Layout, Word
from .records import TOP_BOXES, DerivativeRow, Footnote, NonDerivativeRow, Record, Value
from .owners import read_owners
from .signatures import read_signatures
from .dump_cells import (bare_markers_of_empty_dates, rest_to_the_unfinished_title, wrapped_text_cells,
                         year_of_the_wrapped_date)
from .table_rows import (holding_dates, one_field_per_table_cell, one_table_per_line, table_regions, table_rows,
                         title_starts_its_row_line)
from .tagged import Tagged, joined_text, value_of
from .values import TABLE_AMOUNT, parse_date, split_footnotes
from .word_breaks import find_breaks

_FOOTNOTE_START = re.compile(r"^\(?(\d{1,2})[.):]$|^\((\d{1,2})\)")
_BARE_NUMBER = re.compile(r"^(\d{1,2}),?$")
# Fields whose values run over several words in a line, and how torn a word must be to follow a neighbour.
_PHRASE_FIELDS = frozenset({
    "issuer.name", "owners.*.name", "owners.*.address.street1", "owners.*.address.street2", "owners.*.address.city",
    "owners.*.relationship.officer_title", "owners.*.relationship.other_text", "signatures.*.name", "remarks",
    "footnotes.*.text", "non_derivative.*.security_title", "non_derivative.*.nature_of_ownership",
    "derivative.*.security_title", "derivative.*.underlying_title", "derivative.*.nature_of_ownership"})
_SURE_NEIGHBOUR = 0.8
_TORN_SHARE = 0.3
_TORN_MARGIN = 0.25
# The series letter of a title ("Class A Common Stock"), one space after the title's word, is the
# title's: the classifier reads a lone "A" as the acquired/disposed column's (0.85 on a dev PDF whose
# narrow cell tore "Clas" / "s A" / "Comm" / "on"). A table's A/D column stands a column gap away.
_SERIES_LETTER = re.compile(r"^[A-Z]$")
_SERIES_SHARE = 0.05
_SANDWICHED_SHARE = 0.2  # a word between two of a phrase's, this likely the phrase's, is the phrase's


@dataclass(frozen=True)
class DecodeSettings:
    """Which words count: a word's best label needs at least this probability."""

    min_word_probability: float = 0.3

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_word_probability < 1.0:
            raise ValueError(f"min_word_probability must be in [0, 1), not {self.min_word_probability}")


def decode(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
           settings: DecodeSettings | None = None, document_type: tuple[str, float] | None = None) -> Record:
    """A Record from `layout` and one row of class probabilities per word (in `layout.words` order)."""
    settings = settings or DecodeSettings()
    words = list(layout.words)
    best = probabilities.argmax(axis=1) if len(words) else np.zeros(0, int)
    argmax = best
    grid = layout.geometry == "grid"
    best = _values_of_their_columns_type(words, probabilities, classes, best)
    best = whole_state_names(layout, classes, best)  # before its words' neighbours pull them into other fields
    best = _follow_phrase_neighbours(words, probabilities, classes, best, grid)
    best = _fill_phrase_gaps(layout, probabilities, classes, best)
    best = issuer_name_after_its_caption(layout, probabilities, classes, best)
    best = ticker_in_its_brackets(layout, probabilities, classes, best)
    best = title_starts_its_row_line(layout, probabilities, classes, best)
    best = holding_dates(layout, probabilities, classes, best)
    if not grid:
        best = _box_title_wrapped_line(words, probabilities, classes, best)
    if layout.format in ("markdown", "html"):
        best = one_field_per_table_cell(layout, probabilities, classes, best)
    # Each "Name and Address" caption starts an owner's box: the line rules and the owners both need them.
    starts = owner_starts(layout)
    best = one_field_per_address_line(layout, probabilities, classes, best, starts)
    best = whole_field_lines(layout, probabilities, classes, best)
    if layout.format == "text":
        best = wrapped_text_cells(layout, probabilities, classes, best)
        best = rest_to_the_unfinished_title(layout, probabilities, classes, best)
        best = year_of_the_wrapped_date(layout, probabilities, classes, best)
        best = bare_markers_of_empty_dates(layout, probabilities, classes, best)
        best = owner_issuer_by_case(layout, probabilities, classes, best)
        best = title_wrapped_onto_the_next_dump_line(layout, probabilities, classes, best)
        best = issuer_name_wrapped_onto_its_tickers_line(layout, probabilities, classes, best)
    best = prose_lines_hold_no_signature(layout, classes, best, between_only=layout.format not in ("text", "markdown"))
    best = signature_lines_run_on(layout, probabilities, classes, best)
    tagged = [Tagged(w, i, str(classes[best[i]]), float(probabilities[i, best[i]])) for i, w in enumerate(words)]
    # A word the layout rules above moved to a field keeps it however unsure the classifier was.
    tagged = [t for t in tagged if t.field not in FILLERS
              and (t.probability >= settings.min_word_probability or best[t.index] != argmax[t.index])]
    tagged = _join_broken_words(tagged, layout)
    tagged = one_table_per_line(table_regions(tagged, layout), layout)
    record = Record()
    if document_type is not None:
        record.document_type = Value(value=document_type[0], confidence=round(document_type[1], 4), method="model")
    by_field: dict[str, list[Tagged]] = {}
    for t in tagged:
        by_field.setdefault(t.field, []).append(t)

    top_boxes_by_caption(by_field, layout)
    relationship_boxes_by_caption(by_field, words)
    _issuer_name_up_to_its_ticker(by_field, words)
    _header(record, by_field, words, grid)
    read_owners(record, by_field, layout, grid, starts)
    _joint_filing(record, [t for t in by_field.get("joint_filing", []) if t.word.checkbox is not False], words, grid)
    kind = record.document_type.value
    if kind and "/" not in kind and record.date_of_original_submission.present:
        record.document_type = record.document_type.model_copy(update={"value": kind + "/A"})  # an amendment
    base_type = (document_type[0] if document_type else "4")[0]
    for table, row_type in (("non_derivative", NonDerivativeRow), ("derivative", DerivativeRow)):
        rows = table_rows(table, row_type, tagged, grid, words if table == "derivative" else None,
                      wrapped=layout.format == "text", form=base_type)
        for row in rows:
            if row.kind == "transaction":
                row.transaction_form_type = Value(value=base_type, confidence=0.8, method="model")
                if not row.equity_swap_involved.present:
                    row.equity_swap_involved = Value(value=False, confidence=0.8, method="model")
        setattr(record, table, rows)
    record.footnotes = _footnotes(tagged, words, grid)
    record.signatures = read_signatures(by_field, layout, grid)
    record.source.format = layout.format
    record.source.path = layout.source
    record.source.pages = len(layout.pages)
    return record


_NUMBER_AND_DATE = re.compile(r"(date|shares|price|owned_following|period_of_report)$")
_BARE_DASH = re.compile(r"^[-\u2010-\u2015]+$")
_NUMBER = re.compile(r"(shares|price|owned_following|value)$")
# A whole date as a table prints it, a footnote marker perhaps glued on; a table's date field this likely takes it.
_TABLE_DATE = re.compile(r"^(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2})(?:[\[(]\d{1,2}[\])])*$")
_SOME_DATE = 0.05
_TITLE = re.compile(r"(security_title|underlying_title|nature_of_ownership)$")
_SOME_AMOUNT = 0.05


def _values_of_their_columns_type(words: list[Word], probabilities: np.ndarray, classes: np.ndarray,
                                  best: np.ndarray) -> np.ndarray:
    """Words to columns of their type. A bare dash holds no date or number, nor does a word of
    letters alone hold a number: each takes its likeliest other field (the dash of "Comm Stock -
    $.16-2/3 value", taken for a date, had split the title; the code "S" of "2/22/2021 S 23571 D"
    was taken for the amount at 0.80, the code 0.19). A whole date in a table row goes to the
    table's likeliest date column, and an amount as a table prints it, taken for a title, to the
    likeliest number column. (A bare "$" is a price's; a month's name is a date's.)"""
    typed = np.array([bool(_NUMBER_AND_DATE.search(str(c))) for c in classes])
    numbers = np.array([bool(_NUMBER.search(str(c))) for c in classes])
    table = np.array(["derivative.*." in str(c) for c in classes])
    table_dates = table & np.array([str(c).endswith("date") for c in classes])
    titles = np.array([bool(_TITLE.search(str(c))) for c in classes])
    table_numbers = numbers & np.array([str(c).startswith(("derivative.*.", "non_derivative.*.")) for c in classes])
    out = best.copy()
    for i, w in enumerate(words):
        if typed[best[i]] and _BARE_DASH.match(w.text):
            out[i] = int(np.argmax(np.where(typed, -1.0, probabilities[i])))
            after_title = i and same_line(words[i - 1], w) and _TITLE.search(str(classes[out[i - 1]]))
            if str(classes[out[i]]) in FILLERS and after_title:
                out[i] = out[i - 1]  # "Comm Stock -" wrapping onto "$.16-2/3 value": the title's own dash
        elif numbers[best[i]] and w.text.isalpha():
            out[i] = int(np.argmax(np.where(typed, -1.0, probabilities[i])))
        elif (table[best[i]] and not table_dates[best[i]] and _TABLE_DATE.match(w.text)
              and probabilities[i, table_dates].max(initial=0.0) >= _SOME_DATE):
            # "04/20/2023(2)" at 0.21 Table I's nature of ownership, 0.19 the exercise date.
            out[i] = int(np.argmax(np.where(table_dates, probabilities[i], -1.0)))
        elif (titles[best[i]] and TABLE_AMOUNT.match(w.text)
              and probabilities[i, table_numbers].max(initial=0.0) >= _SOME_AMOUNT):
            # "800[2]" at 0.35 Table I's nature of ownership: no title is an amount with its marker.
            out[i] = int(np.argmax(np.where(table_numbers, probabilities[i], -1.0)))
    return out


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
            if not same_cell_line(v, w, grid) or not -1.0 <= gap <= 1.5 * max(w.height, v.height):
                continue
            label = best[j]
            if (probabilities[j, label] >= _SURE_NEIGHBOUR and probabilities[i, label] >= _TORN_SHARE
                    and probabilities[i, best[i]] - probabilities[i, label] < _TORN_MARGIN):
                out[i] = label
                break
            if (j < i and _SERIES_LETTER.match(w.text) and str(classes[label]).endswith("_title")
                    and gap <= w.height and probabilities[i, label] >= _SERIES_SHARE):
                out[i] = label
                break
    return out


def _fill_phrase_gaps(layout: Layout, probabilities: np.ndarray, classes: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Up to three words taken for a printed label or nothing, between two words of one phrase field,
    are that phrase's: beside them on their line, or, in a table cell, stacked between them at the
    same left edge ("Common Shares [of Beneficial] Interest", "Southern / [Company] / Common Stock",
    "Chicken [Soup for the] Soul Entertainment, Inc.": the form's captions use those words, so the
    classifier reads them as captions). So is one word between them taken for another field that
    the phrase's is not far behind ("by Power [of] Attorney" at 0.74 remarks, 0.23 the signature)."""
    names = [str(c) for c in classes]
    phrase = {i for i, name in enumerate(names) if name in _PHRASE_FIELDS}
    fillers = filler_classes(names)
    out = best.copy()
    words = list(layout.words)
    position = {id(w): i for i, w in enumerate(words)}
    for line in layout.lines:
        members = [position[id(w)] for w in line.words]
        for k in range(1, len(members) - 1):
            for width in (1, 2, 3):
                if k + width >= len(members):
                    continue
                left, gap, right = members[k - 1], members[k:k + width], members[k + width]
                if (out[left] in phrase and out[left] == out[right]
                        and all((out[i] in fillers or (width == 1 and probabilities[i, out[left]] >= _SANDWICHED_SHARE))
                                and not CAPTION_WORD.match(words[i].text) for i in gap)
                        and not any(column_gap(words[a], words[b]) for a, b in zip([left, *gap], [*gap, right]))):
                    out[gap] = out[left]
    if layout.geometry != "grid":
        _fill_stacked_gaps(words, names, fillers, out)
    return out


_BOX_TITLES = ("owners.*.relationship.officer_title", "owners.*.relationship.other_text")


def _box_title_wrapped_line(words: list[Word], probabilities: np.ndarray, classes: np.ndarray,
                            best: np.ndarray) -> np.ndarray:
    """An officer's title wraps in its box, the next line at its left edge; the classifier doubts a
    last line that reads like a caption ("Chairman Emeritus and" / "Director", "... & Corp" / "Sec").
    It is the title's when the title runs on ("and", a comma) or the classifier is nearly as sure."""
    names = [str(c) for c in classes]
    fillers = filler_classes(names)
    out = best.copy()
    for name in _BOX_TITLES:
        if name not in names:
            continue
        field = names.index(name)
        title = [i for i in range(len(words)) if out[i] == field]
        if not title:
            continue
        first, last = words[title[0]], max((words[i] for i in title), key=lambda w: (w.bottom, w.x1))
        height = max(last.height, 1.0)
        share = _WRAP_AFTER_RUN_ON if RUNS_ON.search(last.text) else _WRAP_SURE
        for i, w in enumerate(words):
            if (out[i] in fillers and w.page == last.page and abs(w.x0 - first.x0) <= 0.6 * height
                    and 0 <= w.top - last.bottom <= 0.8 * height and probabilities[i, field] >= share
                    and not CAPTION_WORD.match(w.text)):
                out[i] = field
        # A first line that runs on ("Head of" / "Development") is the title's however like a caption it reads.
        above = _run_at(words, first, lambda w: 0 <= first.top - w.bottom <= 0.8 * height)
        if above and RUNS_ON.search(words[above[-1]].text) and all(
                out[i] in fillers and not CAPTION_WORD.match(words[i].text) for i in above):
            out[above] = field
    return out


def _run_at(words: list[Word], edge: Word, on_line) -> list[int]:
    """The words of the line `on_line` picks that start at `edge`'s left edge, up to a column gap."""
    start = next((i for i, w in enumerate(words) if w.page == edge.page and on_line(w)
                  and abs(w.x0 - edge.x0) <= 0.6 * max(edge.height, 1.0)), None)
    if start is None:
        return []
    run = [start]
    for i in range(start + 1, len(words)):
        if not same_line(words[i], words[run[-1]]) or column_gap(words[run[-1]], words[i]):
            break
        run.append(i)
    return run


_WRAP_AFTER_RUN_ON = 0.01
_WRAP_SURE = 0.3


_STACKED_FIELDS = frozenset({"non_derivative.*.security_title", "non_derivative.*.nature_of_ownership",
                             "derivative.*.security_title", "derivative.*.underlying_title",
                             "derivative.*.nature_of_ownership"})


def _fill_stacked_gaps(words: list[Word], names: list[str], fillers: set[int], out: np.ndarray) -> None:
    """In a table cell a title wraps line under line at one left edge: a caption-like word stacked
    between two lines of one title ("Southern" / "Company" / "Common Stock") is the title's."""
    stacked = {i for i, name in enumerate(names) if name in _STACKED_FIELDS}
    starts = [i for i, w in enumerate(words) if out[i] in stacked]
    for i, w in enumerate(words):
        if out[i] not in fillers or CAPTION_WORD.match(w.text):
            continue
        column = [j for j in starts if words[j].page == w.page and abs(words[j].x0 - w.x0) <= 0.6 * w.height]
        above = [j for j in column if 0 <= w.top - words[j].bottom <= 0.8 * w.height]
        below = [j for j in column if 0 <= words[j].top - w.bottom <= 0.8 * w.height]
        fields = {out[j] for j in above} & {out[j] for j in below}
        if len(fields) == 1:
            out[i] = fields.pop()


def _join_broken_words(tagged: list[Tagged], layout: Layout) -> list[Tagged]:
    """A value word a narrow cell broke in two reads whole, under its first piece's tag (`word_breaks`)."""
    breaks = find_breaks(layout, [t.word for t in tagged])  # first pieces are tagged words
    if not breaks:
        return tagged
    joined = {id(b.first): b.joined for b in breaks}
    dropped = {id(b.second) for b in breaks}
    return [t if id(t.word) not in joined else Tagged(joined[id(t.word)], t.index, t.field, t.probability)
            for t in tagged if id(t.word) not in dropped]


def _inside_brackets(tags: list[Tagged], words: list[Word]) -> list[Tagged]:
    """The ticker's words from the last opening bracket among them: the form prints "NAME [ TICKER ]",
    and the word before the bracket tagged with it is the name's ("CORP [ KLAC ]" read "corp klac")."""
    if len(tags) < 2:
        return tags
    ordered = sorted(tags, key=lambda t: t.index)
    opening = [i for i in range(ordered[0].index, ordered[-1].index + 1) if any(c in words[i].text for c in "[{(")]
    if not opening:
        return ordered
    return [t for t in ordered if t.index >= opening[-1]] or ordered


def _issuer_name_up_to_its_ticker(by_field: dict[str, list[Tagged]], words: list[Word]) -> None:
    """The issuer's name is one place on the form and runs up to its ticker's bracket.

    Name words away from the line the name mostly stands on go (a footnote's "GIM"); words between
    the name and the ticker on its line join it: OCR glues the bracket on ("Public Storage[", which
    then reads as a label) or the classifier gives the name's last word to the ticker ("KLA CORP [").
    """
    names = sorted(by_field.get("issuer.name", []), key=lambda t: t.index)
    if not names:
        return
    # The ticker prints on the name's line: a line with both is the name's whatever else was tagged;
    # otherwise the first line with half the likeliest line's weight, as the header comes first.
    symbols = by_field.get("issuer.trading_symbol", [])
    weight = {t.index: sum(u.probability for u in names if same_line(u.word, t.word)) for t in names}
    main = max(names, key=lambda t: (any(same_line(u.word, t.word) for u in symbols),
                                     2 * weight[t.index] >= max(weight.values()), -t.index))
    # A long name wraps once in its cell: the line below the main one still holds it.
    near = [t for t in names if t.word.page == main.word.page
            and abs(t.word.top - main.word.top) <= 2.5 * max(main.word.height, 1.0)]
    tickers = _inside_brackets(symbols, words)
    if tickers and same_line(tickers[0].word, main.word):
        # The bracketed ticker ends the name: a name word on a line below is another box's ("HOUSTON").
        near = [t for t in near if t.word.top <= main.word.top + 0.5 * max(main.word.height, 1.0)]
    last = max(near, key=lambda t: t.index)
    if tickers and same_line(tickers[0].word, last.word) and tickers[0].index > last.index:
        others = {t.index for name, tags in by_field.items() if name not in ("issuer.name", "issuer.trading_symbol")
                  for t in tags}
        between = [i for i in range(last.index + 1, tickers[0].index)
                   if same_line(words[i], last.word) and last.word.x1 <= words[i].x0 < tickers[0].word.x0
                   and words[i].text.strip("[](){}|")]
        if between and not others.intersection(between):
            near += [Tagged(words[i], i, "issuer.name", last.probability) for i in between]
            moved = set(between)
            by_field["issuer.trading_symbol"] = [t for t in by_field["issuer.trading_symbol"] if t.index not in moved]
    by_field["issuer.name"] = sorted(near, key=lambda t: t.index)
    _issuer_words_ending_an_address_line(by_field, [t for t in names if t not in near])
    _owner_word_that_starts_the_tickers_name(by_field, tickers)


def _owner_word_that_starts_the_tickers_name(by_field: dict[str, list[Tagged]], tickers: list[Tagged]) -> None:
    """A dump that runs the owner and the issuer together on one line ("DOLUCA TUNC ANALOG DEVICES
    INC [ ADI ]") lets the owner's name take the issuer's first word. Where the ticker's first letter
    is that word's and not the issuer name's, the word is the issuer's."""
    owners, issuer = by_field.get("owners.*.name", []), by_field.get("issuer.name", [])
    if not (owners and issuer and tickers):
        return
    first = min(issuer, key=lambda t: t.index)
    before = [t for t in owners if t.index == first.index - 1 and same_line(t.word, first.word)]
    letter = tickers[0].word.text.strip("[](){}|")[:1].upper()
    if (not before or not letter or first.word.text[:1].upper() == letter
            or before[0].word.text[:1].upper() != letter
            or sum(1 for t in owners if same_line(t.word, first.word)) < 3):
        return
    by_field["owners.*.name"] = [t for t in owners if t is not before[0]]
    by_field["issuer.name"] = [Tagged(before[0].word, before[0].index, "issuer.name", before[0].probability)] + issuer


def _issuer_words_ending_an_address_line(by_field: dict[str, list[Tagged]], dropped: list[Tagged]) -> None:
    """An issuer-name word away from the issuer's line that goes on a name or street line is that
    line's: "C/O ALTI GLOBAL, INC." repeats the issuer's name, so its "INC." read as the issuer's."""
    before = {t.index: (name, t) for name in ADDRESS_LINE_FIELDS for t in by_field.get(name, [])}
    for t in dropped:
        field, previous = before.get(t.index - 1, (None, None))
        if previous is not None and same_line(previous.word, t.word):
            moved = Tagged(t.word, t.index, field, t.probability)
            by_field[field].append(moved)
            before[t.index] = (field, moved)


def _header(record: Record, by_field: dict[str, list[Tagged]], words: list[Word], grid: bool) -> None:
    for name in ("period_of_report", "date_of_original_submission"):
        tags = by_field.get(name, [])
        date = parse_date(joined_text(tags))
        if date:
            setattr(record, name, value_of(tags, date, grid))
    tags = by_field.get("issuer.name", [])
    text, _ = split_footnotes(joined_text(tags))
    # The name runs up to the ticker's bracket, which OCR glues on ("CORP /DE/[") or reads as "," or "|".
    text = " ".join(text.split()).rstrip(",;:[{(|")
    # OCR glues a short ticker on to the name's last word: "FORD MOTOR Co[F]".
    glued = _GLUED_TICKER.search(text)
    if glued:
        text = text[:glued.start()].rstrip(",;: ")
    if text:
        record.issuer.name = value_of(tags, text, grid)
    symbol_tags = _inside_brackets(by_field.get("issuer.trading_symbol", []), words)
    symbol = TICKER_MARK.sub("", joined_text(symbol_tags)).strip()
    if symbol:
        record.issuer.trading_symbol = value_of(symbol_tags, symbol.upper(), grid)
    elif glued:
        record.issuer.trading_symbol = value_of(tags[-1:], glued.group(1).upper(), grid)
    tags = by_field.get("remarks", [])
    if tags:
        record.remarks = value_of(tags, joined_text(tags), grid)
    for name in TOP_BOXES:
        tags = [t for t in by_field.get(name, []) if t.word.checkbox is not False]
        if name == "joint_filing":
            continue  # decided with the owners: the mark may sit by either caption
        if tags:
            setattr(record, name, value_of(tags, True, grid))
        elif name in CAPTIONED_BOXES:
            setattr(record, name, Value(value=False, confidence=0.6, method="model"))


def _joint_filing(record: Record, tags: list[Tagged], words: list[Word], grid: bool) -> None:
    """The filing box's mark: by "more than one reporting person" it is joint, by "one reporting person" not."""
    for t in tags:
        # The caption on the mark's right, not the words after it in reading order: a scan's mark that
        # sits a little low starts a line of its own, and the next line's caption is the other box's.
        beside = sorted((w for w in words if w is not t.word and same_line(t.word, w) and w.x0 >= t.word.x1 - 1.0),
                        key=lambda w: w.x0)[:4] or words[t.index + 1:t.index + 5]
        after = " ".join(w.text for w in beside).lower()
        if "more" in after or "joint" in after:
            record.joint_filing = value_of([t], True, grid)
            return
        if "one" in after or "individual" in after:
            record.joint_filing = value_of([t], False, grid)
            return
    record.joint_filing = Value(value=len(record.owners) > 1, confidence=0.7, method="model")


_GLUED_TICKER = re.compile(r"(?<=[A-Za-z.])\[\s*([A-Za-z]{1,5})\s*\]?$")


def _footnotes(tagged: list[Tagged], layout_words: list[Word], grid: bool) -> list[Footnote]:
    words = sorted((t for t in tagged if t.field in ("footnotes.*.text", "footnote_ref")), key=lambda t: t.index)
    notes: list[tuple[str, list[Tagged]]] = []
    for t in words:
        match = _FOOTNOTE_START.match(t.word.text)
        number = int(match.group(1) or match.group(2)) if match else _bare_next_number(t, notes, layout_words, grid)
        if number is not None and _is_start(t, words):
            note_id = f"F{number}"
            # A number in a footnote's sentence ("convert into one (1) share") starts no footnote:
            # footnotes start their lines, in the order of their numbers.
            inside = notes and (int(note_id[1:]) <= max(int(n[1:]) for n, _ in notes)
                                or _line_goes_on(layout_words, t.index, grid))
            if not inside:
                notes.append((note_id, []))
            else:
                notes[-1][1].append(t)  # the sentence's own "(1)"
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
        out.append(Footnote(id=note_id, text=value_of(tags, joined_text(tags), grid)))
    return out


def _bare_next_number(t: Tagged, notes: list[tuple[str, list[Tagged]]], words: list[Word],
                      grid: bool) -> int | None:
    """A footnote's number whose full stop the OCR lost or read as a comma ("3 Vests May 18, 2024",
    "4, Represents ..."): a number the classifier took for a marker, first on its line, and the
    number after the last footnote's."""
    match = _BARE_NUMBER.match(t.word.text)
    if match is None or t.field != "footnote_ref" or not notes or _line_goes_on(words, t.index, grid):
        return None
    number = int(match.group(1))
    return number if number == max(int(n[1:]) for n, _ in notes) + 1 else None


def _line_goes_on(words: list[Word], index: int, grid: bool) -> bool:
    """The word at `index` is not the first of its line: the word before it in reading order shares it."""
    if index == 0:
        return False
    before, word = words[index - 1], words[index]
    return same_cell_line(before, word, grid) if grid else same_line(before, word)


def _is_start(t: Tagged, words: list[Tagged]) -> bool:
    """A numbered marker starts a footnote when footnote text follows it."""
    after = [w for w in words if w.index > t.index][:1]
    return bool(after) and after[0].field == "footnotes.*.text" and after[0].index == t.index + 1
