"""Bulk extraction: many documents through a pool of worker processes (or a Dask cluster) into a ResultStore.

The parent walks the inputs, hashes each document, skips those the store already finished,
and is the only writer of the store; workers only extract. Each document is saved in its own
transaction as soon as it completes, so a run killed at any moment (even SIGKILL) loses at
most the documents under way, and a rerun picks those up again.

The local pool is a small one of our own rather than concurrent.futures.ProcessPoolExecutor:
that one cannot kill a single stuck task, cannot say which document crashed a worker (every
pending future gets BrokenProcessPool), and on Python 3.11 deadlocks once a worker retires
at max_tasks_per_child (CPython gh-115634). Here each worker holds one document at a time,
so a timeout kills exactly that worker and a crash is charged to exactly its document.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal, Sequence

from . import __version__
from .errors import Form4Error
from .pipeline import ExtractSettings
from .sources import InputDocument, SourceSettings, find_documents, read_document
from .store import PreparedRecord, ResultStore, StoreStatus, prepare_record

START_METHODS = ("forkserver", "spawn")
# The fork server loads the model the run uses (extractor.worker_preload), so workers share its pages.
MODEL_PRELOAD_VARIABLE = "FORM4_PRELOAD_MODEL"
_START_SECONDS = 120.0  # a spawned worker imports the whole package; a loaded machine can take a while
# Imported once by the fork server, so a new or recycled worker starts in milliseconds and
# shares these pages with its siblings instead of importing them again.
_PRELOAD = (
    "extractor.bulk", "extractor.pipeline", "extractor.rules", "extractor.validate", "extractor.edgar_xml",
    "extractor.layout", "extractor.layout.pdf", "extractor.layout.ocr", "extractor.layout.html",
    "extractor.layout.text",
)


def model_version(settings: ExtractSettings) -> str:
    """What produced a record; `--reextract` redoes documents finished by any other."""
    from .model import auto_strategy, model_installed, model_meta

    uses_model = settings.method == "model" or (
        settings.method == "auto" and auto_strategy(settings.model_dir) != "rules")
    if not uses_model or not model_installed(settings.model_dir):
        return f"rules-{__version__}"
    meta = model_meta(settings.model_dir)
    kind = "model" if settings.method == "model" else auto_strategy(settings.model_dir)
    return f"{kind}-{__version__}-{meta.get('name', 'model')}-{str(meta.get('data_hash', 'unknown'))[:12]}"


@dataclass(frozen=True)
class BulkSettings:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    timeout: float = 300.0  # seconds per document before its worker is killed
    max_tasks_per_child: int = 500  # a worker is replaced after this many documents, so a leak cannot grow
    reextract: bool = False  # redo documents finished by another model version
    retry_failed: bool = False  # redo documents that failed before
    dask_address: str | None = None
    start_method: str = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    sources: SourceSettings = field(default_factory=SourceSettings)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if self.timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {self.timeout}")
        if self.max_tasks_per_child < 1:
            raise ValueError(f"max_tasks_per_child must be at least 1, not {self.max_tasks_per_child}")
        if self.start_method not in START_METHODS:
            raise ValueError(f"start_method must be one of {', '.join(START_METHODS)}, not {self.start_method!r}")
        if not isinstance(self.extract, ExtractSettings) or not isinstance(self.sources, SourceSettings):
            raise TypeError("extract and sources must be ExtractSettings and SourceSettings")


@dataclass(frozen=True)
class TaskResult:
    """What a worker sends back for one document."""

    record: PreparedRecord | None  # the record as store rows, made here so the single writer only inserts
    error: str | None
    seconds: float
    cpu_seconds: float  # the worker's CPU time on it, Tesseract's included: load-independent cost
    peak_rss_kb: int  # the worker's peak resident memory so far (Tesseract runs as a child, not counted)
    rss_kb: int  # its resident memory now, to see growth across documents
    pid: int


@dataclass(frozen=True)
class Task:
    sha256: str
    source: str
    data: bytes


@dataclass(frozen=True)
class BulkEvent:
    kind: Literal["start", "skip", "done", "failed"]
    source: str = ""
    error: str | None = None
    total: int = 0


@dataclass
class BulkSummary:
    found: int = 0  # documents under the inputs
    extracted: int = 0  # saved as done in this run
    failed: int = 0  # saved as failed in this run
    skipped: int = 0  # finished before (by content hash) and left alone
    duplicates: int = 0  # same bytes as another input of this run
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, error), this run's and earlier ones
    seconds: float = 0.0  # wall time
    extract_seconds: float = 0.0  # sum of the workers' time on this run's documents
    extract_cpu_seconds: float = 0.0  # and their CPU time (Tesseract's included)
    peak_rss_kb: int = 0  # the largest worker peak seen
    rss_kb: dict[int, list[int]] = field(default_factory=dict)  # worker pid -> resident memory after each document

    @property
    def documents_per_second(self) -> float:
        done = self.extracted + self.failed
        return done / self.seconds if self.seconds > 0 else 0.0


EventSink = Callable[[BulkEvent], None]
Worker = Callable[[bytes, str, ExtractSettings], "TaskResult"]


def _memory_kb() -> tuple[int, int]:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    try:
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError):
        rss = peak
    return peak, rss


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def extract_task(data: bytes, source: str, settings: ExtractSettings) -> TaskResult:
    """Extract one document in a worker; every error becomes a message naming the file."""
    from .layout.ocr import one_thread_per_process
    from .pipeline import extract_bytes

    one_thread_per_process()  # the workers are the parallelism (a Dask worker calls only this function)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    record, error = None, None
    try:
        record = prepare_record(extract_bytes(data, source, settings))
    except Form4Error as exc:
        error = str(exc)
    except Exception as exc:  # a bug on one document must not stop the run
        error = f"{source}: internal error ({type(exc).__name__}: {exc})"
    seconds = time.perf_counter() - started
    peak, rss = _memory_kb()
    return TaskResult(record, error, seconds, _cpu_seconds() - cpu_started, peak, rss, os.getpid())


def run_bulk(
    inputs: Sequence[str | Path], db: str | Path, settings: BulkSettings | None = None,
    on_event: EventSink | None = None, worker: Worker | None = None,
) -> BulkSummary:
    """Extract every document under the inputs into the store at `db`; returns what happened.

    `worker` (default `extract_task`) runs in the worker processes, so it must be importable there.
    """
    worker = worker or extract_task
    settings = settings or BulkSettings()
    emit = on_event or (lambda event: None)
    started = time.monotonic()
    docs = find_documents(inputs, settings.sources)
    summary = BulkSummary(found=len(docs))
    emit(BulkEvent("start", total=len(docs)))
    with ResultStore(db) as store:
        version = model_version(settings.extract)

        def save(task: Task, result: TaskResult) -> None:
            if result.record is not None:
                store.save_prepared(task.sha256, task.source, result.record, result.seconds, version)
                summary.extracted += 1
                emit(BulkEvent("done", task.source))
            else:
                error = result.error or f"{task.source}: failed"
                store.save_failure(task.sha256, task.source, error, result.seconds, version)
                summary.failed += 1
                summary.failures.append((task.source, error))
                emit(BulkEvent("failed", task.source, error))
            summary.extract_seconds += result.seconds
            summary.extract_cpu_seconds += result.cpu_seconds
            summary.peak_rss_kb = max(summary.peak_rss_kb, result.peak_rss_kb)
            if result.pid:
                summary.rss_kb.setdefault(result.pid, []).append(result.rss_kb)

        def started_task(task: Task) -> None:
            store.mark_running(task.sha256, task.source, version)

        tasks = _pending(docs, store, settings, version, summary, emit)
        if settings.dask_address:
            _run_dask(tasks, settings, started_task, save, worker)
        else:
            _run_local(tasks, settings, started_task, save, worker)
    summary.seconds = time.monotonic() - started
    return summary


def _pending(
    docs: Iterable[InputDocument], store: ResultStore, settings: BulkSettings, version: str,
    summary: BulkSummary, emit: EventSink,
) -> Iterator[Task]:
    """The documents still to extract, read and hashed one at a time as the pool asks for them."""
    seen: set[str] = set()
    for doc in docs:
        source = doc.source
        # No content to hash when a file cannot be read: its row is keyed by the name instead,
        # and a rerun retries the read (and drops that row once the file reads).
        unreadable = hashlib.sha256(f"unreadable:{source}".encode()).hexdigest()
        try:
            data = read_document(doc, settings.sources)
        except Form4Error as exc:
            store.save_failure(unreadable, source, str(exc), 0.0, version)
            summary.failed += 1
            summary.failures.append((source, str(exc)))
            emit(BulkEvent("failed", source, str(exc)))
            continue
        if store.document(unreadable) is not None:
            store.forget(unreadable)
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 in seen:
            summary.duplicates += 1
            emit(BulkEvent("skip", source))
            continue
        seen.add(sha256)
        if store.is_done(sha256, version if settings.reextract else None):
            row = store.document(sha256)
            if row is not None and row.status == "failed":
                if not settings.retry_failed:
                    summary.skipped += 1
                    summary.failures.append((row.source, row.error or "failed"))
                    emit(BulkEvent("skip", source))
                    continue
            else:
                summary.skipped += 1
                emit(BulkEvent("skip", source))
                continue
        yield Task(sha256, source, data)


# The local process pool


def _worker_main(conn: multiprocessing.connection.Connection, settings: ExtractSettings, worker: Worker) -> None:
    from .layout.ocr import one_thread_per_process

    one_thread_per_process()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    from .model import preload_model

    preload_model(settings.method, settings.model_dir)  # before "ready": no document's timeout pays the load
    conn.send("ready")
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message is None:
            return
        data, source = message
        result = worker(data, source, settings)
        try:
            conn.send(result)
        except (BrokenPipeError, EOFError, OSError):
            return  # the parent is gone
        except Exception as exc:  # a result that cannot be pickled must not look like a crash
            error = f"{source}: internal error (result not sendable: {type(exc).__name__}: {exc})"
            conn.send(TaskResult(None, error, result.seconds, result.cpu_seconds, result.peak_rss_kb, result.rss_kb,
                                 result.pid))


class _Worker:
    def __init__(self, context, settings: ExtractSettings, worker: Worker):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, settings, worker), daemon=True)
        self.process.start()
        child.close()
        # A worker that cannot start (a broken install) must stop the run, not fail every document.
        try:
            if not self.conn.poll(_START_SECONDS):
                raise EOFError
            self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise Form4Error(
                f"a worker process could not start (exit code {self.process.exitcode}); see the messages above"
            ) from None
        self.task: Task | None = None
        self.started = 0.0
        self.count = 0

    def send(self, task: Task) -> None:
        self.conn.send((task.data, task.source))
        self.task, self.started = task, time.monotonic()
        self.count += 1

    def retire(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _context(settings: BulkSettings):
    context = multiprocessing.get_context(settings.start_method)
    if settings.start_method == "forkserver":
        # Read by the fork server when it starts (once per process: a later run with another model
        # still works, its workers load their own).
        folder = "" if settings.extract.model_dir is None else str(Path(settings.extract.model_dir).resolve())
        os.environ.setdefault(MODEL_PRELOAD_VARIABLE, f"{settings.extract.method}|{folder}")
        context.set_forkserver_preload([*_PRELOAD, "extractor.worker_preload"])
    return context


def _failure(error: str, seconds: float) -> TaskResult:
    """A document whose worker never answered: pid 0 says the worker is gone."""
    return TaskResult(None, error, seconds, 0.0, 0, 0, 0)


def _crash_message(source: str, exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            how = signal.Signals(-exitcode).name
        except ValueError:
            how = f"signal {-exitcode}"
        return f"{source}: the worker crashed ({how})"
    return f"{source}: the worker crashed (exit code {exitcode})"


def _run_local(
    tasks: Iterator[Task], settings: BulkSettings, started_task: Callable[[Task], None],
    save: Callable[[Task, TaskResult], None], worker_function: Worker,
) -> None:
    context = _context(settings)

    def start() -> _Worker:
        return _Worker(context, settings.extract, worker_function)

    workers = [start() for _ in range(settings.workers)]
    exhausted = False
    try:
        while True:
            for index, worker in enumerate(workers):
                if worker.task is not None or exhausted:
                    continue
                if worker.count >= settings.max_tasks_per_child or not worker.process.is_alive():
                    worker.retire()
                    worker = workers[index] = start()
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                started_task(task)
                try:
                    worker.send(task)
                except OSError:  # died while idle: a fresh worker takes the document
                    worker.kill()
                    worker = workers[index] = start()
                    worker.send(task)
            busy = [w for w in workers if w.task is not None]
            if not busy:
                return
            now = time.monotonic()
            wait = max(0.0, min(w.started + settings.timeout for w in busy) - now)
            multiprocessing.connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=wait)
            for index, worker in enumerate(workers):
                task = worker.task
                if task is None:
                    continue
                result = _collect(worker, task, settings)
                if result is None:
                    continue
                worker.task = None
                save(task, result)
                if result.pid == 0:  # killed or crashed: start a fresh one in its place
                    worker.kill()
                    workers[index] = start()
    finally:
        for worker in workers:
            if worker.task is not None:
                worker.kill()  # stopped midway (Ctrl-C, an error): its document stays "running" for a rerun
            else:
                worker.retire()


def _collect(worker: _Worker, task: Task, settings: BulkSettings) -> TaskResult | None:
    """The worker's result if it has one, a failure if it crashed or ran out of time, else None."""
    if worker.conn.poll():
        try:
            return worker.conn.recv()
        except (EOFError, OSError):
            pass  # died mid-send: a crash
    elapsed = time.monotonic() - worker.started
    if not worker.process.is_alive():
        worker.process.join()
        return _failure(_crash_message(task.source, worker.process.exitcode), elapsed)
    if elapsed >= settings.timeout:
        worker.process.kill()
        return _failure(f"{task.source}: timed out after {settings.timeout:g} s", elapsed)
    return None


