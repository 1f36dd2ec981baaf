"""What a Form 3/4/5 prints for a record: its captions, and each value as tokens with their field.

Shared by every layout family. A family decides where tokens go and in which style; this
module decides what the text is: dates, numbers and prices in the formats the seed chose,
footnote markers after the value they cite, check marks for flags. Each token carries the
`Slot` (record field path, table, row, column) every word printed from it is labeled with.

Labeling conventions beyond synth.md: a price's "$" carries the price's field; a check mark
(or an empty box glyph) carries its flag's field, both boxes of box 6 carry `joint_filing`;
a marker citing a header value is `footnote_ref` with `column` set to that value's path
(`issuer.name`), and the number that starts a footnote's text is `footnote_ref` with no
table and no column. A marker glued to its value in the value's own font and size reads
as one word with it ("757,756(1)") and is labeled with the value's field.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from ..labels import catalog, table_spec_names
from ..records import DerivativeRow, NonDerivativeRow, Record, Value
from ..values import decimal_text
from .canvas import Piece, Slot, Style
from .labels import FOOTNOTE_REF

TokenKind = Literal["value", "marker", "dollar", "check", "label"]
ValueKind = Literal["text", "date", "number", "price", "flag"]

DATE_FORMATS = ("mdy", "iso", "words", "mdy_short")
MARKER_FORMATS = ("paren", "sup", "bracket")
CHECK_GLYPHS = ("X", "x", "[X]", "✓", "■", "☒")
SYMBOL_GLYPHS = frozenset("✓■☒☐")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Token:
    text: str
    slot: Slot
    kind: TokenKind = "value"
    glue: bool = False  # printed touching the token before it


@dataclass(frozen=True)
class Formats:
    """How values are written: the choices a filer's software (or typist) makes."""

    date: str = "mdy"  # mdy 01/05/2023, iso 2023-01-05, words Jan 5, 2023, mdy_short 1/5/2023
    thousands: bool = True  # 1,234 or 1234
    dollar: bool = True  # "$" before prices
    cents: bool = False  # prices padded to two decimals
    marker: str = "paren"  # paren (1), sup 1 (raised only), bracket [1]
    marker_raised: bool = True  # markers small and above the baseline
    marker_glued: bool = True  # markers touching the value (else a space before them)
    check: str = "X"  # the glyph of a checked box
    empty_box: str = ""  # the glyph of an unchecked box; "" prints nothing
    state_names: bool = False  # "California" for CA
    footnote_number: str = "dot"  # how a footnote starts: dot "1.", paren "(1)"

    def __post_init__(self) -> None:
        if self.date not in DATE_FORMATS:
            raise ValueError(f"date must be one of {', '.join(DATE_FORMATS)}, not {self.date!r}")
        if self.marker not in MARKER_FORMATS:
            raise ValueError(f"marker must be one of {', '.join(MARKER_FORMATS)}, not {self.marker!r}")
        if self.marker == "sup" and not self.marker_raised:
            raise ValueError("a bare number marker ('sup') must be raised, or it reads as part of the value")
        if self.check not in CHECK_GLYPHS or self.empty_box not in ("", "☐", "[ ]", "[_]", "o"):
            raise ValueError(f"unknown check glyphs {self.check!r} / {self.empty_box!r}")
        if self.footnote_number not in ("dot", "paren"):
            raise ValueError(f"footnote_number must be 'dot' or 'paren', not {self.footnote_number!r}")

    def describe(self) -> dict[str, str]:
        return {f"format.{k}": str(v) for k, v in self.__dict__.items()}


def pick_formats(rng: random.Random, symbols: bool) -> Formats:
    """Formats as filers vary them; `symbols` says whether ✓ ■ ☒ ☐ can be drawn."""
    glyphs = [g for g in CHECK_GLYPHS if symbols or g not in SYMBOL_GLYPHS]
    raised = rng.random() < 0.6
    marker = rng.choice(MARKER_FORMATS if raised else ("paren", "bracket"))
    empties = ["", "", "[_]"] + (["☐"] if symbols else [])
    return Formats(
        date=rng.choices(DATE_FORMATS, weights=(6, 2, 1, 1))[0],
        thousands=rng.random() < 0.8,
        dollar=rng.random() < 0.75,
        cents=rng.random() < 0.3,
        marker=marker,
        marker_raised=raised,
        marker_glued=raised or rng.random() < 0.5,
        check=rng.choice(glyphs),
        empty_box=rng.choice(empties),
        state_names=rng.random() < 0.15,
        footnote_number=rng.choice(("dot", "dot", "paren")),
    )


