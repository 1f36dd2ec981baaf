"""The result store: an embedded SQLite database of extracted records anyone can query with SQL.

One row per document (keyed by the SHA-256 of its bytes) with its status, error, timing,
model version and warnings, plus the record normalized into owners, transactions, holdings
and footnotes, and the full record JSON. Each save is one transaction, so a process killed at
any moment leaves every document either wholly saved or not at all (WAL journal).

Numbers are stored with NUMERIC affinity (integers stay exact, others become REAL) for easy
SQL arithmetic; the record JSON keeps the exact decimals.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Literal, TextIO

from .errors import InputError
from .records import DerivativeRow, NonDerivativeRow, Record, Value

SCHEMA_VERSION = 1
Status = Literal["done", "failed", "running"]
STATUSES = ("done", "failed", "running")
EXPORT_FORMATS = ("parquet", "csv", "jsonl")

# Column lists as data: the CREATE TABLE statements, the inserts and the Parquet schemas all come from them.
DOCUMENT_COLUMNS = (
    ("sha256", "TEXT PRIMARY KEY"),
    ("source", "TEXT NOT NULL"),
    ("status", "TEXT NOT NULL CHECK (status IN ('done', 'failed', 'running'))"),
    ("error", "TEXT"),
    ("seconds", "REAL"),
    ("model_version", "TEXT NOT NULL"),
    ("warnings", "TEXT NOT NULL DEFAULT '[]'"),
    ("extracted_at", "TEXT NOT NULL"),
    ("document_type", "TEXT"),
    ("period_of_report", "TEXT"),
    ("issuer_cik", "TEXT"),
    ("issuer_name", "TEXT"),
    ("issuer_ticker", "TEXT"),
    ("source_format", "TEXT"),
    ("pages", "INTEGER"),
    ("min_confidence", "REAL"),
    ("record_json", "TEXT"),
)
OWNER_COLUMNS = (
    ("cik", "TEXT"), ("name", "TEXT"), ("street1", "TEXT"), ("street2", "TEXT"), ("city", "TEXT"),
    ("state", "TEXT"), ("zip_code", "TEXT"), ("country", "TEXT"), ("is_director", "INTEGER"),
    ("is_officer", "INTEGER"), ("is_ten_percent_owner", "INTEGER"), ("is_other", "INTEGER"),
    ("officer_title", "TEXT"), ("other_text", "TEXT"),
)
_HOLDING_FIELDS = (
    ("security_title", "TEXT"), ("shares_owned_following", "NUMERIC"), ("value_owned_following", "NUMERIC"),
    ("direct_or_indirect", "TEXT"), ("nature_of_ownership", "TEXT"),
    ("conversion_or_exercise_price", "NUMERIC"), ("exercise_date", "TEXT"), ("expiration_date", "TEXT"),
    ("underlying_title", "TEXT"), ("underlying_shares", "NUMERIC"), ("underlying_value", "NUMERIC"),
)
_TRANSACTION_FIELDS = (
    ("transaction_date", "TEXT"), ("deemed_execution_date", "TEXT"), ("transaction_form_type", "TEXT"),
    ("transaction_code", "TEXT"), ("equity_swap_involved", "INTEGER"), ("transaction_timeliness", "TEXT"),
    ("shares", "NUMERIC"), ("price_per_share", "NUMERIC"), ("acquired_disposed", "TEXT"), ("total_value", "NUMERIC"),
)
_ROW_EXTRA = (("footnote_ids", "TEXT"), ("min_confidence", "REAL"))
TRANSACTION_COLUMNS = _HOLDING_FIELDS[:1] + _TRANSACTION_FIELDS + _HOLDING_FIELDS[1:] + _ROW_EXTRA
HOLDING_COLUMNS = _HOLDING_FIELDS + _ROW_EXTRA
FOOTNOTE_COLUMNS = (("text", "TEXT"),)

# Child tables: name -> (key columns after sha256, value columns).
_ROW_KEY = (("derivative", "INTEGER NOT NULL"), ("position", "INTEGER NOT NULL"))
CHILD_TABLES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "owners": ((("position", "INTEGER NOT NULL"),), OWNER_COLUMNS),
    "transactions": (_ROW_KEY, TRANSACTION_COLUMNS),
    "holdings": (_ROW_KEY, HOLDING_COLUMNS),
    "footnotes": ((("footnote_id", "TEXT NOT NULL"),), FOOTNOTE_COLUMNS),
}


@dataclass(frozen=True)
class DocumentRow:
    sha256: str
    source: str
    status: Status
    error: str | None
    seconds: float | None
    model_version: str
    warnings: list[str]
    extracted_at: str


@dataclass
class StoreStatus:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    last_update: str | None = None
    model_versions: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def _schema_sql() -> list[str]:
    statements = [
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS documents ("
        + ", ".join(f"{name} {kind}" for name, kind in DOCUMENT_COLUMNS) + ")",
        "CREATE INDEX IF NOT EXISTS documents_status ON documents (status)",
        "CREATE INDEX IF NOT EXISTS documents_source ON documents (source)",
    ]
    for table, (key, columns) in CHILD_TABLES.items():
        key_names = ", ".join(["sha256"] + [name for name, _ in key])
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            "sha256 TEXT NOT NULL REFERENCES documents (sha256) ON DELETE CASCADE, "
            + ", ".join(f"{name} {kind}" for name, kind in key + columns)
            + f", PRIMARY KEY ({key_names}))"
        )
    return statements


class ResultStore:
    """Extracted records in SQLite; one writer at a time, any number of readers (WAL)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise InputError(str(self.path), "its folder does not exist")
        # Autocommit mode with explicit BEGIN/COMMIT, so a save is exactly one transaction.
        self.connection = sqlite3.connect(str(self.path), timeout=60, isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()
        try:
            self.connection.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL survives any process crash (even SIGKILL); only power loss can drop the last commits.
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.execute("PRAGMA foreign_keys=ON")
            self._create_schema()
        except sqlite3.DatabaseError as exc:
            self.connection.close()
            raise InputError(str(self.path), f"not a result store ({exc})") from None

    def _create_schema(self) -> None:
        found = self.connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if found:
            row = self.connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
            if row and row[0] is not None and row[0] > SCHEMA_VERSION:
                raise InputError(
                    str(self.path), f"written by a newer form4 (store schema {row[0]}, this one knows {SCHEMA_VERSION})"
                )
            if row and row[0] == SCHEMA_VERSION:
                return
        with self._transaction():
            for statement in _schema_sql():
                self.connection.execute(statement)
            if not self.connection.execute("SELECT 1 FROM schema_version").fetchone():
                self.connection.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        with self._lock:
            self.connection.close()

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self):
        return _Transaction(self.connection, self._lock)

    # Writing

    def save_record(self, sha256: str, source: str, record: Record, seconds: float, model_version: str) -> None:
        self.save_prepared(sha256, source, prepare_record(record), seconds, model_version)

    def save_prepared(
        self, sha256: str, source: str, prepared: PreparedRecord, seconds: float, model_version: str
    ) -> None:
        """save_record for a record already turned into rows (by a bulk worker, off the writer's time)."""
        document = {
            "sha256": sha256, "source": source, "status": "done", "error": None, "seconds": seconds,
            "model_version": model_version, "extracted_at": _now(), **prepared.fields,
        }
        with self._transaction():
            self._replace_document(document)
            for table, (names, rows) in prepared.children.items():
                if rows:
                    self.connection.executemany(
                        f"INSERT INTO {table} (sha256, {', '.join(names)}) VALUES (?{', ?' * len(names)})",
                        [(sha256, *row) for row in rows],
                    )

    def save_failure(self, sha256: str, source: str, error: str, seconds: float, model_version: str) -> None:
        document = {
            "sha256": sha256, "source": source, "status": "failed", "error": error, "seconds": seconds,
            "model_version": model_version, "warnings": "[]", "extracted_at": _now(),
        }
        with self._transaction():
            self._replace_document(document)

    def mark_running(self, sha256: str, source: str, model_version: str) -> None:
        """Note a document as under way; a done one keeps its record until the new one replaces it."""
        with self._transaction():
            self.connection.execute(
                "INSERT INTO documents (sha256, source, status, model_version, extracted_at) "
                "VALUES (?, ?, 'running', ?, ?) ON CONFLICT (sha256) DO UPDATE SET "
                "status = 'running', source = excluded.source, error = NULL, extracted_at = excluded.extracted_at "
                "WHERE documents.status != 'done'",
                (sha256, source, model_version, _now()),
            )

    def forget(self, sha256: str) -> None:
        """Remove a document and its rows."""
        with self._transaction():
            for table in CHILD_TABLES:
                self.connection.execute(f"DELETE FROM {table} WHERE sha256 = ?", (sha256,))
            self.connection.execute("DELETE FROM documents WHERE sha256 = ?", (sha256,))

    def _replace_document(self, document: dict[str, Any]) -> None:
        sha256 = document["sha256"]
        for table in CHILD_TABLES:
            self.connection.execute(f"DELETE FROM {table} WHERE sha256 = ?", (sha256,))
        self.connection.execute("DELETE FROM documents WHERE sha256 = ?", (sha256,))
        names = list(document)
        self.connection.execute(
            f"INSERT INTO documents ({', '.join(names)}) VALUES (?{', ?' * (len(names) - 1)})",
            list(document.values()),
        )

    # Reading

    def is_done(self, sha256: str, model_version: str | None = None) -> bool:
        """Whether the document is finished (extracted, or failed with its error recorded).

        With a model version, only a document finished by that version counts.
        """
        with self._lock:
            row = self.connection.execute(
                "SELECT status, model_version FROM documents WHERE sha256 = ?", (sha256,)
            ).fetchone()
        if row is None or row[0] == "running":
            return False
        return model_version is None or row[1] == model_version

    def record(self, sha256: str) -> Record | None:
        with self._lock:
            row = self.connection.execute(
                "SELECT record_json FROM documents WHERE sha256 = ? AND status = 'done'", (sha256,)
            ).fetchone()
        return Record.model_validate_json(row[0]) if row and row[0] else None

    def document(self, sha256: str) -> DocumentRow | None:
        with self._lock:
            row = self.connection.execute(
                "SELECT sha256, source, status, error, seconds, model_version, warnings, extracted_at "
                "FROM documents WHERE sha256 = ?",
                (sha256,),
            ).fetchone()
        return _document_row(row) if row else None

    def documents(self, status: Status | None = None) -> list[DocumentRow]:
        query = "SELECT sha256, source, status, error, seconds, model_version, warnings, extracted_at FROM documents"
        params: tuple[str, ...] = ()
        if status is not None:
            query += " WHERE status = ?"
            params = (status,)
        with self._lock:
            rows = self.connection.execute(query + " ORDER BY source", params).fetchall()
        return [_document_row(r) for r in rows]

    def status(self) -> StoreStatus:
        with self._lock:
            counts = dict(self.connection.execute("SELECT status, COUNT(*) FROM documents GROUP BY status"))
            seconds, last = self.connection.execute(
                "SELECT COALESCE(SUM(seconds), 0), MAX(extracted_at) FROM documents"
            ).fetchone()
            versions = dict(self.connection.execute(
                "SELECT model_version, COUNT(*) FROM documents GROUP BY model_version"
            ))
        return StoreStatus({s: counts.get(s, 0) for s in STATUSES}, float(seconds), last, versions)

    def iter_records(self) -> Iterator[Record]:
        """Every extracted record, in source order, without holding them all in memory."""
        cursor = self.connection.cursor()
        cursor.execute("SELECT record_json FROM documents WHERE status = 'done' ORDER BY source")
        for (text,) in cursor:
            yield Record.model_validate_json(text)


