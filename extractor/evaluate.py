"""Scoring extraction over a folder of documents against their gold records.

Documents are paired with gold by key: a file name up to its first dot (`abc.scan.tiff`,
`abc.pdf` and gold `abc.xml` or `abc.json` all have key `abc`). Every document is extracted with
each method asked for and scored with `scoring.score_record`; the scores are summed into one
`MethodSummary` per method (micro and per-field F1, rows, footnote links, checkboxes, documents
wholly right, calibration of the confidences, speed). A document that cannot be extracted is a
failed document whose gold fields all count as missed; a method whose model is not installed is
reported as not available. Results go to JSON and back, and two results can be compared.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from itertools import repeat
from typing import Callable, Iterator, Literal

from pydantic import BaseModel, Field, computed_field

from .errors import Form4Error, InputError, ModelError
from .records import Record
from .scoring import BoxCounts, Counts, LinkCounts, RecordScore, RowCounts, score_record
from .timing import STAGES, StageTimings

METHOD_CHOICES = ("auto", "rules", "model", "all")
ALL_METHODS = ("auto", "rules", "model")
GOLD_SUFFIXES = (".xml", ".json")
# Channel of a document whose name carries none (`abc.scan.tiff` carries "scan"), by the format read.
CHANNEL_OF_FORMAT = {
    "pdf": "pdf", "scan-pdf": "scan", "image": "scan", "html": "html", "markdown": "md", "text": "text", "xml": "xml",
}
# ... and by extension when the document cannot even be read.
CHANNEL_OF_SUFFIX = {
    ".pdf": "pdf", ".png": "scan", ".jpg": "scan", ".jpeg": "scan", ".tif": "scan", ".tiff": "scan",
    ".html": "html", ".htm": "html", ".md": "md", ".txt": "text", ".xml": "xml",
}


@dataclass(frozen=True)
class EvaluateSettings:
    methods: tuple[str, ...] = ("auto",)
    max_pages: int = 50
    bins: int = 10
    thresholds: tuple[float, ...] = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99)
    limit: int | None = None  # evaluate only the first N documents (in name order)
    worst: int = 10  # documents listed with their wrong fields in the report
    tolerance: float = 0.005  # a score must drop by more than this to be a regression
    speed_tolerance: float = 0.25  # seconds per page must rise by more than this share
    workers: int = 1  # documents evaluated in this many processes (OCR is the slow part)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if not self.methods or any(m not in ALL_METHODS for m in self.methods):
            raise ValueError(f"methods must be among {', '.join(ALL_METHODS)}, not {self.methods!r}")
        if self.max_pages < 1 or self.bins < 1 or self.worst < 0:
            raise ValueError("max_pages and bins must be at least 1 and worst not negative")
        if any(not 0.0 <= t <= 1.0 for t in self.thresholds):
            raise ValueError(f"thresholds must lie in [0, 1], not {self.thresholds!r}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be at least 1, not {self.limit}")
        if self.tolerance < 0 or self.speed_tolerance < 0:
            raise ValueError("tolerances must not be negative")


def methods_of(choice: str) -> tuple[str, ...]:
    """The methods a `--method` choice stands for."""
    if choice not in METHOD_CHOICES:
        raise ValueError(f"method must be one of {', '.join(METHOD_CHOICES)}, not {choice!r}")
    return ALL_METHODS if choice == "all" else (choice,)


# --- pairing documents with gold -----------------------------------------------------------------


def document_key(path: Path) -> str:
    """What pairs a document with its gold: the file name up to its first dot."""
    return path.name.split(".", 1)[0]


def name_channel(path: Path) -> str | None:
    """A channel named between key and extension: `abc.scan.tiff` -> "scan"; None for `abc.pdf`."""
    middle = path.name.split(".")[1:-1]
    return ".".join(middle) if middle else None


@dataclass(frozen=True)
class DocumentPair:
    document: Path
    gold: Path
    key: str


@dataclass(frozen=True)
class Pairing:
    pairs: tuple[DocumentPair, ...]
    documents_without_gold: tuple[Path, ...]
    gold_without_documents: tuple[Path, ...]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def pair_documents(gold_dir: Path, docs_dir: Path) -> Pairing:
    """Pair every document under `docs_dir` with the gold under `gold_dir` of the same key.

    Gold files are named <key>.xml or <key>.json; in the documents folder, *.json files and the
    gold files themselves (when both folders are one) are not documents.
    """
    for folder, what in ((gold_dir, "gold"), (docs_dir, "documents")):
        if not folder.is_dir():
            raise InputError(str(folder), f"the {what} folder does not exist or is not a folder")
    gold: dict[str, Path] = {}
    for path in _files(gold_dir):
        if path.suffix.lower() not in GOLD_SUFFIXES or name_channel(path) is not None:
            continue  # gold is named <key>.xml or <key>.json; abc.labels.json is something else
        key = document_key(path)
        if key in gold:
            raise InputError(str(path), f"a second gold record for key {key!r}, after {gold[key]}")
        gold[key] = path
    gold_paths = {p.resolve() for p in gold.values()}
    pairs, orphans, used = [], [], set()
    for path in _files(docs_dir):
        if path.suffix.lower() == ".json" or path.resolve() in gold_paths:
            continue
        key = document_key(path)
        if key in gold:
            pairs.append(DocumentPair(path, gold[key], key))
            used.add(key)
        else:
            orphans.append(path)
    unused = tuple(p for k, p in gold.items() if k not in used)
    return Pairing(tuple(pairs), tuple(orphans), unused)


def read_gold(path: Path) -> Record:
    """A gold record from ownership XML or the project's record JSON."""
    from .edgar_xml import read_xml

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    if path.suffix.lower() == ".json":
        try:
            return Record.model_validate_json(data)
        except ValueError as exc:
            first = str(exc).splitlines()[0]
            raise InputError(str(path), f"not a record JSON ({first})") from None
    return read_xml(data, str(path))


