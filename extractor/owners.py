"""Reporting owners from the words the classifier tagged as theirs: names, addresses, boxes.

`decode` hands over the tagged words by field; each word goes to the owner whose "Name and
Address" caption comes before it, and each owner's street, city, state and zip are read from
their lines (a state on its own line, the quadrant that ends a street, a suite's number).
"""

from __future__ import annotations

import re

from .layout.document import Layout, Word
from .line_fields import same_cell_line
from .records import RELATIONSHIP_BOXES, Record, ReportingOwner, Value
from .tagged import Tagged, joined_text, value_of
from .values import is_check_mark, is_unit_word, state_code


def read_owners(record: Record, by_field: dict[str, list[Tagged]], layout: Layout, grid: bool,
                starts: list[Word]) -> None:
    """The reporting owners of `record` from their tagged words, each word given to the owner whose
    "Name and Address" caption (`starts`) comes last before it in reading order."""
    owner_tags = {k: v for k, v in by_field.items() if k.startswith("owners.*.")}
    if not owner_tags:
        return
    order = {id(w): i for i, w in enumerate(layout.words)}
    start_positions = sorted(order[id(w)] for w in starts)

    def owner_of(t: Tagged) -> int:
        if len(start_positions) <= 1:
            return 0
        # On a page the caption nearest above-left in reading order owns the word; box
        # layouts side by side are rare enough for reading order to do.
        return max(sum(1 for p in start_positions if p <= t.index) - 1, 0)

    grouped: dict[int, dict[str, list[Tagged]]] = {}
    for name, tags in owner_tags.items():
        for t in tags:
            grouped.setdefault(owner_of(t), {}).setdefault(name[len("owners.*."):], []).append(t)
    for index in sorted(grouped):
        fields = grouped[index]
        _state_on_its_line(fields, grid)
        owner = ReportingOwner()
        for path, tags in fields.items():
            text = joined_text(tags)
            if path.startswith("relationship.is_"):
                # A short word may be a mark OCR misread; box edges alone are none: a lone bracket (the
                # "]" of "[ WAL ]") or an empty box read "{_]", "[_" or "Ll]".
                tags = [t for t in tags if t.word.checkbox is not False and (
                    t.word.checkbox or is_check_mark(t.word.text)
                    or len(t.word.text) <= 3 and not _empty_box(t.word.text))]
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
        streets = fields.get("address.street1", []) + fields.get("address.street2", [])
        if not owner.name.present:
            streets = _first_street_line_as_name(owner, streets, grid)
        _title_boxes(owner.relationship)
        for flag in RELATIONSHIP_BOXES:
            if not getattr(owner.relationship, flag).present:
                setattr(owner.relationship, flag, Value(value=False, confidence=0.5, method="model"))
        _street_lines(owner, streets, grid)
        if owner.name.present:
            record.owners.append(owner)


def _first_street_line_as_name(owner: ReportingOwner, streets: list[Tagged], grid: bool) -> list[Tagged]:
    """An owner whose name nothing was tagged as, but whose street runs over two lines or more:
    the first line is the name. On faxes the classifier took "DOLUCA TUNC" over "ONE ANALOG WAY"
    for a first street line, and the owner, nameless, was dropped with its address and boxes.
    Returns the street words left."""
    lines = _line_runs(streets, grid)
    if len(lines) < 2:
        return streets
    owner.name = value_of(lines[0], joined_text(lines[0]), grid)
    return [t for line in lines[1:] for t in line]


_BOX_EDGES = "[](){}|_ "
_STROKES = set("lLiI|_")  # what OCR makes of an empty box's sides beside a bracket ("Ll]", "i]")
_QUADRANTS = {"NW", "NE", "SW", "SE"}  # on a street's line they end the street; on the city's line NE is Nebraska
_SUITE = re.compile(r"^(?:suite|ste\.?|unit|apt\.?|room|#)$", re.IGNORECASE)


def _empty_box(text: str) -> bool:
    inside = text.strip(_BOX_EDGES)
    return not inside or text != inside and set(inside) <= _STROKES


def _state_on_its_line(fields: dict[str, list[Tagged]], grid: bool) -> None:
    """The state is the one word run that names a state, on the city's line when there are several.

    A street's "NW" or "SE" is sometimes tagged state too; joined with the real "DC" the two
    named no state at all. A run on a street's line that names no state goes back to that street.
    """
    runs = _line_runs(fields.get("address.state", []), grid)
    streets = fields.get("address.street1", []) + fields.get("address.street2", [])

    def names_state(run: list[Tagged]) -> bool:
        text = joined_text(run)
        on_street = any(same_cell_line(run[0].word, t.word, grid) for t in streets)
        return state_code(text) is not None and not (on_street and text.strip(",.").upper() in _QUADRANTS)

    named = [run for run in runs if names_state(run)]
    if not runs or len(runs) == 1 and named:
        return
    anchors = fields.get("address.city", []) + fields.get("address.zip_code", [])
    on_city_line = [run for run in named if any(same_cell_line(run[0].word, a.word, grid) for a in anchors)]
    state = (on_city_line or named or [None])[-1]
    fields["address.state"] = state or []
    for run in runs:
        if run is state:
            continue
        for key in ("address.street1", "address.street2"):
            if any(same_cell_line(run[0].word, t.word, grid) for t in fields.get(key, [])):
                fields[key] = sorted(fields[key] + run, key=lambda t: t.index)
                break


