"""Tesseract OCR for page images: decode safely, deskew, clean, read words with boxes.

`read_image` reads PNG, JPEG, TIFF (every frame a page), GIF, BMP and WebP files;
`ocr_page_image` is the per-page step it shares with the PDF reader for pages that have no
text layer. Boxes are in pixels of the deskewed image (top-left origin). Tesseract itself is
called through `tesseract.read_words`.

Choices below were measured on 300 dpi scans of eight rendered Form 3/4/5 pages (rotated
-1.3 to 2.1 degrees, with sensor noise), against the words of the same pages' text layer:
- psm 11 (sparse text) found 98.1% of the words of 4+ letters and 82% of the numbers; psm 3
  96.5% / 80%, psm 4 and 6 96% / 78-80%. Forms are label-value fragments, not paragraphs,
  and lines are rebuilt from the boxes here anyway, so Tesseract's own layout analysis buys
  nothing. psm 12 matched 11 at 10% more time.
- Otsu binarization first cut Tesseract's time by a third to a half at equal or better recall.
- Erasing ruling lines: a cell border touching its text otherwise comes out as glyphs or
  drops the row; it helped the numbers (0.82 vs 0.81) at no loss of words.
- Rescaling to 300 dpi: a 100 dpi scan went from 65% to 84% of words, and 600 dpi pages
  OCR 40% faster at the same recall.
- Deskew by projection profiles: within 0.02 degrees of the applied rotation on all eight.
- One-bit pages up to 350 dpi (faxes, scanners set to black and white) are smoothed
  (Gaussian, 0.7 pixel) and enlarged to 400 dpi: Tesseract reads jagged, broken one-bit
  strokes better once they are grey-edged and large. Dev faxes (auto field F1): 0.495 ->
  0.584 on 30, 0.566 -> 0.590 on 40 others; enlarging alone gave 0.514, smoothing alone 0.507,
  and sigma 1.0, a darker threshold or removing isolated specks did worse. One-bit scans at
  300 dpi: 0.887 -> 0.902 and 0.829 -> 0.849 on two dev samples; under 250 dpi, neutral.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import re
import sys
import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ..errors import CorruptInputError, InputError, TooLargeError
from .checkboxes import mark_checkboxes
from .document import BRACKET_BOXES, Layout, Page, Rect, Word, group_lines, mark_underlines, number_lines
from .ocr_words import repair_signature_words
from .ocr_spelling import correct_words
from .second_pass import reread
from .tesseract import read_words

# Tesseract's OpenMP threads fight each other (and the test workers) for cores and make a
# page several times slower; one thread per process is the documented fix. Where Tesseract
# runs as a command (no tesserocr), the subprocess inherits this environment.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@functools.cache
def one_thread_per_process() -> None:
    """Keep this process on one core: Tesseract's OpenMP threads, OpenCV's pool and numpy's BLAS alike.

    For worker processes, whose parallelism is the workers themselves. OpenCV's own threads
    (deskew, rescaling) made one bulk worker use 1.15 cores, so two workers on two cores could
    not reach twice the throughput of one. Runs once per process (a Dask worker calls it for
    every document, and setting the BLAS limit costs 0.8 ms); forked children inherit it.
    """
    from threadpoolctl import threadpool_limits

    os.environ["OMP_THREAD_LIMIT"] = "1"
    # OpenCV reads this when first imported; importing it here would cost a text-only worker 20 MB.
    os.environ["OPENCV_FOR_THREADS_NUM"] = "1"
    if "cv2" in sys.modules:
        sys.modules["cv2"].setNumThreads(1)
    # numpy's OpenBLAS (the model's matrix products) is loaded already: two workers with two BLAS
    # threads each made a 2-worker bulk run of PDFs slower than one worker.
    threadpool_limits(limits=1)


PSM_MODES = (1, 3, 4, 6, 11, 12)
# Tesseract prints straight quotes as curly ones about half the time, and filings' text uses
# straight ones: on paper the two are not told apart reliably, so OCR text gets straight ones.
_STRAIGHT_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
# It reads a bracket as a brace now and then ("{right to buy)", "Stock{1]"), and no value of the
# 14,555 train filings holds a brace. Only braces against a word or number: a lone one, or one
# beside a single letter ("i}"), is a checkbox's edge on a fax, which the checkbox reading sees by ink.
_BRACE = re.compile(r"\{(?=[A-Za-z0-9])|(?:(?<=[A-Za-z]{2})|(?<=[0-9]))\}")
_LANG = re.compile(r"[A-Za-z_]+(\+[A-Za-z_]+)*")

# Tesseract is most accurate on text around 300 dpi; far outside this band the page is
# rescaled for OCR and the boxes mapped back to the image's own pixels.
_TARGET_DPI = 300.0
_DPI_BAND = (200.0, 400.0)
# One-bit pages below this dpi are smoothed and enlarged to _BILEVEL_DPI (module docstring).
_BILEVEL_BELOW_DPI = 350.0
_BILEVEL_DPI = 400.0
_BILEVEL_SIGMA = 0.7  # pixels of the page's own resolution


@dataclass(frozen=True)
class OcrSettings:
    psm: int = 11
    lang: str = "eng"
    max_pixels: int = 60_000_000  # per page: a letter page at 600 dpi is 33.7 million
    max_frames: int = 50
    timeout: float = 60.0  # seconds of Tesseract per page; 0 for none
    default_dpi: int = 300  # for images that do not say
    deskew: bool = True
    max_skew: float = 5.0  # degrees searched either way
    binarize: bool = True
    remove_rulings: bool = True
    rescale: bool = True  # bring pages far from 300 dpi to it for Tesseract
    smooth_bilevel: bool = True  # one-bit pages under 350 dpi smoothed and read at 400 dpi
    # Text on paper is a few percent ink (a dense form ~15%); a page darker than this is a
    # photo or picture, and is neither deskewed nor read in a sparse-text mode.
    max_ink: float = 0.35
    # Second pass: footnote markers split off the word they are glued to, and ink the first
    # pass left unread (a lone "I" in a cell), each re-read on enlarged crops; at most this
    # many crops per page, 0 to skip the pass.
    reread_crops: int = 80
    # Look-alike letters in lower-case words put right against an English word list ("aprii").
    correct_spelling: bool = True

    def __post_init__(self) -> None:
        if self.psm not in PSM_MODES:
            raise ValueError(f"psm must be one of {', '.join(map(str, PSM_MODES))}, not {self.psm}")
        if not _LANG.fullmatch(self.lang):
            raise ValueError(f"lang must be Tesseract language codes like 'eng' or 'eng+fra', not {self.lang!r}")
        if self.max_pixels < 1_000_000:
            raise ValueError(f"max_pixels must be at least 1,000,000, not {self.max_pixels:,}")
        if self.max_frames < 1:
            raise ValueError(f"max_frames must be at least 1, not {self.max_frames}")
        if self.timeout < 0:
            raise ValueError(f"timeout must be 0 (none) or a number of seconds, not {self.timeout}")
        if not 50 <= self.default_dpi <= 1200:
            raise ValueError(f"default_dpi must be between 50 and 1200, not {self.default_dpi}")
        if not 0 < self.max_ink <= 1:
            raise ValueError(f"max_ink must be a fraction in (0, 1], not {self.max_ink}")
        if not 0 < self.max_skew <= 15:
            raise ValueError(f"max_skew must be in (0, 15] degrees, not {self.max_skew}")
        if not 0 <= self.reread_crops <= 1000:
            raise ValueError(f"reread_crops must be between 0 and 1000, not {self.reread_crops}")


def read_image(data: bytes, source: str, settings: OcrSettings | None = None) -> Layout:
    """OCR every page (frame) of an image file into one Layout."""
    settings = settings or OcrSettings()
    pages = []
    with _decoding_limits(settings):
        with _open_image(data, source, settings) as image:
            try:
                count = getattr(image, "n_frames", 1)
            except Exception as exc:
                raise CorruptInputError(source, f"the image's pages cannot be read ({type(exc).__name__})") from None
            if count > settings.max_frames:
                raise TooLargeError(source, f"the image has {count} pages, over the limit of {settings.max_frames}")
            # One frame decoded at a time, so a long TIFF costs one page of memory.
            for index in range(count):
                frame = _square_pixels(_load_frame(image, index, source, settings), image.info)
                pages.append(ocr_page_image(frame, index + 1, settings, dpi=_dpi(image.info), source=source))
                frame.close()
    number_lines(pages)
    return Layout(pages=pages, source=source, format="image", ocr=True)


def ocr_page_image(image: Image.Image, page_number: int, settings: OcrSettings | None = None, *,
                   dpi: float | None = None, source: str = "<image>") -> Page:
    """OCR one page image into a Page in pixels of `image`.

    `Page.skew_degrees` is the skew found (counter-clockwise positive, as PIL's `rotate`); the
    image was turned back by it before OCR, so boxes are in the levelled page's frame.
    """
    settings = settings or OcrSettings()
    dpi = float(dpi or _dpi(image.info) or settings.default_dpi)
    prepared = prepare_page(image, dpi, settings)
    grey, scale = prepared.grey, prepared.scale
    # Sparse-text modes read any speckle as a word: a photo gave 52 junk words with psm 11
    # and none with psm 3, whose layout analysis sets pictures aside.
    psm = settings.psm if prepared.on_paper or settings.psm not in (11, 12) else 3
    words = []
    for found in read_words(grey, lang=settings.lang, psm=psm, dpi=dpi * scale, timeout=settings.timeout,
                            source=source, page_number=page_number):
        text = ocr_text(found.text)
        words.append(Word(text=text, x0=found.left / scale, top=found.top / scale,
                          x1=(found.left + found.width) / scale, bottom=(found.top + found.height) / scale,
                          page=page_number, confidence=round(found.confidence / 100.0, 4),
                          checkbox=BRACKET_BOXES.get(text)))
    if settings.reread_crops and prepared.on_paper and words:
        words = reread(words, prepared, page_number, settings, source)
    if settings.correct_spelling:
        words = correct_words(words)
    words = repair_signature_words(words)
    words = mark_checkboxes(words, prepared.ink, scale)
    mark_underlines(words, prepared.rulings)
    height, width = prepared.size
    return Page(number=page_number, width=float(width), height=float(height), lines=group_lines(words, page_number),
                rects=prepared.rulings, unit="px", dpi=dpi, skew_degrees=round(prepared.skew, 2))


@dataclass(frozen=True)
class PreparedPage:
    """A page made ready for Tesseract: levelled, rulings erased, rescaled, binarized."""

    grey: np.ndarray  # what Tesseract reads
    levelled: np.ndarray  # the same before binarization, for re-reading crops enlarged
    threshold: float  # the page's ink/paper grey level: a mostly blank crop has no good one of its own
    scale: float  # pixels of `grey` per pixel of the original image
    skew: float
    rulings: list[Rect]  # in the original image's pixels
    on_paper: bool
    size: tuple[int, int]  # the original image's (height, width)

    @cached_property
    def ink(self) -> np.ndarray:
        """The levelled page's ink pixels, computed once for the second pass and the checkbox reading."""
        return self.levelled < self.threshold


def ocr_text(text: str) -> str:
    """A word as Tesseract read it with the characters it misreads put back: straight quotes, and
    brackets it read as braces (see `_BRACE`)."""
    return _BRACE.sub(lambda m: "(" if m.group() == "{" else ")", text.translate(_STRAIGHT_QUOTES))


def prepare_page(image: Image.Image, dpi: float, settings: OcrSettings) -> PreparedPage:
    """Level, clean and binarize a page image as measured best for Tesseract (module docstring)."""
    import cv2

    grey = to_grey(image)
    height, width = grey.shape
    # Asked before levelling, whose interpolation greys the edges of a one-bit page.
    smooth = settings.smooth_bilevel and dpi < _BILEVEL_BELOW_DPI and is_bilevel(grey)
    _, ink = _ink(grey)
    on_paper = float(np.count_nonzero(ink)) / ink.size <= settings.max_ink
    skew = estimate_skew(grey, settings.max_skew) if settings.deskew and on_paper else 0.0
    if abs(skew) >= 0.05:
        # Rotating by -skew turns the content back level; the canvas keeps its size so that
        # boxes stay in the page's own frame.
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -skew, 1.0)
        grey = cv2.warpAffine(grey, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)
    rulings: list[Rect] = []
    if settings.remove_rulings:
        grey, rulings = _erase_rulings(grey, dpi)
    scale = 1.0
    target = _TARGET_DPI
    if smooth:
        grey = cv2.GaussianBlur(grey, (0, 0), _BILEVEL_SIGMA)
        target = _BILEVEL_DPI
    if smooth or settings.rescale and not _DPI_BAND[0] <= dpi <= _DPI_BAND[1]:
        scale = min(target / dpi, math.sqrt(settings.max_pixels / (width * height)))
        if abs(scale - 1.0) > 0.05:
            interpolation = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=interpolation)
        else:
            scale = 1.0
    levelled = grey
    threshold, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if settings.binarize:
        grey = binary
    return PreparedPage(grey=grey, levelled=levelled, threshold=float(threshold), scale=scale, skew=skew, rulings=rulings, on_paper=on_paper, size=(height, width))


