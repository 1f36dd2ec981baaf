"""OCR's look-alike letters put right where a dictionary word is one or two such swaps away.

Tesseract at 200-300 dpi mixes up letters of like shape: "aprii" for "april", "slock" for
"stock", "unils" for "units", "gencral" for "general". Footnotes and signatures must match
the filing exactly, so one such letter loses the whole value. Every change is a swap between
look-alike letters, and:
- a word in lower case that is no English word becomes the common English word it is a swap
  or two from (pyspellchecker's frequency list, shipped with the package);
- any word, in any case, becomes the word of a filing's values it is a swap or two from
  ("Cammon" and "STACK" for "Common" and "STOCK"; `data/form_words.json`), unless it is itself
  the commoner English word.
Capitalised words are left alone otherwise: on a form they are mostly names ("Tunc" is one
swap from "Tune").

Dates the same way: a fax's "0" reads "9" ("94/01/2023"), and a date with no such month, day
or year becomes the one real date a single look-alike digit swap makes of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from .document import Word

# Shapes Tesseract confuses, each way round as measured on dev scans and faxes.
LOOK_ALIKES: dict[str, tuple[str, ...]] = {
    "i": ("l", "t"), "l": ("i", "t"), "t": ("l", "i", "f"), "f": ("t",), "c": ("e",), "e": ("c",),
    "a": ("o",), "o": ("a",), "n": ("u",), "u": ("n",), "h": ("b",), "b": ("h",),
    "rn": ("m",), "m": ("rn",), "cl": ("d",), "d": ("cl",), "vv": ("w",),
}
# Digits a fax's blurred strokes turn into each other.
DIGIT_LOOK_ALIKES: dict[str, tuple[str, ...]] = {
    "9": ("0",), "0": ("9", "6", "8"), "6": ("0", "5"), "8": ("0", "3"), "3": ("8",), "5": ("6",),
    "7": ("2", "1"), "2": ("7",), "1": ("7",),
}
_END = r"(\D*(?:[\[(]\d{1,2}[\])]\D*)*)"  # punctuation and footnote markers after a date
_DATE = re.compile(rf"^(\D*)(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_END}$|^(\D*)(\d{{4}})-(\d{{2}})-(\d{{2}}){_END}$")
_CORE = re.compile(r"^([^A-Za-z]*)([A-Za-z]+(?:'[a-z]+)?)([^A-Za-z]*)$")


@dataclass(frozen=True)
class SpellingSettings:
    """When a misread word is put right."""

    max_swaps: int = 2
    min_length: int = 3  # shorter words are other words one swap away ("lo", "to", "io")
    min_frequency: int = 50  # the word put in must be at least this common in the frequency list

    def __post_init__(self) -> None:
        if not 1 <= self.max_swaps <= 3:
            raise ValueError(f"max_swaps must be 1 to 3, not {self.max_swaps}")
        if self.min_length < 2:
            raise ValueError(f"min_length must be at least 2, not {self.min_length}")


@lru_cache(maxsize=1)
def _dictionary():
    from spellchecker import SpellChecker

    return SpellChecker(distance=1).word_frequency


@lru_cache(maxsize=1)
def form_words() -> frozenset[str]:
    return frozenset(json.loads(resources.files("extractor.data").joinpath("form_words.json").read_text())["words"])


def _frequency(word: str) -> int:
    frequency = _dictionary()
    return frequency[word] if word in frequency else 0


def correct_words(words: list[Word], settings: SpellingSettings | None = None) -> list[Word]:
    """`words` with their look-alike misreadings put right (their boxes and confidences kept)."""
    settings = settings or SpellingSettings()
    out = []
    for k, w in enumerate(words):
        fixed = correct_text(w.text, settings)
        if _INITIAL_WITH_COMMA.match(fixed) and _in_a_name(words, k):
            fixed = fixed[:-1] + "."
        out.append(w if fixed == w.text else replace(w, text=fixed))
    return out


# An initial or a title before a name, its full stop read as a comma: "Kristopher R, Tate", "Ms, Park".
_INITIAL_WITH_COMMA = re.compile(r"^(?:[A-HJ-UWYZ]|Mr|Ms|Mrs|Dr),$")  # not I, V, X: "Fund I, L.P."
_NOT_NAMES = {"class", "series", "tranche", "group", "note", "notes", "unit", "units", "plan", "schedule", "exhibit"}


def _in_a_name(words: list[Word], k: int) -> bool:
    """Whether words[k] comes before a capitalised word of its line and, an initial, after one that
    names no series ("Class A, Class B")."""
    if k == 0 or k + 1 >= len(words):
        return False
    before, here, after = words[k - 1], words[k], words[k + 1]
    same_line = all(abs(w.top - here.top) < 0.5 * max(here.bottom - here.top, 1.0) for w in (before, after))
    honorific = len(here.text) > 2  # "Ms," needs no name before it
    return (same_line and before.x1 <= here.x0 and here.x1 <= after.x0 and after.text[:1].isupper()
            and (honorific or before.text[:1].isupper() and before.text.lower().strip(",.") not in _NOT_NAMES))


def correct_text(text: str, settings: SpellingSettings | None = None) -> str:
    settings = settings or SpellingSettings()
    date = _DATE.match(text)
    if date:
        return _real_date(text, date)
    match = _CORE.match(text)
    if not match:
        return text
    before, core, after = match.groups()
    lower = core.lower()
    if len(core) < settings.min_length or lower in form_words():
        return text
    form_word = _form_word_swap(lower, settings.max_swaps)
    if form_word is not None and _frequency(lower) * 3 < _frequency(form_word):
        return before + _cased_as(core, form_word) + after
    if not core.islower() or core in _dictionary():
        return text
    best = _best_swap(core, settings.max_swaps, settings.min_frequency)
    return text if best is None else before + best + after


def _real_date(text: str, match: re.Match) -> str:
    """`text` unchanged if it is a real date, else the one real date a single digit swap makes of it."""
    if _is_real_date(match):
        return text
    found = set()
    for i, c in enumerate(text):
        for other in DIGIT_LOOK_ALIKES.get(c, ()):
            candidate = text[:i] + other + text[i + 1:]
            again = _DATE.match(candidate)
            if again and _is_real_date(again):
                found.add(candidate)
    return found.pop() if len(found) == 1 else text


def _is_real_date(match: re.Match) -> bool:
    if match.group(2) is not None:
        month, day, year = (int(match.group(k)) for k in (2, 3, 4))
    else:
        year, month, day = (int(match.group(k)) for k in (7, 8, 9))
    return 1 <= month <= 12 and 1 <= day <= 31 and 1990 <= year <= 2049


def _cased_as(model: str, word: str) -> str:
    if model.isupper():
        return word.upper()
    return word.capitalize() if model[0].isupper() else word


@lru_cache(maxsize=65536)
def _form_word_swap(word: str, max_swaps: int) -> str | None:
    """The one word of `form_words` that `word` becomes by the fewest look-alike swaps (up to `max_swaps`)."""
    for ring in _swap_rings(word, max_swaps):
        found = {v for v in ring if v in form_words()}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


@lru_cache(maxsize=65536)
def _best_swap(word: str, max_swaps: int, min_frequency: int) -> str | None:
    """The commonest dictionary word `word` becomes by the fewest look-alike swaps (up to
    `max_swaps`), if one stands out (twice as common as the next)."""
    for ring in _swap_rings(word, max_swaps):
        found = {v: _frequency(v) for v in ring if _frequency(v) >= min_frequency}
        if found:
            break
    else:
        return None
    ranked = sorted(found.items(), key=lambda item: -item[1])
    if len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]:
        return None
    return ranked[0][0]


def _swap_rings(word: str, max_swaps: int):
    """The words `word` becomes by one look-alike swap, then by two, and so on: each ring new words only."""
    frontier, seen = [word], {word}
    for _ in range(max_swaps):
        frontier = [v for candidate in frontier for v in _swaps(candidate) if v not in seen and not seen.add(v)]
        yield frontier


def _swaps(word: str):
    for i in range(len(word)):
        for length in (1, 2):
            piece = word[i:i + length]
            if len(piece) == length and piece in LOOK_ALIKES:
                for other in LOOK_ALIKES[piece]:
                    yield word[:i] + other + word[i + length:]
