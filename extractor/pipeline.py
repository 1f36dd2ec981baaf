"""The whole extraction: input bytes -> Layout -> rules (or model) -> validation -> Record."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Sequence

from .errors import ModelError, NotAFormError
from .records import Record
from .rules import RuleExtractor, RulesSettings
from .timing import StageTimings, measure

if TYPE_CHECKING:
    from .layout.document import Layout

Method = Literal["auto", "rules", "model"]
METHODS = ("auto", "rules", "model")


@dataclass(frozen=True)
class ExtractSettings:
    method: Method = "auto"
    max_pages: int = 50
    rules: RulesSettings = field(default_factory=RulesSettings)
    model_dir: str | None = None  # a trained model folder; None: models/default when installed
    calibrate: bool = True  # map confidences through the model folder's calibration.json, when it has one

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        if self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {self.max_pages}")


def _extractor(method: Method, source: str, model_dir: str | None = None):
    """Rules, the model alone, or (auto) the model combined with the rules when a model is installed."""
    from .model import CheckedRulesExtractor, ModelExtractor, ModelSettings, auto_strategy, cached_model, model_installed

    if method == "rules" or (method == "auto" and auto_strategy(model_dir) == "rules"):
        return RuleExtractor()
    if not model_installed(model_dir):
        raise ModelError(
            f"{source}: no trained model is installed at {model_dir or 'models/default'}; "
            "use --method rules (or auto, which falls back to the rules), or train one with `form4 train`"
        )
    if method == "auto" and auto_strategy(model_dir) == "choose":
        return CheckedRulesExtractor(cached_model(model_dir))
    return ModelExtractor(cached_model(model_dir), ModelSettings(combine=method == "auto"))


@dataclass
class ReadDocument:
    """An input read once: its layout, or the record itself when the input was ownership XML."""

    source: str
    sha256: str
    kind: str
    pages: int
    layout: Layout | None = None
    record: Record | None = None


def read_document(data: bytes, source: str, settings: ExtractSettings, timings: StageTimings | None = None,
                  kind: str | None = None) -> ReadDocument:
    """Detect the input's format (unless `kind` is given) and read it: the step every method shares."""
    from .edgar_xml import read_xml
    from .layout import LayoutSettings, detect_format, read_layout
    from .layout.pdf import PdfSettings

    digest = hashlib.sha256(data).hexdigest()
    if kind is None:
        with measure(timings, "classification"):
            kind = detect_format(data, source)
    if kind == "xml":
        with measure(timings, "layout"):
            return ReadDocument(source, digest, kind, 1, record=read_xml(data, source))
    with measure(timings, "layout") as lap:
        layout = read_layout(data, source, LayoutSettings(pdf=PdfSettings(max_pages=settings.max_pages)), kind)
        lap.stage = "ocr" if layout.ocr else "layout"
    return ReadDocument(source, digest, kind, len(layout.pages), layout=layout)


def _calibrator(settings: ExtractSettings):
    from .model import cached_calibrator

    return cached_calibrator(settings.model_dir) if settings.calibrate else None


def extract_document(document: ReadDocument, extractor, timings: StageTimings | None = None,
                     calibrator=None, extraction: str = "auto") -> Record:
    """The record of a read document by one extractor (none needed for XML), validated, then its
    confidences calibrated for the method asked for (`extraction`) when a calibrator is given."""
    from .validate import validate_record

    if document.record is not None:
        record = document.record.model_copy(deep=True)
    else:
        with measure(timings, extractor.method):
            record = extractor.extract(document.layout)
        with measure(timings, "validation"):
            record = validate_record(record)
        if calibrator is not None:
            record = calibrator.calibrate_record(record, extraction)
    if timings is not None:
        timings.pages += document.pages
    record.source.sha256 = document.sha256
    record.source.path = document.source
    return record


def extract_bytes(
    data: bytes, source: str = "<bytes>", settings: ExtractSettings | None = None,
    timings: StageTimings | None = None,
) -> Record:
    """Extract one Form 3/4/5 from the bytes of any supported input; `timings` gets seconds per stage."""
    from .layout import detect_format

    settings = settings or ExtractSettings()
    with measure(timings, "classification"):
        kind = detect_format(data, source)
    # The extractor first: a missing model must be reported before minutes of OCR, not after.
    extractor = None if kind == "xml" else _extractor(settings.method, source, settings.model_dir)
    return extract_document(read_document(data, source, settings, timings, kind), extractor, timings,
                            _calibrator(settings), settings.method)


@dataclass
class MethodOutcome:
    """One method's result in `extract_methods`: a record or the error that stopped it, and its seconds."""

    record: Record | None
    error: Exception | None
    timings: StageTimings


def extract_methods(data: bytes, source: str, methods: Sequence[Method],
                    settings: ExtractSettings | None = None) -> dict[str, MethodOutcome]:
    """Several methods over one read of a document, as `form4 evaluate --method all` needs.

    The layout is read (and OCR'd) once; auto's "rules" and "choose" strategies are made from the
    rules' and the model's records instead of computing them again. Each outcome's timings are
    what that method alone would have cost: the shared read plus the stages it used. Errors are
    returned, not raised (a ModelError means the method cannot run here at all).
    """
    from .model import auto_strategy, choose

    settings = settings or ExtractSettings()
    calibrator = _calibrator(settings)
    shared = StageTimings()
    try:
        document = read_document(data, source, settings, shared)
    except Exception as exc:  # every method fails alike; the caller tells a bug from bad input
        return {m: MethodOutcome(None, exc, replace(shared)) for m in methods}
    done: dict[str, MethodOutcome] = {}

    def run(method: Method) -> MethodOutcome:
        if method not in done:
            timings = StageTimings()
            try:
                extractor = None if document.record is not None else _extractor(method, source, settings.model_dir)
                done[method] = MethodOutcome(extract_document(document, extractor, timings), None, timings)
            except Exception as exc:
                done[method] = MethodOutcome(None, exc, timings)
        return done[method]

    def with_shared(*parts: MethodOutcome) -> StageTimings:
        total = shared
        for part in parts:
            total = total + part.timings
        total.pages = document.pages
        return total

    out: dict[str, MethodOutcome] = {}
    strategy = auto_strategy(settings.model_dir)
    for method in methods:
        if method != "auto" or document.record is not None or strategy not in ("rules", "choose"):
            part = run(method)
            out[method] = MethodOutcome(part.record, part.error, with_shared(part))
            continue
        rules = run("rules")
        refused = isinstance(rules.error, NotAFormError)  # the model's classifier may overrule (CheckedRulesExtractor)
        if strategy == "rules" or (rules.record is None and not refused):
            out[method] = MethodOutcome(rules.record, rules.error, with_shared(rules))
            continue
        model = run("model")  # "choose" reads the model's tables beside the rules' in any case
        record = choose(rules.record, model.record)
        error = None if record is not None else rules.error if refused else model.error
        out[method] = MethodOutcome(record, error, with_shared(rules, model))
    if calibrator is not None:  # last, per method asked for: auto and rules may share one uncalibrated record
        for method, outcome in out.items():
            if outcome.record is not None and document.record is None:
                outcome.record = calibrator.calibrate_record(outcome.record, method)
    return out


def extract_file(path: str | Path, settings: ExtractSettings | None = None, timings: StageTimings | None = None) -> Record:
    from .layout import read_input_bytes

    return extract_bytes(read_input_bytes(path), str(path), settings, timings)