def to_grey(image: Image.Image) -> np.ndarray:
    """8-bit grey pixels of any PIL mode, transparency flattened onto white paper."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        pixels = np.asarray(image, dtype=np.float64)
        top = pixels.max() or 1.0
        return np.clip(pixels * (255.0 / top), 0, 255).astype(np.uint8)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, image.convert("RGBA"))
    return np.asarray(image.convert("L"), dtype=np.uint8)


def is_bilevel(grey: np.ndarray) -> bool:
    """Whether a page holds only two grey levels (a one-bit scan or fax), judged on a sample of its pixels."""
    return len(np.unique(grey[::7, ::7])) <= 2


def estimate_skew(grey: np.ndarray, max_skew: float = 5.0) -> float:
    """The page's skew in degrees, counter-clockwise positive (PIL's `rotate` convention).

    Projection profiles: text lines are sharpest in the row histogram of the ink at the angle
    that levels them. Ink pixel coordinates are projected directly (no image rotation per
    angle), coarse 0.1 degree steps then 0.01 around the best, on a ~1000 px wide copy.
    Pages with almost no ink (blank) or far too much (photos) are left alone.
    """
    small, ink = _ink(grey)
    ys, xs = np.nonzero(ink)
    if not 0.001 <= len(xs) / ink.size <= 0.35:
        return 0.0
    if len(xs) > 300_000:  # keep the search fast on dense pages
        keep = np.random.default_rng(0).choice(len(xs), 300_000, replace=False)
        ys, xs = ys[keep], xs[keep]
    xs = xs.astype(np.float64) - small.shape[1] / 2
    ys = ys.astype(np.float64) - small.shape[0] / 2

    def sharpness(angle: float) -> float:
        rad = math.radians(angle)
        rows = ys * math.cos(rad) + xs * math.sin(rad)
        profile = np.bincount((rows - rows.min()).astype(np.int64)).astype(np.float64)
        return float(np.sum(np.diff(profile) ** 2))

    coarse = np.arange(-max_skew, max_skew + 1e-9, 0.1)
    best = float(coarse[int(np.argmax([sharpness(a) for a in coarse]))])
    fine = np.arange(best - 0.1, best + 0.1 + 1e-9, 0.01)
    best = float(fine[int(np.argmax([sharpness(a) for a in fine]))])
    return best if abs(best) < max_skew else 0.0  # at the edge: no real optimum inside the range


def _ink(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A ~1000 px wide copy of the page and its Otsu ink mask (255 where dark)."""
    import cv2

    scale = min(1.0, 1000.0 / grey.shape[1])
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    if int(small.max()) - int(small.min()) < 64:
        return small, np.zeros_like(small)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return small, ink


