"""What real filings look like, in numbers: the distributions the made-up filings are drawn from.

`measure(xml_dir)` reads a deterministic sample of ownership XML files (every file of a rare
document type, and evenly spaced files of the common one) and counts what the generator in
`fake.py` needs: how many owners, rows and footnotes a filing has, which transaction codes go
with which direction, how large amounts and prices are, how dates relate. Only counts and
quantiles are kept, never a name or a text, so the result can be committed
(`extractor/data/fake_distributions.json`); `pick` and `draw_quantile` draw from them again.
Run it on the train split:

    python -m extractor.synth.measure /work/shared/corpus/xml/train
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from collections import Counter
from bisect import bisect_left
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from ..edgar_xml import read_xml
from ..errors import Form4Error
from ..records import Record, Value

DISTRIBUTIONS_FILE = "fake_distributions.json"
DEFAULT_LIMIT = 4000

#: Probabilities at which quantiles are kept; the ends are trimmed so no single filing's extreme shows.
PROBABILITIES = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
                 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995)

# Day gaps beyond these bounds are pooled at the bound, so a histogram key never pins one filing.
GAP_BOUNDS = (-60, 400)

_DOCUMENT_TYPE = re.compile(rb"<documentType>\s*([0-9/A]+)\s*</documentType>")
_ENTITY_WORDS = re.compile(
    r"\b(LLC|L\.?L\.?C|LP|L\.?P|INC|CORP|CORPORATION|TRUST|FUND|CAPITAL|PARTNERS|HOLDINGS|LTD|LIMITED|"
    r"MANAGEMENT|ADVISORS|INVESTMENTS|GROUP|CO|COMPANY|FOUNDATION|PLC|N\.?V|S\.?A|GP|VENTURES)\b", re.I)
_ROW_COLUMNS = re.compile(r"^(non_derivative|derivative)\.\d+\.(.+)$")
_OWNER_FIELD = re.compile(r"^owners\.\d+\.(.+)$")


@dataclass(frozen=True)
class FakeDistributions:
    """Counts and quantiles measured on real filings. Histograms map an integer (as text) to a count."""

    source: str = ""
    files_in_source: int = 0
    files_measured: int = 0
    document_types: dict[str, int] = field(default_factory=dict)  # over every file of the source
    period_years: dict[str, int] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)
    owner_entities: dict[str, int] = field(default_factory=dict)  # "person"/"entity" by name words
    relationships: dict[str, int] = field(default_factory=dict)  # ticked boxes, e.g. "director+officer"
    officer_title: dict[str, int] = field(default_factory=dict)  # officer box ticked: "title"/"none"
    street2: dict[str, int] = field(default_factory=dict)
    upper_case: dict[str, dict[str, int]] = field(default_factory=dict)  # issuer/owner/title: upper/mixed
    # rows[form]["non_derivative_transaction" | ... ] -> histogram of rows per filing; form "3" or "4".
    rows: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # row_shapes[form]["ndt,ndh,dt,dh"] -> filings with that many rows of each kind (joint counts)
    row_shapes: dict[str, dict[str, int]] = field(default_factory=dict)
    no_securities_owned: dict[str, int] = field(default_factory=dict)  # Form 3: "true"/"false"
    footnotes: dict[str, int] = field(default_factory=dict)
    footnote_length: list[float] = field(default_factory=list)
    footnote_citations: dict[str, int] = field(default_factory=dict)  # cited column -> count
    remarks: dict[str, int] = field(default_factory=dict)  # "present"/"absent"
    remarks_length: list[float] = field(default_factory=list)
    signatures: dict[str, int] = field(default_factory=dict)
    # codes[table][code] -> {"A": n, "D": n}
    codes: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # prices[table][code] -> {"value": n, "zero": n, "empty": n}
    prices: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # amounts["non_derivative.shares"] etc. -> quantiles of the positive values at PROBABILITIES
    amounts: dict[str, list[float]] = field(default_factory=dict)
    # zeros["non_derivative.shares_owned_following"] -> {"zero": n, "positive": n}
    zeros: dict[str, dict[str, int]] = field(default_factory=dict)
    share_decimals: dict[str, int] = field(default_factory=dict)  # "integer"/"fraction"
    price_decimals: dict[str, int] = field(default_factory=dict)  # decimal places -> count
    direct_indirect: dict[str, dict[str, int]] = field(default_factory=dict)  # "table.kind" -> D/I
    flags: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> "true"/"false"
    # How a cell was filled: "value", "footnote" (footnote only) or "empty"
    cells: dict[str, dict[str, int]] = field(default_factory=dict)
    transaction_gap_days: dict[str, int] = field(default_factory=dict)  # transaction - period
    signature_gap_days: dict[str, int] = field(default_factory=dict)  # signature - period
    option_term_years: dict[str, int] = field(default_factory=dict)  # expiration - exercise, rounded

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(asdict(self), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FakeDistributions":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown distribution fields: {', '.join(unknown)}")
        return cls(**data)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "FakeDistributions":
        """The committed distributions, or those saved at `path`."""
        if path is None:
            text = resources.files("extractor.data").joinpath(DISTRIBUTIONS_FILE).read_text("utf-8")
            where = DISTRIBUTIONS_FILE
        else:
            text, where = Path(path).read_text(encoding="utf-8"), str(path)
        try:
            return cls.from_dict(json.loads(text))
        except (ValueError, TypeError) as exc:
            raise Form4Error(f"{where}: not a distributions file ({exc})") from None


# ---------------------------------------------------------------- drawing from the distributions


def pick(rng: random.Random, counts: dict[str, int], allowed: Any = None) -> str | None:
    """A key drawn with probability proportional to its count, among `allowed` keys if given."""
    items = sorted((k, n) for k, n in counts.items() if n > 0 and (allowed is None or k in allowed))
    if not items:
        return None
    total = sum(n for _, n in items)
    target = rng.random() * total
    for key, n in items:
        target -= n
        if target < 0:
            return key
    return items[-1][0]


def pick_int(rng: random.Random, counts: dict[str, int], low: int, high: int, default: int) -> int:
    key = pick(rng, counts, {str(i) for i in range(low, high + 1)})
    return default if key is None else int(key)


def rate(counts: dict[str, int], key: str) -> float:
    total = sum(counts.values())
    return counts.get(key, 0) / total if total else 0.0


def draw_quantile(rng: random.Random, quantiles: list[float], low: float = 0.0, high: float = 1.0) -> float:
    """A value from measured quantiles, interpolated on a log scale (amounts span decades)."""
    u = rng.uniform(low, high)
    if u <= PROBABILITIES[0]:
        return quantiles[0]
    if u >= PROBABILITIES[-1]:
        return quantiles[-1]
    i = bisect_left(PROBABILITIES, u)
    p0, p1 = PROBABILITIES[i - 1], PROBABILITIES[i]
    q0, q1 = max(quantiles[i - 1], 1e-4), max(quantiles[i], 1e-4)
    share = (u - p0) / (p1 - p0)
    return math.exp(math.log(q0) + (math.log(q1) - math.log(q0)) * share)


# ---------------------------------------------------------------- measuring


def quantiles(values: Iterable[float]) -> list[float]:
    data = sorted(values)
    if not data:
        return []
    out = []
    for p in PROBABILITIES:
        position = p * (len(data) - 1)
        low = math.floor(position)
        high = min(low + 1, len(data) - 1)
        value = data[low] + (data[high] - data[low]) * (position - low)
        out.append(float(f"{value:.4g}"))
    return out


def _gap(days: int) -> str:
    return str(max(GAP_BOUNDS[0], min(GAP_BOUNDS[1], days)))


def _cell(item: Value[Any]) -> str:
    if item.value is not None:
        return "value"
    return "footnote" if item.footnote_ids else "empty"


def _relationship_key(owner: Any) -> str:
    rel = owner.relationship
    boxes = [name for name, flag in (("director", rel.is_director), ("officer", rel.is_officer),
                                     ("ten_percent", rel.is_ten_percent_owner), ("other", rel.is_other))
             if flag.value]
    return "+".join(boxes) or "none"


def _case(text: str | None) -> str | None:
    if not text or not re.search(r"[A-Za-z]", text):
        return None
    return "upper" if text == text.upper() else "mixed"


class _Tally:
    """Collects counts while records are read; `result()` turns them into FakeDistributions."""

    def __init__(self) -> None:
        self.counters: dict[str, Counter[str]] = {}
        self.nested: dict[str, dict[str, Counter[str]]] = {}
        self.deep: dict[str, dict[str, dict[str, Counter[str]]]] = {}
        self.samples: dict[str, list[float]] = {}

    def count(self, name: str, key: Any, n: int = 1) -> None:
        self.counters.setdefault(name, Counter())[str(key)] += n

    def count2(self, name: str, outer: str, key: Any) -> None:
        self.nested.setdefault(name, {}).setdefault(outer, Counter())[str(key)] += 1

    def count3(self, name: str, a: str, b: str, key: Any) -> None:
        self.deep.setdefault(name, {}).setdefault(a, {}).setdefault(b, Counter())[str(key)] += 1

    def sample(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(value)

    def add(self, record: Record) -> None:
        doc_type = record.document_type.value or "4"
        form = doc_type[0]
        period = record.period_of_report.value
        if period:
            self.count("period_years", period.year)
        self.count("owners", len(record.owners))
        self.count("signatures", len(record.signatures))
        self.count("footnotes", len(record.footnotes))
        self.count2("flags", "joint_filing", str(len(record.owners) > 1).lower())
        if form in "45":
            self.count2("flags", "not_subject_to_section16", str(bool(record.not_subject_to_section16.value)).lower())
            # The box only exists since schema X0508; older filings read as False without having it.
            if (record.schema_version or "") >= "X0508":
                self.count2("flags", "aff10b5_one", str(bool(record.aff10b5_one.value)).lower())
        if form == "3":
            self.count("no_securities_owned", str(bool(record.no_securities_owned.value)).lower())
        self.count2("upper_case", "issuer", _case(record.issuer.name.value))
        for owner in record.owners:
            name = owner.name.value or ""
            self.count("owner_entities", "entity" if _ENTITY_WORDS.search(name) else "person")
            self.count2("upper_case", "owner", _case(name))
            key = _relationship_key(owner)
            self.count("relationships", key)
            if owner.relationship.is_officer.value:
                title = owner.relationship.officer_title.value
                self.count("officer_title", "title" if title else "none")
                self.count2("upper_case", "title", _case(title))
            if owner.address.street1.value or owner.address.street2.value:
                self.count("street2", "present" if owner.address.street2.value else "absent")
        self._rows(record, form, period)
        for note in record.footnotes:
            if note.text.value:
                self.sample("footnote_length", len(note.text.value))
        for path, item in record.values():
            if item.footnote_ids:
                self.count("footnote_citations", _column(path), len(item.footnote_ids))
        remarks = record.remarks.value
        self.count("remarks", "present" if remarks else "absent")
        if remarks:
            self.sample("remarks_length", len(remarks))
        if period:
            for signature in record.signatures:
                if signature.date.value:
                    self.count("signature_gap_days", _gap((signature.date.value - period).days))

    def _rows(self, record: Record, form: str, period: Any) -> None:
        group = "3" if form == "3" else "4"
        shape = []
        for table in ("non_derivative", "derivative"):
            rows = getattr(record, table)
            for kind in ("transaction", "holding"):
                count = sum(r.kind == kind for r in rows)
                shape.append(str(count))
                self.count2(f"rows.{group}", f"{table}_{kind}", count)
            for row in rows:
                self._row(table, row, form, period)
        self.count2("row_shapes", group, ",".join(shape))

    def _row(self, table: str, row: Any, form: str, period: Any) -> None:
        direct = row.direct_or_indirect.value
        if direct in ("D", "I"):
            self.count2("direct_indirect", f"{table}.{row.kind}", direct)
        if direct == "I":
            self.count2("cells", f"{table}.nature_of_ownership", _cell(row.nature_of_ownership))
        self._amount(f"{table}.shares_owned_following", row.shares_owned_following.value)
        if table == "derivative":
            self._amount(f"{table}.underlying_shares", row.underlying_shares.value)
            self._amount(f"{table}.conversion_or_exercise_price", row.conversion_or_exercise_price.value)
            for name in ("conversion_or_exercise_price", "exercise_date", "expiration_date", "underlying_shares"):
                self.count2("cells", f"{table}.{name}", _cell(getattr(row, name)))
            opens, closes = row.exercise_date.value, row.expiration_date.value
            if opens and closes and closes >= opens:
                self.count("option_term_years", round((closes - opens).days / 365.25))
        if row.kind != "transaction":
            return
        code = row.transaction_code.value
        direction = row.acquired_disposed.value
        if code and direction in ("A", "D"):
            self.count3("codes", table, code, direction)
        price = row.price_per_share.value
        if code:
            self.count3("prices", table, code, "empty" if price is None else "zero" if price == 0 else "value")
        self.count2("cells", f"{table}.price_per_share", _cell(row.price_per_share))
        self.count2("cells", f"{table}.deemed_execution_date", _cell(row.deemed_execution_date))
        self.count2("cells", f"{table}.transaction_timeliness", _cell(row.transaction_timeliness))
        self.count2("flags", "equity_swap_involved", str(bool(row.equity_swap_involved.value)).lower())
        shares = row.shares.value
        self._amount(f"{table}.shares", shares)
        if shares is not None:
            self.count("share_decimals", "integer" if shares == shares.to_integral_value() else "fraction")
        if price is not None and price > 0:
            self._amount(f"{table}.price_per_share", price)
            self.count("price_decimals", min(4, max(0, -price.normalize().as_tuple().exponent)))
        when = row.transaction_date.value
        if when and period and form == "4":
            self.count("transaction_gap_days", _gap((when - period).days))

    def _amount(self, name: str, value: Decimal | None) -> None:
        if value is None:
            return
        self.count2("zeros", name, "zero" if value == 0 else "positive")
        if value > 0:
            self.sample(name, float(value))

    def result(self, source: str, files_in_source: int, files_measured: int,
               document_types: Counter[str]) -> FakeDistributions:
        def plain(counter: Counter[str] | None) -> dict[str, int]:
            return {k: v for k, v in sorted((counter or Counter()).items()) if k != "None"}

        def nested(name: str) -> dict[str, dict[str, int]]:
            return {k: plain(c) for k, c in sorted(self.nested.get(name, {}).items())}

        def deep(name: str) -> dict[str, dict[str, dict[str, int]]]:
            tables = sorted(self.deep.get(name, {}).items())
            return {t: {k: plain(c) for k, c in sorted(inner.items())} for t, inner in tables}

        amounts = {name: quantiles(values) for name, values in sorted(self.samples.items())
                   if name not in ("footnote_length", "remarks_length")}
        return FakeDistributions(
            source=source,
            files_in_source=files_in_source,
            files_measured=files_measured,
            document_types=dict(sorted(document_types.items())),
            period_years=plain(self.counters.get("period_years")),
            owners=plain(self.counters.get("owners")),
            owner_entities=plain(self.counters.get("owner_entities")),
            relationships=plain(self.counters.get("relationships")),
            officer_title=plain(self.counters.get("officer_title")),
            street2=plain(self.counters.get("street2")),
            upper_case=nested("upper_case"),
            rows={group: nested(f"rows.{group}") for group in ("3", "4") if f"rows.{group}" in self.nested},
            row_shapes=nested("row_shapes"),
            no_securities_owned=plain(self.counters.get("no_securities_owned")),
            footnotes=plain(self.counters.get("footnotes")),
            footnote_length=quantiles(self.samples.get("footnote_length", [])),
            footnote_citations=plain(self.counters.get("footnote_citations")),
            remarks=plain(self.counters.get("remarks")),
            remarks_length=quantiles(self.samples.get("remarks_length", [])),
            signatures=plain(self.counters.get("signatures")),
            codes=deep("codes"),
            prices=deep("prices"),
            amounts=amounts,
            zeros=nested("zeros"),
            share_decimals=plain(self.counters.get("share_decimals")),
            price_decimals=plain(self.counters.get("price_decimals")),
            direct_indirect=nested("direct_indirect"),
            flags=nested("flags"),
            cells=nested("cells"),
            transaction_gap_days=plain(self.counters.get("transaction_gap_days")),
            signature_gap_days=plain(self.counters.get("signature_gap_days")),
            option_term_years=plain(self.counters.get("option_term_years")),
        )


def _column(path: str) -> str:
    """A value path without row or owner numbers: 'non_derivative.3.shares' -> 'non_derivative.shares'."""
    match = _ROW_COLUMNS.match(path)
    if match:
        return f"{match.group(1)}.{match.group(2)}"
    match = _OWNER_FIELD.match(path)
    return f"owners.{match.group(1)}" if match else path


def _document_type(data: bytes) -> str | None:
    match = _DOCUMENT_TYPE.search(data[:4096]) or _DOCUMENT_TYPE.search(data)
    return match.group(1).decode() if match else None


def measure(xml_dir: str | Path, limit: int = DEFAULT_LIMIT) -> FakeDistributions:
    """Distributions over `xml_dir`: every file of a rare document type plus `limit` evenly spaced others.

    Document type frequencies count every file; the rest counts the measured sample.
    """
    xml_dir = Path(xml_dir)
    if not xml_dir.is_dir():
        raise Form4Error(f"{xml_dir}: not a folder of ownership XML files")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    files = sorted(xml_dir.glob("*.xml"))
    if not files:
        raise Form4Error(f"{xml_dir}: no .xml files there")
    types: dict[Path, str] = {}
    for path in files:
        doc_type = _document_type(path.read_bytes())
        if doc_type:
            types[path] = doc_type
    document_types = Counter(types.values())
    common = document_types.most_common(1)[0][0]
    rare = [p for p, t in types.items() if t != common]
    usual = [p for p, t in types.items() if t == common]
    step = max(1, len(usual) // limit)
    chosen = sorted(set(rare) | set(usual[::step][:limit]))
    tally = _Tally()
    measured = 0
    for path in chosen:
        try:
            record = read_xml(path.read_bytes(), path.name)
        except Form4Error:
            continue
        tally.add(record)
        measured += 1
    return tally.result(xml_dir.name, len(files), measured, document_types)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     epilog="Example: python -m extractor.synth.measure /work/shared/corpus/xml/train")
    parser.add_argument("xml_dir", type=Path, help="folder of ownership XML files (the train split)")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="files of the common document type to read")
    default_out = Path(__file__).resolve().parents[1] / "data" / DISTRIBUTIONS_FILE
    parser.add_argument("--out", type=Path, default=default_out, help="where to write the JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = measure(args.xml_dir, args.limit)
    except Form4Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    result.save(args.out)
    print(f"{args.out}: {result.files_measured} of {result.files_in_source} files measured "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
