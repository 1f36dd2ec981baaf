"""The `form4` command line. Each command parses its arguments and calls the library."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import typer

from .errors import Form4Error
from .export import FORMATS, render
from .pipeline import METHODS, ExtractSettings, extract_file
from .records import Record, record_json_schema

app = typer.Typer(
    help="Extract SEC Forms 3, 4 and 5 (PDF, scans, text, HTML, XML) into typed records.",
    no_args_is_help=True,
    add_completion=False,
)


@dataclass
class ExtractOutcome:
    records: list[tuple[Path, Record]]
    failures: list[tuple[Path, str]]


def extract_paths(paths: list[Path], settings: ExtractSettings) -> ExtractOutcome:
    """Extract every path; a failure is recorded and never stops the others."""
    outcome = ExtractOutcome([], [])
    for path in paths:
        try:
            outcome.records.append((path, extract_file(path, settings)))
        except Form4Error as exc:
            outcome.failures.append((path, str(exc)))
        except Exception as exc:  # an unexpected bug must not lose the other documents
            outcome.failures.append((path, f"{path}: internal error ({type(exc).__name__}: {exc})"))
    return outcome


@app.command()
def extract(
    paths: List[Path] = typer.Argument(..., help="Documents: PDF, TIFF/PNG/JPEG scans, text, markdown, HTML, XML."),
    fmt: str = typer.Option("json", "--format", "-f", help=f"Output format: {', '.join(FORMATS)}."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="A file, or a folder for several inputs (one <stem>.<ext> each)."
    ),
    method: str = typer.Option("auto", "--method", "-m", help=f"Extractor: {', '.join(METHODS)}."),
    max_pages: int = typer.Option(50, "--max-pages", help="Refuse PDFs with more pages than this."),
) -> None:
    """Extract one record per document.

    Example: form4 extract filing.pdf scan.tiff --format json --output records/
    """
    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    if method not in METHODS:
        raise typer.BadParameter(f"choose one of {', '.join(METHODS)}", param_hint="--method")
    outcome = extract_paths(paths, ExtractSettings(method=method, max_pages=max_pages))
    write_outcome(outcome, fmt, output, several=len(paths) > 1)
    for _, message in outcome.failures:
        typer.echo(f"error: {message}", err=True)
    if outcome.failures:
        raise typer.Exit(code=1)


def write_outcome(outcome: ExtractOutcome, fmt: str, output: Path | None, several: bool) -> None:
    records = [r for _, r in outcome.records]
    if output is None:
        if records:
            sys.stdout.write(render(records, fmt))
        return
    if several or output.is_dir() or not output.suffix:
        output.mkdir(parents=True, exist_ok=True)
        for path, record in outcome.records:
            (output / f"{path.stem}.{fmt}").write_text(render([record], fmt), encoding="utf-8")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(records, fmt), encoding="utf-8")


@app.command()
def schema() -> None:
    """Print the JSON Schema of a record.

    Example: form4 schema > record.schema.json
    """
    typer.echo(json.dumps(record_json_schema(), indent=2))


@app.command()
def bulk(
    inputs: Optional[List[str]] = typer.Argument(
        None, help="Files, folders, globs and zip archives of PDF, TIFF/PNG/JPEG, text, markdown, HTML, XML."
    ),
    db: Path = typer.Option(..., "--db", help="The SQLite result store; created if absent, resumed if present."),
    workers: int = typer.Option(0, "--workers", "-w", help="Worker processes (default: one per CPU core)."),
    dask: Optional[str] = typer.Option(
        None, "--dask", help="Run on a Dask cluster: its scheduler address (--workers is then the cluster's)."
    ),
    timeout: float = typer.Option(300.0, "--timeout", help="Seconds per document before it is stopped and failed."),
    max_tasks_per_child: int = typer.Option(
        500, "--max-tasks-per-child", help="Replace a worker after this many documents."
    ),
    reextract: bool = typer.Option(False, "--reextract", help="Redo documents extracted by another model version."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Redo documents that failed before."),
    status: bool = typer.Option(False, "--status", help="Only report the store's state (running or finished run)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar: a log line every 30 s, one per failure."),
    method: str = typer.Option("auto", "--method", "-m", help=f"Extractor: {', '.join(METHODS)}."),
    max_pages: int = typer.Option(50, "--max-pages", help="Refuse PDFs with more pages than this."),
) -> None:
    """Extract many documents into a SQLite store, in parallel; resumable, one failure never stops the run.

    Example: form4 bulk filings/ archive.zip --db results.sqlite --workers 4
    """
    from .bulk import BulkSettings, ProgressDisplay, run_bulk, status_lines, summary_lines

    try:
        if status:
            typer.echo("\n".join(status_lines(db)))
            return
        if not inputs:
            raise typer.BadParameter("name at least one file, folder, glob or zip archive", param_hint="INPUTS")
        if method not in METHODS:
            raise typer.BadParameter(f"choose one of {', '.join(METHODS)}", param_hint="--method")
        settings = BulkSettings(
            **({"workers": workers} if workers else {}), timeout=timeout, max_tasks_per_child=max_tasks_per_child,
            reextract=reextract, retry_failed=retry_failed, dask_address=dask,
            extract=ExtractSettings(method=method, max_pages=max_pages),
        )
        with ProgressDisplay(quiet=quiet) as display:
            summary = run_bulk(inputs, db, settings, display)
    except (Form4Error, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2)
    except KeyboardInterrupt:
        typer.echo("interrupted: finished documents are saved; rerun the same command to go on", err=True)
        raise typer.Exit(code=130)
    typer.echo("\n".join(summary_lines(summary)))
    if summary.failures:
        raise typer.Exit(code=1)


@app.command("export")
def export_command(
    db: Path = typer.Option(..., "--db", help="The SQLite result store written by form4 bulk."),
    fmt: str = typer.Option("parquet", "--format", "-f", help="parquet or csv (a file per table), or jsonl (records)."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o",
        help="A folder for parquet/csv (default: <db>-<format>/ beside it); a file for jsonl (default: stdout).",
    ),
) -> None:
    """Export a result store's tables (documents, owners, transactions, holdings, footnotes) or records.

    Example: form4 export --db results.sqlite --format parquet -o tables/
    """
    from .store import EXPORT_FORMATS, ResultStore, export_store

    if fmt not in EXPORT_FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(EXPORT_FORMATS)}", param_hint="--format")
    if not db.exists():
        typer.echo(f"error: {db}: no such result store", err=True)
        raise typer.Exit(code=2)
    if output is None and fmt != "jsonl":
        output = db.with_name(f"{db.stem}-{fmt}")
    with ResultStore(db) as store:
        written = export_store(store, fmt, output)
    for path in written:
        typer.echo(str(path), err=fmt == "jsonl" and output is None)


@app.command()
def evaluate(
    gold: Optional[Path] = typer.Option(None, "--gold", help="Folder of gold records: ownership XML (*.xml) or record JSON (*.json)."),
    docs: Optional[Path] = typer.Option(
        None, "--docs", help="Folder of documents (searched recursively). A document pairs with the gold of the same "
        "key, its file name up to the first dot: abc.pdf, abc.scan.tiff and abc.md all pair with abc.xml; "
        "a middle part (scan in abc.scan.tiff) names the channel, else the format read does."
    ),
    method: str = typer.Option("auto", "--method", "-m", help="auto, rules, model, or all (one column each)."),
    output: Path = typer.Option(Path("evaluation"), "--output", "-o", help="Folder for evaluation.json and report.html."),
    previous: Optional[Path] = typer.Option(None, "--compare", help="A previous evaluation.json: list regressions."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N documents, in name order."),
    max_pages: int = typer.Option(50, "--max-pages", help="Refuse PDFs with more pages than this."),
    fail_on_regression: bool = typer.Option(False, "--fail-on-regression", help="Exit 2 when --compare finds one."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Render gold from a corpus instead of --gold/--docs."),
    split: str = typer.Option("test", "--split", help="With --corpus: the split to render (dev, test, ood)."),
    channels: str = typer.Option("pdf,text,md,scan,fax", "--channels", help="With --corpus: channels to render."),
    count: Optional[int] = typer.Option(None, "--n", help="With --corpus: this many records, spread over the split."),
    seed: int = typer.Option(0, "--seed", help="With --corpus: the rendering seed."),
    cache: Path = typer.Option(Path(".form4-cache"), "--cache", help="With --corpus: where renderings are kept."),
    workers: int = typer.Option(1, "--workers", "-w", help="Evaluate documents in this many processes."),
) -> None:
    """Score extraction against gold records; write evaluation.json and a self-contained report.html.

    Scoring rules: docs/scoring.md. One line per document goes to stderr as it is done.

    Example: form4 evaluate --gold gold/ --docs docs/ --method all --compare old/evaluation.json

    Example: form4 evaluate --corpus ../shared/corpus --split test --channels pdf,md,scan --n 200 --method all
    """
    from .evaluate import EvaluateSettings, methods_of, run_evaluation

    if corpus is not None:
        from rich.progress import Progress

        from .synth.build import SynthSettings, corpus_set

        try:
            synth_settings = SynthSettings(channels=tuple(c.strip() for c in channels.split(",") if c.strip()), seed=seed,
                                           labels=False)
            with Progress(transient=True) as bar:
                task = bar.add_task(f"rendering {split}", total=count)
                rendered = corpus_set(corpus, split, synth_settings, count, cache, lambda n: bar.advance(task, n),
                                      workers)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        gold, docs = rendered / "gold", rendered / "docs"
    if gold is None or docs is None:
        raise typer.BadParameter("give --gold and --docs, or --corpus")

    try:
        settings = EvaluateSettings(methods=methods_of(method), max_pages=max_pages, limit=limit, workers=workers)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        result, json_path, html_path = run_evaluation(
            gold, docs, output, settings, previous,
            progress=lambda d: typer.echo(f"{d.method} {d.id}: {d.status}, F1 {d.score.total.f1:.3f}", err=True),
        )
    except Form4Error as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1)
    for summary in result.summaries.values():
        if not summary.available:
            typer.echo(f"{summary.method}: not available ({summary.reason})")
            continue
        typer.echo(
            f"{summary.method}: {summary.documents} documents ({summary.failed} failed), micro F1 {summary.total.f1:.4f}, "
            f"rows exact {summary.rows.exact_share:.3f}, footnote links {summary.links.accuracy:.3f}, "
            f"checkboxes {summary.checkboxes.accuracy:.3f}, wholly right {summary.exact_share:.3f}, "
            f"ECE {summary.calibration.ece:.3f}, {summary.speed.total_seconds_per_page:.3f} s/page"
        )
        for name, channel in sorted(summary.channels.items()):
            typer.echo(f"  {name}: {channel.documents} documents, micro F1 {channel.total.f1:.4f}, "
                       f"{channel.pages_per_second:.2f} pages/s")
    regressions = result.comparison.regressions if result.comparison else []
    if result.comparison is not None:
        typer.echo(f"{len(regressions)} regressions, {len(result.comparison.documents_regressed)} documents regressed")
    typer.echo(f"wrote {json_path} and {html_path}")
    if fail_on_regression and regressions:
        raise typer.Exit(code=2)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(1, "--workers", help="Server processes; each loads the model once."),
    processes: int = typer.Option(2, "--processes", help="Extraction (OCR) processes per worker."),
    store: Path = typer.Option(Path("form4-results.sqlite"), "--store", help="SQLite results store for jobs."),
    samples_dir: Optional[Path] = typer.Option(
        None, "--samples-dir", help="Folder for labeled samples saved from the review page (off when unset)."
    ),
    max_upload_mb: int = typer.Option(20, "--max-upload-mb", help="Largest upload, in MB."),
    max_pages: int = typer.Option(20, "--max-pages", help="Refuse documents with more pages than this."),
) -> None:
    """Run the HTTP extraction service and its review page (API key from FORM4_API_KEY, if set).

    Example: form4 serve --port 8000 --workers 2 --samples-dir labeled/
    """
    import os

    from .service import ServiceSettings, serve as run_service

    try:
        base = ServiceSettings.from_env(os.environ)
        settings = ServiceSettings(
            store_path=store, samples_dir=samples_dir or base.samples_dir, api_key=base.api_key,
            max_upload_bytes=max_upload_mb * 1024 * 1024,
            max_batch_bytes=max(base.max_batch_bytes, 10 * max_upload_mb * 1024 * 1024),
            max_pages=max_pages, processes=processes, evaluation_path=base.evaluation_path,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if workers < 1 or not 0 < port < 65536:
        raise typer.BadParameter("--workers must be at least 1 and --port in 1..65535")
    run_service(settings, host=host, port=port, workers=workers)


@app.command()
def synth(
    xml: Optional[Path] = typer.Option(None, "--xml", help="A folder of ownership XML files to render."),
    fake: int = typer.Option(0, "--fake", help="Render this many made-up filings instead (or as well)."),
    channels: str = typer.Option("pdf", "--channels", "-c", help="Comma-separated: pdf, text, md, scan, fax."),
    per_doc: int = typer.Option(1, "--per-doc", "-k", help="Renderings per record, each in a family the seed picks."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: docs/, gold/, labels/, manifest.jsonl."),
    seed: int = typer.Option(0, "--seed", help="The same seed writes the same documents."),
    limit: Optional[int] = typer.Option(None, "--n", help="Use at most this many XML files."),
    families: str = typer.Option("edgar,paper,agent,typewriter", "--families", help="Layout families to draw from."),
    workers: int = typer.Option(1, "--workers", "-w", help="Render in this many processes (same files as with one)."),
) -> None:
    """Render records into labeled documents: PDFs, text dumps, markdown, scans and faxes.

    Example: form4 synth --xml ../shared/corpus/xml/dev --n 50 --channels pdf,md,scan --per-doc 2 --out synth/ --seed 1
    """
    from itertools import chain

    from rich.progress import Progress

    from .synth.build import SynthSettings, build_set, records_from_xml
    from .synth.fake import make_records

    try:
        settings = SynthSettings(channels=tuple(c.strip() for c in channels.split(",") if c.strip()), per_doc=per_doc,
                                 seed=seed, families=tuple(f.strip() for f in families.split(",") if f.strip()))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if xml is None and fake < 1:
        raise typer.BadParameter("give --xml DIR or --fake N (or both)")
    if xml is not None and not xml.is_dir():
        raise typer.BadParameter(f"{xml}: not a folder", param_hint="--xml")
    xml_count = 0 if xml is None else min(sum(1 for p in xml.iterdir() if p.suffix.lower() == ".xml"), limit or 10**9)
    records = chain(records_from_xml(xml, limit) if xml is not None else [], make_records(fake, seed) if fake else [])
    with Progress(transient=True) as progress:
        task = progress.add_task("rendering", total=xml_count + fake)
        outcome = build_set(records, out, settings, lambda n: progress.advance(task, n), workers=workers)
    typer.echo(f"{len(outcome.documents)} documents written to {out} (manifest: {out / 'manifest.jsonl'})")
    for record_id, message in outcome.failures:
        typer.echo(f"error: {record_id}: {message}", err=True)
    if outcome.failures:
        raise typer.Exit(code=1)


@app.command()
def train(
    from_xml: Optional[Path] = typer.Option(None, "--from-xml", help="A folder of ownership XML (or record JSON) to render."),
    limit: Optional[int] = typer.Option(None, "--n", help="Use at most this many XML files."),
    fake: int = typer.Option(0, "--fake", help="Add this many made-up records."),
    samples: Optional[Path] = typer.Option(
        None, "--samples", help="Your own documents, each beside its <stem>.xml or <stem>.json record."),
    channels: str = typer.Option("pdf,text,md", "--channels", "-c", help="Comma-separated: pdf, html, text, md, scan, fax."),
    families: str = typer.Option("edgar,paper,agent,typewriter", "--families", help="Layout families to render in."),
    dev: Optional[Path] = typer.Option(None, "--dev", help="XML folder to choose the threshold on (else a share of the data)."),
    dev_n: int = typer.Option(20, "--dev-n", help="Records of --dev to use."),
    out: Path = typer.Option(..., "--out", "-o", help="Model folder to write (models/NAME to ship it)."),
    seed: int = typer.Option(0, "--seed", help="The same seed renders the same documents."),
) -> None:
    """Train the word classifier and document-type classifier; writes the model folder with meta.json.

    Example: form4 train --from-xml ../shared/corpus/xml/train --n 200 --fake 100 --channels pdf,md --out models/mine
    """
    from rich.progress import Progress

    from .training import TrainSettings, count_inputs, run_training

    try:
        settings = TrainSettings(channels=tuple(c.strip() for c in channels.split(",") if c.strip()),
                                 families=tuple(f.strip() for f in families.split(",") if f.strip()),
                                 n_made_up=fake, seed=seed, dev_fraction=0.0 if dev else 0.2)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if from_xml is None and samples is None and fake < 1:
        raise typer.BadParameter("give --from-xml DIR, --samples DIR or --fake N")
    for option, folder in (("--from-xml", from_xml), ("--samples", samples), ("--dev", dev)):
        if folder is not None and not folder.is_dir():
            raise typer.BadParameter(f"{folder}: not a folder", param_hint=option)
    try:
        with Progress(transient=True) as progress:
            task = progress.add_task("rendering and labeling", total=count_inputs(from_xml, limit, samples, fake))
            outcome = run_training(out, settings, from_xml, limit, samples, dev, dev_n, lambda n: progress.advance(task, n))
    except (Form4Error, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1)
    typer.echo(json.dumps({"model": str(outcome.path), "train_documents": outcome.meta["train_documents"],
                           "dev_scores": outcome.meta["dev_scores"], "threshold": outcome.meta.get("threshold")}))
    for message in outcome.failures:
        typer.echo(f"error: {message}", err=True)


@app.command()
def calibrate(
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Render evaluation documents from a corpus split."),
    split: str = typer.Option("dev", "--split", help="With --corpus: train or dev (never test or ood)."),
    channels: str = typer.Option("pdf,text,md,scan,fax", "--channels", help="With --corpus: channels to render."),
    count: Optional[int] = typer.Option(40, "--n", help="With --corpus: this many records, spread over the split."),
    seed: int = typer.Option(0, "--seed", help="With --corpus: the rendering seed."),
    cache: Path = typer.Option(Path(".form4-cache"), "--cache", help="With --corpus: where renderings are kept."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Instead of --corpus: a folder of gold records."),
    docs: Optional[Path] = typer.Option(None, "--docs", help="Instead of --corpus: the documents of that gold."),
    model: Path = typer.Option(Path("models/default"), "--model", help="The model folder to calibrate."),
    min_samples: int = typer.Option(200, "--min-samples", help="Fit a group's curve only with this many fields."),
    workers: int = typer.Option(1, "--workers", "-w", help="Extract documents in this many processes."),
    save_samples: Optional[Path] = typer.Option(None, "--save-samples", help="Also write the (confidence, right?) "
                                                "samples to this JSON-lines file."),
    from_samples: Optional[Path] = typer.Option(None, "--from-samples", help="Fit on samples saved by --save-samples "
                                                "(of this same model) instead of extracting again."),
) -> None:
    """Fit confidence calibration on evaluation documents; writes calibration.json beside the model.

    Prints the ECE before and after on a held-out half of the documents (fitted on the other half);
    the file written is fitted on all of them.

    Example: form4 calibrate --corpus ../shared/corpus --split dev --channels pdf,text,md,scan,fax --n 40
    """
    from .calibration import run_calibration

    try:
        report = run_calibration(
            model, gold, docs, corpus, split, tuple(c.strip() for c in channels.split(",") if c.strip()), count,
            seed, cache, workers, min_samples, save_samples=save_samples, from_samples=from_samples,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    except Form4Error as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{report.samples} field values from {report.fit_documents + report.held_out_documents} filings, "
               f"{report.groups} groups; ECE of each half of the filings fitted on the other "
               f"({report.fit_documents} and {report.held_out_documents}):")
    for row in report.held_out:
        typer.echo(f"  {row.method}: {row.fields} fields, ECE {row.ece_before:.3f} -> {row.ece_after:.3f}")
    typer.echo(f"wrote {report.path}")


def main() -> None:  # pragma: no cover - console entry point
    app()