@dataclass(frozen=True)
class PreparedRecord:
    """A record as the store's rows: the documents columns it fills, and per table (column names, rows)."""

    fields: dict[str, Any]
    children: dict[str, tuple[tuple[str, ...], list[tuple]]]


def prepare_record(record: Record) -> PreparedRecord:
    warnings = [f"{w.code}: {w.message}" for w in record.warnings]
    confidences = [v.confidence for _, v in record.values() if v.present]
    fields = {
        "warnings": json.dumps(warnings),
        "document_type": record.document_type.value, "period_of_report": _sql(record.period_of_report.value),
        "issuer_cik": record.issuer.cik.value, "issuer_name": record.issuer.name.value,
        "issuer_ticker": record.issuer.trading_symbol.value, "source_format": record.source.format,
        "pages": record.source.pages, "min_confidence": min(confidences) if confidences else None,
        "record_json": record.model_dump_json(),
    }
    children = {
        table: (tuple(rows[0]) if rows else (), [tuple(row.values()) for row in rows])
        for table, rows in _child_rows(record).items()
    }
    return PreparedRecord(fields, children)


class _Transaction:
    def __init__(self, connection: sqlite3.Connection, lock: threading.RLock):
        self.connection = connection
        self.lock = lock

    def __enter__(self) -> None:
        self.lock.acquire()
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, exc, tb) -> None:
        try:
            self.connection.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self.lock.release()