def connected_components(ink: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """`cv2.connectedComponentsWithStats`, 8-connected, by Grana's algorithm: the same labels and
    stats as OpenCV's default, in less than half the time on a full page (0.016 s against 0.034 s)."""
    import cv2

    return cv2.connectedComponentsWithStatsWithAlgorithm(ink, 8, cv2.CV_32S, cv2.CCL_GRANA)


def _erase_rulings(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, list[Rect]]:
    """White out long horizontal and vertical strokes, and return them as Rects.

    Strokes at least 0.4 inch long are rules (cell borders, underlines); no glyph is.
    """
    import cv2

    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    length = max(20, int(dpi * 0.4))
    rects: list[Rect] = []
    mask = np.zeros_like(ink)
    for kernel in ((length, 1), (1, length)):
        strokes = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        count, _, stats, _ = connected_components(strokes)
        for x, y, w, h, _area in stats[1:count]:
            rects.append(Rect(float(x), float(y), float(x + w), float(y + h), filled=True))
        mask |= strokes
    if not rects:
        return grey, rects
    # A little wider than the stroke itself, to take its anti-aliased edge too.
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    cleaned = grey.copy()
    cleaned[mask > 0] = 255
    return cleaned, rects


@contextlib.contextmanager
def _decoding_limits(settings: OcrSettings):
    previous = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    Image.MAX_IMAGE_PIXELS = settings.max_pixels
    # Some libraries (WeasyPrint, on import) switch PIL to pad truncated files with grey; a
    # cut-off scan must be an error here, not a page with its bottom missing.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # PIL only warns between max_pixels and twice that; a bomb is a bomb either way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _open_image(data: bytes, source: str, settings: OcrSettings) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLargeError(source, f"the image is too large to decode safely ({_bomb_detail(exc)}, "
                                    f"over the limit of {settings.max_pixels:,})") from None
    except UnidentifiedImageError:
        raise CorruptInputError(source, "the image cannot be decoded (unknown or damaged header)") from None
    except Exception as exc:
        raise CorruptInputError(source, f"the image cannot be decoded ({_one_line(exc)})") from None


