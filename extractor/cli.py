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
def evaluate(
    gold: Path = typer.Option(..., "--gold", help="Folder of gold records: ownership XML (*.xml) or record JSON (*.json)."),
    docs: Path = typer.Option(
        ..., "--docs", help="Folder of documents (searched recursively). A document pairs with the gold of the same "
        "key, its file name up to the first dot: abc.pdf, abc.scan.tiff and abc.md all pair with abc.xml; "
        "a middle part (scan in abc.scan.tiff) names the channel, else the format read does."
    ),
    method: str = typer.Option("auto", "--method", "-m", help="auto, rules, model, or all (one column each)."),
    output: Path = typer.Option(Path("evaluation"), "--output", "-o", help="Folder for evaluation.json and report.html."),
    previous: Optional[Path] = typer.Option(None, "--compare", help="A previous evaluation.json: list regressions."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N documents, in name order."),
    max_pages: int = typer.Option(50, "--max-pages", help="Refuse PDFs with more pages than this."),
    fail_on_regression: bool = typer.Option(False, "--fail-on-regression", help="Exit 2 when --compare finds one."),
) -> None:
    """Score extraction against gold records; write evaluation.json and a self-contained report.html.

    Scoring rules: docs/scoring.md. One line per document goes to stderr as it is done.

    Example: form4 evaluate --gold gold/ --docs docs/ --method all --compare old/evaluation.json
    """
    from .evaluate import EvaluateSettings, methods_of, run_evaluation

    try:
        settings = EvaluateSettings(methods=methods_of(method), max_pages=max_pages, limit=limit)
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
    regressions = result.comparison.regressions if result.comparison else []
    if result.comparison is not None:
        typer.echo(f"{len(regressions)} regressions, {len(result.comparison.documents_regressed)} documents regressed")
    typer.echo(f"wrote {json_path} and {html_path}")
    if fail_on_regression and regressions:
        raise typer.Exit(code=2)


def main() -> None:  # pragma: no cover - console entry point
    app()
