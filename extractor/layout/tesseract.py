"""Tesseract itself: one call that reads the words of a prepared (grey, 8-bit) image.

The engine runs in-process through tesserocr, whose wheel carries libtesseract 5.5, with the
system's traineddata (the `tesseract-ocr-eng` package). Measured on 16 dev scan and fax pages
against the `tesseract` 5.3 command (through pytesseract, as before): the same page pass took
1.0 s a page instead of 1.5 s, at the same CPU time per second of wall clock (one thread), and
each re-read of the second pass saves the command's 0.09 s start-up. Where tesserocr is not
installed (no wheel for the platform), the command is run instead, with the same settings.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import OcrEngineError, TooLargeError


@dataclass(frozen=True)
class TesseractWord:
    """One word as Tesseract's TSV output gives it: pixels of the image read, confidence 0-100."""

    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int


_COMMON_TESSDATA = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)


def read_words(pixels: np.ndarray, *, lang: str, psm: int, dpi: float, timeout: float, source: str,
               page_number: int, whitelist: str | None = None) -> list[TesseractWord]:
    """The words Tesseract reads in `pixels` (a 2-D uint8 array), empty and rejected ones left out.

    `timeout` is in seconds (0 for none); running past it raises TooLargeError naming the page.
    """
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if _tesserocr() is not None:
        rows = _read_in_process(pixels, lang, psm, round(dpi), timeout, source, page_number, whitelist)
    else:
        rows = _read_by_command(pixels, lang, psm, round(dpi), timeout, source, page_number, whitelist)
    return [word for word in rows if word.text and word.confidence >= 0]


@functools.cache
def _tesserocr():
    try:
        import tesserocr
    except ImportError:
        return None
    return tesserocr


# One engine per process, thread and (language, whitelist): an engine is not thread-safe, a
# forked child must not share its parent's, and a whitelist set on an engine stays set.
_engines = threading.local()


def _engine(lang: str, psm: int, whitelist: str | None):
    tesserocr = _tesserocr()
    cache = getattr(_engines, "by_key", None)
    if cache is None or getattr(_engines, "pid", None) != os.getpid():
        cache = _engines.by_key = {}
        _engines.pid = os.getpid()
    key = (lang, whitelist)
    if key not in cache:
        variables = {"tessedit_char_whitelist": whitelist} if whitelist else {}
        try:
            cache[key] = tesserocr.PyTessBaseAPI(path=str(tessdata_dir(lang)), lang=lang, variables=variables)
        except RuntimeError as exc:
            raise OcrEngineError(f"{tessdata_dir(lang)}: Tesseract cannot load language {lang!r} ({exc})") from None
    api = cache[key]
    api.SetPageSegMode(psm)
    return api


def _read_in_process(pixels: np.ndarray, lang: str, psm: int, dpi: int, timeout: float, source: str,
                     page_number: int, whitelist: str | None) -> list[TesseractWord]:
    api = _engine(lang, psm, whitelist)
    height, width = pixels.shape
    data = pixels.tobytes()  # the engine reads this buffer until recognition ends
    try:
        api.SetImageBytes(data, width, height, 1, width)
        api.SetSourceResolution(dpi)
        if not api.Recognize(int(timeout * 1000)):
            raise TooLargeError(source, f"page {page_number} took over {timeout:g} s to OCR")
        return _parse_tsv(api.GetTSVText(0))
    finally:
        api.Clear()


def _read_by_command(pixels: np.ndarray, lang: str, psm: int, dpi: int, timeout: float, source: str,
                     page_number: int, whitelist: str | None) -> list[TesseractWord]:
    import pytesseract
    from PIL import Image

    image = Image.fromarray(pixels)
    image.format = "BMP"  # pytesseract writes the image in its format: BMP 8x quicker than PNG
    config = f"--psm {psm} --dpi {dpi}"
    if whitelist:
        config += f" -c tessedit_char_whitelist={whitelist}"
    try:
        data = pytesseract.image_to_data(image, lang=lang, config=config, output_type=pytesseract.Output.DICT,
                                         timeout=timeout)
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise TooLargeError(source, f"page {page_number} took over {timeout:g} s to OCR") from None
        raise
    return [TesseractWord(str(text).strip(), float(conf), int(left), int(top), int(w), int(h))
            for text, conf, left, top, w, h in zip(data["text"], data["conf"], data["left"], data["top"],
                                                   data["width"], data["height"])]


def _parse_tsv(tsv: str) -> list[TesseractWord]:
    """Word rows (level 5) of Tesseract's TSV: level page block par line word left top width height conf text."""
    words = []
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        words.append(TesseractWord(cells[11].strip(), float(cells[10]), int(cells[6]), int(cells[7]),
                                   int(cells[8]), int(cells[9])))
    return words


@functools.cache
def tessdata_dir(lang: str = "eng") -> Path:
    """The folder of Tesseract's `<lang>.traineddata`: TESSDATA_PREFIX, else where the installed
    `tesseract` command looks, else the usual system folders."""
    first = lang.split("+")[0]
    candidates = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    try:
        listing = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
        match = re.search(r'"([^"]+)"', listing.stdout + listing.stderr)
        if match:
            candidates.append(match.group(1))
    except (OSError, subprocess.SubprocessError):
        pass
    candidates.extend(_COMMON_TESSDATA)
    for folder in candidates:
        if (Path(folder) / f"{first}.traineddata").is_file():
            return Path(folder)
    raise OcrEngineError(
        f"{first}.traineddata: Tesseract's language data was not found (looked in {', '.join(candidates)}); install the "
        f"tesseract-ocr-{first} package or set TESSDATA_PREFIX")
