"""Words with the field the classifier gave them, and values read from such words."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean
from typing import Any

from .layout.document import Word
from .records import Provenance, Value


@dataclass
class Tagged:
    word: Word
    index: int
    field: str
    probability: float


def value_of(tags: list[Tagged], parsed: Any, grid: bool, footnotes: list[str] | None = None) -> Value:
    """A Value read from `tags`, its confidence their mean probability (lowered by OCR doubt)."""
    confidence = fmean(t.probability for t in tags) if tags else 0.5
    ocr = [t.word.confidence for t in tags if t.word.confidence is not None]
    if ocr:
        confidence *= 0.6 + 0.4 * min(ocr)
    provenance = None
    if tags:
        first = tags[0].word
        if grid:
            provenance = Provenance(page=first.page, line=first.line)
        else:
            page = [t.word for t in tags if t.word.page == first.page]
            provenance = Provenance(page=first.page, bbox=(min(w.x0 for w in page), min(w.top for w in page),
                                                          max(w.x1 for w in page), max(w.bottom for w in page)))
    return Value(value=parsed, footnote_ids=footnotes or [], confidence=round(min(max(confidence, 0.0), 1.0), 4),
                 method="model", provenance=provenance)


def joined_text(tags: list[Tagged]) -> str:
    return " ".join(t.word.text for t in sorted(tags, key=lambda t: t.index))
