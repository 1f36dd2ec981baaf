"""Rendering a Record as a labeled PDF (and HTML for the EDGAR family) in one of four layout families.

    rendering = render(record, "edgar", seed=7)
    rendering.pdf        # the PDF's bytes
    rendering.words      # one WordLabel per printed word, boxes as pdfplumber reads them
    rendering.variation  # what the seed chose: fonts, sizes, widths, formats, ...

Families: "edgar" (the SEC's public HTML rendering, printed), "paper" (the SEC 1474 paper
form, filled in), "agent" (a denser filing agent's layout), "typewriter" (monospaced text,
columns aligned by spaces, no rulings). The same seed gives the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from ..records import Record
from .canvas import FontPair, Sheet, font_pairs, symbol_font
from .labels import Rendering

FAMILIES = ("edgar", "paper", "agent", "typewriter")
LETTER = (612.0, 792.0)
A4 = (595.28, 841.89)
LEGAL = (612.0, 1008.0)


@dataclass(frozen=True)
class RenderSettings:
    """What the seed may vary, and what it may not."""

    truetype_fonts: bool = True  # DejaVu / Liberation fonts where installed, besides the standard PDF fonts
    symbols: bool = True  # ✓ ■ ☒ ☐ check glyphs where a font has them
    landscape_share: float = 0.35  # of agent and typewriter renderings
    a4_share: float = 0.15  # of renderings on A4 paper rather than US letter
    size_scale: tuple[float, float] = (0.85, 1.1)  # range of the families' font size factor
    html: bool = True  # the edgar family's HTML as well as its PDF

    def __post_init__(self) -> None:
        if not 0.0 <= self.landscape_share <= 1.0 or not 0.0 <= self.a4_share <= 1.0:
            raise ValueError(f"landscape_share and a4_share must be in [0, 1], not {self.landscape_share} and {self.a4_share}")
        low, high = self.size_scale
        if not 0.5 <= low <= high <= 1.6:
            raise ValueError(f"size_scale must be an ordered range within [0.5, 1.6], not {self.size_scale}")


@dataclass
class Drawn:
    """What a family module hands back: the finished sheet, its HTML, its choices."""

    sheet: Sheet
    pdf: bytes
    html: str | None
    variation: dict[str, str]


class Chooser:
    """The seed's choices, written down as they are made."""

    def __init__(self, rng: random.Random, settings: RenderSettings):
        self.rng, self.settings = rng, settings
        self.variation: dict[str, str] = {}

    def note(self, key: str, value: object) -> None:
        self.variation[key] = str(value)

    def pick(self, key: str, options: list | tuple, weights: list[float] | None = None):
        value = self.rng.choices(list(options), weights=weights)[0]
        self.note(key, value)
        return value

    def uniform(self, key: str, low: float, high: float, digits: int = 2) -> float:
        value = round(self.rng.uniform(low, high), digits)
        self.note(key, value)
        return value

    def chance(self, key: str, probability: float) -> bool:
        value = self.rng.random() < probability
        self.note(key, value)
        return value

    def fonts(self, key: str, kind: str) -> FontPair:
        pairs = font_pairs(kind) if self.settings.truetype_fonts else font_pairs(kind)[:1]
        pair = self.rng.choice(pairs)
        self.note(key, pair.regular.name)
        return pair

    def scale(self) -> float:
        return self.uniform("size_scale", *self.settings.size_scale)

    def page(self, landscape_ok: bool) -> tuple[float, float]:
        size = A4 if self.rng.random() < self.settings.a4_share else LETTER
        landscape = landscape_ok and self.rng.random() < self.settings.landscape_share
        self.note("paper", "a4" if size == A4 else "letter")
        self.note("orientation", "landscape" if landscape else "portrait")
        return (size[1], size[0]) if landscape else size

    def symbols(self) -> bool:
        return self.settings.symbols and symbol_font() is not None


def render(record: Record, family: str, seed: int, settings: RenderSettings | None = None) -> Rendering:
    """One labeled rendering of `record` in `family`; the same seed gives the same document."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, not {family!r}")
    settings = settings or RenderSettings()
    chooser = Chooser(random.Random(f"{family}:{seed}"), settings)
    if family == "edgar":
        from .edgar_family import draw
    elif family == "paper":
        from .paper_family import draw
    elif family == "agent":
        from .agent_family import draw
    else:
        from .typewriter_family import draw
    drawn = draw(record, chooser)
    return Rendering(
        record_id=_record_id(record),
        family=family,
        seed=seed,
        pdf=drawn.pdf,
        words=list(drawn.sheet.labels),
        pages=drawn.sheet.page,
        html=drawn.html,
        variation=dict(drawn.variation),
    )

def text_layer_agreement(rendering: Rendering) -> tuple[int, int]:
    """(words pdfplumber reads back that match an exact label by text and box overlap, words read)."""
    from collections import defaultdict

    from ..layout import read_layout

    labels = defaultdict(list)
    for label in rendering.words:
        labels[(label.page, label.text)].append(label.bbox)
    words = list(read_layout(rendering.pdf, f"{rendering.record_id}.pdf").words)
    matched = 0
    for w in words:
        for x0, top, x1, bottom in labels.get((w.page, w.text), []):
            overlap = max(0.0, min(w.x1, x1) - max(w.x0, x0)) * max(0.0, min(w.bottom, bottom) - max(w.top, top))
            if overlap >= 0.5 * (w.x1 - w.x0) * (w.bottom - w.top):
                matched += 1
                break
    return matched, len(words)


def _record_id(record: Record) -> str:
    if record.source.path:
        return Path(record.source.path).stem
    if record.source.sha256:
        return record.source.sha256[:16]
    return "record"
