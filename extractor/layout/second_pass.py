"""OCR's second pass on small crops: footnote markers glued to words, and ink left unread.

Tesseract's page pass (psm 11) reads a superscript "(1)" set tight against a value as part
of the word, garbled ("757,756)", "stock@)3)", "trust!®)", "GM" for "G(1)"), and skips a
lone short word in a wide empty cell (the "I" of a Direct/Indirect column). Both are found
from the page's ink, not from the text:
- a word whose last glyphs sit clearly above the baseline of the glyphs before them has a
  raised tail; the tail is re-read enlarged with only "()0-9" allowed, the rest re-read alone;
- ink that no word's box covers, at text height, is grouped into blobs and re-read;
- where Tesseract is unsure of a "$" ("30" for "$0") or of a full stop ("Inc," for "Inc."), or
  leaves out a full stop after a word, the glyphs' boxes decide, with no re-read at all.
All crops of one kind go to Tesseract as one stacked image (one process per kind and page,
not one per crop), so the pass costs a few tenths of a second per page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .document import Word
from .tesseract import read_words

if TYPE_CHECKING:
    from .ocr import OcrSettings, PreparedPage

_MARKERS_TEXT = re.compile(r"^(?:\(\d{1,2}\))+$")  # "(1)", or "(2)(3)" where a value cites two notes
_ALREADY_MARKER = re.compile(r"^\(?\d{1,2}\)$|^\(\d{1,2}\)?$")
_MARKER_SCALE = 2.5  # a superscript is ~60% of the text height: enlarged it reads like body text (3x misread an 8 as 3)
_BLOB_SCALE = 2.0
_LONE_BAR = {"|", "]", "[", "l", "I"}
_GAP = 24  # white pixels between stacked crops (before scaling)
_CURRENCY_MISREAD = re.compile(r"^[358S]\d[\d,.]*$")
_COMMA_MISREAD = re.compile(r"[A-Za-z]{2},$")
_ENDS_IN_LETTER = re.compile(r"[A-Za-z]{3}$")
_SURE = 0.9  # Tesseract's confidence above which a word's glyphs are not second-guessed
_UNSURE_MARKER = 0.6


@dataclass(frozen=True)
class Box:
    """A region in the prepared image's pixels."""

    x0: int
    top: int
    x1: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class Token:
    text: str
    x0: float  # in the prepared image's pixels
    x1: float


@dataclass(frozen=True)
class Reading:
    tokens: list[Token]
    confidence: float  # the least sure token's

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)


