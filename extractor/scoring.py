"""Comparing an extracted record with a gold one, field by field.

Values are compared in normal form: decimals by value, dates as ISO, state names as their
two-letter codes, other text with white space folded and case ignored, footnote ids as a set.
Fields a rendered form never shows (CIKs, schema version, XML-only flags) are left out, since no
extractor can see them. Rows of the owners, both tables and the signatures are matched between
gold and prediction by an assignment that maximises equal cells, so one dropped row costs its own
cells and never shifts the rows after it. The rules are written out in docs/scoring.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, computed_field

from .records import RELATIONSHIP_BOXES, Record
from .values import decimal_text, state_code

NOT_PRINTED = (
    "issuer.cik",
    ".cik",
    ".ccc",
    "address.state_description",
    "address.country",
    "address.non_us_state_territory",
    "address.non_us_address",
    "address.good_address",
    "equity_swap_involved",
    "transaction_timeliness",
    "total_value",
    "value_owned_following",
    "underlying_value",
)

# Lists whose items are matched between gold and prediction rather than compared by position.
MATCHED_LISTS = ("owners", "non_derivative", "derivative", "signatures")
TABLES = ("non_derivative", "derivative")

# The boxes each printed form shows above its tables (edgar_xml reads them as False when absent).
FORM_BOXES = {
    "3": ("no_securities_owned", "joint_filing"),
    "4": ("not_subject_to_section16", "aff10b5_one", "joint_filing"),
    "5": (
        "not_subject_to_section16", "aff10b5_one", "form3_holdings_reported",
        "form4_transactions_reported", "joint_filing",
    ),
}
ALL_FORM_BOXES = tuple(dict.fromkeys(box for boxes in FORM_BOXES.values() for box in boxes))

_INDEX = re.compile(r"\.\d+(?=\.|$)")


@dataclass(frozen=True)
class Cell:
    """One printed field in normal form, with the confidence the extractor gave it."""

    value: str | None
    footnote_ids: frozenset[str]
    confidence: float = 1.0
    method: str = "xml"  # what produced the value, for calibration per method

    @property
    def key(self) -> tuple[str | None, frozenset[str]]:
        return self.value, self.footnote_ids


def _not_printed(path: str) -> bool:
    return any(path.endswith(suffix) or suffix + "." in path for suffix in NOT_PRINTED)


def normal_value(path: str, value: Any) -> str | None:
    """A value as the text it is compared by (see docs/scoring.md)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = " ".join(str(value).split())
    if path.endswith("address.state"):
        code = state_code(text)
        if code:
            return code.casefold()
    return text.casefold()


def cells(record: Record) -> dict[str, Cell]:
    """Every printed field with its normal value; empty fields and unchecked boxes left out."""
    out: dict[str, Cell] = {}
    for path, item in record.values():
        if _not_printed(path) or not item.present:
            continue
        normal = normal_value(path, item.value)
        if normal == "false" and not item.footnote_ids:
            continue  # an unchecked box and an absent one read the same on paper
        out[path] = Cell(normal, frozenset(item.footnote_ids), item.confidence, item.method)
    for index, note in enumerate(record.footnotes):
        out.pop(f"footnotes.{index}.text", None)
        out[f"footnote.{note.id}"] = Cell(normal_value("footnote", note.text.value), frozenset(), note.text.confidence,
                                          note.text.method)
    return out


def comparable(record: Record) -> dict[str, tuple[str | None, frozenset[str]]]:
    """Every printed field with its normal value and footnote ids; empty fields left out."""
    return {path: cell.key for path, cell in cells(record).items()}


def field_group(path: str) -> str:
    """The field a path is an instance of: `non_derivative.3.shares` -> `non_derivative.*.shares`."""
    if path.startswith("footnote."):
        return "footnote.*"
    return _INDEX.sub(".*", path)


# --- matching rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowMatch:
    """A gold row and the predicted row matched to it; either side None when unmatched."""

    table: str
    gold: int | None
    predicted: int | None
    equal_cells: int


def _split(path: str) -> tuple[str, int, str] | None:
    head, _, rest = path.partition(".")
    if head not in MATCHED_LISTS:
        return None
    index, _, leaf = rest.partition(".")
    return (head, int(index), leaf) if index.isdigit() and leaf else None


def _rows(found: dict[str, Cell], table: str, count: int) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = [{} for _ in range(count)]
    for path, cell in found.items():
        parts = _split(path)
        if parts and parts[0] == table and parts[1] < count:
            rows[parts[1]][parts[2]] = cell
    return rows


def _kinds(record: Record, table: str) -> list[str]:
    return [getattr(item, "kind", "") for item in getattr(record, table)]


