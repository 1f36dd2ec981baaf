"""Comparing an extracted record with a gold one, field by field.

Values are compared in normal form: decimals by value, dates as ISO, text with white
space folded and case ignored, footnote ids as a set. Fields a rendered form never shows
(CIKs, schema version, XML-only flags) are left out, since no extractor can see them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .records import Record, Value
from .values import decimal_text

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


def _normal(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split()).casefold()


def comparable(record: Record) -> dict[str, tuple[str | None, frozenset[str]]]:
    """Every printed field with its normal value and footnote ids; empty fields left out."""
    out: dict[str, tuple[str | None, frozenset[str]]] = {}
    for path, item in record.values():
        if any(path.endswith(suffix) or suffix + "." in path for suffix in NOT_PRINTED):
            continue
        if isinstance(item, Value) and item.present:
            normal = _normal(item.value)
            if normal == "false" and not item.footnote_ids:
                continue  # an unchecked box and an absent one read the same on paper
            out[path] = (normal, frozenset(item.footnote_ids))
    for note in record.footnotes:
        out.pop(f"footnotes.{record.footnotes.index(note)}.text", None)
        out[f"footnote.{note.id}"] = (_normal(note.text.value), frozenset())
    return out


def differences(gold: Record, predicted: Record) -> list[tuple[str, Any, Any]]:
    """(field, gold, predicted) for every printed field that differs."""
    expected, got = comparable(gold), comparable(predicted)
    return [(k, expected.get(k), got.get(k)) for k in sorted(set(expected) | set(got)) if expected.get(k) != got.get(k)]
