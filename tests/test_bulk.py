"""Bulk extraction on made-up documents: every input kind, failures, crashes, timeouts, SIGKILL, Dask."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import types
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.bulk import BulkSettings, extract_task, model_version, run_bulk
from extractor.cli import app
from extractor.edgar_xml import write_xml
from extractor.errors import Form4Error, InputError, TooLargeError
from extractor.pipeline import ExtractSettings, extract_bytes
from extractor.sources import InputDocument, find_documents, read_document
from extractor.store import ResultStore

from . import fixture_docs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "examples" / "made-up-form4.md").read_text(encoding="utf-8")
AMOUNT = "2,500"  # the example's transaction amount, varied to make distinct documents
runner = CliRunner()


def made_up_text(index: int, rows: int = 1) -> str:
    """The made-up example with its own amount (distinct bytes), and `rows` transaction rows."""
    line = next(x for x in EXAMPLE.splitlines() if AMOUNT in x)
    extra = "\n".join(line.replace(AMOUNT, f"{1000 + index * 10 + r:,}") for r in range(1, rows))
    text = EXAMPLE.replace(line, line.replace(AMOUNT, f"{1000 + index * 10:,}") + ("\n" + extra if extra else ""))
    return text


def write_text_docs(folder: Path, count: int, rows: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"form-{i:03d}.md"
        path.write_text(made_up_text(i, rows), encoding="utf-8")
        paths.append(path)
    return paths


def statuses(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT source, status FROM documents"))


# Test worker functions: importable by the worker processes as tests.test_bulk.*


def crash_or_stall(data: bytes, source: str, settings: ExtractSettings):
    name = Path(source).name
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("stall"):
        time.sleep(120)
    return extract_task(data, source, settings)


# Walking inputs


def test_inputs_are_walked_in_folders_globs_and_zip_members_without_writing_members_to_disk(tmp_path):
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.md").write_text(made_up_text(1))
    (docs / "sub" / "b.TXT").write_text(made_up_text(2))
    (docs / "notes.json").write_text("{}")  # not a document suffix: a folder walk skips it
    (docs / ".hidden.md").write_text(made_up_text(3))
    odd = tmp_path / "named-on-purpose.data"
    odd.write_text(made_up_text(4))
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inner/c.md", made_up_text(5))
        zf.writestr("../../escape.md", made_up_text(6))  # zip-slip name: read in memory, never a path
        zf.writestr("inner/readme.json", "{}")

    found = find_documents([docs, str(tmp_path / "*.zip"), odd])
    assert [d.source for d in found] == [
        f"{docs}/a.md", f"{docs}/sub/b.TXT", f"{archive}!inner/c.md", f"{archive}!../../escape.md", str(odd)
    ]
    escape = next(d for d in found if d.member == "../../escape.md")
    assert read_document(escape) == made_up_text(6).encode()
    assert not (tmp_path.parent / "escape.md").exists() and not (tmp_path / "inner").exists()
    assert find_documents([docs, docs / "a.md"]) == find_documents([docs])  # each document once

    with pytest.raises(InputError, match="missing-folder: no such file"):
        find_documents([tmp_path / "missing-folder"])


def test_a_zip_bomb_member_is_refused_by_its_ratio_before_inflating(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("huge.txt", b" " * 5_000_000)
    with pytest.raises(TooLargeError, match=r"bomb.zip!huge.txt: compressed \d+ to 1"):
        read_document(InputDocument(archive, "huge.txt"))


# Running


def test_an_unreadable_document_is_recorded_by_name_and_dropped_once_it_reads(tmp_path):
    archive = tmp_path / "in" / "batch.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("form.md", made_up_text(1) + " " * 5_000_000)  # inflates like a zip bomb
    db = tmp_path / "r.sqlite"
    first = run_bulk([tmp_path / "in"], db, BulkSettings(workers=1))
    (source, error), = first.failures
    assert source == f"{archive}!form.md" and error.startswith(f"{source}: compressed") and error.endswith("a zip bomb")
    assert statuses(db) == {f"{archive}!form.md": "failed"}

    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("form.md", made_up_text(1))
    second = run_bulk([tmp_path / "in"], db, BulkSettings(workers=1))
    assert (second.extracted, second.failed) == (1, 0)
    assert statuses(db) == {f"{archive}!form.md": "done"}


@pytest.fixture(scope="module")
def mixed_inputs(tmp_path_factory) -> Path:
    """One of every input kind, a zip of some, a corrupt PDF and an empty file."""
    folder = tmp_path_factory.mktemp("mixed")
    pdf = fixture_docs.made_up_pdf()
    (folder / "form.md").write_text(made_up_text(1))
    (folder / "form.txt").write_text(made_up_text(2).replace("**", ""))
    (folder / "form.html").write_text(fixture_docs.MADE_UP_FORM_HTML)
    (folder / "form.pdf").write_bytes(pdf)
    (folder / "scan.png").write_bytes(fixture_docs.png_bytes(fixture_docs.made_up_scan()))
    record = extract_bytes(made_up_text(3).encode(), "made-up.md")
    (folder / "form.xml").write_bytes(write_xml(record))
    (folder / "corrupt.pdf").write_bytes(fixture_docs.truncated(pdf))
    (folder / "empty.txt").write_bytes(b"")
    with zipfile.ZipFile(folder / "batch.zip", "w") as zf:
        zf.writestr("inner/zipped.md", made_up_text(4))
        zf.writestr("inner/zipped.xml", write_xml(extract_bytes(made_up_text(5).encode(), "m.md")))
    return folder


def test_bulk_extracts_every_kind_records_failures_and_a_rerun_redoes_nothing(mixed_inputs, tmp_path):
    db = tmp_path / "results.sqlite"
    summary = run_bulk([mixed_inputs], db, BulkSettings(workers=2))

    got = statuses(db)
    failed = {s for s, status in got.items() if status == "failed"}
    assert failed == {f"{mixed_inputs}/corrupt.pdf", f"{mixed_inputs}/empty.txt"}
    assert len(got) == 10 and set(got.values()) == {"done", "failed"}
    assert (summary.found, summary.extracted, summary.failed, summary.skipped) == (10, 8, 2, 0)
    assert {source for source, _ in summary.failures} == failed
    assert any("empty.txt: the file is empty" in error for _, error in summary.failures)
    with ResultStore(db) as store, sqlite3.connect(db) as connection:
        sha, = connection.execute("SELECT sha256 FROM documents WHERE source LIKE '%!inner/zipped.md'").fetchone()
        assert store.record(sha).non_derivative[0].shares.value == 1040
        tickers = dict(connection.execute("SELECT source, issuer_ticker FROM documents WHERE status = 'done'"))
        assert set(tickers.values()) == {"EXWG", "BKWH"}
        assert connection.execute("SELECT DISTINCT model_version FROM documents").fetchall() == [(model_version(ExtractSettings()),)]

    again = run_bulk([mixed_inputs], db, BulkSettings(workers=2))
    assert (again.extracted, again.failed, again.skipped) == (0, 0, 10)
    assert {source for source, _ in again.failures} == failed  # earlier failures still reported
    assert statuses(db) == got


def test_a_crashed_worker_is_charged_to_its_document_and_the_run_goes_on(tmp_path):
    docs = write_text_docs(tmp_path / "in", 4)
    crash = docs[1].rename(docs[1].with_name("crash.md"))
    db = tmp_path / "r.sqlite"
    summary = run_bulk([tmp_path / "in"], db, BulkSettings(workers=2), worker=crash_or_stall)

    assert summary.failures == [(str(crash), f"{crash}: the worker crashed (SIGSEGV)")]
    assert statuses(db) == {**{str(p): "done" for p in docs if p.exists()}, str(crash): "failed"}


def test_a_document_past_the_timeout_is_failed_and_the_others_finish(tmp_path):
    docs = write_text_docs(tmp_path / "in", 3)
    stall = docs[0].rename(docs[0].with_name("stall.md"))
    started = time.monotonic()
    summary = run_bulk([tmp_path / "in"], tmp_path / "r.sqlite", BulkSettings(workers=2, timeout=2.0), worker=crash_or_stall)

    assert time.monotonic() - started < 30
    assert summary.failures == [(str(stall), f"{stall}: timed out after 2 s")]
    assert summary.extracted == 2


def test_workers_that_cannot_start_stop_the_run_instead_of_failing_every_document(tmp_path, monkeypatch):
    module = types.ModuleType("form4_module_the_workers_lack")

    def vanishing(data, source, settings):  # pragma: no cover - never runs: the workers cannot import it
        return extract_task(data, source, settings)

    vanishing.__module__, vanishing.__qualname__ = module.__name__, "vanishing"
    module.vanishing = vanishing
    monkeypatch.setitem(sys.modules, module.__name__, module)
    write_text_docs(tmp_path / "in", 2)
    with pytest.raises(Form4Error, match="a worker process could not start"):
        run_bulk([tmp_path / "in"], tmp_path / "r.sqlite", BulkSettings(workers=1), worker=vanishing)
    assert statuses(tmp_path / "r.sqlite") == {}  # no document blamed for it


def test_workers_are_replaced_after_max_tasks_per_child(tmp_path):
    write_text_docs(tmp_path / "in", 6)
    summary = run_bulk([tmp_path / "in"], tmp_path / "r.sqlite", BulkSettings(workers=1, max_tasks_per_child=2))
    assert summary.extracted == 6
    assert sorted(len(sizes) for sizes in summary.rss_kb.values()) == [2, 2, 2]
    assert 0 < summary.peak_rss_kb < 400 * 1024


def test_reextract_redoes_only_documents_of_another_model_version(tmp_path):
    docs = write_text_docs(tmp_path / "in", 3)
    db = tmp_path / "r.sqlite"
    run_bulk([tmp_path / "in"], db, BulkSettings(workers=1))
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE documents SET model_version = 'rules-0.0.1' WHERE source = ?", (str(docs[0]),))

    assert run_bulk([tmp_path / "in"], db, BulkSettings(workers=1)).skipped == 3
    redo = run_bulk([tmp_path / "in"], db, BulkSettings(workers=1, reextract=True))
    assert (redo.extracted, redo.skipped) == (1, 2)
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT DISTINCT model_version FROM documents").fetchall() == [(model_version(ExtractSettings()),)]


def test_sigkill_midway_then_a_rerun_has_every_document_exactly_once(tmp_path):
    docs = write_text_docs(tmp_path / "in", 30, rows=12)
    db = tmp_path / "r.sqlite"
    command = [sys.executable, "-c", "from extractor.cli import main; main()", "bulk", str(tmp_path / "in"),
               "--db", str(db), "--workers", "1", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=1) as connection:
                        done = connection.execute("SELECT COUNT(*) FROM documents WHERE status = 'done'").fetchone()[0]
                except sqlite3.OperationalError:
                    done = 0  # the schema is still being created
                if done >= 3:
                    break
            time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the parent and its workers, with no chance to clean up
        process.wait()
    assert 3 <= done < 30, f"the kill came at {done} of 30 done documents"

    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "30 documents:" in rerun.stdout and "finished before" in rerun.stdout
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT source, status FROM documents").fetchall()
        counts = connection.execute("SELECT COUNT(*), COUNT(DISTINCT sha256) FROM transactions WHERE position = 0").fetchone()
    assert sorted(rows) == sorted((str(p), "done") for p in docs)
    assert counts == (30, 30)


def test_a_dask_local_cluster_gives_records_identical_to_the_local_pool(mixed_inputs, tmp_path):
    distributed = pytest.importorskip("distributed")
    inputs = [mixed_inputs / "form.md", mixed_inputs / "form.pdf", mixed_inputs / "form.xml", mixed_inputs / "batch.zip",
              mixed_inputs / "empty.txt"]
    local = run_bulk(inputs, tmp_path / "local.sqlite", BulkSettings(workers=2))
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        remote = run_bulk(inputs, tmp_path / "dask.sqlite", BulkSettings(dask_address=cluster.scheduler_address))

    assert (remote.extracted, remote.failed) == (local.extracted, local.failed) == (5, 1)
    query = "SELECT sha256, source, status, error, record_json FROM documents ORDER BY sha256"
    with sqlite3.connect(tmp_path / "local.sqlite") as a, sqlite3.connect(tmp_path / "dask.sqlite") as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


# The command line


def test_bulk_command_summary_status_and_exit_status(mixed_inputs, tmp_path):
    db = tmp_path / "r.sqlite"
    inputs = [str(mixed_inputs / "form.md"), str(mixed_inputs / "empty.txt"), str(mixed_inputs / "batch.zip")]
    result = runner.invoke(app, ["bulk", *inputs, "--db", str(db), "--workers", "1", "--quiet"])
    assert result.exit_code == 1, result.output
    assert "4 documents: 3 extracted, 1 failed, 0 finished before" in result.stdout
    assert f"{mixed_inputs}/empty.txt: the file is empty" in result.stdout

    status = runner.invoke(app, ["bulk", "--status", "--db", str(db)])
    assert status.exit_code == 0
    assert f"{db}: 4 documents: 3 done, 1 failed, 0 running" in status.stdout

    ok = runner.invoke(app, ["bulk", str(mixed_inputs / "form.md"), "--db", str(tmp_path / "ok.sqlite"), "-w", "1", "-q"])
    assert ok.exit_code == 0 and "1 documents: 1 extracted, 0 failed" in ok.stdout

    missing = runner.invoke(app, ["bulk", str(tmp_path / "nothing-here"), "--db", str(db)])
    assert missing.exit_code == 2 and "nothing-here: no such file" in missing.stderr


def test_export_command_writes_tables_and_records(mixed_inputs, tmp_path):
    import pyarrow.parquet as pq

    db = tmp_path / "r.sqlite"
    run_bulk([mixed_inputs / "form.md", mixed_inputs / "batch.zip"], db, BulkSettings(workers=1))
    result = runner.invoke(app, ["export", "--db", str(db), "--format", "parquet"])
    assert result.exit_code == 0, result.output
    transactions = pq.read_table(tmp_path / "r-parquet" / "transactions.parquet").to_pylist()
    assert sorted(t["shares"] for t in transactions) == [1010.0, 1040.0, 1050.0]

    jsonl = runner.invoke(app, ["export", "--db", str(db), "-f", "jsonl"])
    assert jsonl.exit_code == 0 and len(jsonl.stdout.splitlines()) == 3
    bad = runner.invoke(app, ["export", "--db", str(db), "-f", "xlsx"])
    assert bad.exit_code == 2


def test_workers_keep_ocr_on_one_core_before_and_after_opencv_is_imported():
    # OpenCV's own thread pool made one bulk worker use 1.15 cores, so two could not double one.
    import subprocess
    import sys

    code = ("from extractor.layout.ocr import one_thread_per_process; import os, sys;"
            "one_thread_per_process(); assert 'cv2' not in sys.modules; import cv2;"
            "print(cv2.getNumThreads(), os.environ['OMP_THREAD_LIMIT'])")
    before = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert before.stdout.split() == ["1", "1"]
    code = ("import cv2; from extractor.layout.ocr import one_thread_per_process; one_thread_per_process();"
            "from threadpoolctl import threadpool_info;"
            "print(cv2.getNumThreads(), *sorted({i['num_threads'] for i in threadpool_info()}))")
    after = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert after.stdout.split() == ["1", "1"]  # OpenCV, and numpy's BLAS (two threads each made 2 workers slower than 1)


def test_the_fork_server_loads_the_run_model_so_workers_share_it():
    """Each worker loaded its own copy of the model: two copies competed for the shared cache and a
    2-worker run of PDFs was 1.52x one worker. The fork server now loads it once, before forking."""
    from extractor.bulk import MODEL_PRELOAD_VARIABLE

    probe = ("import extractor.worker_preload, extractor.model as m; "
             "print(m._cached_default.cache_info().currsize, m._cached.cache_info().currsize)")
    env = {**os.environ, MODEL_PRELOAD_VARIABLE: "auto|"}
    loaded = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == ["1", "0"]  # the shipped model, loaded on import
    env[MODEL_PRELOAD_VARIABLE] = "rules|"
    rules_only = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert rules_only.stdout.split() == ["0", "0"]  # nothing to load for the rules
