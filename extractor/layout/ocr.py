"""Tesseract OCR for images and image-only PDF pages: rasterize, deskew, read words."""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from ..errors import CorruptInputError, TooLargeError
from .document import Layout, Page, Word, group_lines

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread per worker process


@dataclass(frozen=True)
class OcrSettings:
    dpi: int = 300
    psm: int = 6
    lang: str = "eng"
    max_pixels: int = 80_000_000
    max_frames: int = 50
    deskew: bool = True

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ValueError(f"dpi must be between 72 and 600, not {self.dpi}")
        if self.psm not in (3, 4, 6, 11, 12):
            raise ValueError(f"psm must be one of 3, 4, 6, 11, 12, not {self.psm}")
        if self.max_pixels < 1_000_000:
            raise ValueError("max_pixels must be at least 1,000,000")


def estimate_skew(grey: np.ndarray) -> float:
    """Skew in degrees by the sharpest horizontal projection profile over ±3°."""
    import cv2

    small = cv2.resize(grey, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.float32)
    h, w = ink.shape
    best, best_angle = -1.0, 0.0
    for angle in np.arange(-3.0, 3.01, 0.1):
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rotated = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST)
        score = float(np.var(rotated.sum(axis=1)))
        if score > best:
            best, best_angle = score, float(angle)
    return best_angle


def ocr_image(image: Image.Image, number: int, settings: OcrSettings) -> Page:
    import cv2
    import pytesseract

    grey = np.array(image.convert("L"))
    skew = 0.0
    if settings.deskew:
        skew = estimate_skew(grey)
        if abs(skew) >= 0.1:
            h, w = grey.shape
            matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
            grey = cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    data = pytesseract.image_to_data(Image.fromarray(grey), lang=settings.lang, config=f"--psm {settings.psm}",
                                     output_type=pytesseract.Output.DICT)
    words = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if not text.strip() or conf < 0:
            continue
        x, y, w, h = data["left"][i], data["top"][i], data["width"][i], data["height"][i]
        words.append(Word(text=text.strip(), x0=float(x), top=float(y), x1=float(x + w), bottom=float(y + h),
                          page=number, confidence=conf / 100.0))
    height, width = grey.shape
    return Page(number=number, width=float(width), height=float(height), lines=group_lines(words, number),
                unit="px", dpi=float(settings.dpi), skew_degrees=skew)


def ocr_pdf_page(data: bytes, number: int, settings: OcrSettings, source: str) -> Page:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
        bitmap = pdf[number - 1].render(scale=settings.dpi / 72.0, grayscale=True)
        image = bitmap.to_pil()
        pdf.close()
    except pypdfium2.PdfiumError as exc:
        raise CorruptInputError(source, f"page {number} cannot be rasterized ({exc})") from None
    return ocr_image(image, number, settings)


def read_image(data: bytes, source: str, settings: OcrSettings | None = None) -> Layout:
    settings = settings or OcrSettings()
    Image.MAX_IMAGE_PIXELS = settings.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            frames = [f.copy() for _, f in zip(range(settings.max_frames + 1), ImageSequence.Iterator(image))]
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLargeError(source, f"the image is too large to decode safely ({exc})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CorruptInputError(source, f"the image cannot be decoded ({exc})") from None
    if len(frames) > settings.max_frames:
        raise TooLargeError(source, f"the image has more than {settings.max_frames} pages")
    pages = []
    for number, frame in enumerate(frames, start=1):
        dpi = frame.info.get("dpi", (settings.dpi, settings.dpi))[0] or settings.dpi
        pages.append(ocr_image(frame, number, settings))
        pages[-1].dpi = float(dpi)
    return Layout(pages=pages, source=source, format="image", ocr=True)