# --- results -------------------------------------------------------------------------------------


class DocumentResult(BaseModel):
    id: str  # the document's path relative to the documents folder
    gold: str
    method: str
    channel: str
    status: Literal["ok", "failed", "unavailable"]
    error: str | None = None
    seconds: float = 0.0
    timings: StageTimings = Field(default_factory=StageTimings)  # pydantic reads and writes the dataclass
    peak_memory_mb: float = 0.0  # the process's peak resident memory after this document
    score: RecordScore


class CalibrationBin(BaseModel):
    lower: float
    upper: float
    count: int
    mean_confidence: float
    accuracy: float


class ThresholdRow(BaseModel):
    """Fields whose confidence is at least `threshold` are accepted without review."""

    threshold: float
    accepted: int
    accepted_share: float
    error_rate: float


class Calibration(BaseModel):
    fields: int = 0
    ece: float = 0.0
    bins: list[CalibrationBin] = Field(default_factory=list)
    thresholds: list[ThresholdRow] = Field(default_factory=list)


class Speed(BaseModel):
    documents: int = 0
    pages: int = 0
    seconds_per_page: dict[str, float] = Field(default_factory=dict)
    total_seconds_per_page: float = 0.0
    peak_memory_mb: float = 0.0


class ChannelSummary(BaseModel):
    documents: int = 0
    failed: int = 0
    exact: int = 0
    total: Counts = Field(default_factory=Counts)
    pages: int = 0  # of the documents extracted without failure
    seconds: float = 0.0

    @computed_field
    @property
    def seconds_per_page(self) -> float:
        return self.seconds / self.pages if self.pages else 0.0

    @computed_field
    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


class MethodSummary(BaseModel):
    method: str
    available: bool = True
    reason: str | None = None
    documents: int = 0
    failed: int = 0
    exact: int = 0
    total: Counts = Field(default_factory=Counts)
    fields: dict[str, Counts] = Field(default_factory=dict)
    rows: RowCounts = Field(default_factory=RowCounts)
    tables: dict[str, RowCounts] = Field(default_factory=dict)
    links: LinkCounts = Field(default_factory=LinkCounts)
    checkboxes: BoxCounts = Field(default_factory=BoxCounts)
    channels: dict[str, ChannelSummary] = Field(default_factory=dict)
    calibration: Calibration = Field(default_factory=Calibration)
    speed: Speed = Field(default_factory=Speed)

    @computed_field
    @property
    def exact_share(self) -> float:
        """Share of documents with every field, footnote link and checkbox right."""
        return self.exact / self.documents if self.documents else 0.0


