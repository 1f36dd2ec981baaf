"""The whole extraction: input bytes -> Layout -> rules (or model) -> validation -> Record."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import ModelError
from .records import Record
from .rules import RuleExtractor, RulesSettings
from .timing import StageTimings, measure

Method = Literal["auto", "rules", "model"]
METHODS = ("auto", "rules", "model")


@dataclass(frozen=True)
class ExtractSettings:
    method: Method = "auto"
    max_pages: int = 50
    rules: RulesSettings = field(default_factory=RulesSettings)
    model_dir: str | None = None  # a trained model folder; None: models/default when installed

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        if self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {self.max_pages}")


def _extractor(method: Method, source: str, model_dir: str | None = None):
    """Rules, the model alone, or (auto) the model combined with the rules when a model is installed."""
    from .model import CheckedRulesExtractor, ModelExtractor, ModelSettings, auto_strategy, cached_model, model_installed

    if method == "rules" or (method == "auto" and (not model_installed(model_dir) or auto_strategy(model_dir) == "rules")):
        return RuleExtractor()
    if not model_installed(model_dir):
        raise ModelError(
            f"{source}: no trained model is installed at {model_dir or 'models/default'}; "
            "use --method rules (or auto, which falls back to the rules), or train one with `form4 train`"
        )
    if method == "auto" and auto_strategy(model_dir) == "choose":
        return CheckedRulesExtractor(cached_model(model_dir))
    return ModelExtractor(cached_model(model_dir), ModelSettings(combine=method == "auto"))


def extract_bytes(
    data: bytes, source: str = "<bytes>", settings: ExtractSettings | None = None,
    timings: StageTimings | None = None,
) -> Record:
    """Extract one Form 3/4/5 from the bytes of any supported input; `timings` gets seconds per stage."""
    from .edgar_xml import read_xml
    from .layout import LayoutSettings, detect_format, read_layout
    from .layout.pdf import PdfSettings
    from .validate import validate_record

    settings = settings or ExtractSettings()
    digest = hashlib.sha256(data).hexdigest()
    with measure(timings, "classification"):
        kind = detect_format(data, source)
    if kind == "xml":
        with measure(timings, "layout"):
            record = read_xml(data, source)
        pages = 1
    else:
        extractor = _extractor(settings.method, source, settings.model_dir)
        with measure(timings, "layout") as lap:
            layout = read_layout(data, source, LayoutSettings(pdf=PdfSettings(max_pages=settings.max_pages)), kind)
            lap.stage = "ocr" if layout.ocr else "layout"
        with measure(timings, extractor.method):
            record = extractor.extract(layout)
        with measure(timings, "validation"):
            record = validate_record(record)
        pages = len(layout.pages)
    if timings is not None:
        timings.pages += pages
    record.source.sha256 = digest
    record.source.path = source
    return record


def extract_file(path: str | Path, settings: ExtractSettings | None = None, timings: StageTimings | None = None) -> Record:
    from .layout import read_input_bytes

    return extract_bytes(read_input_bytes(path), str(path), settings, timings)
