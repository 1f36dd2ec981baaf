"""Reader for PDFs with a text layer, with pdfplumber; pages without one are OCR'd."""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from ..errors import CorruptInputError, EncryptedInputError, TooLargeError
from .document import Layout, Page, Rect, Word, group_lines


@dataclass(frozen=True)
class PdfSettings:
    max_pages: int = 50
    ocr_dpi: int = 300
    min_text_chars: int = 20  # fewer characters than this on a page and it is a scan

    def __post_init__(self) -> None:
        if self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {self.max_pages}")
        if not 72 <= self.ocr_dpi <= 600:
            raise ValueError(f"ocr_dpi must be between 72 and 600, not {self.ocr_dpi}")


def read_pdf(data: bytes, source: str, settings: PdfSettings | None = None) -> Layout:
    settings = settings or PdfSettings()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise EncryptedInputError(source) from None
    except Exception as exc:
        raise CorruptInputError(source, f"the PDF cannot be opened ({type(exc).__name__})") from None
    pages: list[Page] = []
    scanned = 0
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:
            raise CorruptInputError(source, f"the PDF's page tree is broken ({type(exc).__name__})") from None
        if count == 0:
            raise CorruptInputError(source, "the PDF has no pages")
        if count > settings.max_pages:
            raise TooLargeError(source, f"the PDF has {count} pages, over the limit of {settings.max_pages}")
        for number, page in enumerate(pdf.pages, start=1):
            try:
                text_chars = sum(1 for c in page.chars if c["text"].strip())
                if text_chars < settings.min_text_chars:
                    from .ocr import OcrSettings, ocr_pdf_page

                    pages.append(ocr_pdf_page(data, number, OcrSettings(dpi=settings.ocr_dpi), source))
                    scanned += 1
                else:
                    pages.append(_text_page(page, number))
            except (PDFPasswordIncorrect, PDFEncryptionError):
                raise EncryptedInputError(source) from None
            except (TooLargeError, EncryptedInputError, CorruptInputError):
                raise
            except Exception as exc:
                raise CorruptInputError(source, f"page {number} cannot be read ({type(exc).__name__}: {exc})") from None
            finally:
                page.close()
    return Layout(pages=pages, source=source, format="scan-pdf" if scanned == len(pages) else "pdf", ocr=scanned > 0)


def _text_page(page: pdfplumber.page.Page, number: int) -> Page:
    # Text flow keeps each table cell's words together where staggered headers would
    # otherwise interleave their characters into one visual line.
    raw = page.extract_words(use_text_flow=True, keep_blank_chars=False, extra_attrs=["size"])
    sizes = [w["size"] for w in raw] or [10.0]
    body = statistics.median(sizes)
    words = []
    for w in raw:
        words.append(Word(text=w["text"], x0=w["x0"], top=w["top"], x1=w["x1"], bottom=w["bottom"], page=number,
                          superscript=w["size"] < body * 0.8 and w["text"].startswith("(") and w["text"].endswith(")")))
    rects = [Rect(r["x0"], r["top"], r["x1"], r["bottom"], bool(r.get("fill"))) for r in page.rects]
    rects += [Rect(l["x0"], l["top"], l["x1"], l["bottom"]) for l in page.lines]
    return Page(number=number, width=float(page.width), height=float(page.height),
                lines=group_lines(words, number), rects=rects, unit="pt")
