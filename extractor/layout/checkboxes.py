"""Checkbox states of OCR'd pages, read from the ink rather than from what Tesseract made of it.

Tesseract reads a box as letters: an empty "[_]" came out "UO", "U" or "|" on dev scans, a
checked one "x" or "%". The classifier then has a short odd word in a box's place whatever its
state, and checked boxes it could not tell from empty ones. A short word Tesseract was unsure of
(or a lone round letter or zero, which it reads surely off an empty box) whose ink is a square
frame with nothing in its middle is an empty box; the word keeps its text and `Word.checkbox`
says False, as the PDF and text readers say it. Checked boxes are left to the classifier: a
footnote marker in brackets ("[1]" read "Wl") is a frame with ink inside too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .document import Word


@dataclass(frozen=True)
class CheckboxSettings:
    """What counts as a box frame, in shares of the frame's size."""

    max_text_length: int = 3  # Tesseract's reading of one box glyph
    max_confidence: float = 0.7  # Tesseract is unsure of a box it reads as letters ("UO" at 0.18-0.33)
    min_height: float = 0.6  # of the page's median word height: smaller is a speck or a dot
    aspect: tuple[float, float] = (0.7, 1.6)  # width / height: typed "[_]" boxes are wider than high
    edge: float = 0.85  # share of the left and right sides' length that must be inked
    corner: float = 0.3  # ink in each corner patch: rounded letters (O, U, D) leave corners empty
    empty_inside: float = 0.03  # at most this much ink in the box's middle when empty
    bracket_reach: float = 1.8  # from one bracket of a typed box to the other, in the word's heights
    typed_aspect: float = 2.2  # width / height of a typed "[_]" at most
    frame_slack: float = 0.15  # around the word's box, in its heights, where its frame may reach

    def __post_init__(self) -> None:
        low, high = self.aspect
        if not 0 < low < 1 < high <= self.typed_aspect:
            raise ValueError(f"aspect must bracket 1 and end below typed_aspect, not {self.aspect}")
        for name in ("max_confidence", "min_height", "edge", "corner", "empty_inside", "frame_slack"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], not {getattr(self, name)}")


_BOX_LOOKALIKES = frozenset("O0oDQU")


def mark_checkboxes(words: list[Word], ink: np.ndarray, scale: float,
                    settings: CheckboxSettings | None = None) -> list[Word]:
    """`words` with each empty box word's `checkbox` False; `ink` is the page's ink mask, `scale` times the word boxes."""
    settings = settings or CheckboxSettings()
    heights = sorted(w.height for w in words if w.text.isalpha() and len(w.text) > 2)
    median = heights[len(heights) // 2] if heights else 0.0
    out = []
    for w in words:
        # An empty box read as one round letter or a zero is read surely ("O" at 0.85, "0" at 0.78 on
        # dev scans); the ink tells: a letter's corners are empty, a box's are not.
        round_letter = w.text in _BOX_LOOKALIKES
        unsure = (round_letter or (w.confidence is not None and w.confidence < settings.max_confidence)
                  or not w.text.isalnum())
        if (w.checkbox is None and unsure and len(w.text) <= settings.max_text_length
                and (round_letter or not any(c.isdigit() for c in w.text))
                and w.height >= settings.min_height * median):
            # Tesseract's box of a box glyph can stop short of its frame (20 px wide on a 22 px box);
            # widened, though, a typed "[_]" can take in its neighbours' ink, so both are tried.
            pad = settings.frame_slack * w.height
            exact = _crop(ink, w.x0, w.top, w.x1, w.bottom, scale)
            widened = _crop(ink, w.x0 - pad, w.top - pad, w.x1 + pad, w.bottom + pad, scale)
            if (is_empty_box(exact, settings) or is_empty_box(widened, settings)
                    or _one_bracket_of_a_box(w, ink, scale, settings)):
                w = replace(w, checkbox=False)
        out.append(w)
    return out


def _one_bracket_of_a_box(w: Word, ink: np.ndarray, scale: float, settings: CheckboxSettings) -> bool:
    """A thin word that is one bracket of a typed "[_]", its other bracket unread: the box beside it.

    A typewriter's box is three characters wide, about twice its height; Tesseract read one of
    its brackets ("|", "j", "}") and left the rest.
    """
    if w.x1 - w.x0 > 0.6 * w.height:
        return False
    reach, slack = settings.bracket_reach * w.height, 0.15 * w.height
    wide = replace(settings, aspect=(settings.aspect[0], settings.typed_aspect))
    return any(is_empty_box(_crop(ink, x0, w.top - slack, x1, w.bottom + slack, scale), wide)
               for x0, x1 in ((w.x0 - reach, w.x1 + slack), (w.x0 - slack, w.x1 + reach)))


def _crop(ink: np.ndarray, x0: float, top: float, x1: float, bottom: float, scale: float) -> np.ndarray:
    return ink[max(int(top * scale), 0):max(int(np.ceil(bottom * scale)), 0),
               max(int(x0 * scale), 0):max(int(np.ceil(x1 * scale)), 0)]


def is_empty_box(crop: np.ndarray, settings: CheckboxSettings | None = None) -> bool:
    """Whether `crop`'s ink is a box's frame (a drawn square or typed brackets) with nothing in its middle."""
    settings = settings or CheckboxSettings()
    ys, xs = np.nonzero(crop)
    if len(xs) == 0:
        return False
    ink = crop[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(bool)
    height, width = ink.shape
    low, high = settings.aspect
    if height < 6 or not low <= width / height <= high:
        return False
    band = max(1, round(0.12 * min(height, width)))
    left = ink[:, :band].any(axis=1).mean()
    right = ink[:, -band:].any(axis=1).mean()
    patch = max(1, round(0.15 * min(height, width)))
    corners = [ink[:patch, :patch].mean(), ink[:patch, -patch:].mean(),
               ink[-patch:, :patch].mean(), ink[-patch:, -patch:].mean()]
    if min(left, right) < settings.edge or min(corners) < settings.corner:
        return False
    # The middle, above where a typed box's underscore runs ("[_]"): a mark crosses it.
    middle = ink[round(0.2 * height):round(0.65 * height), round(0.3 * width):round(0.7 * width)]
    return middle.size > 0 and float(middle.mean()) <= settings.empty_inside