def _document_row(row: tuple) -> DocumentRow:
    sha256, source, status, error, seconds, model_version, warnings, extracted_at = row
    notes = json.loads(warnings or "[]")
    return DocumentRow(sha256, source, status, error, seconds, model_version, notes, extracted_at)


def _sql(value: Any) -> Any:
    """A Python value as SQLite stores it: dates ISO text, decimals exact text (NUMERIC affinity converts)."""
    if value is None or isinstance(value, (str, int, float)):
        return value  # bool is an int: 0/1
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    return str(value)


def _value(item: Value[Any]) -> Any:
    return _sql(item.value)


def _child_rows(record: Record) -> dict[str, list[dict[str, Any]]]:
    owners = []
    for position, owner in enumerate(record.owners):
        address, relationship = owner.address, owner.relationship
        owners.append({
            "position": position, "cik": _value(owner.cik), "name": _value(owner.name),
            "street1": _value(address.street1), "street2": _value(address.street2), "city": _value(address.city),
            "state": _value(address.state), "zip_code": _value(address.zip_code), "country": _value(address.country),
            "is_director": _value(relationship.is_director), "is_officer": _value(relationship.is_officer),
            "is_ten_percent_owner": _value(relationship.is_ten_percent_owner),
            "is_other": _value(relationship.is_other), "officer_title": _value(relationship.officer_title),
            "other_text": _value(relationship.other_text),
        })
    rows: dict[str, list[dict[str, Any]]] = {"owners": owners, "transactions": [], "holdings": []}
    tables: tuple[tuple[int, list[NonDerivativeRow] | list[DerivativeRow]], ...] = (
        (0, record.non_derivative), (1, record.derivative),
    )
    for derivative, items in tables:
        for position, row in enumerate(items):
            table = "transactions" if row.kind == "transaction" else "holdings"
            columns = TRANSACTION_COLUMNS if table == "transactions" else HOLDING_COLUMNS
            out: dict[str, Any] = {"derivative": derivative, "position": position}
            notes: list[str] = []
            confidences = []
            for name, _ in columns[:-len(_ROW_EXTRA)]:
                item = getattr(row, name, None)
                out[name] = _value(item) if item is not None else None
            for name in type(row).model_fields:
                item = getattr(row, name)
                if isinstance(item, Value) and item.present:
                    notes += item.footnote_ids
                    confidences.append(item.confidence)
            out["footnote_ids"] = json.dumps(list(dict.fromkeys(notes)))
            out["min_confidence"] = min(confidences) if confidences else None
            rows[table].append(out)
    rows["footnotes"] = [{"footnote_id": f.id, "text": f.text.value} for f in record.footnotes]
    return rows


