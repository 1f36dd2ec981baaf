"""Made-up Form 3, 4 and 5 filings that look like real ones, as Records.

Counts, codes, amounts, prices and dates are drawn from distributions measured on the train
split (`measure.py`, committed as `data/fake_distributions.json`); names, places and texts come
from invented vocabularies (`data/fake_words.json`), so nothing of a real filing is repeated.
A record is internally consistent: a Form 3 holds holdings only; codes agree with the
acquired/disposed direction `data/transaction_codes.json` states; amounts owned follow from the
transactions of the same holding; every footnote F1..Fn is cited by a cell, and every cited one
exists; dates run period <= transactions <= signature. It is written by `edgar_xml.write_xml`
as XSD-valid XML that reads back as the same record. Everything depends only on the seed.

The parts of a record are made in `fake_people.py` (issuer, owners, signatures), `fake_rows.py`
(the tables) and `fake_footnotes.py` (footnotes and remarks), all drawing from the one random
stream of a `Maker`, so the order of the calls below is the order of the draws.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from ..edgar_xml import DEFAULT_SCHEMA_VERSION, write_xml
from ..records import Record, Signature, Source
from .fake_footnotes import PLACEHOLDER, Note, add_footnotes, make_remarks
from .fake_people import MAX_OWNERS, entity_name, make_issuer, make_owners, person_name, signature_name
from .fake_rows import (
    FORM5_CODES,
    KINDS_FOR_CODE,
    LINKED_CODES,
    MAX_ROWS,
    Security,
    form3_rows,
    table_shape,
    transaction_rows,
)
from .fake_vocabulary import (
    Vocabulary,
    date,
    default_distributions,
    flag,
    load_vocabulary,
    money,
    spelled,
    text,
    weekday_on_or_after,
)
from .measure import FakeDistributions, draw_quantile, pick, pick_int, rate

__all__ = [
    "DOCUMENT_TYPES", "FORM5_CODES", "KINDS_FOR_CODE", "LINKED_CODES", "MAX_OWNERS", "MAX_ROWS", "PLACEHOLDER",
    "FakeSettings", "default_distributions", "load_vocabulary", "make_record", "make_records",
    "write_fake_corpus",
]

DOCUMENT_TYPES = ("3", "3/A", "4", "4/A", "5", "5/A")


@dataclass(frozen=True)
class FakeSettings:
    """What kind of filing to make. `min_rows`/`max_rows` count rows of both tables together."""

    seed: int = 0
    document_type: str | None = None  # None: drawn from the measured frequencies
    min_rows: int = 0
    max_rows: int = 2 * MAX_ROWS
    derivative_heavy: bool = False  # Table II at least as long as Table I, and 3 rows or more
    multi_owner: bool = False  # 2 or more reporting owners (a joint filing)
    long_remarks: bool = False  # remarks of 800 to 2,000 characters
    amendment: bool = False  # 3/A, 4/A or 5/A, with the date of the original submission

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TypeError(f"seed must be an integer, not {self.seed!r}")
        if self.document_type is not None and self.document_type not in DOCUMENT_TYPES:
            raise ValueError(f"document_type must be one of {', '.join(DOCUMENT_TYPES)} or None, "
                             f"not {self.document_type!r}")
        for name in ("min_rows", "max_rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an integer, not {value!r}")
            if not 0 <= value <= 2 * MAX_ROWS:
                raise ValueError(f"{name} must be between 0 and {2 * MAX_ROWS}, not {value}")
        if self.min_rows > self.max_rows:
            raise ValueError(f"min_rows {self.min_rows} is above max_rows {self.max_rows}")
        for name in ("derivative_heavy", "multi_owner", "long_remarks", "amendment"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, not {getattr(self, name)!r}")
        if self.document_type and self.document_type.endswith("/A"):
            object.__setattr__(self, "amendment", True)
        elif self.document_type and self.amendment:
            object.__setattr__(self, "document_type", self.document_type + "/A")
        if self.derivative_heavy and self.max_rows < 3:
            raise ValueError("derivative_heavy needs max_rows of 3 or more")
        if self.document_type in ("4", "4/A", "5", "5/A") and self.max_rows < 1:
            raise ValueError(f"a Form {self.document_type} needs max_rows of 1 or more")




class Maker:
    """Builds one record; holds the random stream and what earlier parts decided."""

    def __init__(self, settings: FakeSettings, dist: FakeDistributions, words: Vocabulary):
        self.rng = random.Random(settings.seed)
        self.settings, self.dist, self.words = settings, dist, words
        self.notes: dict[str, Note] = {}
        self.securities: list[Security] = []

    # ------------------------------------------------------------ small draws

    def choice(self, items: Any) -> Any:
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def amount(self, name: str, low: float = 0.0, high: float = 1.0) -> float:
        return draw_quantile(self.rng, self.dist.amounts[name], low, high)

    def shares(self, name: str, low: float = 0.0, high: float = 0.97) -> Decimal:
        value = self.amount(name, low, high)
        if self.chance(rate(self.dist.share_decimals, "fraction")):
            return money(value, self.rng.randint(1, 4))
        return Decimal(max(1, round(value)))

    def price(self, around: float, spread: float = 0.03) -> Decimal:
        places = int(pick(self.rng, self.dist.price_decimals) or 2)
        return money(around * self.rng.uniform(1 - spread, 1 + spread), places)

    def cased(self, value: str, what: str) -> str:
        return value.upper() if self.chance(rate(self.dist.upper_case.get(what, {}), "upper")) else value

    def digits(self, low: int, high: int) -> str:
        return f"{self.rng.randint(low, high):010d}"

    # ------------------------------------------------------------ the record

    def make(self) -> Record:
        doc_type = self.document_type()
        form = doc_type[0]
        self.issuer = make_issuer(self)
        self.common = self.choice(self.words.common_titles)
        self.base_price = self.amount("non_derivative.price_per_share", 0.02, 0.95)
        self.period = self.period_of_report(form)
        self.agent = person_name(self)[2]  # one attorney-in-fact signs for every owner
        owners = make_owners(self)
        self.context = {
            "issuer": self.issuer.name.value, "common": self.common, "date": spelled(self.period),
            "year": self.period.year - self.rng.randint(0, 6),
            "installments": self.rng.choice(("three", "four", "five")),
            "vest_date": spelled(self.period + dt.timedelta(days=self.rng.randint(60, 400))),
            "plan_date": spelled(self.period - dt.timedelta(days=self.rng.randint(95, 400))),
            "entity": entity_name(self), "person": person_name(self)[1], "ratio": self.rng.choice(("1", "1.5", "2")),
            "shares": f"{self.rng.randint(20, 4000):,}", "price": f"{self.base_price:.2f}",
            "low": f"{self.base_price * 0.98:.2f}", "high": f"{self.base_price * 1.02:.2f}", "title": self.common,
            "verb": "sold",
        }
        shape = table_shape(self, form)
        if form == "3":
            non_derivative, derivative = form3_rows(self, shape)
        else:
            non_derivative, derivative = transaction_rows(self, form, shape)
        last_transaction = max((r.transaction_date.value for r in non_derivative + derivative
                                if r.transaction_date.value), default=self.period)
        signed, original = self.signature_dates(form, doc_type, last_transaction)
        record = Record(
            schema_version=DEFAULT_SCHEMA_VERSION,
            document_type=text(doc_type),
            period_of_report=date(self.period),
            date_of_original_submission=date(original),
            issuer=self.issuer,
            owners=owners,
            joint_filing=flag(len(owners) > 1),
            non_derivative=non_derivative,
            derivative=derivative,
            remarks=text(make_remarks(self)),
            signatures=[Signature(name=text(signature_name(self, kind, printed)), date=date(signed))
                        for kind, printed in self.owner_names],
            source=Source(path=f"fake-{self.settings.seed}.xml", format="xml"),
        )
        self.set_flags(record, form)
        add_footnotes(self, record, form)
        return record

    def document_type(self) -> str:
        if self.settings.document_type:
            return self.settings.document_type
        doc_type = pick(self.rng, self.dist.document_types) or "4"
        return doc_type + "/A" if self.settings.amendment and not doc_type.endswith("/A") else doc_type

    def set_flags(self, record: Record, form: str) -> None:
        flags = self.dist.flags
        if form == "3":
            record.no_securities_owned = flag(not (record.non_derivative or record.derivative))
            return
        record.not_subject_to_section16 = flag(self.chance(rate(flags.get("not_subject_to_section16", {}), "true")))
        record.aff10b5_one = flag(self.chance(rate(flags.get("aff10b5_one", {}), "true")))
        if form == "5":
            record.form3_holdings_reported = flag(self.chance(0.05))
            record.form4_transactions_reported = flag(self.chance(0.05))

    def period_of_report(self, form: str) -> dt.date:
        year = int(pick(self.rng, self.dist.period_years) or 2023)
        if form == "5":  # a fiscal year end, mostly December
            month = 12 if self.chance(0.8) else self.rng.choice((3, 6, 9))
            end = dt.date(year, month, 28)
            while (end + dt.timedelta(days=1)).month == month:
                end += dt.timedelta(days=1)
            return end
        return weekday_on_or_after(dt.date(year, 1, 2) + dt.timedelta(days=self.rng.randint(0, 355)))

    def signature_dates(self, form: str, doc_type: str, last_transaction: dt.date) -> tuple[dt.date, dt.date | None]:
        gaps = self.dist.signature_gap_days
        if form == "5":
            signed = self.period + dt.timedelta(days=self.rng.randint(5, 45))
        elif form == "3":
            signed = self.period + dt.timedelta(days=pick_int(self.rng, gaps, 0, 10, 1))
        else:
            signed = max(self.period + dt.timedelta(days=pick_int(self.rng, gaps, 0, 60, 1)), last_transaction)
        if not doc_type.endswith("/A"):
            return signed, None
        return signed + dt.timedelta(days=self.rng.randint(1, 180)), signed


# ---------------------------------------------------------------- entry points


def make_record(settings: FakeSettings | None = None, distributions: FakeDistributions | None = None) -> Record:
    """One made-up filing; the same settings always give the same record."""
    return Maker(settings or FakeSettings(), distributions or default_distributions(), load_vocabulary()).make()


def make_records(n: int, seed: int = 0, settings: FakeSettings | None = None,
                 distributions: FakeDistributions | None = None) -> Iterator[Record]:
    """`n` made-up filings from one seed, each with its own seed drawn from it; `settings` gives the variant."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a whole number >= 0, not {n!r}")
    base = settings or FakeSettings()
    seeds = random.Random(seed)
    for i in range(n):
        record = make_record(replace(base, seed=seeds.getrandbits(48)), distributions)
        record.source = Source(path=f"fake-{seed}-{i}.xml", format="xml")
        yield record


def write_fake_corpus(out_dir: str | Path, n: int, seed: int = 0, settings: FakeSettings | None = None) -> list[Path]:
    """Write `n` made-up filings as ownership XML files `fake-<seed>-<i>.xml`; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, record in enumerate(make_records(n, seed, settings)):
        path = out / f"fake-{seed}-{i}.xml"
        path.write_bytes(write_xml(record))
        paths.append(path)
    return paths