def _load_frame(image: Image.Image, index: int, source: str, settings: OcrSettings) -> Image.Image:
    where = f"page {index + 1}: " if index else ""
    try:
        image.seek(index)
        width, height = image.size
        if width * height > settings.max_pixels:
            raise TooLargeError(source, f"{where}{width} x {height} pixels, over the limit of {settings.max_pixels:,}")
        image.load()
        frame = ImageOps.exif_transpose(image)  # phone photos store their rotation in EXIF
        return frame.copy() if frame is image else frame
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLargeError(source, f"{where}the image is too large to decode safely ({_bomb_detail(exc)}, "
                                    f"over the limit of {settings.max_pixels:,})") from None
    except MemoryError:
        raise TooLargeError(source, f"{where}the image does not fit in memory") from None
    except Exception as exc:
        raise CorruptInputError(source, f"{where}the image is corrupt or truncated ({_one_line(exc)})") from None


def _square_pixels(frame: Image.Image, info: dict) -> Image.Image:
    """A fax sent at 200 x 100 dpi stretched to square pixels; OCR reads squashed letters badly."""
    try:
        x_dpi, y_dpi = (float(v) for v in info.get("dpi") or (0, 0))
    except (TypeError, ValueError):
        return frame
    if x_dpi <= 0 or y_dpi <= 0 or abs(x_dpi - y_dpi) / x_dpi < 0.05:
        return frame
    width, height = frame.size
    # A one-bit fax has its lines repeated, as fax viewers show it, so that it stays one-bit
    # and gets the smoothing of bilevel pages (prepare_page); grey pages are interpolated.
    resample = Image.Resampling.NEAREST if frame.mode == "1" else Image.Resampling.BILINEAR
    stretched = frame.convert("L").resize((width, round(height * x_dpi / y_dpi)), resample)
    frame.close()
    return stretched


def _dpi(info: dict) -> float | None:
    dpi = info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    # PNG stores dots per metre, so 300 dpi comes back as 299.9994; absurd values are unset ones.
    return float(round(value)) if 50 <= value <= 2400 else None


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def _bomb_detail(exc: Exception) -> str:
    # PIL says "Image size (400000000 pixels) exceeds limit of ..."; keep just the size.
    match = re.search(r"\((\d+) pixels\)", str(exc))
    return f"{int(match.group(1)):,} pixels" if match else str(exc).split(", could be")[0]

