"""Made-up Form 3, 4 and 5 filings that look like real ones, as Records.

Counts, codes, amounts, prices and dates are drawn from distributions measured on the train
split (`measure.py`, committed as `data/fake_distributions.json`); names, places and texts come
from invented vocabularies (`data/fake_words.json`), so nothing of a real filing is repeated.
A record is internally consistent: a Form 3 holds holdings only; codes agree with the
acquired/disposed direction `data/transaction_codes.json` states; amounts owned follow from the
transactions of the same holding; every footnote F1..Fn is cited by a cell, and every cited one
exists; dates run period <= transactions <= signature. It is written by `edgar_xml.write_xml`
as XSD-valid XML that reads back as the same record. Everything depends only on the seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from ..edgar_xml import DEFAULT_SCHEMA_VERSION, write_xml
from ..records import (
    Address,
    DerivativeRow,
    Footnote,
    Issuer,
    NonDerivativeRow,
    Record,
    Relationship,
    ReportingOwner,
    Signature,
    Source,
    Value,
)
from ..validate import TRANSACTION_CODES
from .fake_vocabulary import (
    Vocabulary,
    add_years,
    date,
    default_distributions,
    flag,
    load_vocabulary,
    money,
    number,
    spelled,
    text,
    weekday_on_or_after,
)
from .measure import FakeDistributions, draw_quantile, pick, pick_int, rate

DOCUMENT_TYPES = ("3", "3/A", "4", "4/A", "5", "5/A")
MAX_ROWS = 30  # per table, the XSD's limit
MAX_OWNERS = 10

# Form 5 reports what a Form 4 need not: gifts, small acquisitions, inheritances, late items.
FORM5_CODES = {"non_derivative": ("G", "J", "A", "W", "L", "P", "S", "I"), "derivative": ("A", "G", "J")}
# Which kinds of derivative security a code plausibly moves.
KINDS_FOR_CODE = {
    "A": ("option", "rsu"), "M": ("option", "rsu"), "X": ("option", "warrant"), "C": ("convertible",),
    "F": ("rsu", "option"), "S": ("warrant", "option", "convertible"), "P": ("warrant", "convertible"),
    "G": ("option", "convertible"), "D": ("rsu", "option"), "E": ("option",),
}
# Exercises and conversions of Table II show up as an acquisition in Table I.
LINKED_CODES = ("M", "X", "C")
PLACEHOLDER = "@"  # prefix of a footnote key while the footnote has no id yet


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


@dataclass
class _Security:
    """One derivative security of the filing: title and terms shared by the rows that move it."""

    key: int
    title: str
    kind: str
    price: Decimal | None
    exercise: dt.date | None
    expiration: dt.date | None


@dataclass
class _Note:
    topic: str
    text: str


class _Maker:
    """Builds one record; holds the random stream and what earlier parts decided."""

    def __init__(self, settings: FakeSettings, dist: FakeDistributions, words: Vocabulary):
        self.rng = random.Random(settings.seed)
        self.settings, self.dist, self.words = settings, dist, words
        self.notes: dict[str, _Note] = {}
        self.securities: list[_Security] = []

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

    # ------------------------------------------------------------ footnotes

    def cite(self, value: Value[Any], topic: str, key: str | None = None, **fill: Any) -> None:
        """Attach a footnote of `topic` to a cell; cells with the same key share one footnote."""
        key = key or f"{topic}#{len(self.notes)}"
        if key not in self.notes:
            note = _Note(topic, self.footnote_text(topic, **fill))
            # Two footnotes saying the same thing would be one footnote on a real form.
            key = next((k for k, n in self.notes.items() if n.text == note.text), key)
            self.notes.setdefault(key, note)
        mark = PLACEHOLDER + key
        if mark not in value.footnote_ids:
            value.footnote_ids.append(mark)

    def footnote_text(self, topic: str, **fill: Any) -> str:
        templates = self.words.footnotes[topic]
        target = draw_quantile(self.rng, self.dist.footnote_length, 0.05, 0.95)
        template = min(templates, key=lambda t: (abs(len(t) - target), self.rng.random()))
        return self.fill(template, **fill)

    def fill(self, template: str, **fill: Any) -> str:
        values = dict(self.context)
        values.update(fill)
        return template.format(**values).replace("..", ".")  # a name ending "Ltd." before a full stop

    # ------------------------------------------------------------ the record

    def make(self) -> Record:
        doc_type = self.document_type()
        form = doc_type[0]
        self.issuer = self.make_issuer()
        self.common = self.choice(self.words.common_titles)
        self.base_price = self.amount("non_derivative.price_per_share", 0.02, 0.95)
        self.period = self.period_of_report(form)
        self.agent = self.person_name()[2]  # one attorney-in-fact signs for every owner
        owners = self.make_owners()
        self.context = {
            "issuer": self.issuer.name.value, "common": self.common, "date": spelled(self.period),
            "year": self.period.year - self.rng.randint(0, 6),
            "installments": self.rng.choice(("three", "four", "five")),
            "vest_date": spelled(self.period + dt.timedelta(days=self.rng.randint(60, 400))),
            "plan_date": spelled(self.period - dt.timedelta(days=self.rng.randint(95, 400))),
            "entity": self.entity_name(), "person": self.person_name()[1], "ratio": self.rng.choice(("1", "1.5", "2")),
            "shares": f"{self.rng.randint(20, 4000):,}", "price": f"{self.base_price:.2f}",
            "low": f"{self.base_price * 0.98:.2f}", "high": f"{self.base_price * 1.02:.2f}", "title": self.common,
            "verb": "sold",
        }
        shape = self.shape(form)
        if form == "3":
            non_derivative, derivative = self.form3_rows(shape)
        else:
            non_derivative, derivative = self.transaction_rows(form, shape)
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
            remarks=text(self.remarks()),
            signatures=[Signature(name=text(self.signature_name(kind, printed)), date=date(signed))
                        for kind, printed in self.owner_names],
            source=Source(path=f"fake-{self.settings.seed}.xml", format="xml"),
        )
        self.set_flags(record, form)
        self.add_footnotes(record, form)
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

    # ------------------------------------------------------------ people and companies

    def make_issuer(self) -> Issuer:
        w = self.words
        stem = self.choice(w.company_stems)
        industry = [self.choice(w.company_industries)] if self.chance(0.7) else []
        parts = [stem, *industry, self.choice(w.company_suffixes)]
        name = self.cased(" ".join(parts), "issuer")
        letters = "".join(ch for ch in stem.upper() if ch.isalpha())
        extra = self.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") if self.chance(0.3) else ""
        ticker = letters[: self.rng.randint(2, 4)] + extra
        return Issuer(cik=text(self.digits(10_000, 1_999_999)), name=text(name), trading_symbol=text(ticker[:5]))

    def person_name(self) -> tuple[str, str, str]:
        """(XML name "Last First M", printed name "First M. Last", first and last for templates)."""
        first, last = self.choice(self.words.first_names), self.choice(self.words.last_names)
        initial = self.choice("ABCDEFGHJKLMNPRSTW")
        return f"{last} {first} {initial}", f"{first} {initial}. {last}", f"{first} {last}"

    def entity_name(self, stem: str | None = None) -> str:
        pattern = self.choice(self.words.entity_patterns)
        return pattern.format(stem=stem or self.choice(self.words.company_stems), roman=self.choice(self.words.roman),
                              number=self.rng.randint(1, 12), last=self.choice(self.words.last_names))

    def make_owners(self) -> list[ReportingOwner]:
        counts = self.dist.owners
        if self.settings.multi_owner:
            n = pick_int(self.rng, counts, 2, MAX_OWNERS, 2)
        else:
            n = pick_int(self.rng, counts, 1, MAX_OWNERS, 1)
        entity_rate = rate(self.dist.owner_entities, "entity")
        family = self.choice(self.words.company_stems)
        address = self.make_address()
        owners, self.owner_names = [], []
        for i in range(n):
            entity = self.chance(entity_rate) if n == 1 else (i > 0 or self.chance(0.5))
            if entity:
                name = self.entity_name(family if n > 1 else None)
                self.owner_names.append(("entity", name))
            else:
                xml_name, printed, _ = self.person_name()
                name = xml_name
                self.owner_names.append(("person", printed))
            owners.append(ReportingOwner(
                cik=text(self.digits(1_000_000, 2_099_999)), name=text(self.cased(name, "owner")[:150]),
                address=address if n > 1 else self.make_address(), relationship=self.relationship(entity)))
        return owners

    def relationship(self, entity: bool) -> Relationship:
        boxes = pick(self.rng, self.dist.relationships,
                     {k for k in self.dist.relationships if not (entity and ("officer" in k or "director" in k))})
        ticked = set((boxes or "director").split("+"))
        title = other = None
        if "officer" in ticked and self.chance(max(rate(self.dist.officer_title, "title"), 0.5)):
            title = self.cased(self.choice(self.words.officer_titles), "title")
        if "other" in ticked:
            other = self.choice(self.words.other_texts)
        return Relationship(
            is_director=flag("director" in ticked), is_officer=flag("officer" in ticked),
            is_ten_percent_owner=flag("ten_percent" in ticked), is_other=flag("other" in ticked),
            officer_title=text(title), other_text=text(other))

    def make_address(self) -> Address:
        w = self.words
        city = self.choice(w.cities)
        street = f"{self.rng.randint(1, 9999)} {self.choice(w.street_names)} {self.choice(w.street_suffixes)}"
        street1, street2 = street, None
        if self.chance(rate(self.dist.street2, "present")):
            if self.chance(0.5):
                issuer = self.issuer.name.value or ""
                street1, street2 = self.clip(f"C/O {issuer}", 40), street
            else:
                street2 = self.choice(w.street2_patterns).format(number=self.rng.randint(100, 4999),
                                                                  small=self.rng.randint(2, 40))
        zip_code = city.zip_prefix + f"{self.rng.randint(0, 99):02d}"
        if self.chance(0.1):
            zip_code += f"-{self.rng.randint(1, 9999):04d}"
        return Address(street1=text(self.cased(street1, "owner")), street2=text(street2),
                       city=text(self.cased(city.name, "owner")), state=text(city.state), zip_code=text(zip_code))

    @staticmethod
    def clip(value: str, limit: int) -> str:
        if len(value) <= limit:
            return value
        return value[:limit].rsplit(" ", 1)[0].rstrip(",")

    def signature_name(self, kind: str, printed: str) -> str:
        """A signature in one of the usual styles: the owner's own, or an attorney-in-fact's."""
        if kind == "person":
            first, initial, last = printed.split(" ", 2)
            values = {"first": first, "initial": initial.rstrip("."), "last": last}
        else:
            values = {"entity": printed}
        values["agent"] = self.agent
        pattern = self.choice(self.words.signature_patterns[kind])
        return pattern.format(**values)[:255]

    # ------------------------------------------------------------ table shapes

    def shape(self, form: str) -> tuple[int, int, int, int]:
        """Rows of each kind (Table I transactions, holdings, Table II transactions, holdings)."""
        s = self.settings
        shapes = self.dist.row_shapes.get("3" if form == "3" else "4") or self.dist.row_shapes["4"]

        def fits(key: str) -> bool:
            ndt, ndh, dt_, dh = map(int, key.split(","))
            total = ndt + ndh + dt_ + dh
            if not s.min_rows <= total <= s.max_rows or max(ndt + ndh, dt_ + dh) > MAX_ROWS:
                return False
            if form != "3" and ndt + dt_ == 0:
                return False  # a Form 4 or 5 reports at least one transaction
            return not s.derivative_heavy or (dt_ + dh >= max(3, ndt + ndh))

        key = pick(self.rng, shapes, {k for k in shapes if fits(k)})
        if key is not None:
            ndt, ndh, dt_, dh = map(int, key.split(","))
        else:  # no measured filing fits the request: stretch a measured one to it
            ndt, ndh, dt_, dh = map(int, (pick(self.rng, shapes) or "1,0,0,0").split(","))
            if s.derivative_heavy:
                dt_ = max(dt_, 3, ndt + ndh) if form != "3" else 0
                dh = max(dh, 3, ndt + ndh) if form == "3" else dh
            ndt, ndh, dt_, dh = self.clamp((ndt, ndh, dt_, dh), form)
        if form == "3":
            ndh, dh, ndt, dt_ = ndt + ndh, dt_ + dh, 0, 0
        return ndt, ndh, dt_, dh

    def clamp(self, shape: tuple[int, int, int, int], form: str) -> tuple[int, int, int, int]:
        s = self.settings
        rows = list(shape)
        while sum(rows) > s.max_rows:
            # A derivative-heavy filing gives up Table I rows first.
            shrink = (0, 1) if s.derivative_heavy and rows[0] + rows[1] else range(4)
            rows[max(shrink, key=lambda i: (rows[i], -i))] -= 1
        while sum(rows) < s.min_rows:
            index = 2 if s.derivative_heavy else self.rng.choice((0, 1, 2, 3))
            if rows[0] + rows[1] + (index < 2) > MAX_ROWS or rows[2] + rows[3] + (index >= 2) > MAX_ROWS:
                index = 2 if index < 2 else 0
            rows[index] += 1
        if form != "3" and rows[0] + rows[2] == 0:
            if rows[1]:
                rows[1] -= 1
            elif rows[3]:
                rows[3] -= 1
            rows[2 if s.derivative_heavy else 0] += 1
        return rows[0], rows[1], rows[2], rows[3]

    # ------------------------------------------------------------ codes, dates and ownership

    def code(self, table: str, form: str, exclude: tuple[str, ...] = ()) -> str:
        counts = {code: sum(ad.values()) for code, ad in self.dist.codes.get(table, {}).items()}
        allowed = {c for c in counts if c not in exclude and (form != "5" or c in FORM5_CODES[table])}
        return pick(self.rng, counts, allowed) or ("G" if form == "5" else "A")

    def direction(self, table: str, code: str) -> str:
        rule = TRANSACTION_CODES.get(code)
        if rule and table in rule.direction:
            return rule.direction[table]
        return pick(self.rng, self.dist.codes.get(table, {}).get(code, {})) or "A"

    def transaction_dates(self, form: str, count: int) -> list[dt.date]:
        if form == "5":  # reported after the fiscal year they happened in
            return sorted(self.period - dt.timedelta(days=self.rng.randint(1, 360)) for _ in range(count))
        gaps = [pick_int(self.rng, self.dist.transaction_gap_days, 0, 30, 0) for _ in range(count)]
        # On a Form 4 the period of report is the date of the earliest transaction.
        lowest = min(gaps, default=0)
        return sorted(self.period + dt.timedelta(days=g - lowest) for g in gaps)

    def ownership(self, table: str, kind: str, natures: list[str]) -> tuple[Value[str], Value[str]]:
        if not self.chance(rate(self.dist.direct_indirect.get(f"{table}.{kind}", {}), "I")):
            return text("D"), text(None)
        if kind == "transaction" and natures and self.chance(0.6):
            nature = self.choice(natures)  # the same trust or fund trading again
        else:
            for _ in range(8):
                choices = self.words.entity_natures if self.owner_names[0][0] == "entity" else self.words.natures
                nature = self.fill(self.choice(choices), last=self.choice(self.words.last_names),
                                   stem=self.choice(self.words.company_stems),
                                   roman=self.choice(self.words.roman))[:100]
                if nature not in natures:
                    break
            natures.append(nature)
        value = text(nature)
        if "footnote" in nature.lower():
            self.cite(value, "indirect", f"indirect:{nature}")
        return text("I"), value

    def security(self, code: str | None) -> _Security:
        """A derivative security for a row: often one already moved by an earlier transaction row."""
        kinds = KINDS_FOR_CODE.get(code or "")
        same = [s for s in self.securities if kinds is None or s.kind in kinds]
        if same and self.chance(0.5 if code else 0.15):
            return self.choice(same)
        options = [d for d in self.words.derivative_securities if kinds is None or d.kind in kinds]
        options = options or list(self.words.derivative_securities)
        chosen = options[int(pick(self.rng, {str(i): d.weight for i, d in enumerate(options)}) or 0)]
        granted = self.period - dt.timedelta(days=0 if code == "A" else self.rng.randint(200, 3000))
        price = exercise = expiration = None
        if chosen.kind in ("option", "warrant"):
            price = self.price(self.base_price * self.rng.uniform(0.3, 1.1), 0.0)
            if self.chance(0.5):
                exercise = add_years(granted, 1)
            term = pick_int(self.rng, self.dist.option_term_years, 1, 10, 10)
            while add_years(granted, term) <= self.period + dt.timedelta(days=30):
                term += 1  # still held, so not yet expired
            expiration = add_years(granted, term)
        elif chosen.kind == "rsu" and self.chance(0.3):
            price = Decimal(0)
        elif chosen.kind == "convertible" and self.chance(0.2):
            price = self.price(self.base_price, 0.2)
        security = _Security(len(self.securities), chosen.title, chosen.kind, price, exercise, expiration)
        self.securities.append(security)
        return security

    def security_cells(self, row: DerivativeRow, sec: _Security) -> None:
        """Price and dates of a derivative row; the missing ones carry the footnote that explains them."""
        row.conversion_or_exercise_price = number(sec.price)
        row.exercise_date, row.expiration_date = date(sec.exercise), date(sec.expiration)
        topics = {"option": ("exercise_price", "option_vesting", "expiration"),
                  "warrant": ("exercise_price", "exercisable", "expiration"),
                  "rsu": ("rsu_conversion", "rsu_vesting", "no_expiration"),
                  "convertible": ("convertible", "convertible", "convertible")}[sec.kind]
        shared = {"rsu_conversion": "rsu_conversion", "no_expiration": "no_expiration"}
        for cell, topic in zip((row.conversion_or_exercise_price, row.exercise_date, row.expiration_date), topics):
            if cell.value is None:
                key = shared.get(topic, f"{topic}:{sec.key}")
                self.cite(cell, topic, key, title=sec.title)

    # ------------------------------------------------------------ rows

    def form3_rows(self, shape: tuple[int, int, int, int]) -> tuple[list[NonDerivativeRow], list[DerivativeRow]]:
        _, ndh, _, dh = shape
        natures: list[str] = []
        non_derivative = []
        for i in range(ndh):
            direct, nature = (text("D"), text(None)) if i == 0 else self.ownership("non_derivative", "holding", natures)
            title = self.common if i == 0 or self.chance(0.8) else self.choice(self.words.other_non_derivative_titles)
            non_derivative.append(NonDerivativeRow(
                kind="holding", security_title=text(title),
                shares_owned_following=number(self.shares("non_derivative.shares_owned_following")),
                direct_or_indirect=direct, nature_of_ownership=nature))
        derivative = []
        for _ in range(dh):
            sec = self.security(None)
            direct, nature = self.ownership("derivative", "holding", natures)
            row = DerivativeRow(kind="holding", security_title=text(sec.title), underlying_title=text(self.common),
                                underlying_shares=number(self.shares("derivative.underlying_shares")),
                                direct_or_indirect=direct, nature_of_ownership=nature)
            self.security_cells(row, sec)
            derivative.append(row)
        return non_derivative, derivative

    def transaction_rows(self, form: str, shape: tuple[int, int, int, int]
                         ) -> tuple[list[NonDerivativeRow], list[DerivativeRow]]:
        ndt, ndh, dtn, dh = shape
        dates = self.transaction_dates(form, ndt + dtn)
        self.rng.shuffle(dates)
        if dates:  # the first date is always used, and the earliest is the period of a Form 4
            earliest = dates.index(min(dates))
            dates[0], dates[earliest] = dates[earliest], dates[0]
        natures: list[str] = []
        derivative: list[DerivativeRow] = []
        links: list[tuple[dt.date, Decimal, str, _Security]] = []
        room = max(0, self.settings.max_rows - sum(shape))
        for when in dates[:dtn]:
            code = self.code("derivative", form)
            sec = self.security(code)
            row = self.derivative_transaction(form, code, sec, when, natures)
            derivative.append(row)
            if (code in LINKED_CODES and row.acquired_disposed.value == "D" and self.chance(0.85)
                    and len(links) < min(ndt + room, MAX_ROWS - ndh)):
                links.append((when, row.shares.value, code, sec))
        non_derivative = [self.linked_row(form, *link) for link in links]
        exclude = LINKED_CODES if links else ()
        for when in dates[dtn:][: max(0, ndt - len(links))]:
            code = self.code("non_derivative", form, exclude)
            non_derivative.append(self.non_derivative_transaction(form, code, when, natures))
        non_derivative.sort(key=lambda r: r.transaction_date.value)
        derivative.sort(key=lambda r: r.transaction_date.value)
        self.chain(non_derivative, "non_derivative")
        self.chain(derivative, "derivative")
        taken = {(r.security_title.value, r.direct_or_indirect.value, r.nature_of_ownership.value)
                 for r in non_derivative}
        for _ in range(ndh):
            non_derivative.append(self.non_derivative_holding(natures, taken))
        for _ in range(dh):
            derivative.append(self.derivative_holding(natures))
        return non_derivative, derivative

    def coding(self, row: Any, form: str, code: str, when: dt.date) -> None:
        row.transaction_date = date(when)
        late = form == "5" and self.chance(0.1)
        row.transaction_form_type = text("4" if late else form)
        row.transaction_code = text(code)
        swaps = self.dist.flags.get("equity_swap_involved", {})
        row.equity_swap_involved = flag(self.chance(rate(swaps, "true")))
        timeliness = self.dist.cells.get("non_derivative.transaction_timeliness", {})
        if late or (form == "4" and self.chance(rate(timeliness, "value"))):
            row.transaction_timeliness = text("L")
        deemed = self.dist.cells.get("non_derivative.deemed_execution_date", {})
        if self.chance(rate(deemed, "value")):
            row.deemed_execution_date = date(when)

    def row_price(self, table: str, code: str, cell_price: Decimal | None) -> tuple[Value[Decimal], str | None]:
        """The price cell and, when it is empty, the topic of the footnote that must explain it."""
        outcome = pick(self.rng, self.dist.prices.get(table, {}).get(code, {})) or "value"
        if outcome == "zero":
            return number(0), None
        if outcome == "empty":
            topic = {"A": "grant", "M": "exercise", "X": "exercise", "G": "gift",
                     "F": "tax_withholding"}.get(code, "general")
            return number(None), topic
        return number(cell_price if cell_price is not None else self.price(self.base_price)), None

    def non_derivative_transaction(self, form: str, code: str, when: dt.date, natures: list[str]) -> NonDerivativeRow:
        title = self.common if self.chance(0.93) else self.choice(self.words.other_non_derivative_titles)
        direct, nature = self.ownership("non_derivative", "transaction", natures)
        row = NonDerivativeRow(security_title=text(title), shares=number(self.shares("non_derivative.shares")),
                               acquired_disposed=text(self.direction("non_derivative", code)),
                               direct_or_indirect=direct, nature_of_ownership=nature)
        self.coding(row, form, code, when)
        row.price_per_share, topic = self.row_price("non_derivative", code, None)
        if topic:
            self.cite(row.price_per_share, topic, f"price:{topic}")
        return row

    def linked_row(self, form: str, when: dt.date, shares: Decimal, code: str, sec: _Security) -> NonDerivativeRow:
        """The Table I acquisition an exercise or conversion in Table II produces."""
        row = NonDerivativeRow(security_title=text(self.common), shares=number(shares), acquired_disposed=text("A"),
                               direct_or_indirect=text("D"))
        self.coding(row, form, code, when)
        price = sec.price if sec.price is not None and sec.kind in ("option", "warrant") else None
        row.price_per_share, topic = self.row_price("non_derivative", code, price)
        if topic:
            self.cite(row.price_per_share, topic, f"price:{topic}:{sec.key}")
        return row

    def derivative_transaction(self, form: str, code: str, sec: _Security, when: dt.date,
                               natures: list[str]) -> DerivativeRow:
        direct, nature = self.ownership("derivative", "transaction", natures)
        shares = self.shares("derivative.shares", 0.05, 0.95)
        row = DerivativeRow(security_title=text(sec.title), shares=number(shares),
                            acquired_disposed=text(self.direction("derivative", code)),
                            underlying_title=text(self.common), underlying_shares=number(shares),
                            direct_or_indirect=direct, nature_of_ownership=nature)
        self.coding(row, form, code, when)
        self.security_cells(row, sec)
        value = self.price(self.base_price * self.rng.uniform(0.1, 0.6)) if code in ("S", "P") else sec.price
        row.price_per_share, topic = self.row_price("derivative", code, value)
        if topic:
            topic = "rsu_conversion" if sec.kind == "rsu" else "price_note"
            self.cite(row.price_per_share, topic, f"dprice:{topic}:{sec.key}")
        return row

    def non_derivative_holding(self, natures: list[str], taken: set[tuple[Any, ...]]) -> NonDerivativeRow:
        title = self.common if self.chance(0.85) else self.choice(self.words.other_non_derivative_titles)
        direct, nature = self.ownership("non_derivative", "holding", natures)
        if (title, direct.value, nature.value) in taken:  # the same position twice would contradict itself
            direct, nature = text("I"), text(self.fill("By {entity}")[:100])
            natures.append(nature.value or "")
        taken.add((title, direct.value, nature.value))
        return NonDerivativeRow(kind="holding", security_title=text(title),
                                shares_owned_following=number(self.shares("non_derivative.shares_owned_following")),
                                direct_or_indirect=direct, nature_of_ownership=nature)

    def derivative_holding(self, natures: list[str]) -> DerivativeRow:
        sec = self.security(None)
        direct, nature = self.ownership("derivative", "holding", natures)
        amount = self.shares("derivative.shares_owned_following")
        row = DerivativeRow(kind="holding", security_title=text(sec.title), underlying_title=text(self.common),
                            underlying_shares=number(amount), shares_owned_following=number(amount),
                            direct_or_indirect=direct, nature_of_ownership=nature)
        self.security_cells(row, sec)
        return row

    def chain(self, rows: list[Any], table: str) -> None:
        """Amounts owned after each transaction, running through the rows of one holding in order."""
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for row in rows:
            key = (row.security_title.value, row.direct_or_indirect.value, row.nature_of_ownership.value,
                   row.conversion_or_exercise_price.value if table == "derivative" else None)
            groups.setdefault(key, []).append(row)
        zeros = self.dist.zeros.get(f"{table}.shares_owned_following", {})
        for members in groups.values():
            disposed = sum((r.shares.value for r in members if r.acquired_disposed.value == "D"), Decimal(0))
            spare = Decimal(0) if self.chance(rate(zeros, "zero")) else self.shares(f"{table}.shares_owned_following")
            held = disposed + spare
            if all(r.acquired_disposed.value == "A" for r in members) and self.chance(0.4):
                held = Decimal(0)  # a first award: nothing held before it
            for row in members:
                held = held + row.shares.value if row.acquired_disposed.value == "A" else held - row.shares.value
                row.shares_owned_following = number(held)

    # ------------------------------------------------------------ footnotes and remarks

    def citable(self, record: Record) -> list[tuple[str, Value[Any], str, str | None, dict[str, str]]]:
        """Cells a footnote may be put on: (column, cell, topic, sharing key, template fill)."""
        cells: list[tuple[str, Value[Any], str, str | None, dict[str, str]]] = []
        code_topics = {"S": "plan_10b5_1", "G": "gift", "F": "tax_withholding", "A": "grant", "M": "exercise",
                       "X": "exercise", "P": "purchase", "C": "convertible"}
        share_topics = {"A": "grant", "F": "tax_withholding", "S": "sell_to_cover", "M": "exercise", "G": "gift",
                        "P": "purchase"}
        for table in ("non_derivative", "derivative"):
            for i, row in enumerate(getattr(record, table)):
                def add(column: str, topic: str, key: str | None = None, **fill: str) -> None:
                    # Unshared footnotes are keyed by their cell, so a cell never cites two alike.
                    cells.append((f"{table}.{column}", getattr(row, column), topic,
                                  key or f"{table}.{i}.{column}:{topic}", fill))

                code = row.transaction_code.value or ""
                kind = next((d.kind for d in self.words.derivative_securities
                             if d.title == row.security_title.value), "")
                add("security_title", {"rsu": "rsu_conversion", "option": "option_vesting",
                                       "convertible": "convertible"}.get(kind, "general"),
                    f"title:{row.security_title.value}", title=row.security_title.value or "")
                if row.kind == "transaction":
                    award = {"option": "option_vesting", "rsu": "rsu_vesting"}.get(kind, "grant")
                    add("transaction_code", award if code == "A" else code_topics.get(code, "general"),
                        "plan" if code == "S" else None)
                    add("transaction_date", "general")
                    add("shares", award if code == "A" else share_topics.get(code, "general"))
                    price = row.price_per_share.value
                    if price and code in ("S", "P"):
                        add("price_per_share", "weighted_average", None, low=f"{price * Decimal('0.99'):.2f}",
                            high=f"{price * Decimal('1.01'):.2f}", verb="sold" if code == "S" else "purchased")
                    elif price is not None and table == "derivative":
                        add("price_per_share", "price_note")
                    elif price is not None:
                        add("price_per_share", {"M": "exercise_price", "X": "exercise_price"}.get(
                            code, share_topics.get(code, "general")), price=f"{price:.2f}")
                    if table == "non_derivative":
                        add("acquired_disposed", "general")
                if row.shares_owned_following.value is not None:
                    add("shares_owned_following", "holdings_total")
                if row.direct_or_indirect.value == "I":
                    add("direct_or_indirect", "indirect", f"indirect:{row.nature_of_ownership.value}")
                    add("nature_of_ownership", "indirect", f"indirect:{row.nature_of_ownership.value}")
                if table == "derivative":
                    if row.conversion_or_exercise_price.value is not None:
                        add("conversion_or_exercise_price", "rsu_conversion" if kind == "rsu" else "exercise_price",
                            price=f"{row.conversion_or_exercise_price.value:.2f}")
                    if row.exercise_date.value is not None:
                        add("exercise_date", "option_vesting" if kind == "option" else "exercisable")
                    if row.expiration_date.value is not None:
                        add("expiration_date", "expiration")
                    add("underlying_shares", "rsu_conversion" if kind == "rsu" else "general")
        return cells

    def add_footnotes(self, record: Record, form: str) -> None:
        """Footnotes up to a measured count on cells weighted as real filings cite them; ids in reading order."""
        target = pick_int(self.rng, self.dist.footnotes, 0, 99, 1)
        cells = self.citable(record)
        columns = {c[0] for c in cells}
        weights = {k: v for k, v in self.dist.footnote_citations.items() if k in columns}
        for _ in range(4 * target):
            if len(self.notes) >= min(target, 99) or not weights:
                break
            column = pick(self.rng, weights)
            _, cell, topic, key, fill = self.choice([c for c in cells if c[0] == column])
            self.cite(cell, topic, key, **fill)
        ids: dict[str, str] = {}
        for _, cell in record.values():
            if any(mark.startswith(PLACEHOLDER) for mark in cell.footnote_ids):
                numbered = []
                for mark in cell.footnote_ids:
                    note_id = ids.setdefault(mark, f"F{len(ids) + 1}")
                    if note_id not in numbered:
                        numbered.append(note_id)
                cell.footnote_ids[:] = numbered
        record.footnotes = [Footnote(id=note_id, text=text(self.notes[mark[len(PLACEHOLDER):]].text))
                            for mark, note_id in ids.items()]

    def remarks(self) -> str | None:
        if self.settings.long_remarks:
            target = self.rng.randint(800, 1990)
        elif self.chance(rate(self.dist.remarks, "present")):
            target = int(draw_quantile(self.rng, self.dist.remarks_length))
        else:
            return None
        fill = {"part": self.rng.choice(("first", "second", "third")),
                "parts": self.rng.choice(("two", "three", "four")),
                "title": self.choice(self.words.officer_titles)}
        if target < 45:
            return self.fill(self.choice(self.words.remarks["short"]), **fill)
        sentences = list(self.words.remarks["sentences"]) + list(self.words.footnotes["indirect"])
        self.rng.shuffle(sentences)
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < target:
            parts.append(self.fill(sentences[len(parts) % len(sentences)], **fill))
        out = " ".join(parts)
        while len(out) > 2000:
            parts.pop()
            out = " ".join(parts)
        return out


# ---------------------------------------------------------------- entry points


def make_record(settings: FakeSettings | None = None, distributions: FakeDistributions | None = None) -> Record:
    """One made-up filing; the same settings always give the same record."""
    return _Maker(settings or FakeSettings(), distributions or default_distributions(), load_vocabulary()).make()


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
