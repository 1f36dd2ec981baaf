"""The review page's data: page images for PDFs and scans (lines of text otherwise), each field
flattened with its box, and a corrected record saved as a labeled sample.

Boxes in a record are in the layout's page units (PDF points, or pixels of the levelled scan),
so each image comes with the scale from page units to its own pixels, and scans are turned
level by the same skew the OCR reader found, so that the boxes land on the words.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, Field

from .errors import TooLargeError
from .records import Record

# Fewer characters than this in a PDF page's text layer and the reader OCR'd it as a scan.
_SCAN_TEXT_CHARS = 20
_FORMAT_SUFFIX = {"pdf": ".pdf", "xml": ".xml", "html": ".html", "markdown": ".md", "text": ".txt"}
_IMAGE_SUFFIX = ((b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"),
                 (b"GIF8", ".gif"), (b"BM", ".bmp"), (b"RIFF", ".webp"))


@dataclass(frozen=True)
class PageImageSettings:
    width_px: int = 1100  # wide enough to read 8 pt print, small enough to send inline
    max_pages: int = 50
    max_lines: int = 5000  # text documents: lines shown
    max_pixels: int = 60_000_000  # a decompression bomb is refused before it is decoded

    def __post_init__(self) -> None:
        if not 200 <= self.width_px <= 4000:
            raise ValueError(f"width_px must be between 200 and 4000, not {self.width_px}")
        if self.max_pages < 1 or self.max_lines < 1:
            raise ValueError(f"max_pages and max_lines must be at least 1, not {self.max_pages} and {self.max_lines}")
        if self.max_pixels < 1_000_000:
            raise ValueError(f"max_pixels must be at least 1,000,000, not {self.max_pixels:,}")


@dataclass(frozen=True)
class PageImage:
    number: int  # 1-based
    png: bytes
    width_px: int
    height_px: int
    scale: float  # image pixels per page unit of the record's boxes


@dataclass(frozen=True)
class DocumentView:
    """Either page images (PDF, scans) or the document's lines (text, markdown, HTML, XML)."""

    kind: str  # detect_format's name
    pages: list[PageImage] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def document_view(data: bytes, source: str, settings: PageImageSettings | None = None) -> DocumentView:
    """The review page's picture of a document; raises the readers' InputErrors."""
    from .layout import detect_format

    settings = settings or PageImageSettings()
    kind = detect_format(data, source)
    if kind == "pdf":
        return DocumentView(kind, pages=pdf_page_images(data, source, settings))
    if kind == "image":
        return DocumentView(kind, pages=scan_page_images(data, source, settings))
    return DocumentView(kind, lines=text_lines(data, source, kind, settings))


def pdf_page_images(data: bytes, source: str, settings: PageImageSettings) -> list[PageImage]:
    import pypdfium2

    from .errors import CorruptInputError

    try:
        doc = pypdfium2.PdfDocument(data)
    except Exception as exc:  # pdfium's errors carry no type worth keeping
        raise CorruptInputError(source, f"the PDF cannot be rendered ({exc})") from None
    try:
        if len(doc) > settings.max_pages:
            raise TooLargeError(source, f"the PDF has {len(doc)} pages, over the limit of {settings.max_pages}")
        images = []
        for index in range(len(doc)):
            page = doc[index]
            width_pt = page.get_width()
            scale = settings.width_px / width_pt
            image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
            if _is_scanned(page):
                image = _levelled(image)
            images.append(_page_image(index + 1, image, scale))
            page.close()
        return images
    finally:
        doc.close()


def _is_scanned(page) -> bool:
    textpage = page.get_textpage()
    try:
        return len(textpage.get_text_range().strip()) < _SCAN_TEXT_CHARS
    finally:
        textpage.close()


