"""PDFs with pdfplumber: words, footnote markers, underlines and rulings from the text layer.

Pages without a usable text layer (scans) are rasterized with pypdfium2 and OCR'd, and their
boxes brought back to PDF points so every page of a PDF is in the same unit.
"""

from __future__ import annotations

import contextlib
import io
import re
import statistics
from dataclasses import dataclass

import pdfplumber

from ..errors import CorruptInputError, EncryptedInputError, InputError, TooLargeError
from .document import BRACKET_BOXES, Layout, Line, Page, Rect, Word, group_lines, mark_underlines, number_lines
from .ocr import OcrSettings

# Box glyphs by font: symbol fonts put them on ordinary letters' codes.
_BOX_GLYPHS = {"☐": False, "□": False, "❑": False, "❏": False, "☒": True, "☑": True, "▣": True, "■": True,
               **BRACKET_BOXES}
# Footnote markers as EDGAR renderings print them: (1), (12)(13), *, **.
_MARKERS = re.compile(r"(\(\w{1,3}\))+|\*{1,3}")
_SYMBOL_FONT_BOXES = {
    "wingdings": {"¨": False, "o": False, "q": False, "x": True, "ý": True, "þ": True, "n": True},
    "zapfdingbats": {"o": False, "q": False, "n": True, "4": True, "3": True, "8": True},
}


@dataclass(frozen=True)
class PdfSettings:
    max_pages: int = 50
    ocr_dpi: int = 300
    min_text_chars: int = 20  # fewer non-space characters than this and the page is a scan
    # A page mostly covered by an image is a scan even with some text on it (an e-filing
    # stamp, a fax header) unless it has at least this many characters.
    scan_text_chars: int = 200
    scan_image_coverage: float = 0.5
    word_gap: float = 0.15  # a gap wider than this many ems between characters splits a word
    line_tolerance: float = 1.0  # points; characters of one word share a baseline
    superscript_size: float = 0.82  # of the preceding word's font size, or smaller
    superscript_rise: float = 0.2  # of that size, or more above its baseline

    def __post_init__(self) -> None:
        if self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {self.max_pages}")
        if not 72 <= self.ocr_dpi <= 600:
            raise ValueError(f"ocr_dpi must be between 72 and 600, not {self.ocr_dpi}")
        if self.min_text_chars < 0 or self.scan_text_chars < self.min_text_chars:
            raise ValueError("min_text_chars must be >= 0 and scan_text_chars >= min_text_chars, "
                             f"not {self.min_text_chars} and {self.scan_text_chars}")
        if not 0 < self.scan_image_coverage <= 1:
            raise ValueError(f"scan_image_coverage must be in (0, 1], not {self.scan_image_coverage}")
        if not 0 < self.word_gap < 1 or not 0 < self.line_tolerance <= 5:
            raise ValueError(f"word_gap must be in (0, 1) ems and line_tolerance in (0, 5] points, "
                             f"not {self.word_gap} and {self.line_tolerance}")
        if not 0 < self.superscript_size < 1 or not 0 <= self.superscript_rise < 1:
            raise ValueError("superscript_size must be in (0, 1) and superscript_rise in [0, 1)")


def read_pdf(data: bytes, source: str, settings: PdfSettings | None = None,
             ocr_settings: OcrSettings | None = None) -> Layout:
    settings = settings or PdfSettings()
    ocr_settings = ocr_settings or OcrSettings()
    pages: list[Page] = []
    scanned = 0
    rasterizer = _Rasterizer(data, source)
    with _open(data, source) as pdf, contextlib.closing(rasterizer):
        try:
            count = len(pdf.pages)
        except Exception as exc:
            raise _error(source, exc, "the PDF's page tree cannot be read") from None
        if count == 0:
            raise CorruptInputError(source, "the PDF has no pages")
        if count > settings.max_pages:
            raise TooLargeError(source, f"the PDF has {count} pages, over the limit of {settings.max_pages}")
        for number, page in enumerate(pdf.pages, start=1):
            try:
                if _is_scan(page, settings):
                    pages.append(rasterizer.ocr(number, settings, ocr_settings))
                    scanned += 1
                else:
                    pages.append(_text_page(page, number, settings))
            except InputError:
                raise
            except Exception as exc:
                raise _error(source, exc, f"page {number} cannot be read") from None
            finally:
                page.close()  # drops the page's parsed objects; memory stays flat over pages
    number_lines(pages)
    return Layout(pages=pages, source=source, format="scan-pdf" if scanned == len(pages) else "pdf",
                  ocr=scanned > 0)


