"""Layout extraction: any input's bytes to one Layout of pages, lines and words."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import TooLargeError, UnsupportedFormatError
from .detect import decode_text, detect_format
from .document import Layout, Line, Page, Rect, Word
from .ocr import OcrSettings
from .pdf import PdfSettings

__all__ = ["Layout", "LayoutSettings", "Line", "Page", "Rect", "Word", "detect_format", "read_layout"]


@dataclass(frozen=True)
class LayoutSettings:
    pdf: PdfSettings = field(default_factory=PdfSettings)
    ocr: OcrSettings = field(default_factory=OcrSettings)
    max_bytes: int = 200 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {self.max_bytes}")


def read_layout(data: bytes, source: str, settings: LayoutSettings | None = None) -> Layout:
    settings = settings or LayoutSettings()
    if len(data) > settings.max_bytes:
        raise TooLargeError(source, f"{len(data):,} bytes, over the limit of {settings.max_bytes:,}")
    kind = detect_format(data, source)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(data, source, settings.pdf)
    if kind == "image":
        from .ocr import read_image

        return read_image(data, source, settings.ocr)
    if kind == "html":
        from .html import read_html

        return read_html(decode_text(data), source)
    if kind in ("markdown", "text"):
        from .text import read_text

        return read_text(decode_text(data), source, markdown=kind == "markdown")
    raise UnsupportedFormatError(source, "ownership XML has no layout; read it with extractor.edgar_xml")