def match_rows(
    gold_rows: list[dict[str, Cell]], predicted_rows: list[dict[str, Cell]],
    gold_kinds: list[str] | None = None, predicted_kinds: list[str] | None = None,
) -> list[tuple[int, int, int]]:
    """(gold, predicted, equal cells) pairs of an assignment that maximises equal cells.

    Ties go to the pair nearer in document order, so identical rows keep their order. Rows with
    no equal cell are left unmatched: pairing them would not change any count.
    """
    if not gold_rows or not predicted_rows:
        return []
    from scipy.optimize import linear_sum_assignment

    gold_kinds = gold_kinds or [""] * len(gold_rows)
    predicted_kinds = predicted_kinds or [""] * len(predicted_rows)
    equal = np.zeros((len(gold_rows), len(predicted_rows)))
    weight = np.zeros_like(equal)
    for g, gold in enumerate(gold_rows):
        for p, predicted in enumerate(predicted_rows):
            same = sum(1 for leaf, cell in gold.items() if leaf in predicted and predicted[leaf].value == cell.value)
            size = max(len(gold), len(predicted), 1) + 1
            kind_same = gold_kinds[g] == predicted_kinds[p]
            equal[g, p] = same
            # Equal cells first; then the row kind and the share of equal cells; then document order.
            weight[g, p] = same + 0.01 * (same + kind_same) / size - 1e-6 * abs(g - p)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return [(int(g), int(p), int(equal[g, p])) for g, p in zip(rows, cols) if equal[g, p] > 0]


@dataclass(frozen=True)
class Alignment:
    """Gold and predicted cells with every predicted row renumbered to its matched gold row."""

    gold: dict[str, Cell]
    predicted: dict[str, Cell]
    matches: tuple[RowMatch, ...]


def align(gold: Record, predicted: Record) -> Alignment:
    gold_cells, predicted_cells = cells(gold), cells(predicted)
    renumber: dict[tuple[str, int], int] = {}
    matches: list[RowMatch] = []
    for table in MATCHED_LISTS:
        n_gold, n_predicted = len(getattr(gold, table)), len(getattr(predicted, table))
        pairs = match_rows(
            _rows(gold_cells, table, n_gold), _rows(predicted_cells, table, n_predicted),
            _kinds(gold, table), _kinds(predicted, table),
        )
        matched_gold = {g for g, _, _ in pairs}
        for g, p, same in pairs:
            renumber[(table, p)] = g
            matches.append(RowMatch(table, g, p, same))
        spare = n_gold  # unmatched predicted rows go after every gold row, so they never collide
        for p in range(n_predicted):
            if (table, p) not in renumber:
                renumber[(table, p)] = spare
                spare += 1
                matches.append(RowMatch(table, None, p, 0))
        matches.extend(RowMatch(table, g, None, 0) for g in range(n_gold) if g not in matched_gold)
    aligned: dict[str, Cell] = {}
    for path, cell in predicted_cells.items():
        parts = _split(path)
        if parts:
            path = f"{parts[0]}.{renumber[(parts[0], parts[1])]}.{parts[2]}"
        aligned[path] = cell
    return Alignment(gold_cells, aligned, tuple(matches))


def differences(gold: Record, predicted: Record) -> list[tuple[str, Any, Any]]:
    """(field, gold, predicted) for every printed field that differs, rows matched first."""
    alignment = align(gold, predicted)
    expected = {k: c.key for k, c in alignment.gold.items()}
    got = {k: c.key for k, c in alignment.predicted.items()}
    return [(k, expected.get(k), got.get(k)) for k in sorted(set(expected) | set(got)) if expected.get(k) != got.get(k)]


# --- scores --------------------------------------------------------------------------------------


class Counts(BaseModel):
    """True positives, false positives and false negatives of field values."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    # Nothing predicted and nothing to find is perfect; nothing predicted but something to find
    # has precision 1 (no wrong answer) and recall 0, so F1 is 0.
    @computed_field
    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @computed_field
    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @computed_field
    @property
    def f1(self) -> float:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 1.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)


class RowCounts(BaseModel):
    """Table rows: how many in gold and prediction, how many matched, how many exactly right."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    exact: int = 0

    @computed_field
    @property
    def exact_share(self) -> float:
        """Share of gold rows read with every cell and footnote right."""
        return self.exact / self.gold if self.gold else 1.0

    def __add__(self, other: RowCounts) -> RowCounts:
        return RowCounts(**{k: getattr(self, k) + getattr(other, k) for k in ("gold", "predicted", "matched", "exact")})


class LinkCounts(BaseModel):
    """(cell, footnote id) links: in gold, in the prediction, and found (in both)."""

    gold: int = 0
    predicted: int = 0
    found: int = 0

    @computed_field
    @property
    def accuracy(self) -> float:
        """Share of gold links present in the prediction."""
        return self.found / self.gold if self.gold else 1.0

    @computed_field
    @property
    def precision(self) -> float:
        return self.found / self.predicted if self.predicted else 1.0

    def __add__(self, other: LinkCounts) -> LinkCounts:
        return LinkCounts(gold=self.gold + other.gold, predicted=self.predicted + other.predicted,
                          found=self.found + other.found)


