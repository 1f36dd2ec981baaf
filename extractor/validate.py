"""Domain validation of an extracted Record.

A violated rule becomes a `RecordWarning` (a stable code, a message naming the row and the
value, the dotted paths of the fields involved) and lowers those fields' confidence; validation
never raises. Every rule was measured on real filings (the train split of the corpus) and kept
only where correct filings obey it, so that a warning points at an extraction error or at a
genuinely inconsistent filing, not at normal practice. The transaction-code rules are data:
`data/transaction_codes.json`, with the counts behind each implied direction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any, Callable, Iterable, Iterator, Mapping

from .records import Record, RecordWarning, Value

# Stable warning codes, one per rule.
UNKNOWN_CODE = "unknown-transaction-code"
DIRECTION = "direction-contradicts-code"
CODE_IMPLICATION = "field-contradicts-code"
INVALID_CHOICE = "invalid-choice"
IMPLAUSIBLE_DATE = "implausible-date"
BEFORE_PERIOD = "transaction-before-period"
AFTER_SIGNATURE = "transaction-after-signature"
SIGNED_BEFORE_PERIOD = "signature-before-period"
ORIGINAL_AFTER_SIGNATURE = "original-after-signature"
EXPIRATION_BEFORE_EXERCISE = "expiration-before-exercise"
NEGATIVE = "negative-amount"
NOT_FINITE = "invalid-amount"
OWNED_INCONSISTENT = "owned-amount-inconsistent"
UNRESOLVED_FOOTNOTE = "unresolved-footnote"
UNCITED_FOOTNOTE = "uncited-footnote"
DUPLICATE_FOOTNOTE = "duplicate-footnote"
MISSING = "missing-field"
INCOMPLETE_TRANSACTION = "incomplete-transaction"
FORM3_TRANSACTION = "form3-transaction"
HOLDING_TRANSACTION_FIELD = "holding-has-transaction-field"
OFFICER_TITLE = "officer-title-without-officer"
CHECK_FAILED = "check-failed"

WARNING_CODES = frozenset({
    UNKNOWN_CODE, DIRECTION, CODE_IMPLICATION, INVALID_CHOICE, IMPLAUSIBLE_DATE, BEFORE_PERIOD,
    AFTER_SIGNATURE, SIGNED_BEFORE_PERIOD, ORIGINAL_AFTER_SIGNATURE, EXPIRATION_BEFORE_EXERCISE,
    NEGATIVE, NOT_FINITE, OWNED_INCONSISTENT, UNRESOLVED_FOOTNOTE, UNCITED_FOOTNOTE,
    DUPLICATE_FOOTNOTE, MISSING, INCOMPLETE_TRANSACTION, FORM3_TRANSACTION,
    HOLDING_TRANSACTION_FIELD, OFFICER_TITLE, CHECK_FAILED,
})

TABLES = (("non_derivative", "Table I"), ("derivative", "Table II"))

# The closed vocabularies of the ownership XML schema for single-letter row fields.
CHOICES: dict[str, frozenset[str]] = {
    "acquired_disposed": frozenset({"A", "D"}),
    "direct_or_indirect": frozenset({"D", "I"}),
    "transaction_timeliness": frozenset({"E", "L"}),
    "transaction_form_type": frozenset({"3", "4", "5"}),
}

# Amounts that cannot be negative, wherever the row has them.
NON_NEGATIVE = (
    "shares", "price_per_share", "shares_owned_following", "value_owned_following",
    "conversion_or_exercise_price", "total_value", "underlying_shares", "underlying_value",
)

# Fields a holding row cannot have: it reports a position, not a change. A Form 5 may report a
# late Form 3 holding with its transaction coding, so the coding is only checked elsewhere.
HOLDING_FORBIDDEN = ("transaction_date", "deemed_execution_date", "shares", "price_per_share",
                     "acquired_disposed", "total_value")
HOLDING_CODING = ("transaction_form_type", "transaction_code", "transaction_timeliness")

# Exercise and expiration dates lie in the future by nature, so only the earliest bound applies.
FUTURE_DATES = ("exercise_date", "expiration_date")

# Some filers put a ticked relationship box in the officer title ("Director", "Chairman
# Emeritus and Director"); that is redundant, not contradictory. Role words -> their box.
ROLE_WORDS = {
    "director": "is_director",
    "10% owner": "is_ten_percent_owner",
    "10 percent owner": "is_ten_percent_owner",
    "ten percent owner": "is_ten_percent_owner",
}


@dataclass(frozen=True)
class CodeRule:
    """What one SEC transaction code means for the fields of its row."""

    description: str
    direction: Mapping[str, str] = field(default_factory=dict)  # table -> "A" or "D"
    implies: Mapping[str, Any] = field(default_factory=dict)  # field -> value the code means
    train_rows: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # table -> {"A": n, "D": n}

    def likely_direction(self, table: str, min_share: float = 0.75, min_rows: int = 20) -> tuple[str, float] | None:
        """The direction most rows of `table` with this code took on train, and its share; None if unclear.

        Looser than `direction` (which a warning stands on): it fills a direction the document
        shows only by which column its amount stands in, when that column cannot be told.
        """
        counts = self.train_rows.get(table, {})
        total = sum(counts.values())
        if total < min_rows:
            return None
        letter = max(counts, key=counts.get)
        share = counts[letter] / total
        return (letter, share) if share >= min_share else None


def load_transaction_codes() -> dict[str, CodeRule]:
    text = resources.files(f"{__package__}.data").joinpath("transaction_codes.json").read_text("utf-8")
    return {
        code: CodeRule(entry["description"], dict(entry.get("direction", {})), dict(entry.get("implies", {})),
                       {table: dict(counts) for table, counts in entry.get("train_rows", {}).items()})
        for code, entry in json.loads(text)["codes"].items()
    }


TRANSACTION_CODES: dict[str, CodeRule] = load_transaction_codes()


@dataclass(frozen=True)
class ValidationSettings:
    """Knobs of the validation; checked on construction so a bad setting fails early."""

    penalty: float = 0.5  # confidence multiplier for every field a warning involves
    earliest_date: dt.date = dt.date(1990, 1, 1)  # before electronic filing; none on train is earlier
    today: dt.date | None = None  # None: the day of the check (tests pin it)
    future_slack_days: int = 7  # time zones and filers dating a day or two ahead
    amount_tolerance: Decimal = Decimal(1)  # shares: fractional-share rounding
    relative_tolerance: Decimal = Decimal("0.005")  # of the larger holding
    skip: frozenset[str] = frozenset()  # warning codes not to report

    def __post_init__(self) -> None:
        if isinstance(self.penalty, bool) or not isinstance(self.penalty, (int, float)):
            raise TypeError(f"penalty must be a number, not {self.penalty!r}")
        if not 0.0 < self.penalty <= 1.0:
            raise ValueError(f"penalty must be in (0, 1], not {self.penalty}")
        for name in ("earliest_date", "today"):
            value = getattr(self, name)
            if value is None and name == "today":
                continue
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise TypeError(f"{name} must be a date, not {value!r}")
        if isinstance(self.future_slack_days, bool) or not isinstance(self.future_slack_days, int):
            raise TypeError(f"future_slack_days must be an integer, not {self.future_slack_days!r}")
        if self.future_slack_days < 0:
            raise ValueError(f"future_slack_days must be >= 0, not {self.future_slack_days}")
        for name in ("amount_tolerance", "relative_tolerance"):
            raw = getattr(self, name)
            if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
                raise TypeError(f"{name} must be a number, not {raw!r}")
            try:
                value = Decimal(str(raw))
            except ArithmeticError:
                raise ValueError(f"{name} must be a number, not {raw!r}") from None
            if not value.is_finite() or value < 0:
                raise ValueError(f"{name} must be finite and >= 0, not {raw!r}")
            object.__setattr__(self, name, value)
        if self.relative_tolerance >= 1:
            raise ValueError(f"relative_tolerance must be below 1, not {self.relative_tolerance}")
        if not isinstance(self.skip, (set, frozenset, tuple, list)):
            raise TypeError(f"skip must be a set of warning codes, not {self.skip!r}")
        object.__setattr__(self, "skip", frozenset(self.skip))
        unknown = sorted(self.skip - WARNING_CODES)
        if unknown:
            raise ValueError(f"skip names unknown warning codes: {', '.join(unknown)}")
        if self.earliest_date >= self.latest_date:
            raise ValueError(f"earliest_date {self.earliest_date} is not before the latest date {self.latest_date}")

    @property
    def latest_date(self) -> dt.date:
        return (self.today or dt.date.today()) + dt.timedelta(days=self.future_slack_days)


# ---------------------------------------------------------------- reading values defensively


def _text(item: Value[Any]) -> str | None:
    value = item.value
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _letter(item: Value[Any]) -> str | None:
    text = _text(item)
    return text.upper() if text else None


def _date(item: Value[Any]) -> dt.date | None:
    value = item.value
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _number(item: Value[Any]) -> Decimal | None:
    value = item.value
    return value if isinstance(value, Decimal) and value.is_finite() else None


def _normal(text: str | None) -> str:
    return re.sub(r"[^a-z0-9%]+", " ", (text or "").lower()).strip()


def _warning(code: str, message: str, *fields: str) -> RecordWarning:
    return RecordWarning(code=code, message=message, fields=list(dict.fromkeys(fields)))


def _rows(record: Record) -> Iterator[tuple[str, str, int, Any]]:
    """(table, label, index, row) for every row of both tables, in document order."""
    for table, label in TABLES:
        for index, row in enumerate(getattr(record, table)):
            yield table, label, index, row


def _doc_type(record: Record) -> str | None:
    return _text(record.document_type)


def _latest_signature(record: Record) -> tuple[str, dt.date] | None:
    dated = [(f"signatures.{i}.date", d) for i, s in enumerate(record.signatures) if (d := _date(s.date))]
    return max(dated, key=lambda pair: pair[1]) if dated else None


# ---------------------------------------------------------------- checks


def check_codes(record: Record, settings: ValidationSettings) -> Iterator[RecordWarning]:
    """Known SEC codes; the A/D direction and flags a code implies where that is unambiguous."""
    for table, label, i, row in _rows(record):
        code = _letter(row.transaction_code)
        if code is None:
            continue
        at = f"{table}.{i}."
        rule = TRANSACTION_CODES.get(code)
        if rule is None:
            yield _warning(UNKNOWN_CODE, f"{label} row {i + 1}: transaction code {row.transaction_code.value!r} "
                           "is not one of the SEC's transaction codes", at + "transaction_code")
            continue
        implied, direction = rule.direction.get(table), _letter(row.acquired_disposed)
        if implied and direction in CHOICES["acquired_disposed"] and direction != implied:
            yield _warning(DIRECTION, f"{label} row {i + 1}: code {code} ({rule.description.lower()}) "
                           f"implies {implied}, but the row says {direction}",
                           at + "transaction_code", at + "acquired_disposed")
        for name, expected in rule.implies.items():
            actual = getattr(row, name).value
            if isinstance(actual, str):
                actual = actual.strip().upper() or None
            if actual is not None and actual != expected:
                yield _warning(CODE_IMPLICATION, f"{label} row {i + 1}: code {code} ({rule.description.lower()}) "
                               f"means {name} = {expected!r}, but it is {actual!r}",
                               at + "transaction_code", at + name)


def check_choices(record: Record, settings: ValidationSettings) -> Iterator[RecordWarning]:
    for table, label, i, row in _rows(record):
        for name, allowed in CHOICES.items():
            value = _letter(getattr(row, name))
            if value is not None and value not in allowed:
                yield _warning(INVALID_CHOICE, f"{label} row {i + 1}: {name} is {getattr(row, name).value!r}, "
                               f"not one of {', '.join(sorted(allowed))}", f"{table}.{i}.{name}")


def check_dates(record: Record, settings: ValidationSettings) -> Iterator[RecordWarning]:
    """Dates in range, and in the order the filing process puts them."""
    earliest, latest = settings.earliest_date, settings.latest_date
    for path, item in record.values():
        when = _date(item)
        if when is None:
            continue
        future_ok = path.rsplit(".", 1)[-1] in FUTURE_DATES
        if when < earliest or (when > latest and not future_ok):
            bound = f"before {earliest}" if when < earliest else f"after {latest}"
            yield _warning(IMPLAUSIBLE_DATE, f"{path} is {when}, {bound}", path)

    period = _date(record.period_of_report)
    signed = _latest_signature(record)
    if period:
        for i, signature in enumerate(record.signatures):
            when = _date(signature.date)
            if when and when < period:
                yield _warning(SIGNED_BEFORE_PERIOD, f"signature {i + 1} is dated {when}, before the period "
                               f"of report {period}", f"signatures.{i}.date", "period_of_report")
    original = _date(record.date_of_original_submission)
    if original and signed and original > signed[1]:
        yield _warning(ORIGINAL_AFTER_SIGNATURE, f"the original was submitted on {original}, after this "
                       f"filing was signed on {signed[1]}", "date_of_original_submission", signed[0])

    # On a Form 4 the period of report is the date of the earliest transaction; transactions
    # that belonged on an earlier Form 5 (form type 5) may predate it, so they are exempt.
    form4 = _doc_type(record) in ("4", "4/A")
    for table, label, i, row in _rows(record):
        at = f"{table}.{i}."
        when = _date(row.transaction_date)
        if row.kind == "transaction" and when:
            if form4 and period and when < period and _text(row.transaction_form_type) != "5":
                yield _warning(BEFORE_PERIOD, f"{label} row {i + 1}: transaction date {when} is before the "
                               f"period of report {period}", at + "transaction_date", "period_of_report")
            if signed and when > signed[1]:
                yield _warning(AFTER_SIGNATURE, f"{label} row {i + 1}: transaction date {when} is after the "
                               f"signature date {signed[1]}", at + "transaction_date", signed[0])
        if table == "derivative":
            opens, closes = _date(row.exercise_date), _date(row.expiration_date)
            if opens and closes and closes < opens:
                yield _warning(EXPIRATION_BEFORE_EXERCISE, f"{label} row {i + 1}: expiration date {closes} "
                               f"is before the exercise date {opens}", at + "exercise_date", at + "expiration_date")


def check_amounts(record: Record, settings: ValidationSettings) -> Iterator[RecordWarning]:
    for table, label, i, row in _rows(record):
        for name in NON_NEGATIVE:
            item = getattr(row, name, None)
            if item is None or not isinstance(item.value, Decimal):
                continue
            path = f"{table}.{i}.{name}"
            if not item.value.is_finite():
                yield _warning(NOT_FINITE, f"{label} row {i + 1}: {name} is {item.value}, not a number", path)
            elif item.value < 0:
                yield _warning(NEGATIVE, f"{label} row {i + 1}: {name} is negative ({item.value})", path)


def _holding_key(row: Any) -> tuple[str, str, str]:
    return (_normal(_text(row.security_title)), _letter(row.direct_or_indirect) or "",
            _normal(_text(row.nature_of_ownership)))


def check_owned_amounts(record: Record, settings: ValidationSettings) -> Iterator[RecordWarning]:
    """Table I: amount owned after a transaction = amount after the previous one +/- its shares.

    Real filings break this chain for legitimate reasons, so the rule only looks where it
    holds on correct data: one reporting owner (joint filers list each person's lots on rows
    that look alike), adjacent transaction rows of the same security and ownership in date
    order, no footnote on the amounts or the nature (footnotes explain adjustments, or that the
    rows belong to different holders), and not the all-zero rows of a merger payout.
    """
    if len(record.owners) != 1:
        return
    rows = record.non_derivative
    for i in range(1, len(rows)):
        prev, cur = rows[i - 1], rows[i]
        if prev.kind != "transaction" or cur.kind != "transaction" or _holding_key(prev) != _holding_key(cur):
            continue
        if not _holding_key(cur)[0]:
            continue
        before, after = _date(prev.transaction_date), _date(cur.transaction_date)
        if not (before and after and before <= after):
            continue
        if (prev.shares_owned_following.footnote_ids or cur.shares_owned_following.footnote_ids
                or cur.shares.footnote_ids or cur.nature_of_ownership.footnote_ids
                or _normal(_text(cur.nature_of_ownership)).startswith("see ")):
            continue
        held, moved, now = _number(prev.shares_owned_following), _number(cur.shares), _number(cur.shares_owned_following)
        direction = _letter(cur.acquired_disposed)
        if held is None or moved is None or now is None or direction not in ("A", "D"):
            continue
        if held == 0 and now == 0:
            continue
        expected = held + moved if direction == "A" else held - moved
        tolerance = max(settings.amount_tolerance, max(abs(held), abs(now)) * settings.relative_tolerance)
        if abs(expected - now) > tolerance:
            at, was = f"non_derivative.{i}.", f"non_derivative.{i - 1}."
            yield _warning(OWNED_INCONSISTENT, f"Table I row {i + 1}: {held} owned after row {i} "
                           f"{'+' if direction == 'A' else '-'} {moved} ({direction}) is {expected}, "
                           f"but the row says {now} owned", was + "shares_owned_following", at + "shares",
                           at + "acquired_disposed", at + "shares_owned_following")


def check_footnotes(record: Record, settings: ValidationSettings) -> Iterator[RecordWarning]:
    citing: dict[str, list[str]] = {}
    for path, item in record.values():
        for note in item.footnote_ids:
            citing.setdefault(note, []).append(path)
    defined: dict[str, list[int]] = {}
    for i, note in enumerate(record.footnotes):
        defined.setdefault(note.id, []).append(i)
    for note, paths in citing.items():
        if note not in defined:
            yield _warning(UNRESOLVED_FOOTNOTE, f"footnote {note} is cited by {', '.join(paths)} but not given", *paths)
    for note, indexes in defined.items():
        texts = [f"footnotes.{i}.text" for i in indexes]
        if len(indexes) > 1:
            yield _warning(DUPLICATE_FOOTNOTE, f"footnote {note} is given {len(indexes)} times", *texts)
        if note not in citing:
            yield _warning(UNCITED_FOOTNOTE, f"footnote {note} is never cited", *texts)


def check_required(record: Record, settings: ValidationSettings) -> Iterator[RecordWarning]:
    """What every filing has; what a transaction row needs; what a holding row cannot have."""
    for path, name, item in (("document_type", "document type", record.document_type),
                             ("period_of_report", "period of report", record.period_of_report),
                             ("issuer.name", "issuer name", record.issuer.name)):
        if item.value is None or (isinstance(item.value, str) and not item.value.strip()):
            yield _warning(MISSING, f"the {name} is missing", path)
    if not record.owners:
        yield _warning(MISSING, "there is no reporting owner", "owners")
    elif not any(_text(owner.name) for owner in record.owners):
        yield _warning(MISSING, "no reporting owner has a name", *(f"owners.{i}.name" for i in range(len(record.owners))))
    if not record.signatures:
        yield _warning(MISSING, "there is no signature", "signatures")
    elif not any(_text(s.name) for s in record.signatures):
        yield _warning(MISSING, "no signature has a name", *(f"signatures.{i}.name" for i in range(len(record.signatures))))

    doc_type = _doc_type(record)
    for table, label, i, row in _rows(record):
        at = f"{table}.{i}."
        if row.kind == "transaction":
            missing = [name for name in ("transaction_code", "transaction_date") if getattr(row, name).value is None]
            if missing:
                yield _warning(INCOMPLETE_TRANSACTION, f"{label} row {i + 1} is a transaction without "
                               f"{' or '.join(name.replace('_', ' ') for name in missing)}", *(at + m for m in missing))
            if doc_type in ("3", "3/A"):
                yield _warning(FORM3_TRANSACTION, f"{label} row {i + 1} is a transaction, but a Form 3 "
                               "reports holdings only", "document_type", at + "kind")
        else:
            forbidden = [name for name in HOLDING_FORBIDDEN if getattr(row, name, Value()).value is not None]
            if doc_type not in ("5", "5/A"):
                forbidden += [name for name in HOLDING_CODING if getattr(row, name).value is not None]
            if forbidden:
                yield _warning(HOLDING_TRANSACTION_FIELD, f"{label} row {i + 1} is a holding but has "
                               f"{', '.join(forbidden)}", *(at + name for name in forbidden))


def check_relationships(record: Record, settings: ValidationSettings) -> Iterator[RecordWarning]:
    # Only the officer title: on train 7,972 of 7,972 titled owners tick the officer box, while
    # 7 of 364 with an "other" text leave the other box clear, too many to call it an error.
    for i, owner in enumerate(record.owners):
        rel = owner.relationship
        title = _text(rel.officer_title)
        if not title or rel.is_officer.value is not False:
            continue
        words = f" {_normal(title)} "
        if any(f" {role} " in words and getattr(rel, box).value is True for role, box in ROLE_WORDS.items()):
            continue
        at = f"owners.{i}.relationship."
        yield _warning(OFFICER_TITLE, f"owner {i + 1} has the officer title {title!r} but the officer box "
                       "is not ticked", at + "officer_title", at + "is_officer")


CHECKS: tuple[Callable[[Record, ValidationSettings], Iterable[RecordWarning]], ...] = (
    check_required, check_codes, check_choices, check_dates, check_amounts, check_owned_amounts,
    check_footnotes, check_relationships,
)


# ---------------------------------------------------------------- entry points


def check_record(record: Record, settings: ValidationSettings | None = None) -> list[RecordWarning]:
    """Every rule the record breaks, without changing it."""
    settings = settings or ValidationSettings()
    found: list[RecordWarning] = []
    for check in CHECKS:
        try:
            found.extend(w for w in check(record, settings) if w.code not in settings.skip)
        except Exception as exc:  # a malformed record must not stop the pipeline; say which rule gave up
            if CHECK_FAILED not in settings.skip:
                found.append(_warning(CHECK_FAILED, f"{check.__name__} could not run: {type(exc).__name__}: {exc}"))
    return found


def validate_record(record: Record, settings: ValidationSettings | None = None) -> Record:
    """A copy of the record with its warnings added and the confidence of the fields involved lowered.

    A warning the record already carries is not added again, nor does it lower confidence
    again, so validating twice is the same as validating once.
    """
    settings = settings or ValidationSettings()
    checked = record.model_copy(deep=True)
    new = [w for w in check_record(checked, settings) if w not in checked.warnings]
    involved = {path for w in new for path in w.fields}
    if involved:
        for path, item in checked.values():
            if path in involved:
                item.confidence = item.confidence * settings.penalty
    checked.warnings.extend(new)
    return checked