class Change(BaseModel):
    method: str
    metric: str
    before: float
    after: float
    worse: bool


class Comparison(BaseModel):
    previous: str
    regressions: list[Change] = Field(default_factory=list)
    improvements: list[Change] = Field(default_factory=list)
    documents_regressed: list[str] = Field(default_factory=list)  # "method: id", exact before, not now


class Skipped(BaseModel):
    path: str
    reason: str


class EvaluationResult(BaseModel):
    created: str
    gold_dir: str
    docs_dir: str
    methods: list[str]
    auto_strategy: str | None = None  # what auto meant in this run: rules, choose, combined or model
    summaries: dict[str, MethodSummary]
    documents: list[DocumentResult]
    skipped: list[Skipped] = Field(default_factory=list)
    documents_without_gold: list[str] = Field(default_factory=list)
    comparison: Comparison | None = None


# --- evaluating ----------------------------------------------------------------------------------


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def evaluate_document(
    pair: DocumentPair, gold: Record, methods: tuple[str, ...], settings: EvaluateSettings, docs_dir: Path,
) -> list[DocumentResult]:
    """Extract one document with each method and score it; a failure is scored as an empty prediction.

    The document is read (and OCR'd) once for all the methods (`pipeline.extract_methods`). A
    method that cannot run here at all (no trained model) gives a result with status "unavailable".
    """
    from .layout import detect_format, read_input_bytes
    from .pipeline import ExtractSettings, MethodOutcome, extract_methods

    channel = name_channel(pair.document)
    start = time.perf_counter()
    try:
        data = read_input_bytes(pair.document)
    except Form4Error as exc:
        outcomes = {m: MethodOutcome(None, exc, StageTimings()) for m in methods}
    else:
        if channel is None:
            with contextlib.suppress(Form4Error):  # unreadable: extract_methods says why, and the suffix names it
                channel = CHANNEL_OF_FORMAT.get(detect_format(data, str(pair.document)), "other")
        outcomes = extract_methods(data, str(pair.document), methods,
                                   ExtractSettings(max_pages=settings.max_pages))
    wall = time.perf_counter() - start
    results = []
    for method in methods:
        outcome = outcomes[method]
        found = channel
        if name_channel(pair.document) is None and outcome.record is not None and outcome.record.source.format:
            found = CHANNEL_OF_FORMAT.get(outcome.record.source.format, channel)
        status, error = ("ok", None) if outcome.error is None else ("failed", _message(outcome.error, pair.document))
        if isinstance(outcome.error, ModelError):
            status = "unavailable"
        results.append(DocumentResult(
            id=str(pair.document.relative_to(docs_dir)), gold=str(pair.gold), method=method,
            channel=found or CHANNEL_OF_SUFFIX.get(pair.document.suffix.lower(), "other"), status=status,
            error=error, seconds=outcome.timings.total if outcome.timings.total else wall, timings=outcome.timings,
            peak_memory_mb=_peak_memory_mb(), score=score_record(gold, outcome.record),
        ))
    return results


def _message(error: Exception, document: Path) -> str:
    if isinstance(error, Form4Error):
        return str(error)
    return f"{document}: internal error ({type(error).__name__}: {error})"  # a bug on one document must not lose the others


def calibrate(confidences: list[tuple[float, bool]], bins: int, thresholds: tuple[float, ...]) -> Calibration:
    """Reliability bins, expected calibration error and the auto-accept table of field confidences."""
    n = len(confidences)
    out = Calibration(fields=n)
    if not n:
        return out
    for b in range(bins):
        lower, upper = b / bins, (b + 1) / bins
        # Bins are [lower, upper), the last one closed, so a confidence of 1.0 lands in it.
        members = [(c, ok) for c, ok in confidences if lower <= c < upper or (b == bins - 1 and c == upper)]
        if not members:
            continue
        mean = sum(c for c, _ in members) / len(members)
        accuracy = sum(ok for _, ok in members) / len(members)
        out.bins.append(CalibrationBin(lower=lower, upper=upper, count=len(members), mean_confidence=mean,
                                       accuracy=accuracy))
        out.ece += len(members) / n * abs(accuracy - mean)
    for threshold in thresholds:
        accepted = [ok for c, ok in confidences if c >= threshold]
        out.thresholds.append(ThresholdRow(
            threshold=threshold, accepted=len(accepted), accepted_share=len(accepted) / n,
            error_rate=(len(accepted) - sum(accepted)) / len(accepted) if accepted else 0.0,
        ))
    return out