def scan_page_images(data: bytes, source: str, settings: PageImageSettings) -> list[PageImage]:
    from .errors import CorruptInputError

    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = settings.max_pixels
    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > settings.max_pages:
                raise TooLargeError(source, f"the image has {frames} pages, over the limit of {settings.max_pages}")
            images = []
            for index in range(frames):
                image.seek(index)
                if image.width * image.height > settings.max_pixels:
                    raise TooLargeError(source, f"page {index + 1} is {image.width} x {image.height} pixels, "
                                                f"over the limit of {settings.max_pixels:,}")
                frame = _levelled(image.convert("L"))
                # Boxes are in the scan's own pixels; shrink (never enlarge) to the display width.
                scale = min(1.0, settings.width_px / frame.width)
                if scale < 1.0:
                    frame = frame.resize((round(frame.width * scale), round(frame.height * scale)),
                                         Image.Resampling.LANCZOS)
                images.append(_page_image(index + 1, frame, scale))
            return images
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLargeError(source, f"the image is too large to decode ({exc})") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise CorruptInputError(source, f"the image cannot be decoded ({type(exc).__name__})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _levelled(image: Image.Image) -> Image.Image:
    """The page turned back by the skew the OCR reader measures, on a canvas of the same size."""
    import numpy as np

    from .layout.ocr import estimate_skew

    skew = estimate_skew(np.asarray(image))
    if abs(skew) < 0.05:
        return image
    return image.rotate(-skew, resample=Image.Resampling.BICUBIC, fillcolor=255)


def text_lines(data: bytes, source: str, kind: str, settings: PageImageSettings) -> list[str]:
    """Lines as the readers number them, so that a value's `provenance.line` points at one.

    The text reader numbers the file's own lines (blank ones too); the HTML reader numbers the
    lines it lays out.
    """
    from .layout import decode_text, read_layout

    if kind == "html":
        lines = [line.text for line in read_layout(data, source).lines]
    else:
        text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
        lines = text.split("\n")
    return lines[: settings.max_lines]


def _page_image(number: int, image: Image.Image, scale: float) -> PageImage:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return PageImage(number=number, png=buffer.getvalue(), width_px=image.width, height_px=image.height,
                     scale=scale)


# ---- the review page's answers ----------------------------------------------------------------


class PageView(BaseModel):
    number: int
    width_px: int
    height_px: int
    scale: float = Field(description="Image pixels per page unit of the record's boxes.")
    png_base64: str


class FieldView(BaseModel):
    path: str = Field(description="Dotted path in the record, e.g. `non_derivative.0.shares`.")
    value: Any
    confidence: float
    method: str
    present: bool
    low_confidence: bool
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    line: int | None = None


class ReviewResult(BaseModel):
    sha256: str
    kind: str = Field(description="The format told from the content: pdf, image, html, markdown, text or xml.")
    low_confidence: float
    record: dict[str, Any]
    fields: list[FieldView]
    pages: list[PageView]
    lines: list[str]


class SavedSample(BaseModel):
    sha256: str
    document: str = Field(description="File name of the document in the samples folder.")
    record: str = Field(description="File name of the corrected record (JSON) beside it.")


def review_result(data: bytes, record: Record, view: DocumentView | None, low_confidence: float) -> ReviewResult:
    """The record, every leaf flattened with its box or line, and the document's picture."""
    fields = []
    for path, value in record.values():
        provenance = value.provenance
        fields.append(FieldView(
            path=path, value=json.loads(value.model_dump_json())["value"], confidence=value.confidence,
            method=value.method, present=value.present,
            low_confidence=value.present and value.confidence < low_confidence,
            page=provenance.page if provenance else None, bbox=provenance.bbox if provenance else None,
            line=provenance.line if provenance else None,
        ))
    pages = [PageView(number=p.number, width_px=p.width_px, height_px=p.height_px, scale=p.scale,
                      png_base64=base64.b64encode(p.png).decode("ascii")) for p in (view.pages if view else [])]
    return ReviewResult(sha256=hashlib.sha256(data).hexdigest(), kind=view.kind if view else "unknown",
                        low_confidence=low_confidence, record=json.loads(record.model_dump_json()),
                        fields=fields, pages=pages, lines=view.lines if view else [])


def save_labeled_sample(data: bytes, source: str, record: Record, samples_dir: Path) -> SavedSample:
    """Write `<sha256>.<ext>` and `<sha256>.json` under samples_dir: names come from the content only."""
    from .layout import detect_format

    kind = detect_format(data, source)  # refuses empty and unsupported uploads
    digest = hashlib.sha256(data).hexdigest()
    suffix = _FORMAT_SUFFIX.get(kind) or next((s for magic, s in _IMAGE_SUFFIX if data.startswith(magic)), ".img")
    record = record.model_copy(deep=True)
    record.source.sha256 = digest
    record.source.format = kind
    samples_dir.mkdir(parents=True, exist_ok=True)
    document_name, record_name = digest + suffix, digest + ".json"
    _write_atomically(samples_dir / document_name, data)
    _write_atomically(samples_dir / record_name, record.model_dump_json(indent=2).encode("utf-8"))
    return SavedSample(sha256=digest, document=document_name, record=record_name)


def _write_atomically(path: Path, data: bytes) -> None:
    # A reader (form4 train) never sees half a file; the partial name is ours, never the client's.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
