"""The whole extraction: input bytes -> Layout -> rules (or model) -> validation -> Record."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import EmptyInputError, ModelError
from .records import Record
from .rules import RuleExtractor, RulesSettings

Method = Literal["auto", "rules", "model"]
METHODS = ("auto", "rules", "model")


@dataclass(frozen=True)
class ExtractSettings:
    method: Method = "auto"
    max_pages: int = 50
    rules: RulesSettings = field(default_factory=RulesSettings)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        if self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {self.max_pages}")


def _extractor(method: Method, source: str):
    if method == "model":
        raise ModelError(
            f"{source}: no trained model is installed yet; use --method rules (or auto, which falls back to the rules)"
        )
    return RuleExtractor()


def extract_bytes(data: bytes, source: str = "<bytes>", settings: ExtractSettings | None = None) -> Record:
    """Extract one Form 3/4/5 from the bytes of any supported input."""
    from .edgar_xml import read_xml
    from .layout import LayoutSettings, detect_format, read_layout
    from .layout.pdf import PdfSettings
    from .validate import validate_record

    settings = settings or ExtractSettings()
    if not data or not data.strip():
        raise EmptyInputError(source)
    digest = hashlib.sha256(data).hexdigest()
    kind = detect_format(data, source)
    if kind == "xml":
        record = read_xml(data, source)
    else:
        extractor = _extractor(settings.method, source)
        layout = read_layout(data, source, LayoutSettings(pdf=PdfSettings(max_pages=settings.max_pages)))
        record = extractor.extract(layout)
        record = validate_record(record)
    record.source.sha256 = digest
    record.source.path = source
    return record


def extract_file(path: str | Path, settings: ExtractSettings | None = None) -> Record:
    from .layout import read_input_bytes

    return extract_bytes(read_input_bytes(path), str(path), settings)