# Export


def export_store(store: ResultStore, fmt: str, output: Path | None) -> list[Path]:
    """Write the store out: JSON lines of records (a file, or stdout when output is None), or
    one CSV / Parquet file per table in the folder `output`. Returns the files written."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "jsonl":
        if output is None:
            _write_jsonl(store, sys.stdout)
            return []
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as stream:
            _write_jsonl(store, stream)
        return [output]
    if output is None:
        raise ValueError(f"{fmt} export needs an output folder")
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for table, columns in export_tables().items():
        path = output / f"{table}.{fmt}"
        batches = _table_batches(store, table, [name for name, _ in columns])
        if fmt == "csv":
            _write_csv(path, [name for name, _ in columns], batches)
        else:
            _write_parquet(path, columns, batches)
        written.append(path)
    return written


def export_tables() -> dict[str, tuple[tuple[str, str], ...]]:
    """The exported tables and their columns (the record JSON stays in the store and in jsonl)."""
    tables = {"documents": tuple(c for c in DOCUMENT_COLUMNS if c[0] != "record_json")}
    for table, (key, columns) in CHILD_TABLES.items():
        tables[table] = (("sha256", "TEXT"),) + key + columns
    return tables


def _write_jsonl(store: ResultStore, stream: TextIO) -> None:
    for record in store.iter_records():
        stream.write(record.model_dump_json() + "\n")


def _table_batches(store: ResultStore, table: str, names: list[str], size: int = 5000) -> Iterator[list[tuple]]:
    cursor = store.connection.cursor()
    order = "source" if table == "documents" else "sha256"
    cursor.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY {order}")
    while batch := cursor.fetchmany(size):
        yield batch


def _write_csv(path: Path, names: list[str], batches: Iterator[list[tuple]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(names)
        for batch in batches:
            writer.writerows(["" if v is None else v for v in row] for row in batch)


def _arrow_type(kind: str):
    import pyarrow as pa

    base = kind.split()[0]
    return {"INTEGER": pa.int64(), "REAL": pa.float64(), "NUMERIC": pa.float64()}.get(base, pa.string())


def _write_parquet(path: Path, columns: tuple[tuple[str, str], ...], batches: Iterator[list[tuple]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, _arrow_type(kind)) for name, kind in columns])
    with pq.ParquetWriter(path, schema) as writer:
        wrote = False
        for batch in batches:
            arrays = [
                pa.array([_arrow_value(row[i], field.type) for row in batch], type=field.type)
                for i, field in enumerate(schema)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            wrote = True
        if not wrote:
            writer.write_table(schema.empty_table())


def _arrow_value(value: Any, kind) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if kind == pa.float64():
        return float(value)
    if kind == pa.string():
        return str(value)
    return value
