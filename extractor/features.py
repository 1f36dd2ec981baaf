"""Word features for the trained field classifier: what a word looks like, where it sits, and
which printed caption, table section and column header it sits under.

One dict of features per layout word, in `Layout.words` order. The printed captions come
from the same label catalog the rules use (`LabelFinder`), so a value's context is read
the same way on PDFs, scans and text: by the caption nearest above it and to its left.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .labels import LabelFinder, LabelMatch, catalog
from .layout.document import GRID_LINE_HEIGHT, Layout, Word
from .values import FOOTNOTE_NUMBER, MONTH_NAME

_DATE = re.compile(r"^\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4}$|^\d{4}-\d{2}-\d{2}$")
_NUMBER_SEP = re.compile(r"^\(?-?\$?\d{1,3}(,\d{3})+(\.\d+)?\)?$")
_NUMBER = re.compile(r"^\(?-?\$?\d+(\.\d+)?\)?$")
_PRICE = re.compile(r"^\$\s*\d[\d,]*(\.\d+)?$|^\d+\.\d{2,4}$")
_TICKER = re.compile(r"^[\[\(]?[A-Z][A-Z0-9.\-]{0,6}[\]\)]$|^[\[\(][A-Z][A-Z0-9.\-]{0,6}[\]\)]?$")
_MARKER = re.compile(r"^\(\d{1,2}\)$|^\d{1,2}\)$|^\(\d{1,2}$")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_STATE = re.compile(r"^[A-Z]{2},?$")
_CODE_LETTERS = set("PSAVDFIMCXGLWZJKHOUE")
_CHECKS = {"x", "☒", "☑", "✓", "✔", "✗", "✘", "[x]", "(x)", "■", "☐", "□"}


@dataclass(frozen=True)
class FeatureSettings:
    """What goes into a word's features."""

    neighbours: int = 1  # words to each side on the same line whose shape is a feature
    caption_reach: float = 30.0  # in text heights: captions further above than this are ignored
    suffix_length: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.neighbours <= 3:
            raise ValueError(f"neighbours must be 0 to 3, not {self.neighbours}")
        if self.caption_reach <= 0:
            raise ValueError(f"caption_reach must be positive, not {self.caption_reach}")
        if not 1 <= self.suffix_length <= 5:
            raise ValueError(f"suffix_length must be 1 to 5, not {self.suffix_length}")


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def prepare_tokenizer() -> None:
    """Build the spaCy tokenizer now (0.2 s), e.g. before a worker's first document."""
    _tokenizer()


@lru_cache(maxsize=1)
def _column_headers() -> tuple[tuple[str, str], ...]:
    """(key, printed header) of every column and column group of both tables, without repeats."""
    seen: dict[str, str] = {}
    for name, leaves in catalog()["tables"].items():
        if name.startswith("_"):
            continue
        for leaf in leaves:
            if leaf[0] is not None:
                seen.setdefault(leaf[1], leaf[0])
            else:
                seen.setdefault(leaf[1], "+".join(sub[0] for sub in leaf[2]))
    return tuple((key, phrase) for phrase, key in seen.items())


def shape(text: str) -> str:
    """The word's shape, runs capped at three: 'Xxxx', 'd,ddd', '$d.dd'."""
    out: list[str] = []
    for ch in text[:12]:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if len(out) >= 3 and out[-1] == out[-2] == out[-3] == c:
            continue
        out.append(c)
    return "".join(out)


def word_classes(text: str) -> dict[str, float]:
    """Regex classes of a word's text: date, number, price, ticker, footnote marker, ..."""
    t = text.strip()
    low = t.lower()
    f: dict[str, float] = {}
    for name, pattern in (("date", _DATE), ("num_sep", _NUMBER_SEP), ("num", _NUMBER), ("price", _PRICE),
                          ("ticker", _TICKER), ("marker", _MARKER), ("fn_start", FOOTNOTE_NUMBER), ("zip", _ZIP),
                          ("state", _STATE), ("month", MONTH_NAME)):
        if pattern.match(t):
            f["re=" + name] = 1.0
    if t in ("A", "D"):
        f["re=AD"] = 1.0
    if t in ("D", "I", "(D)", "(I)"):
        f["re=DI"] = 1.0
    if len(t) == 1 and t in _CODE_LETTERS:
        f["re=code"] = 1.0
    if low in _CHECKS:
        f["re=check"] = 1.0
    if t.endswith(","):
        f["re=comma_end"] = 1.0
    return f