# A Dask cluster


def _run_dask(
    tasks: Iterator[Task], settings: BulkSettings, started_task: Callable[[Task], None],
    save: Callable[[Task, TaskResult], None], worker_function: Worker,
) -> None:
    """The same documents through a Dask distributed cluster; the store stays with this process.

    A worker that dies is restarted by its nanny and the document retried; after the
    scheduler's allowed failures the document is recorded as failed (KilledWorker). A document
    past the timeout is recorded as failed and its future released, but Dask cannot stop a
    running task: its thread finishes (or the worker is recycled, e.g. `dask worker --lifetime`).
    """
    from distributed import Client, wait

    with Client(settings.dask_address) as client:
        threads = sum(client.nthreads().values()) or 1
        running: dict = {}
        exhausted = False
        while True:
            while not exhausted and len(running) < threads:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                started_task(task)
                key = f"form4-{task.sha256}-{time.time_ns()}"
                future = client.submit(worker_function, task.data, task.source, settings.extract, pure=False, key=key)
                running[future] = (task, time.monotonic())
            if not running:
                return
            oldest = min(start for _, start in running.values())
            timeout = max(0.05, oldest + settings.timeout - time.monotonic())
            try:
                wait(list(running), timeout=timeout, return_when="FIRST_COMPLETED")
            except TimeoutError:
                pass
            for future in list(running):
                task, start = running[future]
                elapsed = time.monotonic() - start
                if future.done():
                    del running[future]
                    try:
                        result = future.result()
                    except Exception as exc:  # KilledWorker, or an error outside extract_task
                        result = _failure(f"{task.source}: failed on the cluster ({type(exc).__name__}: {exc})", elapsed)
                    save(task, result)
                elif elapsed >= settings.timeout:
                    del running[future]
                    future.cancel()
                    save(task, _failure(f"{task.source}: timed out after {settings.timeout:g} s", elapsed))


