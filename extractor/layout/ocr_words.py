"""OCR misreadings of the few words every signature block prints, put right.

A conformed signature starts "/s/" and an agent signs "attorney-in-fact"; Tesseract reads the
slashes of "/s/" as the letters and signs around them ("fs/", "is!", "{sf", "és/") and the "rn" of
"attorney" as "m" ("attomey"). On 30 dev scans 7 of the signatures were wrong by these alone.
Only these two forms are repaired: both are fixed strings, so a word near them is a misreading
of them, not a different word.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz.distance import Levenshtein

from .document import Word

# Three glyphs: a slash read as one of these, an "s", a slash read as one of those; or "/5/". A
# digit inside brackets is a footnote marker ("(5)", "{5}", "15]"), and so is "(s)"'s shape.
_CONFORMED = re.compile(r"^(?!\(.\)$)(?:[/\\|({\[ifIlé!][sS][/\\|)}\]!flI]|/5/)$")
_AGENT = "attorney"
_WORD = re.compile(r"^(\W*)([A-Za-z]+)(.*)$", re.S)


def repair_signature_words(words: list[Word]) -> list[Word]:
    """`words` (one page's, in reading order) with misread "/s/" and "attorney" put right."""
    out = list(words)
    for i, w in enumerate(out):
        text = w.text
        if w.checkbox is None and _CONFORMED.match(text) and text != "/s/" and _name_follows(out, i):
            out[i] = replace(w, text="/s/")
            continue
        match = _WORD.match(text)
        if match and not match.group(2).lower().startswith(_AGENT) and _is_agent(match.group(2)):
            out[i] = replace(w, text=match.group(1) + _same_case(_AGENT, match.group(2)) + match.group(3))
    return out


def _name_follows(words: list[Word], i: int) -> bool:
    """The next word on the line starts with a capital letter: "/s/ Jane Roe"."""
    if i + 1 >= len(words):
        return False
    after, here = words[i + 1], words[i]
    same_line = after.page == here.page and abs(after.top - here.top) < 0.6 * max(here.height, 1.0)
    return same_line and after.text[:1].isupper()


def _is_agent(core: str) -> bool:
    lowered = core.lower()
    return 6 <= len(lowered) <= 10 and lowered.startswith("at") and Levenshtein.distance(lowered, _AGENT) <= 2


def _same_case(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word