def lexical(text: str, suffix_length: int) -> dict[str, float]:
    """The spaCy tokenizer's lexical attributes of the word's first token."""
    doc = _tokenizer()(text)
    if not len(doc):
        return {"lex=empty": 1.0}
    tok = doc[0]
    f = {
        "shape=" + shape(text): 1.0,
        "lower=" + text.lower()[:20]: 1.0,
        "prefix=" + tok.prefix_.lower(): 1.0,
        "suffix=" + text[-suffix_length:].lower(): 1.0,
        "ntok": min(len(doc), 5) / 5.0,
        "len": min(len(text), 30) / 30.0,
    }
    for name in ("like_num", "is_currency", "is_upper", "is_title", "is_punct", "is_alpha", "is_digit"):
        if getattr(tok, name):
            f["lex=" + name] = 1.0
    return f


@dataclass
class _Captions:
    """The printed captions found in one layout and the reading order of its words."""

    boxes: list[LabelMatch]
    sections: list[LabelMatch]
    headers: list[LabelMatch]
    order: dict[int, int]
    label_words: set[int]
    placed_boxes: dict[int, list[_Placed]] = field(default_factory=dict)  # by page
    placed_headers: list[_Placed] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Every word is compared with every caption: their edges are worked out once here, not per word.
        for m in self.boxes:
            self.placed_boxes.setdefault(m.page, []).append(_Placed.of(m, self.order))
        self.placed_headers = [_Placed.of(m, self.order) for m in self.headers]


@dataclass(frozen=True, slots=True)
class _Placed:
    """A caption's edges and reading position, as _caption_context compares them with each word."""

    match: LabelMatch
    page: int
    first_y_mid: float
    last_x1: float
    x0: float
    x1: float
    top: float
    bottom: float
    order: int
    word_ids: frozenset[int]

    @classmethod
    def of(cls, m: LabelMatch, order: dict[int, int]) -> _Placed:
        return cls(m, m.page, m.first.y_mid, m.last.x1, m.x0, m.x1, m.top, m.bottom, order[id(m.first)],
                   frozenset(id(x) for x in m.words))


def _find_captions(layout: Layout) -> _Captions:
    finder = LabelFinder(layout)
    labels = catalog()
    for phrase in labels["boilerplate"]:
        finder.find("boilerplate", phrase, min_score=0.8)
    sections: list[LabelMatch] = []
    for key, phrase in labels["sections"].items():
        sections += finder.find(key, phrase, min_score=0.7)
    for key, phrase in labels["titles"].items():
        finder.find(key, phrase, min_score=0.7, limit=1)
    boxes: list[LabelMatch] = []
    for group in ("boxes", "address_parts", "checkboxes"):
        for key, phrase in labels[group].items():
            boxes += finder.find(key, phrase, min_score=0.7)
    headers: list[LabelMatch] = []
    for key, phrase in _column_headers():
        headers += finder.find(key, phrase, min_score=0.7)
    order = {id(w): i for i, w in enumerate(layout.words)}
    return _Captions(boxes, sections, headers, order, set(finder.used))