# Status and progress for the command line


def bulk_status(db: str | Path) -> tuple[StoreStatus, list[tuple[str, str]]]:
    """A store's counts by status and its failures (source, error), for a running or finished run."""
    path = Path(db)
    if not path.exists():
        from .errors import InputError

        raise InputError(str(path), "no such result store")
    with ResultStore(path) as store:
        failures = [(row.source, row.error or "") for row in store.documents("failed")]
        return store.status(), failures


class ProgressDisplay:
    """Renders BulkEvents: a rich progress bar (documents/s, ETA), or in quiet mode a log line
    every `interval` seconds and one per failure."""

    def __init__(self, quiet: bool = False, interval: float = 30.0, stream=None):
        self.quiet = quiet
        self.interval = interval
        self.stream = stream or sys.stderr
        self.total = 0
        self.finished = 0
        self.failed = 0
        self.started = time.monotonic()
        self.last_log = self.started
        self.progress = None
        self.task_id = None

    def __enter__(self) -> "ProgressDisplay":
        if not self.quiet:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self.progress = Progress(
                TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.1f} docs/s"), TextColumn("{task.fields[failed]} failed"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=False,
            )
            self.progress.start()
            self.task_id = self.progress.add_task("bulk", total=None, rate=0.0, failed=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, event: BulkEvent) -> None:
        if event.kind == "start":
            self.total = event.total
            self.started = time.monotonic()
        elif event.kind == "skip":
            self.total -= 1  # not work of this run: shrink the goal rather than count it as speed
        else:
            self.finished += 1
            self.failed += event.kind == "failed"
            if event.kind == "failed" and self.quiet:
                print(f"error: {event.error}", file=self.stream, flush=True)
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.finished / elapsed
        if self.progress is not None:
            self.progress.update(self.task_id, total=self.total, completed=self.finished, rate=rate, failed=self.failed)
        elif time.monotonic() - self.last_log >= self.interval:
            self.last_log = time.monotonic()
            left = (self.total - self.finished) / rate if rate > 0 else float("nan")
            print(f"bulk: {self.finished}/{self.total} documents, {self.failed} failed, {rate:.1f} docs/s, "
                  f"about {left:.0f} s left", file=self.stream, flush=True)


