"""OCR misreadings of the few words every signature block prints, put right.

A conformed signature starts "/s/" and an agent signs "attorney-in-fact"; Tesseract reads the
slashes of "/s/" as the letters and signs around them ("fs/", "is!", "{sf", "és/") and the "rn" of
"attorney" as "m" ("attomey"). On 30 dev scans 7 of the signatures were wrong by these alone.
Only these two forms are repaired: both are fixed strings, so a word near them is a misreading
of them, not a different word. OCR also tears "attorney-in-fact" at its hyphens into two or three
words; they are joined back into one.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz.distance import Levenshtein

from .document import Word

# Three glyphs: a slash read as one of these, an "s", a slash read as one of those; or "/5/". A
# digit inside brackets is a footnote marker ("(5)", "{5}", "15]"), and so is "(s)"'s shape.
# Also a closing slash read as "i" ("/si", "isi", "'si"), or the opening one lost ("s'").
_CONFORMED = re.compile(r"^(?!\(.\)$)(?:[/\\|({\[ifIlé!][sS][/\\|)}\]!flI]|/5/|[/'i]si|s')$")
_AGENT = "attorney"
# "attorney-in-fact" torn by OCR into two or three words ("attorney-in-f act", "attorney- in- fact")
# or with a stray tilde ("attorney-in~-fact"): the pieces, joined and the tildes dropped, make it.
_AGENT_IN_FACT = re.compile(r"(?i)^attorney-in-fact\W*$")
_AGENT_START = re.compile(r"(?i)^attorney-")
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
    return _join_torn_agent(out)


def _join_torn_agent(words: list[Word]) -> list[Word]:
    """A torn or tilde-marked "attorney-in-fact" as one word, its box around its pieces."""
    out: list[Word] = []
    i = 0
    while i < len(words):
        w = words[i]
        joined = None
        if _AGENT_START.match(w.text) and not _AGENT_IN_FACT.match(w.text):
            for count in (1, 2, 3):
                pieces = words[i:i + count]
                if len(pieces) < count or not all(_same_line(a, b) for a, b in zip(pieces, pieces[1:])):
                    break
                text = "".join(p.text for p in pieces).replace("~", "")
                if _AGENT_IN_FACT.match(text):
                    joined = replace(w, text=text, x1=max(p.x1 for p in pieces), top=min(p.top for p in pieces),
                                     bottom=max(p.bottom for p in pieces))
                    break
        if joined is None:
            out.append(w)
            i += 1
        else:
            out.append(joined)
            i += count
    return out


def _level(here: Word, after: Word) -> bool:
    """`after` on `here`'s page and line, its top within 0.6 of `here`'s height."""
    return after.page == here.page and abs(after.top - here.top) < 0.6 * max(here.height, 1.0)


def _same_line(here: Word, after: Word) -> bool:
    """`after` level with `here` and close after it: the next piece of a torn word."""
    return _level(here, after) and 0 <= after.x0 - here.x1 < 2.0 * max(here.height, 1.0)


def _name_follows(words: list[Word], i: int) -> bool:
    """The next word on the line starts with a capital letter: "/s/ Jane Roe"."""
    if i + 1 >= len(words):
        return False
    return _level(words[i], words[i + 1]) and words[i + 1].text[:1].isupper()


def _is_agent(core: str) -> bool:
    lowered = core.lower()
    return 6 <= len(lowered) <= 10 and lowered.startswith("at") and Levenshtein.distance(lowered, _AGENT) <= 2


def _same_case(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word