def reread(words: list[Word], prepared: PreparedPage, page_number: int, settings: OcrSettings,
           source: str) -> list[Word]:
    """The page's words with glued markers split off, unread ink added and "$" and "." set right
    (boxes as `words`)."""
    ink = prepared.ink
    words = [_with_full_stop(_by_glyphs(w, ink, prepared.scale), ink, prepared.scale) for w in words]
    budget = settings.reread_crops
    splits = _raised_tails(words, ink, prepared.scale)[: budget // 2]
    unsure = _unsure_markers(words, prepared.scale)[: budget // 4]
    out = list(words)
    replaced: dict[int, list[Word]] = {}
    if splits or unsure:
        # One call for both kinds of marker crop, as they are read with the same whitelist.
        marker_readings = _read_stacked(prepared, [tail for _, _, tail in splits] + [box for _, box in unsure],
                                        _MARKER_SCALE, settings, source, page_number, whitelist="()0123456789")
        tails, lone = marker_readings[:len(splits)], marker_readings[len(splits):]
        heads = _read_stacked(prepared, [head for _, head, _ in splits], 1.0, settings, source, page_number)
        for (index, head, tail), head_reading, tail_reading in zip(splits, heads, tails):
            if not _MARKERS_TEXT.match(tail_reading.text.replace(" ", "")):
                continue
            numbers = re.findall(r"\d{1,2}", tail_reading.text)
            word = words[index]
            head_text = _head_text(word.text, head_reading)
            if not head_text:
                continue
            scale = prepared.scale
            step = (tail.x1 - tail.x0) / len(numbers)
            replaced[index] = [replace(word, text=head_text, x1=head.x1 / scale)] + [
                replace(word, text=f"({int(number)})", x0=(tail.x0 + i * step) / scale, top=tail.top / scale,
                        x1=(tail.x0 + (i + 1) * step) / scale, bottom=tail.bottom / scale, superscript=True,
                        confidence=round(tail_reading.confidence, 4))
                for i, number in enumerate(numbers)
            ]
        for (index, _), reading in zip(unsure, lone):
            text = reading.text.replace(" ", "")
            if _MARKERS_TEXT.match(text) and reading.confidence > words[index].confidence:
                replaced[index] = [replace(words[index], text=text, confidence=round(reading.confidence, 4))]
        out = [piece for i, w in enumerate(words) for piece in replaced.get(i, [w])]
    units = _unread_units(out, ink, prepared.scale)[: max(budget - 2 * len(splits), 0)]
    if units:
        readings = _read_stacked(prepared, [box for box, _ in units], _BLOB_SCALE, settings, source,
                                 page_number)
        median = _median_height(out) * prepared.scale
        gone: set[int] = set()
        scale = prepared.scale
        for (box, covered), reading in zip(units, readings):
            if not covered and reading.text in _LONE_BAR:
                # A lone upright stroke of text height is an "I" (a Direct/Indirect cell), read as
                # "|" or "]" when Tesseract has no word around it to judge by.
                reading = Reading([replace(reading.tokens[0], text="I")], max(reading.confidence, 0.5))
            if reading.confidence < 0.4 or not re.search(r"[A-Za-z0-9]", reading.text):
                continue
            if covered and len(reading.text) <= len(" ".join(out[i].text for i in covered)):
                continue  # the re-read must add the unread ink's text, not lose any
            gone.update(covered)
            raised = box.height < 0.8 * median
            out.extend(Word(text=t.text, x0=t.x0 / scale, top=box.top / scale, x1=t.x1 / scale,
                            bottom=box.bottom / scale, page=page_number, confidence=round(reading.confidence, 4),
                            superscript=raised and bool(_ALREADY_MARKER.match(t.text)))
                       for t in reading.tokens)
        out = [w for i, w in enumerate(out) if i not in gone]
    return out


def _unsure_markers(words: list[Word], scale: float) -> list[tuple[int, Box]]:
    """Whole-word footnote markers ("(5)") Tesseract was unsure of, with their boxes: small digits in
    brackets are where it confuses 5 with 3 and 8 with 6 (a real rendering's "(5)" came out "(3)" at 40%)."""
    return [(i, Box(int(w.x0 * scale), int(w.top * scale), math.ceil(w.x1 * scale), math.ceil(w.bottom * scale)))
            for i, w in enumerate(words) if _MARKERS_TEXT.match(w.text) and w.confidence < _UNSURE_MARKER]


def _head_text(first_pass: str, reading: Reading) -> str:
    """The word without its marker: the head re-read alone when sure, else the first pass's text
    with the marker's garbled remains (trailing punctuation) cut off."""
    reread_text = re.sub(r"[^A-Za-z0-9.%]+$", "", reading.text)
    if reading.confidence >= 0.6 and reread_text and " " not in reread_text:
        return reread_text
    return re.sub(r"[^A-Za-z0-9.%]+$", "", first_pass)


def _by_glyphs(word: Word, ink: np.ndarray, scale: float) -> Word:
    """The word with a misread "$" or "." put right where its glyphs' shapes tell them apart.

    Tesseract, unsure, reads a "$" before a number as "3", "5", "8" or "S" ("$0" as "30"), and a
    full stop ending a word as a comma ("Inc," for "Inc."). Digits of a printed number share one
    top and one bottom, and a "$" stands lower (a short one) or overshoots both (a tall one); a
    comma hangs below the baseline, a full stop sits on it.
    """
    currency, comma = _CURRENCY_MISREAD.match(word.text), _COMMA_MISREAD.search(word.text)
    if not (currency or comma) or (word.confidence is not None and word.confidence >= _SURE):
        return word
    x0, top = max(int(word.x0 * scale) - 2, 0), max(int(word.top * scale) - 6, 0)
    x1, bottom = int(word.x1 * scale) + 3, int(word.bottom * scale) + 7
    glyphs = _glyph_columns([Box(b.x0 + x0, b.top + top, b.x1 + x0, b.bottom + top)
                             for b in _components(ink[top:bottom, x0:x1])])
    if currency and len(glyphs) == len(word.text) and _currency_glyph(glyphs[0], glyphs[1:]):
        return replace(word, text="$" + word.text[1:])
    if comma and len(glyphs) >= 3 and _full_stop_glyph(glyphs[-1], glyphs[:-1]):
        return replace(word, text=word.text[:-1] + ".")
    return word


def _full_stop_glyph(last: Box, rest: list[Box]) -> bool:
    """Whether `last`, after the letters `rest`, is a dot on their baseline rather than a comma below it."""
    tall = max(b.height for b in rest)
    body = [b for b in rest if b.height >= 0.5 * tall]
    baseline = float(np.median([b.bottom for b in body]))
    width = last.x1 - last.x0
    # A faint comma's tail breaks off its head: ink under the baseline just before or below the dot.
    tail = any(b.top >= baseline - 0.05 * tall and b.x1 >= last.x0 - 0.15 * tall for b in rest)
    return (not tail and tall >= 12 and last.height <= 0.25 * tall and 0.6 <= width / max(last.height, 1) <= 1.7
            and last.bottom <= baseline + 0.06 * tall and last.top >= baseline - 0.3 * tall)


def _with_full_stop(word: Word, ink: np.ndarray, scale: float) -> Word:
    """The word with the full stop just after it that the page pass left out ("beneficiaries" for
    "beneficiaries." at a footnote's end): a dot on the word's baseline, nothing else beside it."""
    if not _ENDS_IN_LETTER.search(word.text):
        return word
    x1, top, bottom = int(word.x1 * scale), int(word.top * scale), int(word.bottom * scale)
    height = bottom - top
    if height < 12 or x1 >= ink.shape[1] - 1:
        return word
    reach = int(0.75 * height)  # a monospaced font centres its full stop in a letter-wide cell
    region = ink[max(top - 2, 0):bottom + int(0.3 * height), x1 + 1:x1 + reach]
    if not region.any():
        return word
    beside = [Box(b.x0 + x1 + 1, b.top + max(top - 2, 0), b.x1 + x1 + 1, b.bottom + max(top - 2, 0))
              for b in _components(region)]
    if len(beside) != 1:
        return word
    dot = beside[0]
    x0w = max(int(word.x0 * scale) - 1, 0)
    glyphs = [b for b in (Box(g.x0 + x0w, g.top + max(top - 2, 0), g.x1 + x0w, g.bottom + max(top - 2, 0))
                          for g in _components(ink[max(top - 2, 0):bottom + 2, x0w:x1 + 1])) if b.x1 <= x1 + 1]
    if len(glyphs) < 2 or dot.x1 >= x1 + reach:
        return word  # the ink goes on: the next word's first glyph, not a dot
    if _full_stop_glyph(dot, glyphs) and _filled(ink, dot) >= 0.5:
        return replace(word, text=word.text + ".", x1=dot.x1 / scale)
    return word


def _glyph_columns(boxes: list[Box]) -> list[Box]:
    """Components that share their columns merged into glyphs, left to right (a "$" whose
    stroke breaks from its S, an "i" and its dot)."""
    glyphs: list[Box] = []
    for box in sorted(boxes, key=lambda b: b.x0):
        if glyphs and min(box.x1, glyphs[-1].x1) - max(box.x0, glyphs[-1].x0) >= 0.5 * min(
                box.x1 - box.x0, glyphs[-1].x1 - glyphs[-1].x0):
            glyphs[-1] = _union([glyphs[-1], box])
        else:
            glyphs.append(box)
    return glyphs


def _currency_glyph(first: Box, rest: list[Box]) -> bool:
    """Whether `first` stands apart from the digits in `rest` as a "$" does (punctuation ignored)."""
    tall = max((b.height for b in rest), default=0)
    digits = [b for b in rest if b.height >= 0.7 * tall]
    if not digits or tall < 8:
        return False
    height = float(np.median([b.height for b in digits]))
    digit_top = float(np.median([b.top for b in digits]))
    digit_bottom = float(np.median([b.bottom for b in digits]))
    if max(abs(b.top - digit_top) for b in digits) > 0.08 * height:
        return False  # the digits themselves do not line up: no reference to judge by
    lower = first.top - digit_top >= 0.12 * height and first.bottom >= digit_bottom - 0.08 * height
    overshoots = digit_top - first.top >= 0.08 * height and first.bottom - digit_bottom >= 0.08 * height
    return lower or overshoots


def _components(ink: np.ndarray) -> list[Box]:
    from .ocr import connected_components

    count, _, stats, _ = connected_components(ink.astype(np.uint8))
    return [Box(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, area in stats[1:count] if area >= 3]


def _raised_tails(words: list[Word], ink: np.ndarray, scale: float) -> list[tuple[int, Box, Box]]:
    """(word index, head box, tail box) for words ending in glyphs raised above their baseline."""
    found = []
    for index, word in enumerate(words):
        if len(word.text) < 2 or _ALREADY_MARKER.match(word.text):
            continue
        x0, top = max(int(word.x0 * scale) - 1, 0), max(int(word.top * scale) - 1, 0)
        x1, bottom = int(word.x1 * scale) + 2, int(word.bottom * scale) + 2
        if x1 - x0 < 4 or bottom - top < 6:
            continue
        glyphs = sorted((Box(b.x0 + x0, b.top + top, b.x1 + x0, b.bottom + top)
                         for b in _components(ink[top:bottom, x0:x1])), key=lambda b: b.x0)
        split = _tail_start(glyphs)
        if split is None:
            continue
        head, tail = glyphs[:split], glyphs[split:]
        found.append((index, _union(head), _union(tail)))
    return found


def _tail_start(glyphs: list[Box]) -> int | None:
    """Index of the first glyph of the longest trailing run set clearly above the rest's baseline."""
    best = None
    for k in range(1, min(9, len(glyphs) - 1) + 1):  # up to two markers, "(2)(3)"
        head, tail = glyphs[:-k], glyphs[-k:]
        tall = max(b.height for b in head)
        body = [b for b in head if b.height >= 0.5 * tall]
        baseline = float(np.median([b.bottom for b in body]))
        tail_box = _union(tail)
        if min(b.x0 for b in tail) < max(b.x1 for b in head) - 1:
            continue  # not after the head: an i's dot, an accent
        if all(b.bottom <= baseline - 0.3 * tall for b in tail) and 0.4 * tall <= tail_box.height <= 1.1 * tall \
                and tail_box.top >= min(b.top for b in head) - 0.5 * tall:
            best = len(glyphs) - k
    return best


def _union(boxes: list[Box]) -> Box:
    return Box(min(b.x0 for b in boxes), min(b.top for b in boxes), max(b.x1 for b in boxes),
               max(b.bottom for b in boxes))


def _median_height(words: list[Word]) -> float:
    heights = sorted(w.bottom - w.top for w in words)
    return heights[len(heights) // 2]


def _unread_units(words: list[Word], ink: np.ndarray, scale: float) -> list[tuple[Box, list[int]]]:
    """Regions to re-read: text-sized ink no word's box covers, with the words it touches on its
    line (a word read in pieces, "St k" for "Stock", leaves its middle unread), and their indexes."""
    height = _median_height(words) * scale
    if height < 4:
        return []
    free = ink.copy()
    pad = max(2, int(0.1 * height))
    boxes = [Box(int(w.x0 * scale), int(w.top * scale), int(w.x1 * scale) + 1, int(w.bottom * scale) + 1)
             for w in words]
    for b in boxes:
        free[max(b.top - pad, 0):b.bottom + pad, max(b.x0 - pad, 0):b.x1 + pad] = False
    glyphs = [b for b in _components(free)
              if 0.35 * height <= b.height <= 2.0 * height and b.x1 - b.x0 <= 3 * height
              and _filled(free, b) >= 0.12 and not _hollow_square(free, b, height)]
    glyphs.sort(key=lambda b: (b.x0, b.top))
    blobs: list[Box] = []
    for glyph in glyphs:
        for i, blob in enumerate(blobs):
            if _same_line(blob, glyph) and -2 <= glyph.x0 - blob.x1 <= 0.6 * height:
                blobs[i] = _union([blob, glyph])
                break
        else:
            blobs.append(glyph)
    units = []
    for blob in blobs:
        # A blob of specks or a rule's leftover is not text: text is at least half a line high.
        if blob.height < 0.45 * height:
            continue
        # Only the words right beside the ink: a whole line re-read costs time and risks its words.
        covered = [i for i, b in enumerate(boxes)
                   if _same_line(blob, b) and min(abs(b.x0 - blob.x1), abs(blob.x0 - b.x1)) <= 0.6 * height]
        units.append((_union([blob] + [boxes[i] for i in covered]), covered))
    return units


def _same_line(a: Box, b: Box) -> bool:
    return min(a.bottom, b.bottom) - max(a.top, b.top) >= 0.3 * min(a.height, b.height)


def _filled(ink: np.ndarray, box: Box) -> float:
    area = (box.x1 - box.x0) * box.height
    return float(np.count_nonzero(ink[box.top:box.bottom, box.x0:box.x1])) / area if area else 0.0


def _hollow_square(ink: np.ndarray, box: Box, height: float) -> bool:
    """An empty checkbox: square, text-sized or bigger, its ink all on the border."""
    width = box.x1 - box.x0
    if box.height < 0.6 * height or not 0.75 <= width / box.height <= 1.33:
        return False
    margin = max(2, int(0.25 * min(width, box.height)))
    inside = ink[box.top + margin:box.bottom - margin, box.x0 + margin:box.x1 - margin]
    return inside.size > 0 and np.count_nonzero(inside) <= 0.02 * inside.size


def _read_stacked(prepared: PreparedPage, boxes: list[Box], factor: float, settings: OcrSettings, source: str,
                  page_number: int, whitelist: str | None = None) -> list[Reading]:
    """Each box's text, read from one image of all the crops stacked, enlarged `factor` times."""
    import cv2

    if not boxes:
        return []
    pad = 6
    crops = []
    for box in boxes:
        crop = prepared.levelled[max(box.top - pad, 0):box.bottom + pad, max(box.x0 - pad, 0):box.x1 + pad]
        if factor != 1.0:
            crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        _, crop = cv2.threshold(crop, prepared.threshold, 255, cv2.THRESH_BINARY)
        crops.append(crop)
    gap = int(_GAP * factor)
    width = max(c.shape[1] for c in crops) + 2 * gap
    total = sum(c.shape[0] for c in crops) + gap * (len(crops) + 1)
    sheet = np.full((total, width), 255, dtype=np.uint8)
    slots = []
    y = gap
    for crop in crops:
        sheet[y:y + crop.shape[0], gap:gap + crop.shape[1]] = crop
        slots.append((y, y + crop.shape[0]))
        y += crop.shape[0] + gap
    found: list[list[tuple[Token, float]]] = [[] for _ in boxes]
    for word in read_words(sheet, lang=settings.lang, psm=6, dpi=300 * factor, timeout=settings.timeout,
                           source=source, page_number=page_number, whitelist=whitelist):
        middle = word.top + word.height / 2
        for i, (start, end) in enumerate(slots):
            if start - gap / 2 <= middle < end + gap / 2:
                origin = max(boxes[i].x0 - pad, 0)
                left = origin + (word.left - gap) / factor
                found[i].append((Token(word.text, left, left + word.width / factor), word.confidence / 100.0))
                break
    return [Reading([t for t, _ in sorted(f, key=lambda tc: tc[0].x0)], min((c for _, c in f), default=0.0))
            for f in found]