def summarize(method: str, documents: list[DocumentResult], settings: EvaluateSettings) -> MethodSummary:
    """Sum the document scores of one method."""
    summary = MethodSummary(method=method, documents=len(documents))
    confidences: list[tuple[float, bool]] = []
    timings = StageTimings()
    for doc in documents:
        score = doc.score
        summary.failed += doc.status == "failed"
        summary.exact += score.exact
        summary.total = summary.total + score.total
        for group, counts in score.fields.items():
            summary.fields[group] = summary.fields.get(group, Counts()) + counts
        for table, rows in score.rows.items():
            summary.tables[table] = summary.tables.get(table, RowCounts()) + rows
            summary.rows = summary.rows + rows
        summary.links = summary.links + score.links
        summary.checkboxes = summary.checkboxes + score.checkboxes
        channel = summary.channels.setdefault(doc.channel, ChannelSummary())
        channel.documents += 1
        channel.failed += doc.status == "failed"
        channel.exact += score.exact
        channel.total = channel.total + score.total
        confidences.extend(score.confidences)
        if doc.status == "ok":
            timings = timings + doc.timings
            channel.pages += doc.timings.pages
            channel.seconds += doc.seconds
            summary.speed.documents += 1
        summary.speed.peak_memory_mb = max(summary.speed.peak_memory_mb, doc.peak_memory_mb)
    summary.fields = dict(sorted(summary.fields.items()))
    summary.calibration = calibrate(confidences, settings.bins, settings.thresholds)
    summary.speed.pages = timings.pages
    if timings.pages:
        summary.speed.seconds_per_page = {s: getattr(timings, s) / timings.pages for s in STAGES}
        summary.speed.total_seconds_per_page = timings.total / timings.pages
    return summary


def _evaluate_all(pairs: list[DocumentPair], golds: dict[Path, Record], settings: EvaluateSettings,
                  docs_dir: Path) -> Iterator[list[DocumentResult]]:
    """Each pair's results (one per method), in order; in a process pool when settings.workers > 1."""
    if settings.workers <= 1 or len(pairs) < 2:
        for pair in pairs:
            yield evaluate_document(pair, golds[pair.gold], settings.methods, settings, docs_dir)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .layout.ocr import one_thread_per_process

    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=settings.workers, mp_context=context,
                             initializer=one_thread_per_process) as pool:
        yield from pool.map(evaluate_document, pairs, [golds[p.gold] for p in pairs], repeat(settings.methods),
                            repeat(settings), repeat(docs_dir))


def evaluate_folder(
    gold_dir: Path, docs_dir: Path, settings: EvaluateSettings | None = None,
    progress: Callable[[DocumentResult], None] | None = None,
) -> EvaluationResult:
    """Evaluate every document of `docs_dir` that has gold in `gold_dir`, with each method.

    `progress`, when given, is called with each DocumentResult as it is done.
    """
    from .model import auto_strategy

    settings = settings or EvaluateSettings()
    pairing = pair_documents(gold_dir, docs_dir)
    pairs = pairing.pairs[: settings.limit] if settings.limit else pairing.pairs
    golds: dict[Path, Record] = {}
    skipped: list[Skipped] = []
    for pair in pairs:
        if pair.gold not in golds and pair.gold not in {Path(s.path) for s in skipped}:
            try:
                golds[pair.gold] = read_gold(pair.gold)
            except Form4Error as exc:
                skipped.append(Skipped(path=str(pair.gold), reason=str(exc)))
    by_method: dict[str, list[DocumentResult]] = {m: [] for m in settings.methods}
    for results in _evaluate_all([p for p in pairs if p.gold in golds], golds, settings, docs_dir):
        for result in results:
            by_method[result.method].append(result)
            if progress is not None and result.status != "unavailable":
                progress(result)
    documents: list[DocumentResult] = []
    summaries: dict[str, MethodSummary] = {}
    for method, done in by_method.items():
        unavailable = next((d for d in done if d.status == "unavailable"), None)
        if unavailable is not None:
            summaries[method] = MethodSummary(method=method, available=False, reason=unavailable.error)
            continue
        documents.extend(done)
        summaries[method] = summarize(method, done, settings)
    return EvaluationResult(
        created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        gold_dir=str(gold_dir), docs_dir=str(docs_dir), methods=list(settings.methods), auto_strategy=auto_strategy(),
        summaries=summaries, documents=documents, skipped=skipped,
        documents_without_gold=[str(p.relative_to(docs_dir)) for p in pairing.documents_without_gold],
    )