def summary_lines(summary: BulkSummary, max_failures: int = 100) -> list[str]:
    """The end-of-run report: counts, speed, then every failure (up to max_failures)."""
    lines = [
        f"{summary.found} documents: {summary.extracted} extracted, {summary.failed} failed, "
        f"{summary.skipped} finished before, {summary.duplicates} duplicates; "
        f"{summary.seconds:.1f} s ({summary.documents_per_second:.1f} docs/s)"
    ]
    if summary.failures:
        lines.append(f"failed ({len(summary.failures)}):")
        lines += [f"  {error}" for _, error in summary.failures[:max_failures]]
        if len(summary.failures) > max_failures:
            lines.append(f"  ... and {len(summary.failures) - max_failures} more: form4 bulk --status --db ...")
    return lines


def status_lines(db: str | Path, max_failures: int = 20) -> list[str]:
    status, failures = bulk_status(db)
    counts = status.counts
    lines = [
        f"{db}: {status.total} documents: {counts.get('done', 0)} done, {counts.get('failed', 0)} failed, "
        f"{counts.get('running', 0)} running",
        f"extraction time {status.seconds:.1f} s; last update {status.last_update or 'never'}",
    ]
    if status.model_versions:
        lines.append("model versions: " + ", ".join(f"{v} ({n})" for v, n in sorted(status.model_versions.items())))
    if counts.get("running"):
        lines.append("running: under way now, or left by a stopped run (a rerun of the same command redoes them)")
    if failures:
        lines.append(f"failed ({len(failures)}):")
        lines += [f"  {error}" for _, error in failures[:max_failures]]
        if len(failures) > max_failures:
            lines.append(f"  ... and {len(failures) - max_failures} more: "
                         "SELECT source, error FROM documents WHERE status = 'failed'")
    return lines
