"""Made-up footnotes and remarks, and the cells that cite the footnotes.

Texts are invented templates (`data/fake_words.json`) filled from what the filing already
holds; their lengths and how many footnotes a filing has follow the measured distributions.
Every footnote F1..Fn is cited by a cell, and every cited one exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..records import Footnote, Record, Value
from .fake_vocabulary import text
from .measure import draw_quantile, pick, pick_int, rate

if TYPE_CHECKING:
    from .fake import Maker

PLACEHOLDER = "@"  # prefix of a footnote key while the footnote has no id yet


@dataclass
class Note:
    """A footnote's text and the topic it was drawn for."""

    topic: str
    text: str


def cite(m: Maker, value: Value[Any], topic: str, key: str | None = None, **fill: Any) -> None:
    """Attach a footnote of `topic` to a cell; cells with the same key share one footnote."""
    key = key or f"{topic}#{len(m.notes)}"
    if key not in m.notes:
        note = Note(topic, footnote_text(m, topic, **fill))
        # Two footnotes saying the same thing would be one footnote on a real form.
        key = next((k for k, n in m.notes.items() if n.text == note.text), key)
        m.notes.setdefault(key, note)
    mark = PLACEHOLDER + key
    if mark not in value.footnote_ids:
        value.footnote_ids.append(mark)


def footnote_text(m: Maker, topic: str, **fill: Any) -> str:
    templates = m.words.footnotes[topic]
    target = draw_quantile(m.rng, m.dist.footnote_length, 0.05, 0.95)
    template = min(templates, key=lambda t: (abs(len(t) - target), m.rng.random()))
    return fill_template(m, template, **fill)


def fill_template(m: Maker, template: str, **fill: Any) -> str:
    values = dict(m.context)
    values.update(fill)
    return template.format(**values).replace("..", ".")  # a name ending "Ltd." before a full stop


def citable(m: Maker, record: Record) -> list[tuple[str, Value[Any], str, str | None, dict[str, str]]]:
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
            kind = next((d.kind for d in m.words.derivative_securities
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


def add_footnotes(m: Maker, record: Record, form: str) -> None:
    """Footnotes up to a measured count on cells weighted as real filings cite them; ids in reading order."""
    target = pick_int(m.rng, m.dist.footnotes, 0, 99, 1)
    cells = citable(m, record)
    columns = {c[0] for c in cells}
    weights = {k: v for k, v in m.dist.footnote_citations.items() if k in columns}
    for _ in range(4 * target):
        if len(m.notes) >= min(target, 99) or not weights:
            break
        column = pick(m.rng, weights)
        _, cell, topic, key, fill = m.choice([c for c in cells if c[0] == column])
        cite(m, cell, topic, key, **fill)
    ids: dict[str, str] = {}
    for _, cell in record.values():
        if any(mark.startswith(PLACEHOLDER) for mark in cell.footnote_ids):
            numbered = []
            for mark in cell.footnote_ids:
                note_id = ids.setdefault(mark, f"F{len(ids) + 1}")
                if note_id not in numbered:
                    numbered.append(note_id)
            cell.footnote_ids[:] = numbered
    record.footnotes = [Footnote(id=note_id, text=text(m.notes[mark[len(PLACEHOLDER):]].text))
                        for mark, note_id in ids.items()]


def make_remarks(m: Maker) -> str | None:
    if m.settings.long_remarks:
        target = m.rng.randint(800, 1990)
    elif m.chance(rate(m.dist.remarks, "present")):
        target = int(draw_quantile(m.rng, m.dist.remarks_length))
    else:
        return None
    fill = {"part": m.rng.choice(("first", "second", "third")),
            "parts": m.rng.choice(("two", "three", "four")),
            "title": m.choice(m.words.officer_titles)}
    if target < 45:
        return fill_template(m, m.choice(m.words.remarks["short"]), **fill)
    sentences = list(m.words.remarks["sentences"]) + list(m.words.footnotes["indirect"])
    m.rng.shuffle(sentences)
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(fill_template(m, sentences[len(parts) % len(sentences)], **fill))
    out = " ".join(parts)
    while len(out) > 2000:
        parts.pop()
        out = " ".join(parts)
    return out
