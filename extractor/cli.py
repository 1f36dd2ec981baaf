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


def main() -> None:  # pragma: no cover - console entry point
    app()
