"""Made-up table rows: how many of each kind, their codes, dates, ownership and derivative securities.

Codes agree with the acquired/disposed direction `data/transaction_codes.json` states; an
exercise or conversion in Table II brings its acquisition in Table I; amounts owned follow from
the transactions of the same holding. Every draw comes from the filing's one random stream, in
the order the rows are made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..records import DerivativeRow, NonDerivativeRow, Value
from ..validate import TRANSACTION_CODES
from .fake_footnotes import cite, fill_template
from .fake_vocabulary import add_years, date, flag, number, text
from .measure import pick, pick_int, rate

if TYPE_CHECKING:
    from .fake import Maker

MAX_ROWS = 30  # per table, the XSD's limit

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


@dataclass
class Security:
    """One derivative security of the filing: title and terms shared by the rows that move it."""

    key: int
    title: str
    kind: str
    price: Decimal | None
    exercise: dt.date | None
    expiration: dt.date | None


# ------------------------------------------------------------ table shapes


def table_shape(m: Maker, form: str) -> tuple[int, int, int, int]:
    """Rows of each kind (Table I transactions, holdings, Table II transactions, holdings)."""
    s = m.settings
    shapes = m.dist.row_shapes.get("3" if form == "3" else "4") or m.dist.row_shapes["4"]

    def fits(key: str) -> bool:
        ndt, ndh, dt_, dh = map(int, key.split(","))
        total = ndt + ndh + dt_ + dh
        if not s.min_rows <= total <= s.max_rows or max(ndt + ndh, dt_ + dh) > MAX_ROWS:
            return False
        if form != "3" and ndt + dt_ == 0:
            return False  # a Form 4 or 5 reports at least one transaction
        return not s.derivative_heavy or (dt_ + dh >= max(3, ndt + ndh))

    key = pick(m.rng, shapes, {k for k in shapes if fits(k)})
    if key is not None:
        ndt, ndh, dt_, dh = map(int, key.split(","))
    else:  # no measured filing fits the request: stretch a measured one to it
        ndt, ndh, dt_, dh = map(int, (pick(m.rng, shapes) or "1,0,0,0").split(","))
        if s.derivative_heavy:
            dt_ = max(dt_, 3, ndt + ndh) if form != "3" else 0
            dh = max(dh, 3, ndt + ndh) if form == "3" else dh
        ndt, ndh, dt_, dh = clamp_shape(m, (ndt, ndh, dt_, dh), form)
    if form == "3":
        ndh, dh, ndt, dt_ = ndt + ndh, dt_ + dh, 0, 0
    return ndt, ndh, dt_, dh


def clamp_shape(m: Maker, shape: tuple[int, int, int, int], form: str) -> tuple[int, int, int, int]:
    s = m.settings
    rows = list(shape)
    while sum(rows) > s.max_rows:
        # A derivative-heavy filing gives up Table I rows first.
        shrink = (0, 1) if s.derivative_heavy and rows[0] + rows[1] else range(4)
        rows[max(shrink, key=lambda i: (rows[i], -i))] -= 1
    while sum(rows) < s.min_rows:
        index = 2 if s.derivative_heavy else m.rng.choice((0, 1, 2, 3))
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


def draw_code(m: Maker, table: str, form: str, exclude: tuple[str, ...] = ()) -> str:
    counts = {code: sum(ad.values()) for code, ad in m.dist.codes.get(table, {}).items()}
    allowed = {c for c in counts if c not in exclude and (form != "5" or c in FORM5_CODES[table])}
    return pick(m.rng, counts, allowed) or ("G" if form == "5" else "A")


def direction(m: Maker, table: str, code: str) -> str:
    rule = TRANSACTION_CODES.get(code)
    if rule and table in rule.direction:
        return rule.direction[table]
    return pick(m.rng, m.dist.codes.get(table, {}).get(code, {})) or "A"


def transaction_dates(m: Maker, form: str, count: int) -> list[dt.date]:
    if form == "5":  # reported after the fiscal year they happened in
        return sorted(m.period - dt.timedelta(days=m.rng.randint(1, 360)) for _ in range(count))
    gaps = [pick_int(m.rng, m.dist.transaction_gap_days, 0, 30, 0) for _ in range(count)]
    # On a Form 4 the period of report is the date of the earliest transaction.
    lowest = min(gaps, default=0)
    return sorted(m.period + dt.timedelta(days=g - lowest) for g in gaps)


def ownership(m: Maker, table: str, kind: str, natures: list[str]) -> tuple[Value[str], Value[str]]:
    if not m.chance(rate(m.dist.direct_indirect.get(f"{table}.{kind}", {}), "I")):
        return text("D"), text(None)
    if kind == "transaction" and natures and m.chance(0.6):
        nature = m.choice(natures)  # the same trust or fund trading again
    else:
        for _ in range(8):
            choices = m.words.entity_natures if m.owner_names[0][0] == "entity" else m.words.natures
            nature = fill_template(m, m.choice(choices), last=m.choice(m.words.last_names),
                                   stem=m.choice(m.words.company_stems),
                                   roman=m.choice(m.words.roman))[:100]
            if nature not in natures:
                break
        natures.append(nature)
    value = text(nature)
    if "footnote" in nature.lower():
        cite(m, value, "indirect", f"indirect:{nature}")
    return text("I"), value


def draw_security(m: Maker, code: str | None) -> Security:
    """A derivative security for a row: often one already moved by an earlier transaction row."""
    kinds = KINDS_FOR_CODE.get(code or "")
    same = [s for s in m.securities if kinds is None or s.kind in kinds]
    if same and m.chance(0.5 if code else 0.15):
        return m.choice(same)
    options = [d for d in m.words.derivative_securities if kinds is None or d.kind in kinds]
    options = options or list(m.words.derivative_securities)
    chosen = options[int(pick(m.rng, {str(i): d.weight for i, d in enumerate(options)}) or 0)]
    granted = m.period - dt.timedelta(days=0 if code == "A" else m.rng.randint(200, 3000))
    price = exercise = expiration = None
    if chosen.kind in ("option", "warrant"):
        price = m.price(m.base_price * m.rng.uniform(0.3, 1.1), 0.0)
        if m.chance(0.5):
            exercise = add_years(granted, 1)
        term = pick_int(m.rng, m.dist.option_term_years, 1, 10, 10)
        while add_years(granted, term) <= m.period + dt.timedelta(days=30):
            term += 1  # still held, so not yet expired
        expiration = add_years(granted, term)
    elif chosen.kind == "rsu" and m.chance(0.3):
        price = Decimal(0)
    elif chosen.kind == "convertible" and m.chance(0.2):
        price = m.price(m.base_price, 0.2)
    security = Security(len(m.securities), chosen.title, chosen.kind, price, exercise, expiration)
    m.securities.append(security)
    return security


def security_cells(m: Maker, row: DerivativeRow, sec: Security) -> None:
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
            cite(m, cell, topic, key, title=sec.title)


# ------------------------------------------------------------ rows


def form3_rows(m: Maker, shape: tuple[int, int, int, int]) -> tuple[list[NonDerivativeRow], list[DerivativeRow]]:
    _, ndh, _, dh = shape
    natures: list[str] = []
    non_derivative = []
    for i in range(ndh):
        direct, nature = (text("D"), text(None)) if i == 0 else ownership(m, "non_derivative", "holding", natures)
        title = m.common if i == 0 or m.chance(0.8) else m.choice(m.words.other_non_derivative_titles)
        non_derivative.append(NonDerivativeRow(
            kind="holding", security_title=text(title),
            shares_owned_following=number(m.shares("non_derivative.shares_owned_following")),
            direct_or_indirect=direct, nature_of_ownership=nature))
    derivative = []
    for _ in range(dh):
        sec = draw_security(m, None)
        direct, nature = ownership(m, "derivative", "holding", natures)
        row = DerivativeRow(kind="holding", security_title=text(sec.title), underlying_title=text(m.common),
                            underlying_shares=number(m.shares("derivative.underlying_shares")),
                            direct_or_indirect=direct, nature_of_ownership=nature)
        security_cells(m, row, sec)
        derivative.append(row)
    return non_derivative, derivative


def transaction_rows(m: Maker, form: str, shape: tuple[int, int, int, int]
                     ) -> tuple[list[NonDerivativeRow], list[DerivativeRow]]:
    ndt, ndh, dtn, dh = shape
    dates = transaction_dates(m, form, ndt + dtn)
    m.rng.shuffle(dates)
    if dates:  # the first date is always used, and the earliest is the period of a Form 4
        earliest = dates.index(min(dates))
        dates[0], dates[earliest] = dates[earliest], dates[0]
    natures: list[str] = []
    derivative: list[DerivativeRow] = []
    links: list[tuple[dt.date, Decimal, str, Security]] = []
    room = max(0, m.settings.max_rows - sum(shape))
    for when in dates[:dtn]:
        code = draw_code(m, "derivative", form)
        sec = draw_security(m, code)
        row = derivative_transaction(m, form, code, sec, when, natures)
        derivative.append(row)
        if (code in LINKED_CODES and row.acquired_disposed.value == "D" and m.chance(0.85)
                and len(links) < min(ndt + room, MAX_ROWS - ndh)):
            links.append((when, row.shares.value, code, sec))
    non_derivative = [linked_row(m, form, *link) for link in links]
    exclude = LINKED_CODES if links else ()
    for when in dates[dtn:][: max(0, ndt - len(links))]:
        code = draw_code(m, "non_derivative", form, exclude)
        non_derivative.append(non_derivative_transaction(m, form, code, when, natures))
    non_derivative.sort(key=lambda r: r.transaction_date.value)
    derivative.sort(key=lambda r: r.transaction_date.value)
    chain(m, non_derivative, "non_derivative")
    chain(m, derivative, "derivative")
    taken = {(r.security_title.value, r.direct_or_indirect.value, r.nature_of_ownership.value)
             for r in non_derivative}
    for _ in range(ndh):
        non_derivative.append(non_derivative_holding(m, natures, taken))
    for _ in range(dh):
        derivative.append(derivative_holding(m, natures))
    return non_derivative, derivative


def coding(m: Maker, row: Any, form: str, code: str, when: dt.date) -> None:
    row.transaction_date = date(when)
    late = form == "5" and m.chance(0.1)
    row.transaction_form_type = text("4" if late else form)
    row.transaction_code = text(code)
    swaps = m.dist.flags.get("equity_swap_involved", {})
    row.equity_swap_involved = flag(m.chance(rate(swaps, "true")))
    timeliness = m.dist.cells.get("non_derivative.transaction_timeliness", {})
    if late or (form == "4" and m.chance(rate(timeliness, "value"))):
        row.transaction_timeliness = text("L")
    deemed = m.dist.cells.get("non_derivative.deemed_execution_date", {})
    if m.chance(rate(deemed, "value")):
        row.deemed_execution_date = date(when)


def row_price(m: Maker, table: str, code: str, cell_price: Decimal | None) -> tuple[Value[Decimal], str | None]:
    """The price cell and, when it is empty, the topic of the footnote that must explain it."""
    outcome = pick(m.rng, m.dist.prices.get(table, {}).get(code, {})) or "value"
    if outcome == "zero":
        return number(0), None
    if outcome == "empty":
        topic = {"A": "grant", "M": "exercise", "X": "exercise", "G": "gift",
                 "F": "tax_withholding"}.get(code, "general")
        return number(None), topic
    return number(cell_price if cell_price is not None else m.price(m.base_price)), None


def non_derivative_transaction(m: Maker, form: str, code: str, when: dt.date, natures: list[str]) -> NonDerivativeRow:
    title = m.common if m.chance(0.93) else m.choice(m.words.other_non_derivative_titles)
    direct, nature = ownership(m, "non_derivative", "transaction", natures)
    row = NonDerivativeRow(security_title=text(title), shares=number(m.shares("non_derivative.shares")),
                           acquired_disposed=text(direction(m, "non_derivative", code)),
                           direct_or_indirect=direct, nature_of_ownership=nature)
    coding(m, row, form, code, when)
    row.price_per_share, topic = row_price(m, "non_derivative", code, None)
    if topic:
        cite(m, row.price_per_share, topic, f"price:{topic}")
    return row


def linked_row(m: Maker, form: str, when: dt.date, shares: Decimal, code: str, sec: Security) -> NonDerivativeRow:
    """The Table I acquisition an exercise or conversion in Table II produces."""
    row = NonDerivativeRow(security_title=text(m.common), shares=number(shares), acquired_disposed=text("A"),
                           direct_or_indirect=text("D"))
    coding(m, row, form, code, when)
    price = sec.price if sec.price is not None and sec.kind in ("option", "warrant") else None
    row.price_per_share, topic = row_price(m, "non_derivative", code, price)
    if topic:
        cite(m, row.price_per_share, topic, f"price:{topic}:{sec.key}")
    return row


def derivative_transaction(m: Maker, form: str, code: str, sec: Security, when: dt.date,
                           natures: list[str]) -> DerivativeRow:
    direct, nature = ownership(m, "derivative", "transaction", natures)
    shares = m.shares("derivative.shares", 0.05, 0.95)
    row = DerivativeRow(security_title=text(sec.title), shares=number(shares),
                        acquired_disposed=text(direction(m, "derivative", code)),
                        underlying_title=text(m.common), underlying_shares=number(shares),
                        direct_or_indirect=direct, nature_of_ownership=nature)
    coding(m, row, form, code, when)
    security_cells(m, row, sec)
    value = m.price(m.base_price * m.rng.uniform(0.1, 0.6)) if code in ("S", "P") else sec.price
    row.price_per_share, topic = row_price(m, "derivative", code, value)
    if topic:
        topic = "rsu_conversion" if sec.kind == "rsu" else "price_note"
        cite(m, row.price_per_share, topic, f"dprice:{topic}:{sec.key}")
    return row


def non_derivative_holding(m: Maker, natures: list[str], taken: set[tuple[Any, ...]]) -> NonDerivativeRow:
    title = m.common if m.chance(0.85) else m.choice(m.words.other_non_derivative_titles)
    direct, nature = ownership(m, "non_derivative", "holding", natures)
    if (title, direct.value, nature.value) in taken:  # the same position twice would contradict itself
        direct, nature = text("I"), text(fill_template(m, "By {entity}")[:100])
        natures.append(nature.value or "")
    taken.add((title, direct.value, nature.value))
    return NonDerivativeRow(kind="holding", security_title=text(title),
                            shares_owned_following=number(m.shares("non_derivative.shares_owned_following")),
                            direct_or_indirect=direct, nature_of_ownership=nature)


def derivative_holding(m: Maker, natures: list[str]) -> DerivativeRow:
    sec = draw_security(m, None)
    direct, nature = ownership(m, "derivative", "holding", natures)
    amount = m.shares("derivative.shares_owned_following")
    row = DerivativeRow(kind="holding", security_title=text(sec.title), underlying_title=text(m.common),
                        underlying_shares=number(amount), shares_owned_following=number(amount),
                        direct_or_indirect=direct, nature_of_ownership=nature)
    security_cells(m, row, sec)
    return row


def chain(m: Maker, rows: list[Any], table: str) -> None:
    """Amounts owned after each transaction, running through the rows of one holding in order."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        key = (row.security_title.value, row.direct_or_indirect.value, row.nature_of_ownership.value,
               row.conversion_or_exercise_price.value if table == "derivative" else None)
        groups.setdefault(key, []).append(row)
    zeros = m.dist.zeros.get(f"{table}.shares_owned_following", {})
    for members in groups.values():
        disposed = sum((r.shares.value for r in members if r.acquired_disposed.value == "D"), Decimal(0))
        spare = Decimal(0) if m.chance(rate(zeros, "zero")) else m.shares(f"{table}.shares_owned_following")
        held = disposed + spare
        if all(r.acquired_disposed.value == "A" for r in members) and m.chance(0.4):
            held = Decimal(0)  # a first award: nothing held before it
        for row in members:
            held = held + row.shares.value if row.acquired_disposed.value == "A" else held - row.shares.value
            row.shares_owned_following = number(held)