class BoxCounts(BaseModel):
    """Checkboxes compared as booleans on both sides (unchecked counts)."""

    total: int = 0
    correct: int = 0

    @computed_field
    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def __add__(self, other: BoxCounts) -> BoxCounts:
        return BoxCounts(total=self.total + other.total, correct=self.correct + other.correct)


ErrorKind = Literal["wrong", "missing", "spurious", "footnotes", "checkbox"]


class FieldError(BaseModel):
    """One field the prediction got wrong, next to the gold."""

    path: str
    kind: ErrorKind
    gold: str | None = None
    predicted: str | None = None
    gold_footnotes: list[str] = Field(default_factory=list)
    predicted_footnotes: list[str] = Field(default_factory=list)
    confidence: float | None = None


class RecordScore(BaseModel):
    """Everything scored on one gold/prediction pair."""

    total: Counts = Field(default_factory=Counts)
    fields: dict[str, Counts] = Field(default_factory=dict)
    rows: dict[str, RowCounts] = Field(default_factory=dict)
    links: LinkCounts = Field(default_factory=LinkCounts)
    checkboxes: BoxCounts = Field(default_factory=BoxCounts)
    errors: list[FieldError] = Field(default_factory=list)
    # (confidence, value right) of every predicted field value, for calibration.
    confidences: list[tuple[float, bool]] = Field(default_factory=list)

    @computed_field
    @property
    def exact(self) -> bool:
        """Every value, footnote link and checkbox right."""
        return not self.errors


def _box(cell: Cell | None) -> bool:
    return cell is not None and cell.value == "true"


def _box_paths(gold: Record, n_owners: int) -> list[str]:
    form = (gold.document_type.value or "").split("/")[0]
    boxes = list(FORM_BOXES.get(form, ALL_FORM_BOXES))
    boxes += [f"owners.{i}.relationship.{box}" for i in range(n_owners) for box in RELATIONSHIP_BOXES]
    return boxes


def score_record(gold: Record, predicted: Record | None) -> RecordScore:
    """Score a prediction against its gold; None (the extraction failed) loses every gold field."""
    if predicted is None:
        alignment = Alignment(cells(gold), {}, ())
    else:
        alignment = align(gold, predicted)
    expected, got = alignment.gold, alignment.predicted
    score = RecordScore()
    for path in sorted(set(expected) | set(got)):
        e, g = expected.get(path), got.get(path)
        e_value = e.value if e else None
        g_value = g.value if g else None
        counts = Counts(
            tp=int(e_value is not None and e_value == g_value),
            fp=int(g_value is not None and e_value != g_value),
            fn=int(e_value is not None and e_value != g_value),
        )
        group = field_group(path)
        score.fields[group] = score.fields.get(group, Counts()) + counts
        score.total = score.total + counts
        if g_value is not None:
            score.confidences.append((g.confidence, e_value == g_value))
        e_notes = e.footnote_ids if e else frozenset()
        g_notes = g.footnote_ids if g else frozenset()
        score.links = score.links + LinkCounts(gold=len(e_notes), predicted=len(g_notes), found=len(e_notes & g_notes))
        if e_value != g_value or e_notes != g_notes:
            if e_value == g_value:
                kind = "footnotes"
            elif e_value is None:
                kind = "spurious"
            elif g_value is None:
                kind = "missing"
            else:
                kind = "wrong"
            score.errors.append(FieldError(
                path=path, kind=kind, gold=e_value, predicted=g_value, gold_footnotes=sorted(e_notes),
                predicted_footnotes=sorted(g_notes), confidence=g.confidence if g else None,
            ))
    extra_owners = sum(1 for m in alignment.matches if m.table == "owners" and m.gold is None)
    for path in _box_paths(gold, len(gold.owners) + extra_owners):
        gold_box = _box(expected.get(path))
        right = predicted is not None and gold_box == _box(got.get(path))
        score.checkboxes = score.checkboxes + BoxCounts(total=1, correct=int(right))
        if predicted is None and not gold_box:  # a checked one is already listed as missing
            score.errors.append(FieldError(path=path, kind="checkbox", gold="false"))
    wrong_rows = {parts[:2] for parts in map(_split, (e.path for e in score.errors)) if parts}
    for table in TABLES:
        matched = [m for m in alignment.matches if m.table == table and m.gold is not None and m.predicted is not None]
        n_gold = len(getattr(gold, table))
        score.rows[table] = RowCounts(
            gold=n_gold,
            predicted=len(getattr(predicted, table)) if predicted is not None else 0,
            matched=len(matched),
            exact=sum(1 for m in matched if (table, m.gold) not in wrong_rows),
        )
    return score
