"""Normalizing printed values: dates to ISO, numbers to decimals, states to codes,
footnote markers to ids, check marks to booleans. Tolerant of OCR damage where the
damage is unambiguous (O for 0 inside a number, stray spaces around separators)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

# "%" and "><" are how Tesseract 5.5 reads a bold X mark in a scanned box (a real EDGAR rendering at
# 300 dpi gave "%" left of "Director"); neither is ever a value on its own.
CHECK_MARKS = {"x", "☒", "☑", "✓", "✔", "✗", "✘", "[x]", "(x)", "[✓]", "[✔]", "%", "><"}

# "(1)" or "[1]"; also a marker a narrow cell tore over two lines ("A[1" then "]"), which arrives as
# "A[1 ]" or with its closing bracket lost. A number in brackets is never a value here: it must end at
# the bracket or a space, so a negative "(1.50)" is not a marker.
_FOOTNOTE = re.compile(r"[(\[]\s*(\d{1,2})\s*(?:[)\]]|$|(?=\s))")
_GLUED_MARKER = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})+)([1-9]\d?)(?![\d,.])")
_DATE_MDY = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4}|\d{2})(?!\d)")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMBER = re.compile(r"-?\$?\s*\(?\d[\d,]*(?:\.\d+)?\)?|-?\$?\s*\.\d+")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_DATE_WORDS = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b")
# A word naming a month, whole or cut short ("Feb", "Feb.", "February").
MONTH_NAME = re.compile(r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?$", re.I)
# A footnote's number as the word that starts it ("2.", "(2)"), the number captured.
FOOTNOTE_NUMBER = re.compile(r"^\(?(\d{1,2})[.)]$")
# A year written alone as a word ("2023"), as a date's wrapped or torn end.
YEAR = re.compile(r"^(?:19|20)\d\d$")
# An amount as a table prints it: grouped, with decimals or with a marker glued on, never a trust's year.
TABLE_AMOUNT = re.compile(r"^\$?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+(?=[\[(]))(?:[\[(]\d{1,2}[\])])*$")


def split_footnotes(text: str) -> tuple[str, list[str]]:
    """Split footnote markers off a cell: ('$6.4 (1)') -> ('$6.4', ['F1']); ('774,354[1]') -> ('774,354', ['F1']);
    ('4,4831') -> ('4,483', ['F1']): a text dump runs a superscript marker into the number, and digits past
    a full group of three after the last comma can only be the marker's."""
    ids = [f"F{int(m.group(1))}" for m in _FOOTNOTE.finditer(text)]
    rest = _FOOTNOTE.sub(" ", text)
    ids += [f"F{int(m.group(2))}" for m in _GLUED_MARKER.finditer(rest)]
    rest = _GLUED_MARKER.sub(r"\1", rest)
    return " ".join(rest.split()), ids


def spelled_date(text: str) -> dt.date | None:
    """A date written out in words ("Feb 2, 2023") as the whole of `text`; None otherwise."""
    match = _DATE_WORDS.fullmatch(text.strip())
    return parse_date(text) if match and match.group(1)[:3].lower() in _MONTHS else None


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text: no exponent, no trailing zeros, no negative zero."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    for match in _DATE_ISO.finditer(text):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    for match in _DATE_MDY.finditer(text):
        month, day, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if year < 100:
            year += 2000 if year < 70 else 1900
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    for match in _DATE_WORDS.finditer(text):
        month = _MONTHS.get(match.group(1)[:3].lower())
        if month:
            try:
                return dt.date(int(match.group(3)), month, int(match.group(2)))
            except ValueError:
                continue
    return None


def find_date_span(text: str) -> tuple[int, int] | None:
    match = _DATE_MDY.search(text) or _DATE_ISO.search(text)
    return (match.start(), match.end()) if match else None


def parse_number(text: str) -> Decimal | None:
    """'$1,234.50' -> Decimal('1234.50'); OCR's 'O' inside digits read as zero."""
    text = text.strip()
    if not text:
        return None
    if re.search(r"\d", text):
        previous = None
        while previous != text:  # each pass can only fix an O next to a digit
            previous = text
            text = re.sub(r"(?<=[\d,.])[Oo]|[Oo](?=[\d,.]\d)", "0", text)
    text = re.sub(r"(?<=\d)\s*([,.])\s*(?=\d)", r"\1", text)
    match = _NUMBER.search(text)
    if not match:
        return None
    raw = match.group(0).replace("$", "").replace(",", "").replace(" ", "")
    negative = raw.startswith("(") and raw.endswith(")")
    raw = raw.strip("()")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return -value if negative else value


@lru_cache(maxsize=1)
def _states() -> dict[str, str]:
    with resources.files("extractor.data").joinpath("us_states.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def street_words() -> dict[str, frozenset[str]]:
    """The words that end a street line, and the unit words a short number or letter follows."""
    with resources.files("extractor.data").joinpath("street_words.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    return {"endings": frozenset(data["endings"]), "units": frozenset(data["units"])}


def is_unit_word(text: str) -> bool:
    """Whether a street word names a unit ("SUITE", "Ste.", "FL.") that a number or letter follows."""
    return text.strip(".,").upper() in street_words()["units"]


def state_code(text: str) -> str | None:
    """A state name or code as the two-letter code; None when it is neither."""
    cleaned = re.sub(r"[^A-Za-z ]", "", text).strip().upper()
    if not cleaned:
        return None
    states = _states()
    if cleaned in states:
        return states[cleaned]
    if len(cleaned) == 2 and cleaned.isalpha():
        return cleaned
    return None


def state_names() -> list[str]:
    return sorted(_states(), key=len, reverse=True)


def is_check_mark(text: str) -> bool:
    text = text.strip().lower()
    # OCR reads a ticked box as "XX", "|X|" or "[x" as often as "X", and a fax's bold one as "XxX"
    return text in CHECK_MARKS or (0 < len(text.strip("[]|()")) <= 3 and set(text.strip("[]|()")) == {"x"})


# A Direct/Indirect cell holds one capital letter, and OCR reads a lone capital I as J, l, 1 or |
# (a 300 dpi scan of a real rendering gave "J"); no other letter belongs in the cell.
_OWNERSHIP_MISREADS = {"J": "I", "L": "I", "1": "I", "|": "I", "!": "I", "]": "I", "[": "I", "0": "D", "O": "D"}


def ownership_letter(text: str) -> str | None:
    """"D" or "I" from a Direct/Indirect cell's text, a lone OCR misreading of either included."""
    token = text.strip().strip("().").upper()
    if token in _OWNERSHIP_MISREADS:
        return _OWNERSHIP_MISREADS[token]
    letters = re.sub(r"[^A-Z]", "", token)  # "Indirect", "(I)"
    return letters[0] if letters[:1] in ("D", "I") else None


def normalize_text(text: str) -> str:
    return " ".join(text.split())