EDGAR_FORMATS = Formats()


# --- text of values ---------------------------------------------------------------------------

def date_text(date: dt.date, formats: Formats) -> str:
    if formats.date == "iso":
        return date.isoformat()
    if formats.date == "words":
        return f"{_MONTHS[date.month - 1]} {date.day}, {date.year}"
    if formats.date == "mdy_short":
        return f"{date.month}/{date.day}/{date.year}"
    return f"{date.month:02d}/{date.day:02d}/{date.year}"


def number_text(number: Decimal, formats: Formats, price: bool = False) -> str:
    exponent = number.normalize().as_tuple().exponent
    if price and formats.cents and isinstance(exponent, int) and exponent > -2:
        text = format(number.quantize(Decimal("0.01")), "f")
    else:
        text = decimal_text(number)
    if not formats.thousands:
        return text
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}"
    return sign + grouped + ("." + fraction if fraction else "")


def marker_text(footnote_id: str, formats: Formats) -> str:
    number = footnote_id[1:] if footnote_id[:1] in "Ff" and footnote_id[1:].isdigit() else footnote_id
    if formats.marker == "sup":
        return number
    if formats.marker == "bracket":
        return f"[{number}]"
    return f"({number})"


@lru_cache(maxsize=1)
def _state_names() -> dict[str, str]:
    with resources.files("extractor.data").joinpath("us_states.json").open(encoding="utf-8") as fh:
        names: dict[str, str] = json.load(fh)
    out: dict[str, str] = {}
    for name, code in names.items():
        if len(name) > 2 and code not in out:
            out[code] = name.title()
    return out


def marker_tokens(ids: list[str], slot: Slot, formats: Formats, after_value: bool) -> list[Token]:
    """Footnote markers citing the cell `slot` names (markers label as footnote_ref)."""
    column = slot.column if slot.table else (slot.column or slot.field)
    ref = Slot(FOOTNOTE_REF, slot.table, slot.row, column)
    out = []
    for i, note in enumerate(ids):
        glue = i > 0 or (after_value and formats.marker_glued)
        out.append(Token(marker_text(note, formats), ref, "marker", glue))
    return out


def value_tokens(value: Value[Any] | None, slot: Slot, kind: ValueKind, formats: Formats) -> list[Token]:
    """The tokens of one value: its text (empty when absent) and its footnote markers."""
    if value is None:
        return []
    out: list[Token] = []
    v = value.value
    if kind == "flag":
        if v is True:
            out.append(Token(formats.check, slot, "check"))
        elif formats.empty_box:
            out.append(Token(formats.empty_box, slot, "check"))
    elif v is not None:
        if kind == "date" and isinstance(v, dt.date):
            text = date_text(v, formats)
        elif kind in ("number", "price") and isinstance(v, Decimal):
            text = number_text(v, formats, price=kind == "price")
        else:
            text = " ".join(str(v).split())
        if kind == "price" and formats.dollar and text:
            out.append(Token("$", slot, "dollar"))
            out.append(Token(text, slot, "value", glue=True))
        elif text:
            out.append(Token(text, slot, "value"))
    out += marker_tokens(value.footnote_ids, slot, formats, after_value=bool(out))
    return out


def state_tokens(value: Value[Any], slot: Slot, formats: Formats) -> list[Token]:
    if formats.state_names and isinstance(value.value, str) and value.value.upper() in _state_names():
        value = value.model_copy(update={"value": _state_names()[value.value.upper()]})
    return value_tokens(value, slot, "text", formats)


# --- the form's structure ----------------------------------------------------------------------

@dataclass(frozen=True)
class FormKind:
    base: str  # "3", "4" or "5"
    amended: bool

    @property
    def name(self) -> str:
        return self.base + ("/A" if self.amended else "")


def form_kind(record: Record) -> FormKind:
    text = record.document_type.value or "4"
    return FormKind(text[0], text.endswith("/A"))