def _open(data: bytes, source: str) -> pdfplumber.PDF:
    # pdfminer tries the empty user password itself, so PDFs encrypted only against editing
    # (the common case: an owner password and no user password) open like any other.
    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise _error(source, exc, "the PDF cannot be opened") from None


def _error(source: str, exc: Exception, what: str) -> InputError:
    """The InputError for a pdfminer failure, which pdfplumber wraps in PdfminerException."""
    cause = exc.args[0] if type(exc).__name__ == "PdfminerException" and exc.args else exc
    name = type(cause).__name__
    if name in ("PDFPasswordIncorrect", "PDFEncryptionError"):
        return EncryptedInputError(source, "the PDF is encrypted with a password (remove it and try again)")
    if isinstance(cause, MemoryError):
        return TooLargeError(source, f"{what}: it does not fit in memory")
    detail = " ".join(str(cause).split())[:200]  # one line, whatever pdfminer said
    if name == "PSEOF":
        detail = "it ends early, probably truncated"
    elif isinstance(cause, BaseException) and not detail:
        detail = name
    return CorruptInputError(source, f"{what} ({detail})" if detail else what)


def _is_scan(page: pdfplumber.page.Page, settings: PdfSettings) -> bool:
    text_chars = sum(1 for c in page.chars if not c["text"].isspace())
    if text_chars < settings.min_text_chars:
        return True
    if text_chars >= settings.scan_text_chars:
        return False
    area = float(page.width * page.height) or 1.0
    covered = sum(max(0.0, float(i["x1"] - i["x0"])) * max(0.0, float(i["bottom"] - i["top"])) for i in page.images)
    return covered / area >= settings.scan_image_coverage


def _text_page(page: pdfplumber.page.Page, number: int, settings: PdfSettings) -> Page:
    # Text flow off: words come from the page's geometry, not the content stream's order,
    # which some producers scramble. The extra attributes make a font or size change a word
    # break, so a footnote marker set close after its number ("757,756(1)") or a check mark
    # drawn against its label ("XOfficer") is a word of its own. Tolerances are tight because
    # table headers stack lines of small print in neighbouring cells a few points apart:
    # pdfplumber's default 3 pt chains those rows into one line and interleaves their letters,
    # and its fixed 3 pt gap glues the last word of one cell to the first of the next.
    raw = page.extract_words(keep_blank_chars=False, use_text_flow=False, extra_attrs=["size", "fontname"],
                             x_tolerance_ratio=settings.word_gap, y_tolerance=settings.line_tolerance)
    sizes: dict[int, float] = {}
    words: list[Word] = []
    for w in raw:
        word = Word(text=w["text"], x0=float(w["x0"]), top=float(w["top"]), x1=float(w["x1"]),
                    bottom=float(w["bottom"]), page=number, checkbox=_checkbox(w["text"], w.get("fontname", "")))
        sizes[id(word)] = float(w["size"])
        words.append(word)
    lines = group_lines(words, number)
    for line in lines:
        _mark_superscripts(line, sizes, settings)
    rects = _rects(page)
    mark_underlines(words, rects)
    return Page(number=number, width=float(page.width), height=float(page.height), lines=lines, rects=rects, unit="pt")


def _checkbox(text: str, fontname: str) -> bool | None:
    if text in _BOX_GLYPHS:
        return _BOX_GLYPHS[text]
    font = fontname.lower().replace(" ", "")
    for family, glyphs in _SYMBOL_FONT_BOXES.items():
        if family in font and text in glyphs:
            return glyphs[text]
    return None


