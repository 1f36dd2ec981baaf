"""Batch jobs of the HTTP service: unpacking a batch, and the job tables in the results store.

A job's documents are extracted into the same SQLite store as `form4 bulk` (one row per
document hash), and two tables of its own say which documents a job holds and how each
fared, so any worker of the service can answer for a job another worker runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import json
import re
import sqlite3
import uuid
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterator, Literal

from pydantic import BaseModel

from .errors import CorruptInputError, EmptyInputError, TooLargeError
from .records import Record
from .store import ResultStore

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
JOB_STATES = ("queued", "running", "done")
ITEM_STATES = ("queued", "done", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS service_jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    method TEXT NOT NULL,
    model_version TEXT NOT NULL,
    total INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS service_job_items (
    job_id TEXT NOT NULL REFERENCES service_jobs(id),
    position INTEGER NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT,
    status TEXT NOT NULL,
    error_code TEXT,
    error TEXT,
    seconds REAL,
    PRIMARY KEY (job_id, position)
);
"""

# Zip member names that are never documents: folders' metadata from macOS and Windows.
_ZIP_JUNK = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ ()+-]+")


@dataclass(frozen=True)
class BatchLimits:
    max_files: int = 100
    max_file_bytes: int = 20 * 1024 * 1024
    max_total_bytes: int = 200 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.max_files < 1 or self.max_file_bytes < 1 or self.max_total_bytes < self.max_file_bytes:
            raise ValueError("max_files and max_file_bytes must be positive and max_total_bytes >= max_file_bytes, "
                             f"not {self.max_files}, {self.max_file_bytes} and {self.max_total_bytes}")


@dataclass(frozen=True)
class BatchDocument:
    """One document of a batch; `error` says why it could not even be taken out of its archive."""

    source: str
    data: bytes
    error: str | None = None


@dataclass(frozen=True)
class JobItem:
    position: int
    source: str
    sha256: str | None
    status: str
    error_code: str | None
    error: str | None
    seconds: float | None


@dataclass(frozen=True)
class Job:
    id: str
    status: str
    method: str
    model_version: str
    total: int
    created_at: str
    finished_at: str | None
    items: list[JobItem]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.status == "done")

    @property
    def failed(self) -> int:
        return sum(1 for item in self.items if item.status == "failed")


def display_name(name: str | None, fallback: str) -> str:
    """A client's file name made safe to show: last path part, plain characters, bounded length.

    It is only ever shown in messages and records; nothing is stored under it.
    """
    base = re.split(r"[/\\]", name or "")[-1]
    base = _SAFE_NAME.sub("_", base).strip(" ._")[:120]
    return base or fallback


def unpack_batch(files: list[tuple[str | None, bytes]], limits: BatchLimits) -> list[BatchDocument]:
    """The documents of an upload: each file as it is, and each member of a ZIP file.

    Raises TooLargeError past the limits, EmptyInputError when nothing is left. Archive sizes
    are read, never trusted: a member is decompressed up to one byte past the limit.
    """
    documents: list[BatchDocument] = []
    total = 0
    for index, (name, data) in enumerate(files):
        source = display_name(name, f"file-{index + 1}")
        members = _zip_members(source, data, limits) if data[:4] == b"PK\x03\x04" else [BatchDocument(source, data)]
        for document in members:
            total += len(document.data)
            documents.append(document)
            if len(documents) > limits.max_files:
                raise TooLargeError("batch", f"more than {limits.max_files} documents")
            if total > limits.max_total_bytes:
                raise TooLargeError("batch", f"over {limits.max_total_bytes:,} bytes in all")
    if not documents:
        raise EmptyInputError("batch", "the batch holds no documents")
    return documents


def _zip_members(source: str, data: bytes, limits: BatchLimits) -> list[BatchDocument]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir() and not _ZIP_JUNK.search(info.filename)]
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CorruptInputError(source, f"the ZIP archive cannot be read ({exc})") from None
    if len(infos) > limits.max_files:
        raise TooLargeError(source, f"the archive holds {len(infos)} files, over the limit of {limits.max_files}")
    members = []
    with archive:
        for position, info in enumerate(infos):
            name = f"{source}:{display_name(info.filename, f'member-{position + 1}')}"
            try:
                with archive.open(info) as member:
                    content = member.read(limits.max_file_bytes + 1)
            except (RuntimeError, NotImplementedError) as exc:  # encrypted, or an unknown compression
                members.append(BatchDocument(name, b"", f"{name}: cannot be taken out of the archive ({exc})"))
                continue
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                members.append(BatchDocument(name, b"", f"{name}: the archive member is corrupt ({exc})"))
                continue
            if len(content) > limits.max_file_bytes:
                members.append(BatchDocument(name, b"", f"{name}: over the limit of {limits.max_file_bytes:,} bytes"))
                continue
            members.append(BatchDocument(name, content))
    return members


@contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    # Explicit, because the results store's connection runs in autocommit mode.
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def ensure_tables(connection: sqlite3.Connection) -> None:
    connection.executescript(_SCHEMA)