TITLES = {"3": "INITIAL STATEMENT OF BENEFICIAL OWNERSHIP OF SECURITIES",
          "4": "STATEMENT OF CHANGES IN BENEFICIAL OWNERSHIP",
          "5": "ANNUAL STATEMENT OF CHANGES IN BENEFICIAL OWNERSHIP"}
OMB = {"3": ("3235-0104", "0.5"), "4": ("3235-0287", "0.5"), "5": ("3235-0362", "1.0")}
COMMISSION = "UNITED STATES SECURITIES AND EXCHANGE COMMISSION"
WASHINGTON = "Washington, D.C. 20549"
FILED_PURSUANT = ("Filed pursuant to Section 16(a) of the Securities Exchange Act of 1934",
                  "or Section 30(h) of the Investment Company Act of 1940")
ADDRESS_PARTS = ("(Last)", "(First)", "(Middle)", "(Street)", "(City)", "(State)", "(Zip)")
FOOTER_NOTES = (
    "Reminder: Report on a separate line for each class of securities beneficially owned directly or indirectly.",
    "* If the form is filed by more than one reporting person, see Instruction 4 (b)(v).",
    "** Intentional misstatements or omissions of facts constitute Federal Criminal Violations See 18 U.S.C. 1001 "
    "and 15 U.S.C. 78ff(a).",
    "Note: File three copies of this Form, one of which must be manually signed. If space is insufficient, "
    "see Instruction 6 for procedure.",
    "Persons who respond to the collection of information contained in this form are not required to respond "
    "unless the form displays a currently valid OMB Number.",
)


def box_captions(kind: FormKind) -> dict[str, str]:
    """Header box captions with the form's numbering, keyed as in form_labels.json."""
    boxes = catalog()["boxes"]
    date_key = {"3": "event", "4": "earliest", "5": "fiscal_year"}[kind.base]
    numbers = ({"name_address": 1, date_key: 2, "issuer": 3, "relationship": 4, "amendment": 5, "filing": 6}
               if kind.base == "3" else
               {"name_address": 1, "issuer": 2, date_key: 3, "amendment": 4, "relationship": 5, "filing": 6})
    return {key: f"{n}. {boxes[key]}" for key, n in numbers.items()}


def date_key(kind: FormKind) -> str:
    return {"3": "event", "4": "earliest", "5": "fiscal_year"}[kind.base]


def top_checkboxes(record: Record, kind: FormKind) -> list[tuple[str, str]]:
    """(record field, caption) of the boxes printed beside the form's name."""
    boxes = catalog()["checkboxes"]
    keys: list[str] = []
    if kind.base != "3":
        keys.append("not_subject_to_section16")
    if kind.base == "5":
        keys += ["form3_holdings_reported", "form4_transactions_reported"]
    if kind.base != "3" and record.aff10b5_one.value is not None:
        keys.append("aff10b5_one")
    return [(k, boxes[k]) for k in keys]


def table_titles(kind: FormKind) -> tuple[str, tuple[str, str]]:
    if kind.base == "3":
        return ("Table I - Non-Derivative Securities Beneficially Owned",
                ("Table II - Derivative Securities Beneficially Owned",
                 "(e.g., puts, calls, warrants, options, convertible securities)"))
    return ("Table I - Non-Derivative Securities Acquired, Disposed of, or Beneficially Owned",
            ("Table II - Derivative Securities Acquired, Disposed of, or Beneficially Owned",
             "(e.g., puts, calls, warrants, options, convertible securities)"))


@dataclass(frozen=True)
class Leaf:
    key: str  # the column's cell, a row field or v_flag / shares_acquired / shares_disposed
    header: str  # its own header, or the sub-header under its group
    group: str | None = None  # the group header above it, if any


def table_leaves(kind: FormKind, table: str) -> list[Leaf]:
    """The table's leaf columns left to right, as form_labels.json lists them."""
    spec = catalog()["tables"][table_spec_names(kind.base)[0 if table == "I" else 1]]
    leaves = []
    for entry in spec:
        if entry[0] is not None:
            leaves.append(Leaf(entry[0], entry[1]))
        else:
            leaves += [Leaf(key, header, entry[1]) for key, header in entry[2]]
    return leaves