def layout_features(layout: Layout, settings: FeatureSettings | None = None) -> list[dict[str, float]]:
    """One feature dict per word of `layout`, in `layout.words` order."""
    settings = settings or FeatureSettings()
    captions = _find_captions(layout)
    grid = layout.geometry == "grid"
    heights = sorted(w.height for w in layout.words if w.height > 0)
    unit = GRID_LINE_HEIGHT if grid or not heights else heights[len(heights) // 2]
    pages = {p.number: p for p in layout.pages}
    sections = sorted(captions.sections, key=lambda m: captions.order[id(m.first)])
    out: list[dict[str, float]] = []
    for page in layout.pages:
        for line in page.lines:
            words = line.words
            for i, w in enumerate(words):
                f = lexical(w.text, settings.suffix_length)
                f.update(word_classes(w.text))
                f["x"] = w.x0 / max(page.width, 1.0)
                f["xm"] = w.x_mid / max(page.width, 1.0)
                f["y"] = w.top / max(page.height, 1.0)
                f["page=" + str(min(w.page, 3))] = 1.0
                f["geom=" + layout.geometry] = 1.0
                if w.underline:
                    f["underline"] = 1.0
                if w.superscript:
                    f["superscript"] = 1.0
                if w.checkbox is not None:
                    f["checkbox=" + str(w.checkbox)] = 1.0
                if id(w) in captions.label_words:
                    f["is_caption"] = 1.0
                f["first_in_line"] = float(i == 0)
                for k in range(1, settings.neighbours + 1):
                    left = words[i - k] if i - k >= 0 else None
                    right = words[i + k] if i + k < len(words) else None
                    f[f"L{k}=" + (shape(left.text) if left else "<s>")] = 1.0
                    f[f"R{k}=" + (shape(right.text) if right else "</s>")] = 1.0
                    if left is not None:
                        f[f"L{k}low=" + left.text.lower()[:12]] = 1.0
                        gap = (w.x0 - left.x1) / max(unit, 0.1)
                        f[f"L{k}gap"] = max(min(gap, 10.0), -1.0) / 10.0
                    if right is not None:
                        f[f"R{k}low=" + right.text.lower()[:12]] = 1.0
                _section(f, w, sections, captions.order)
                _caption_context(f, w, captions, unit, grid, settings, pages[w.page].width)
                out.append(f)
    return out


def _section(f: dict[str, float], w: Word, sections: list[LabelMatch], order: dict[int, int]) -> None:
    here = order[id(w)]
    current = "header"
    for m in sections:
        if order[id(m.first)] <= here:
            current = m.key
    f["section=" + current] = 1.0


def _caption_context(f: dict[str, float], w: Word, captions: _Captions, unit: float, grid: bool,
                     settings: FeatureSettings, page_width: float) -> None:
    """The nearest caption above (in the word's column) and to the left (on its line), and the column header."""
    here = captions.order[id(w)]
    above: tuple[float, LabelMatch] | None = None
    left: tuple[float, LabelMatch] | None = None
    slack = 1.0 if grid else unit
    w_id, w_x0, w_top, w_y_mid = id(w), w.x0, w.top, w.y_mid
    same_line = max(w.height, 0.1) * 0.6
    for p in captions.placed_boxes.get(w.page, ()):
        if w_id in p.word_ids:
            continue
        if abs(p.first_y_mid - w_y_mid) < same_line and p.last_x1 <= w_x0 + slack:
            d = (w_x0 - p.last_x1) / max(unit, 0.1)
            if left is None or d < left[0]:
                left = (d, p.match)
        elif (p.top < w_top and p.x0 - 3 * slack <= w_x0 <= max(p.x1, p.x0 + 15 * unit) + slack
              and p.order < here):
            d = (w_top - p.bottom) / max(unit, 0.1)
            if grid:
                d = d / 2
            if d <= settings.caption_reach and (above is None or d < above[0] or
                                                (abs(d - above[0]) < 0.5 and p.x0 > above[1].x0)):
                above = (d, p.match)
    if above is not None:
        f["above=" + above[1].key] = 1.0
        f["above_d"] = min(above[0], settings.caption_reach) / settings.caption_reach
    else:
        f["above=<none>"] = 1.0
    if left is not None:
        f["left=" + left[1].key] = 1.0
        f["left_d"] = min(left[0], 40.0) / 40.0
    header: tuple[float, LabelMatch] | None = None
    for p in captions.placed_headers:
        if p.page > w.page or p.order >= here:
            continue
        m, x0, x1 = p.match, p.x0, p.x1
        if grid:
            inside = w.cell is not None and m.first.cell == w.cell
            d = 0.0 if inside else min(abs(w.x0 - x0), abs(w.x0 - x1)) / 100.0 + 1.0
        else:
            d = 0.0 if x0 - slack <= w.x_mid <= x1 + slack else min(abs(w.x_mid - x0), abs(w.x_mid - x1)) / max(page_width, 1.0) * 20
        d += (here - p.order) * 1e-6  # the latest header wins ties (Table II after Table I)
        if header is None or d < header[0]:
            header = (d, m)
    if header is not None and header[0] < 1.0:
        f["column=" + header[1].key] = 1.0


@dataclass
class DocumentFeatures:
    """The features of every word of one layout and, per word, its neighbours' indices (-1: none)."""

    features: list[dict[str, float]]
    left: list[int]
    right: list[int]
    above: list[int]

    def __len__(self) -> int:
        return len(self.features)


def document_features(layout: Layout, settings: FeatureSettings | None = None) -> DocumentFeatures:
    """Features plus the left, right and above neighbour of each word (for the classifier's second pass)."""
    features = layout_features(layout, settings)
    left: list[int] = []
    right: list[int] = []
    above: list[int] = []
    index = 0
    previous: list[tuple[int, Word]] = []
    for page in layout.pages:
        for line in page.lines:
            current = []
            for i, w in enumerate(line.words):
                left.append(index - 1 if i > 0 else -1)
                right.append(index + 1 if i + 1 < len(line.words) else -1)
                best = -1
                best_d = None
                for j, v in previous:
                    if v.page != w.page:
                        continue
                    overlap = min(v.x1, w.x1) - max(v.x0, w.x0)
                    d = abs(v.x_mid - w.x_mid)
                    if overlap > 0 and (best_d is None or d < best_d):
                        best, best_d = j, d
                above.append(best)
                current.append((index, w))
                index += 1
            previous = current
    return DocumentFeatures(features, left, right, above)


def hashed_features(features: list[dict[str, float]], n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The feature dicts as sparse (row, column, value) triples, a name's column its CRC-32 modulo `n_features`.

    CRC-32 rather than scikit-learn's FeatureHasher: the same columns with no scikit-learn
    import when predicting. Rows come out in order; colliding names are separate triples (summed).
    """
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    crc = zlib.crc32
    for i, f in enumerate(features):
        rows.extend([i] * len(f))
        cols.extend(crc(name.encode("utf-8")) % n_features for name in f)
        vals.extend(f.values())
    return (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(vals, dtype=np.float64))