def create_job(connection: sqlite3.Connection, sources: list[str], method: str, model_version: str) -> str:
    job_id = uuid.uuid4().hex
    with _transaction(connection):
        connection.execute(
            "INSERT INTO service_jobs (id, status, method, model_version, total, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (job_id, "queued", method, model_version, len(sources), _now()),
        )
        connection.executemany(
            "INSERT INTO service_job_items (job_id, position, source, status) VALUES (?, ?, ?, 'queued')",
            [(job_id, position, source) for position, source in enumerate(sources)],
        )
    return job_id


def set_job_status(connection: sqlite3.Connection, job_id: str, status: str) -> None:
    if status not in JOB_STATES:
        raise ValueError(f"job status must be one of {', '.join(JOB_STATES)}, not {status!r}")
    finished = _now() if status == "done" else None
    with _transaction(connection):
        connection.execute("UPDATE service_jobs SET status = ?, finished_at = ? WHERE id = ?",
                           (status, finished, job_id))


def finish_item(connection: sqlite3.Connection, job_id: str, position: int, *, sha256: str | None, status: str,
                seconds: float | None, error_code: str | None = None, error: str | None = None) -> None:
    if status not in ITEM_STATES[1:]:
        raise ValueError(f"a finished item is done or failed, not {status!r}")
    with _transaction(connection):
        connection.execute(
            "UPDATE service_job_items SET sha256 = ?, status = ?, error_code = ?, error = ?, seconds = ? "
            "WHERE job_id = ? AND position = ?",
            (sha256, status, error_code, error, seconds, job_id, position),
        )


def load_job(connection: sqlite3.Connection, job_id: str) -> Job | None:
    if not JOB_ID.match(job_id):
        return None
    row = connection.execute(
        "SELECT id, status, method, model_version, total, created_at, finished_at FROM service_jobs WHERE id = ?",
        (job_id,),
    ).fetchone()
    if row is None:
        return None
    items = [
        JobItem(*item)
        for item in connection.execute(
            "SELECT position, source, sha256, status, error_code, error, seconds FROM service_job_items "
            "WHERE job_id = ? ORDER BY position",
            (job_id,),
        )
    ]
    return Job(*row, items=items)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# ---- the service's view of a job, and running one ----------------------------------------------


class JobItemView(BaseModel):
    position: int
    source: str
    sha256: str | None
    status: Literal["queued", "done", "failed"]
    error_code: str | None
    error: str | None
    seconds: float | None
    record: dict[str, Any] | None = None


class JobView(BaseModel):
    id: str
    status: Literal["queued", "running", "done"]
    method: str
    model_version: str
    total: int
    done: int
    failed: int
    created_at: str
    finished_at: str | None
    items: list[JobItemView]


@dataclass(frozen=True)
class Outcome:
    """What extracting one document of a job gave: a record, or an error code and message."""

    seconds: float
    record: Record | None = None
    error_code: str | None = None
    error: str | None = None


def job_view(store: ResultStore, job_id: str, with_records: bool) -> JobView | None:
    job = load_job(store.connection, job_id)
    if job is None:
        return None
    items = []
    for item in job.items:
        record = store.record(item.sha256) if with_records and item.status == "done" and item.sha256 else None
        items.append(JobItemView(position=item.position, source=item.source, sha256=item.sha256, status=item.status,
                                 error_code=item.error_code, error=item.error, seconds=item.seconds,
                                 record=json.loads(record.model_dump_json()) if record is not None else None))
    return JobView(id=job.id, status=job.status, method=job.method, model_version=job.model_version,
                   total=job.total, done=job.done, failed=job.failed, created_at=job.created_at,
                   finished_at=job.finished_at, items=items)


async def run_job(store: ResultStore, job_id: str, documents: list[BatchDocument], model_version: str,
                  extract: Callable[[BatchDocument], Awaitable[Outcome]]) -> None:
    """Extract a job's documents into the results store; one already there for this model is reused."""
    connection = store.connection
    set_job_status(connection, job_id, "running")

    async def one(position: int, document: BatchDocument) -> None:
        if document.error is not None:
            finish_item(connection, job_id, position, sha256=None, status="failed", seconds=0.0,
                        error_code="unreadable_input", error=document.error)
            return
        digest = hashlib.sha256(document.data).hexdigest()
        if store.is_done(digest, model_version) and store.record(digest) is not None:
            finish_item(connection, job_id, position, sha256=digest, status="done", seconds=0.0)
            return
        outcome = await extract(document)
        if outcome.record is not None:
            store.save_record(digest, document.source, outcome.record, outcome.seconds, model_version)
            finish_item(connection, job_id, position, sha256=digest, status="done", seconds=outcome.seconds)
        else:
            store.save_failure(digest, document.source, outcome.error or "failed", outcome.seconds, model_version)
            finish_item(connection, job_id, position, sha256=digest, status="failed", seconds=outcome.seconds,
                        error_code=outcome.error_code, error=outcome.error)

    # One document's unexpected failure must not stop the others; it stays "queued" in the job.
    await asyncio.gather(*(one(position, document) for position, document in enumerate(documents)),
                         return_exceptions=True)
    set_job_status(connection, job_id, "done")
