"""Domain validation: a violation becomes a warning on the record and lowers the
confidence of the fields involved; validation never raises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .records import Record, RecordWarning, Value

# Form 4 General Instruction 8 codes; the direction each one implies where it is unambiguous.
TRANSACTION_CODES = set("PSVAD" "FIMCEHOXGLWZJKU")
IMPLIED_DIRECTION = {"P": "A", "S": "D", "F": "D"}


@dataclass(frozen=True)
class ValidationSettings:
    penalty: float = 0.5
    earliest_date: dt.date = dt.date(1990, 1, 1)

    def __post_init__(self) -> None:
        if not 0.0 < self.penalty <= 1.0:
            raise ValueError(f"penalty must be in (0, 1], not {self.penalty}")


def check_record(record: Record, settings: ValidationSettings | None = None) -> list[RecordWarning]:
    settings = settings or ValidationSettings()
    warnings: list[RecordWarning] = []
    latest = dt.date.today() + dt.timedelta(days=366)
    cited: set[str] = set()
    defined = {f.id for f in record.footnotes}
    for path, item in record.values():
        cited.update(item.footnote_ids)
        if isinstance(item.value, dt.date) and not settings.earliest_date <= item.value <= latest:
            warnings.append(RecordWarning(code="implausible-date", message=f"{path} is {item.value}", fields=[path]))
    for table, rows in (("non_derivative", record.non_derivative), ("derivative", record.derivative)):
        for i, row in enumerate(rows):
            prefix = f"{table}.{i}."
            code, direction = row.transaction_code.value, row.acquired_disposed.value
            if code is not None and code not in TRANSACTION_CODES:
                warnings.append(RecordWarning(code="unknown-transaction-code", message=f"{prefix}transaction_code {code!r} is not an SEC code", fields=[prefix + "transaction_code"]))
            if code in IMPLIED_DIRECTION and direction is not None and direction != IMPLIED_DIRECTION[code]:
                warnings.append(RecordWarning(code="direction-contradicts-code", message=f"{prefix}: code {code} implies {IMPLIED_DIRECTION[code]}, not {direction}", fields=[prefix + "transaction_code", prefix + "acquired_disposed"]))
            for name in ("shares", "price_per_share", "shares_owned_following"):
                value = getattr(row, name).value
                if value is not None and value < 0:
                    warnings.append(RecordWarning(code="negative-amount", message=f"{prefix}{name} is {value}", fields=[prefix + name]))
    for missing in sorted(cited - defined):
        fields = [p for p, v in record.values() if missing in v.footnote_ids]
        warnings.append(RecordWarning(code="unresolved-footnote", message=f"footnote {missing} is cited but not given", fields=fields))
    return warnings


def validate_record(record: Record, settings: ValidationSettings | None = None) -> Record:
    settings = settings or ValidationSettings()
    checked = record.model_copy(deep=True)
    found = check_record(checked, settings)
    involved = {f for w in found for f in w.fields}
    for path, item in checked.values():
        if path in involved and isinstance(item, Value):
            item.confidence = round(item.confidence * settings.penalty, 4)
    checked.warnings.extend(found)
    return checked
