"""The made-up filings' vocabulary and small value helpers.

Names, places, titles and texts are invented (`data/fake_words.json`); the helpers build typed
`Value`s and dates the generator in `fake.py` needs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from ..records import Value
from .measure import FakeDistributions

WORDS_FILE = "fake_words.json"


@dataclass(frozen=True)
class City:
    name: str
    state: str
    zip_prefix: str


@dataclass(frozen=True)
class DerivativeSecurity:
    title: str
    kind: str  # option, rsu, warrant or convertible
    weight: int


@dataclass(frozen=True)
class Vocabulary:
    """The invented words of `data/fake_words.json`."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    company_stems: tuple[str, ...]
    company_industries: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    entity_patterns: tuple[str, ...]
    roman: tuple[str, ...]
    street_names: tuple[str, ...]
    street_suffixes: tuple[str, ...]
    street2_patterns: tuple[str, ...]
    cities: tuple[City, ...]
    officer_titles: tuple[str, ...]
    other_texts: tuple[str, ...]
    common_titles: tuple[str, ...]
    other_non_derivative_titles: tuple[str, ...]
    derivative_securities: tuple[DerivativeSecurity, ...]
    natures: tuple[str, ...]
    entity_natures: tuple[str, ...]  # for an owner that is a fund or company: no spouse, no IRA
    signature_patterns: dict[str, tuple[str, ...]]
    footnotes: dict[str, tuple[str, ...]]
    remarks: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    data = json.loads(resources.files("extractor.data").joinpath(WORDS_FILE).read_text("utf-8"))
    data.pop("_about", None)
    groups = ("signature_patterns", "footnotes", "remarks")
    fields: dict[str, Any] = {k: tuple(v) for k, v in data.items() if k not in groups}
    fields["cities"] = tuple(City(*c) for c in data["cities"])
    fields["derivative_securities"] = tuple(DerivativeSecurity(**d) for d in data["derivative_securities"])
    for group in groups:
        fields[group] = {k: tuple(v) for k, v in data[group].items()}
    return Vocabulary(**fields)


@lru_cache(maxsize=1)
def default_distributions() -> FakeDistributions:
    return FakeDistributions.load()


# ---------------------------------------------------------------- typed values


def text(value: str | None) -> Value[str]:
    return Value[str](value=value)


def number(value: Decimal | int | None) -> Value[Decimal]:
    return Value[Decimal](value=None if value is None else Decimal(value))


def date(value: dt.date | None) -> Value[dt.date]:
    return Value[dt.date](value=value)


def flag(value: bool | None) -> Value[bool]:
    return Value[bool](value=value)


def money(value: float, places: int) -> Decimal:
    """A positive amount rounded to `places` decimals (the XSD allows four), never rounded to zero."""
    places = max(0, min(4, places))
    while places < 4 and value < 10 ** -places * 10:
        places += 1  # small prices keep their cents
    step = Decimal(1).scaleb(-places)
    amount = Decimal(repr(value)).quantize(step)
    return amount if amount > 0 else step


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29 in a year without one
        return day.replace(year=day.year + years, day=28)


def spelled(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day