def _mark_superscripts(line: Line, sizes: dict[int, float], settings: PdfSettings) -> None:
    """Footnote markers: clearly smaller than the word they follow, and raised above its baseline.

    Compared with the word just before, not the whole line: a line band can hold a heading
    and the small print of another column, whose words are smaller and higher but no markers.
    A marker standing alone in a cell (a footnote in place of a date) has no such word; it
    counts when it reads like a marker and is small for its line.
    """
    text_sizes = [sizes[id(w)] for w in line.words if not _MARKERS.fullmatch(w.text)]
    body = statistics.median(text_sizes or [sizes[id(w)] for w in line.words])
    for w in line.words:
        size = sizes[id(w)]
        marker = _MARKERS.fullmatch(w.text) is not None
        if len(w.text) > 5 and not marker:
            continue
        before = [
            b for b in line.words
            if b is not w and w.x0 - 0.6 * sizes[id(b)] <= b.x1 <= w.x0 + 1.0 and b.top <= w.bottom and w.top <= b.bottom
        ]
        if before:
            anchor = max(before, key=lambda b: b.x1)
            w.superscript = (size <= sizes[id(anchor)] * settings.superscript_size
                             and anchor.bottom - w.bottom >= sizes[id(anchor)] * settings.superscript_rise)
        else:
            w.superscript = marker and size <= body * settings.superscript_size


def _rects(page: pdfplumber.page.Page) -> list[Rect]:
    """Drawn rectangles and rules, without invisible ones and without duplicates.

    Renderers paint white backgrounds behind text runs and draw one border several times;
    neither says anything about the form's structure.
    """
    out: dict[tuple[float, float, float, float, bool], Rect] = {}
    objects = list(page.rects) + list(page.lines)
    # Thin curves are rules drawn as paths (some renderers draw borders that way).
    objects += [c for c in page.curves if min(c["x1"] - c["x0"], c["bottom"] - c["top"]) <= 2.0]
    for obj in objects:
        stroked = bool(obj.get("stroke"))
        filled = bool(obj.get("fill"))
        if not stroked and (not filled or _is_white(obj.get("non_stroking_color"))):
            continue
        if stroked and not filled and _is_white(obj.get("stroking_color")):
            continue
        rect = Rect(float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]), filled)
        key = (round(rect.x0, 1), round(rect.top, 1), round(rect.x1, 1), round(rect.bottom, 1), filled)
        out.setdefault(key, rect)
    return list(out.values())


def _is_white(color) -> bool:
    if color is None:
        return False
    values = color if isinstance(color, (tuple, list)) else (color,)
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        return False  # a pattern or named colour: assume it shows
    if len(numbers) == 4:  # CMYK: white is no ink at all
        return all(v <= 0.02 for v in numbers)
    return bool(numbers) and all(v >= 0.98 for v in numbers)


class _Rasterizer:
    """pypdfium2's view of the same PDF, opened on the first scanned page and kept for the rest."""

    def __init__(self, data: bytes, source: str):
        self.data, self.source, self.doc = data, source, None

    def ocr(self, number: int, settings: PdfSettings, ocr_settings: OcrSettings) -> Page:
        import pypdfium2

        from .ocr import ocr_page_image

        try:
            if self.doc is None:
                self.doc = pypdfium2.PdfDocument(self.data)
            page = self.doc[number - 1]
            width, height = page.get_size()
            # Huge page boxes would make huge bitmaps: lower the resolution to the pixel limit.
            dpi = min(float(settings.ocr_dpi), 72.0 * (ocr_settings.max_pixels / max(width * height, 1.0)) ** 0.5)
            image = page.render(scale=dpi / 72.0, grayscale=True).to_pil()
            page.close()
        except pypdfium2.PdfiumError as exc:
            raise CorruptInputError(self.source, f"page {number} cannot be rasterized ({exc})") from None
        scanned = ocr_page_image(image, number, ocr_settings, dpi=dpi, source=self.source)
        return _to_points(scanned, 72.0 / dpi, float(width), float(height))

    def close(self) -> None:
        if self.doc is not None:
            self.doc.close()


def _to_points(page: Page, factor: float, width: float, height: float) -> Page:
    for word in page.words:
        word.x0, word.top, word.x1, word.bottom = (v * factor for v in word.bbox)
    for rect in page.rects:
        rect.x0, rect.top, rect.x1, rect.bottom = rect.x0 * factor, rect.top * factor, rect.x1 * factor, rect.bottom * factor
    page.width, page.height, page.unit = width, height, "pt"
    return page