def _line_runs(tags: list[Tagged], grid: bool) -> list[list[Tagged]]:
    runs: list[list[Tagged]] = []
    for t in sorted(tags, key=lambda t: t.index):
        if runs and same_cell_line(runs[-1][-1].word, t.word, grid):
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs


def _title_boxes(relationship) -> None:
    """The officer title and the "other" text against the boxes they go with.

    Each is given only with its box checked (so are all 1,156 titled owners in 2,000 train
    filings). A text under the box that is checked belongs to it; a title with no box read at
    all checks its own, as OCR misses marks more often than words.
    """
    officer, other = relationship.officer_title, relationship.other_text
    if relationship.is_other.present and not relationship.is_officer.present and officer.present:
        relationship.other_text, relationship.officer_title = _joined(other, officer), type(officer)()
    elif relationship.is_officer.present and not relationship.is_other.present and other.present:
        relationship.officer_title, relationship.other_text = _joined(officer, other), type(other)()
    if any(getattr(relationship, flag).present for flag in RELATIONSHIP_BOXES):
        return
    for text, flag in (("officer_title", "is_officer"), ("other_text", "is_other")):
        given = getattr(relationship, text)
        if given.present and str(given.value).strip():
            setattr(relationship, flag, given.model_copy(update={"value": True}))


def _joined(first: Value, second: Value) -> Value:
    """One text of two values read apart ("See" as the other text, "Remarks" as a title), in reading order."""
    if not first.present:
        return second
    a, b = sorted((first, second), key=_reading_place)
    return a.model_copy(update={"value": f"{a.value} {b.value}", "confidence": min(a.confidence, b.confidence)})


def _reading_place(v: Value) -> tuple:
    p = v.provenance
    return (p.page, p.bbox[1], p.bbox[0]) if p is not None and p.bbox is not None else (0, 0.0, 0.0)


def _street_lines(owner: ReportingOwner, tags: list[Tagged], grid: bool) -> None:
    """Street words by whole lines: the first line is street 1, and so are the lines after it up to
    the first that has a word tagged street 2 or starts with a number; the rest are street 2. The
    classifier mixes the two up word by word, and tags a second street line as street 1 as often
    as not, but a line before those is street 1 wrapped in a narrow cell ("C/O LAM RESEARCH" /
    "CORPORATION" / "4650 CUSHING PARKWAY"). Where no later line is either, street 2 is all of them.

    On a grid each cell is a line of its own: markdown puts both street lines in one row.
    """
    lines = _line_runs(tags, grid)
    if not lines:
        return
    if grid and len(lines) == 1:
        lines = _one_cell_street_lines(lines[0])
    lines = _units_with_their_numbers(lines)
    second = [k for k in range(1, len(lines))
              if any(t.field.endswith("street2") for t in lines[k]) or lines[k][0].word.text[:1].isdigit()]
    split = second[0] if second else 1
    first = [t for line in lines[:split] for t in line]
    owner.address.street1 = value_of(first, joined_text(first).rstrip(","), grid)
    rest = [t for line in lines[split:] for t in line]
    owner.address.street2 = value_of(rest, joined_text(rest).rstrip(","), grid) if rest else type(owner.address.street2)()


def _units_with_their_numbers(lines: list[list[Tagged]]) -> list[list[Tagged]]:
    """A line that is only a unit's number goes back to the line ending with the unit's word ("6650 SW
    REDWOOD LANE, SUITE" / "210"): it is no street line of its own, let alone the second street."""
    out: list[list[Tagged]] = []
    for line in lines:
        if (out and len(line) == 1 and is_unit_word(out[-1][-1].word.text)
                and any(c.isdigit() for c in line[0].word.text) and len(line[0].word.text) <= 5):
            out[-1] = out[-1] + line
        else:
            out.append(line)
    return out


def _one_cell_street_lines(run: list[Tagged]) -> list[list[Tagged]]:
    """The street lines a markdown cell ran together: split where the underlined runs change, else
    after a "C/O ..." line where the street's number starts ("C/O VICTORY PARK CAPITAL ADVISORS,
    LLC 150 NORTH RIVERSIDE PLAZA")."""
    for k in range(1, len(run)):
        before, here = run[k - 1].word.chunk, run[k].word.chunk
        if before is not None and here is not None and before != here:
            return [run[:k], run[k:]]
    if run[0].word.text.lower().startswith(("c/o", "attn")):
        for k in range(2, len(run)):
            if run[k].word.text[:1].isdigit():
                return [run[:k], run[k:]]
    # "ONE MANHATTANVILLE ROAD SUITE 201": a suite with no comma before it was a line of its own
    # ("PLAZA, SUITE 5200" is one line).
    for k in range(1, len(run) - 1):
        if (_SUITE.match(run[k].word.text) and any(c.isdigit() for c in run[k + 1].word.text)
                and not run[k - 1].word.text.endswith(",")):
            return [run[:k], run[k:]]
    return [run]