_KINDS: dict[str, ValueKind] = {
    "security_title": "text", "underlying_title": "text", "nature_of_ownership": "text",
    "transaction_date": "date", "deemed_execution_date": "date", "exercise_date": "date", "expiration_date": "date",
    "shares": "number", "shares_owned_following": "number", "underlying_shares": "number",
    "value_owned_following": "number", "underlying_value": "number", "total_value": "number",
    "price_per_share": "price", "conversion_or_exercise_price": "price",
    "transaction_code": "text", "acquired_disposed": "text", "direct_or_indirect": "text",
}
# A column prints its field, or the alternative the XML allows in its place.
_ALTERNATIVES = {"shares": "total_value", "shares_owned_following": "value_owned_following",
                 "underlying_shares": "underlying_value"}


def _field_tokens(row: NonDerivativeRow | DerivativeRow, prefix: str, table: str, index: int, name: str,
                  formats: Formats) -> list[Token]:
    value = getattr(row, name, None)
    if (value is None or not value.present) and name in _ALTERNATIVES:
        alternative = getattr(row, _ALTERNATIVES[name], None)
        if alternative is not None and alternative.present:
            name, value = _ALTERNATIVES[name], alternative
    if value is None:
        return []
    return value_tokens(value, Slot(f"{prefix}.{index}.{name}", table, index, name), _KINDS.get(name, "text"), formats)


def cell_tokens(row: NonDerivativeRow | DerivativeRow, table: str, index: int, key: str, formats: Formats) -> list[Token]:
    """What one table cell prints: the row's value for the column `key`, with its markers."""
    prefix = "non_derivative" if table == "I" else "derivative"
    if key == "v_flag":
        slot = Slot(f"{prefix}.{index}.equity_swap_involved", table, index, "equity_swap_involved")
        flag = row.equity_swap_involved
        out = [Token("V", slot)] if flag.value is True else []
        return out + marker_tokens(flag.footnote_ids, slot, formats, bool(out))
    if key in ("shares_acquired", "shares_disposed"):
        direction = (row.acquired_disposed.value or "A").upper()
        if (key == "shares_acquired") != (direction == "A"):
            return []
        out = _field_tokens(row, prefix, table, index, "shares", formats)
        ad = row.acquired_disposed
        slot = Slot(f"{prefix}.{index}.acquired_disposed", table, index, "acquired_disposed")
        return out + marker_tokens(ad.footnote_ids, slot, formats, bool(out))
    return _field_tokens(row, prefix, table, index, key, formats)


def footnote_tokens(record: Record, formats: Formats) -> list[list[Token]]:
    """One token list per footnote: its number, then its text."""
    out = []
    for i, note in enumerate(record.footnotes):
        number = note.id[1:] if note.id[:1] in "Ff" and note.id[1:].isdigit() else note.id
        lead = f"({number})" if formats.footnote_number == "paren" else f"{number}."
        tokens = [Token(lead, Slot(FOOTNOTE_REF), "marker")]
        tokens += value_tokens(note.text, Slot(f"footnotes.{i}.text"), "text", formats)
        out.append(tokens)
    return out


# --- tokens to pieces in a family's styles ------------------------------------------------------

@dataclass(frozen=True)
class Styles:
    """A family's styles for each kind of token."""

    value: Style
    label: Style
    marker: Style  # the size of raised markers; markers on the baseline use `value`
    check: Style
    dollar: Style | None = None  # None: the value's style (so "$5" is one word)
    marker_rise: float = 0.0


def pieces(tokens: list[Token], styles: Styles, formats: Formats) -> list[Piece]:
    out = []
    for token in tokens:
        is_lead = token.slot.table is None and token.slot.column is None  # a footnote's own number
        if token.kind == "marker" and formats.marker_raised and not is_lead:
            out.append(Piece(token.text, styles.marker, token.slot, token.glue or bool(out), styles.marker_rise))
        elif token.kind == "marker":
            out.append(Piece(token.text, styles.value, token.slot, token.glue))
        elif token.kind == "check":
            style = styles.check if any(c in SYMBOL_GLYPHS for c in token.text) else styles.value
            out.append(Piece(token.text, style, token.slot, token.glue))
        elif token.kind == "dollar":
            out.append(Piece(token.text, styles.dollar or styles.value, token.slot, token.glue))
        elif token.kind == "label":
            out.append(Piece(token.text, styles.label, token.slot, token.glue))
        else:
            out.append(Piece(token.text, styles.value, token.slot, token.glue))
    return out
