"""Words on PDF pages with reportlab, each word's box and label recorded as it is drawn.

Boxes are computed the way pdfminer (under pdfplumber) computes them, so a label matches
what a reader of the PDF gets: a character's box runs from the baseline plus the font's
descent up by exactly the font size, and its width is the font's advance. Words are
separated by at least a space's width, and pieces drawn touching each other (a "$" before a
price, a "(1)" glued to a value) become one word exactly when pdfplumber would join them:
same font, same size, same baseline.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from pdfminer.fontmetrics import FONT_METRICS
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .labels import FORM_LABEL, OTHER, WordLabel

_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
# (regular, bold) per kind: the standard PDF fonts always, TrueType ones when installed.
_STANDARD = {
    "sans": ("Helvetica", "Helvetica-Bold"),
    "serif": ("Times-Roman", "Times-Bold"),
    "mono": ("Courier", "Courier-Bold"),
}
_TRUETYPE = {
    "sans": (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf")),
    "serif": (("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"), ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf")),
    "mono": (("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"), ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf")),
}
# pdfplumber expands these when reading, so they are never printed as one glyph.
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
_SPACES = {"\u00a0", "\u2007", "\u202f", "\u2009", "\u200a", "\u2002", "\u2003"}


class Slot(NamedTuple):
    """What a printed word is: a record field path or a pseudo field, and its table cell."""

    field: str
    table: str | None = None
    row: int | None = None
    column: str | None = None


LABEL = Slot(FORM_LABEL)
OTHER_SLOT = Slot(OTHER)


@dataclass(frozen=True)
class Font:
    name: str  # reportlab's name, also the PDF font name pdfplumber reports (after a subset prefix)
    descent: float  # below the baseline, as a negative fraction of the size
    charset: frozenset[int] | None = None  # code points a TrueType font has; None: WinAnsi (standard fonts)
    mono: bool = False

    def width(self, text: str, size: float) -> float:
        return pdfmetrics.stringWidth(text, self.name, size)

    def can_draw(self, char: str) -> bool:
        if self.charset is not None:
            return ord(char) in self.charset
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            return False
        return ord(char) >= 32 and char != "\x7f"

    def printable(self, text: str) -> str:
        """`text` with what this font cannot draw replaced by its closest ASCII, or '?'."""
        out = []
        for char in text:
            char = _LIGATURES.get(char, char)
            if char in _SPACES:
                out.append(" ")
            elif all(self.can_draw(c) for c in char):
                out.append(char)
            elif unicodedata.category(char)[0] == "C":
                continue
            else:
                ascii_text = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
                out.append(ascii_text if ascii_text.strip() else "?")
        return "".join(out)


@dataclass(frozen=True)
class FontPair:
    regular: Font
    bold: Font


@lru_cache(maxsize=1)
def _font_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in _FONT_DIRS:
        if root.is_dir():
            for path in root.rglob("*.ttf"):
                found.setdefault(path.name, path)
    return found


@lru_cache(maxsize=None)
def _truetype(file_name: str) -> Font | None:
    path = _font_files().get(file_name)
    if path is None:
        return None
    name = path.stem
    try:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        face = pdfmetrics.getFont(name).face
    except Exception:  # an unreadable font file: the standard fonts remain
        return None
    return Font(name, face.descent / 1000.0, frozenset(face.charToGlyph), mono="Mono" in name)


@lru_cache(maxsize=None)
def _standard(name: str) -> Font:
    # The reader's metrics, not reportlab's: the two disagree on some descents (Courier).
    descent = FONT_METRICS.get(name, ({},))[0].get("Descent", pdfmetrics.getFont(name).face.descent)
    return Font(name, float(descent) / 1000.0, None, mono=name.startswith("Courier"))


@lru_cache(maxsize=None)
def font_pairs(kind: str) -> tuple[FontPair, ...]:
    """Every (regular, bold) pair of a kind ("sans", "serif", "mono") this machine can draw."""
    if kind not in _STANDARD:
        raise ValueError(f"font kind must be one of {', '.join(_STANDARD)}, not {kind!r}")
    pairs = [FontPair(_standard(_STANDARD[kind][0]), _standard(_STANDARD[kind][1]))]
    for regular, bold in _TRUETYPE[kind]:
        r, b = _truetype(regular), _truetype(bold)
        if r is not None and b is not None:
            pairs.append(FontPair(r, b))
    return tuple(pairs)


@lru_cache(maxsize=1)
def symbol_font() -> Font | None:
    """A font with check and box glyphs (✓ ■ ☒ ☐), or None where none is installed."""
    font = _truetype("DejaVuSans.ttf")
    if font is not None and all(font.can_draw(c) for c in "✓■☒☐"):
        return font
    return None


@dataclass(frozen=True)
class Style:
    font: Font
    size: float
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        if not 3.0 <= self.size <= 40.0:
            raise ValueError(f"font size must be between 3 and 40 points, not {self.size}")


@dataclass(frozen=True)
class Piece:
    """A run of text in one style and one slot; words are split at its white space."""

    text: str
    style: Style
    slot: Slot
    glue: bool = False  # drawn touching the piece before it
    rise: float = 0.0  # points above the baseline (superscripts)


class Sheet:
    """A PDF being drawn: pages, the words on them and their labels."""

    def __init__(self, width: float, height: float, title: str = "Form"):
        if width <= 0 or height <= 0:
            raise ValueError(f"page size must be positive, not {width} x {height}")
        self.width, self.height = width, height
        self.buffer = io.BytesIO()
        # invariant: no creation date or random id, so the same seed gives the same bytes
        self.canvas = Canvas(self.buffer, pagesize=(width, height), invariant=1, pageCompression=1)
        self.canvas.setTitle(title)
        self.page = 1
        self.labels: list[WordLabel] = []
        self._last: tuple[int, float, float, str, float] | None = None  # label index, x1, baseline, font, size
        self._font: tuple[str, float] | None = None
        self._color: tuple[float, float, float] | None = None

    def word(self, text: str, x: float, baseline: float, style: Style, slot: Slot, glue: bool = False) -> float:
        """Draw one word with its baseline at `baseline` (from the top); return its right edge."""
        font, size = style.font, style.size
        if self._font != (font.name, size):
            self.canvas.setFont(font.name, size)
            self._font = (font.name, size)
        if self._color != style.color:
            self.canvas.setFillColorRGB(*style.color)
            self._color = style.color
        self.canvas.drawString(x, self.height - baseline, text)
        width = font.width(text, size)
        bottom = baseline - font.descent * size
        last = self._last
        if (glue and last is not None and last[3] == font.name and abs(last[4] - size) < 1e-6
                and abs(last[2] - baseline) < 1e-6 and abs(last[1] - x) < 1e-3):
            merged = self.labels[last[0]]
            self.labels[last[0]] = replace(merged, text=merged.text + text,
                                           bbox=(merged.bbox[0], merged.bbox[1], x + width, merged.bbox[3]))
        else:
            self.labels.append(WordLabel(self.page, text, (x, bottom - size, x + width, bottom), slot.field,
                                         slot.table, slot.row, slot.column))
        self._last = (len(self.labels) - 1, x + width, baseline, font.name, size)
        return x + width

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.6) -> None:
        self.canvas.setLineWidth(width)
        self.canvas.line(x0, self.height - y0, x1, self.height - y1)

    def rect(self, x0: float, top: float, x1: float, bottom: float, width: float = 0.6, fill: bool = False) -> None:
        self.canvas.setLineWidth(width)
        self.canvas.rect(x0, self.height - bottom, x1 - x0, bottom - top, stroke=0 if fill else 1, fill=1 if fill else 0)

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        self._font = self._color = None
        self._last = None

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


# --- setting text in a given width ------------------------------------------------------------

@dataclass
class _Fragment:
    text: str
    style: Style
    slot: Slot
    glue: bool
    rise: float
    width: float = 0.0


@dataclass
class TextLine:
    fragments: list[tuple[float, _Fragment]] = field(default_factory=list)  # (x offset, fragment)
    width: float = 0.0
    size: float = 0.0


def _gap(style: Style) -> float:
    # At least a third of an em: pdfplumber splits words at gaps over 0.15 em.
    return max(style.font.width(" ", style.size), 0.34 * style.size)


def _fragments(pieces: list[Piece]) -> list[_Fragment]:
    out: list[_Fragment] = []
    for piece in pieces:
        text = piece.style.font.printable(piece.text)
        words = text.split()
        if not words:
            continue
        for i, word in enumerate(words):
            glue = piece.glue and i == 0 and (not text[0].isspace()) and bool(out)
            out.append(_Fragment(word, piece.style, piece.slot, glue, piece.rise, piece.style.font.width(word, piece.style.size)))
    return out


def _split_long(unit: list[_Fragment], width: float) -> list[list[_Fragment]]:
    """A unit wider than the column, cut between characters into units that fit."""
    units: list[list[_Fragment]] = [[]]
    used = 0.0
    for fragment in unit:
        chunk = ""
        for char in fragment.text:
            w = fragment.style.font.width(chunk + char, fragment.style.size)
            if used + w > width and (chunk or units[-1]):
                if chunk:
                    units[-1].append(replace(fragment, text=chunk, width=fragment.style.font.width(chunk, fragment.style.size)))
                units.append([])
                used, chunk = 0.0, char
                continue
            chunk += char
        if chunk:
            piece = replace(fragment, text=chunk, width=fragment.style.font.width(chunk, fragment.style.size))
            piece.glue = bool(units[-1])
            units[-1].append(piece)
            used += piece.width
    for u in units:
        if u:
            u[0].glue = False
    return [u for u in units if u]


def set_text(pieces: list[Piece], width: float) -> list[TextLine]:
    """Break pieces into lines no wider than `width` (words only broken when longer than a line)."""
    units: list[list[_Fragment]] = []
    for fragment in _fragments(pieces):
        if fragment.glue and units:
            units[-1].append(fragment)
        else:
            fragment.glue = False
            units.append([fragment])
    lines: list[TextLine] = []
    current = TextLine()
    for unit in units:
        unit_width = sum(f.width for f in unit)
        # A little slack: column edges are sums of floats, a word exactly as wide as its column must still fit.
        parts = _split_long(unit, width) if unit_width > width + 0.05 else [unit]
        for part in parts:
            part_width = sum(f.width for f in part)
            gap = _gap(part[0].style) if current.fragments else 0.0
            if current.fragments and current.width + gap + part_width > width + 0.05:
                lines.append(current)
                current, gap = TextLine(), 0.0
            x = current.width + gap
            for fragment in part:
                current.fragments.append((x, fragment))
                x += fragment.width
                if fragment.rise == 0.0:
                    current.size = max(current.size, fragment.style.size)
            current.width = x
    if current.fragments:
        lines.append(current)
    for line in lines:
        if line.size == 0.0:
            line.size = max(f.style.size for _, f in line.fragments)
    return lines


def text_height(lines: list[TextLine], leading: float) -> float:
    return sum(line.size * leading for line in lines)


def draw_text(sheet: Sheet, lines: list[TextLine], x: float, top: float, width: float,
              align: str = "left", leading: float = 1.2) -> float:
    """Draw set lines from `top`; return the height used."""
    y = top
    for line in lines:
        height = line.size * leading
        baseline = y + (leading - 1.0) * line.size / 2 + 0.8 * line.size
        if align == "center":
            start = x + (width - line.width) / 2
        elif align == "right":
            start = x + width - line.width
        else:
            start = x
        for offset, fragment in line.fragments:
            sheet.word(fragment.text, start + offset, baseline - fragment.rise, fragment.style, fragment.slot,
                       glue=fragment.glue)
        y += height
    return y - top


def min_width(pieces: list[Piece]) -> float:
    """The widest word (with what is glued to it): the narrowest width that sets `pieces` unbroken."""
    widest, current = 0.0, 0.0
    for fragment in _fragments(pieces):
        current = current + fragment.width if fragment.glue else fragment.width
        widest = max(widest, current)
    return widest
