"""Layout extraction: any input's bytes to one Layout of pages, lines and words.

Ownership XML has no layout: callers branch on `detect_format(...) == "xml"` first and read
it with `extractor.edgar_xml`; `read_layout` refuses it with a message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, TooLargeError, UnsupportedFormatError
from .detect import decode_text, detect_format
from .document import Layout, Line, Page, Rect, Word
from .ocr import OcrSettings
from .pdf import PdfSettings

__all__ = [
    "Layout", "LayoutSettings", "Line", "OcrSettings", "Page", "PdfSettings", "Rect", "Word",
    "decode_text", "detect_format", "read_layout", "read_layout_file",
]


@dataclass(frozen=True)
class LayoutSettings:
    pdf: PdfSettings = field(default_factory=PdfSettings)
    ocr: OcrSettings = field(default_factory=OcrSettings)
    max_bytes: int = 200 * 1024 * 1024

    def __post_init__(self) -> None:
        if not isinstance(self.pdf, PdfSettings) or not isinstance(self.ocr, OcrSettings):
            raise TypeError("pdf and ocr must be PdfSettings and OcrSettings")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {self.max_bytes}")


def read_layout(data: bytes, source: str = "<bytes>", settings: LayoutSettings | None = None,
                kind: str | None = None) -> Layout:
    """The Layout of any input; `kind` is `detect_format`'s answer when the caller already has it."""
    settings = settings or LayoutSettings()
    if len(data) > settings.max_bytes:
        raise TooLargeError(source, f"{len(data):,} bytes, over the limit of {settings.max_bytes:,}")
    kind = kind or detect_format(data, source)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(data, source, settings.pdf, settings.ocr)
    if kind == "image":
        from .ocr import read_image

        return read_image(data, source, settings.ocr)
    if kind == "html":
        from .html import read_html

        return read_html(decode_text(data), source)
    if kind in ("markdown", "text"):
        from .text import read_text

        return read_text(decode_text(data), source, markdown=kind == "markdown")
    raise UnsupportedFormatError(source, "this is ownership XML, which has no layout; read it with extractor.edgar_xml")


def read_input_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """A document's bytes, with a one-line error naming the file where it cannot be read."""
    path = Path(path)
    try:
        if max_bytes is not None:
            size = path.stat().st_size
            if size > max_bytes:  # before reading, so a huge file is never loaded
                raise TooLargeError(str(path), f"{size:,} bytes, over the limit of {max_bytes:,}")
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a document") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None


def read_layout_file(path: str | Path, settings: LayoutSettings | None = None) -> Layout:
    settings = settings or LayoutSettings()
    return read_layout(read_input_bytes(path, settings.max_bytes), str(path), settings)