# --- JSON and comparison -------------------------------------------------------------------------


def write_result(result: EvaluationResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result.model_dump_json(), encoding="utf-8")


def read_result(path: Path) -> EvaluationResult:
    try:
        return EvaluationResult.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise InputError(str(path), f"not an evaluation result JSON ({str(exc).splitlines()[0]})") from None


def headline(summary: MethodSummary) -> dict[str, float]:
    """The scores compared between runs; higher is better except ECE and seconds per page."""
    scores = {
        "micro_f1": summary.total.f1,
        "micro_precision": summary.total.precision,
        "micro_recall": summary.total.recall,
        "row_exact": summary.rows.exact_share,
        "footnote_links": summary.links.accuracy,
        "checkboxes": summary.checkboxes.accuracy,
        "documents_exact": summary.exact_share,
        "ece": summary.calibration.ece,
        "seconds_per_page": summary.speed.total_seconds_per_page,
    }
    scores.update({f"f1 {group}": counts.f1 for group, counts in summary.fields.items()})
    return scores


LOWER_IS_BETTER = ("ece", "seconds_per_page")


def compare(current: EvaluationResult, previous: EvaluationResult, previous_name: str,
            settings: EvaluateSettings | None = None) -> Comparison:
    """Scores that got worse (regressions) or better between two runs, and documents no longer exact."""
    settings = settings or EvaluateSettings()
    out = Comparison(previous=previous_name)
    for method, summary in current.summaries.items():
        before_summary = previous.summaries.get(method)
        if not summary.available or before_summary is None or not before_summary.available:
            continue
        before, after = headline(before_summary), headline(summary)
        for metric in sorted(set(before) & set(after)):
            delta = after[metric] - before[metric]
            if metric == "seconds_per_page":
                moved = abs(delta) > settings.speed_tolerance * max(before[metric], 1e-9)
            else:
                moved = abs(delta) > settings.tolerance
            if not moved:
                continue
            worse = delta > 0 if metric in LOWER_IS_BETTER else delta < 0
            change = Change(method=method, metric=metric, before=before[metric], after=after[metric], worse=worse)
            (out.regressions if worse else out.improvements).append(change)
    was_exact = {(d.method, d.id) for d in previous.documents if d.score.exact}
    out.documents_regressed = sorted(
        f"{d.method}: {d.id}" for d in current.documents if (d.method, d.id) in was_exact and not d.score.exact
    )
    return out


def worst_documents(result: EvaluationResult, method: str, count: int) -> list[DocumentResult]:
    """The documents of one method with the most errors, failures first."""
    docs = [d for d in result.documents if d.method == method and not d.score.exact]
    docs.sort(key=lambda d: (d.status != "failed", -len(d.score.errors), d.id))
    return docs[:count]


def run_evaluation(
    gold_dir: Path, docs_dir: Path, output_dir: Path, settings: EvaluateSettings | None = None,
    previous: Path | None = None, progress: Callable[[DocumentResult], None] | None = None,
) -> tuple[EvaluationResult, Path, Path]:
    """Evaluate, compare with a previous result if given, and write evaluation.json and report.html."""
    from .report import write_report

    settings = settings or EvaluateSettings()
    before = read_result(previous) if previous is not None else None  # fail before the long part
    result = evaluate_folder(gold_dir, docs_dir, settings, progress)
    if before is not None:
        result.comparison = compare(result, before, str(previous), settings)
    json_path, html_path = output_dir / "evaluation.json", output_dir / "report.html"
    write_result(result, json_path)
    write_report(result, html_path, settings)
    return result, json_path, html_path

