"""Writing records out: JSON, JSON lines, CSV (one row per table row) and ownership XML."""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable

from .records import Record

FORMATS = ("json", "jsonl", "csv", "xml")

CSV_COLUMNS = [
    "source", "document_type", "period_of_report", "issuer_name", "issuer_ticker", "owner_names",
    "table", "kind", "security_title", "transaction_date", "deemed_execution_date", "transaction_code",
    "shares", "price_per_share", "acquired_disposed", "shares_owned_following", "direct_or_indirect",
    "nature_of_ownership", "conversion_or_exercise_price", "exercise_date", "expiration_date",
    "underlying_title", "underlying_shares", "footnote_ids", "min_confidence",
]


def to_json(record: Record) -> str:
    return record.model_dump_json(indent=2)


def to_jsonl(records: Iterable[Record]) -> str:
    return "".join(r.model_dump_json() + "\n" for r in records)


def csv_rows(record: Record) -> list[dict[str, str]]:
    base = {
        "source": record.source.path or "",
        "document_type": record.document_type.value or "",
        "period_of_report": str(record.period_of_report.value or ""),
        "issuer_name": record.issuer.name.value or "",
        "issuer_ticker": record.issuer.trading_symbol.value or "",
        "owner_names": "; ".join(o.name.value or "" for o in record.owners),
    }
    rows = []
    for table, items in (("I", record.non_derivative), ("II", record.derivative)):
        for row in items:
            out = dict(base, table=table, kind=row.kind)
            notes: list[str] = []
            confidences = []
            for name in CSV_COLUMNS:
                item = getattr(row, name, None)
                if item is None or not hasattr(item, "value"):
                    continue
                out[name] = "" if item.value is None else str(item.value)
                notes += item.footnote_ids
                if item.present:
                    confidences.append(item.confidence)
            out["footnote_ids"] = " ".join(dict.fromkeys(notes))
            out["min_confidence"] = f"{min(confidences):.3f}" if confidences else ""
            rows.append(out)
    return rows or [dict(base)]


def to_csv(records: Iterable[Record]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerows(csv_rows(record))
    return buffer.getvalue()


def to_xml(record: Record) -> str:
    from .edgar_xml import write_xml

    return write_xml(record).decode("utf-8")


def render(records: list[Record], fmt: str) -> str:
    if fmt == "json":
        if len(records) == 1:
            return to_json(records[0]) + "\n"
        return json.dumps([json.loads(r.model_dump_json()) for r in records], indent=2) + "\n"
    if fmt == "jsonl":
        return to_jsonl(records)
    if fmt == "csv":
        return to_csv(records)
    if fmt == "xml":
        return "".join(to_xml(r) for r in records)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
