"""Made-up people and companies: the issuer, reporting owners, their addresses and relationships, signatures.

Names and places come from the invented vocabulary (`data/fake_words.json`); how many owners a
filing has, how often an owner is a fund or company, and which relationship boxes are ticked
follow the measured distributions. Every draw comes from the filing's one random stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records import Address, Issuer, Relationship, ReportingOwner
from .fake_vocabulary import flag, text
from .measure import pick, pick_int, rate

if TYPE_CHECKING:
    from .fake import Maker

MAX_OWNERS = 10


def make_issuer(m: Maker) -> Issuer:
    w = m.words
    stem = m.choice(w.company_stems)
    industry = [m.choice(w.company_industries)] if m.chance(0.7) else []
    parts = [stem, *industry, m.choice(w.company_suffixes)]
    name = m.cased(" ".join(parts), "issuer")
    letters = "".join(ch for ch in stem.upper() if ch.isalpha())
    extra = m.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") if m.chance(0.3) else ""
    ticker = letters[: m.rng.randint(2, 4)] + extra
    return Issuer(cik=text(m.digits(10_000, 1_999_999)), name=text(name), trading_symbol=text(ticker[:5]))


def person_name(m: Maker) -> tuple[str, str, str]:
    """(XML name "Last First M", printed name "First M. Last", first and last for templates)."""
    first, last = m.choice(m.words.first_names), m.choice(m.words.last_names)
    initial = m.choice("ABCDEFGHJKLMNPRSTW")
    return f"{last} {first} {initial}", f"{first} {initial}. {last}", f"{first} {last}"


def entity_name(m: Maker, stem: str | None = None) -> str:
    pattern = m.choice(m.words.entity_patterns)
    return pattern.format(stem=stem or m.choice(m.words.company_stems), roman=m.choice(m.words.roman),
                          number=m.rng.randint(1, 12), last=m.choice(m.words.last_names))


def make_owners(m: Maker) -> list[ReportingOwner]:
    counts = m.dist.owners
    if m.settings.multi_owner:
        n = pick_int(m.rng, counts, 2, MAX_OWNERS, 2)
    else:
        n = pick_int(m.rng, counts, 1, MAX_OWNERS, 1)
    entity_rate = rate(m.dist.owner_entities, "entity")
    family = m.choice(m.words.company_stems)
    address = make_address(m)
    owners, m.owner_names = [], []
    for i in range(n):
        entity = m.chance(entity_rate) if n == 1 else (i > 0 or m.chance(0.5))
        if entity:
            name = entity_name(m, family if n > 1 else None)
            m.owner_names.append(("entity", name))
        else:
            xml_name, printed, _ = person_name(m)
            name = xml_name
            m.owner_names.append(("person", printed))
        owners.append(ReportingOwner(
            cik=text(m.digits(1_000_000, 2_099_999)), name=text(m.cased(name, "owner")[:150]),
            address=address if n > 1 else make_address(m), relationship=relationship(m, entity)))
    return owners


def relationship(m: Maker, entity: bool) -> Relationship:
    boxes = pick(m.rng, m.dist.relationships,
                 {k for k in m.dist.relationships if not (entity and ("officer" in k or "director" in k))})
    ticked = set((boxes or "director").split("+"))
    title = other = None
    if "officer" in ticked and m.chance(max(rate(m.dist.officer_title, "title"), 0.5)):
        title = m.cased(m.choice(m.words.officer_titles), "title")
    if "other" in ticked:
        other = m.choice(m.words.other_texts)
    return Relationship(
        is_director=flag("director" in ticked), is_officer=flag("officer" in ticked),
        is_ten_percent_owner=flag("ten_percent" in ticked), is_other=flag("other" in ticked),
        officer_title=text(title), other_text=text(other))


def make_address(m: Maker) -> Address:
    w = m.words
    city = m.choice(w.cities)
    street = f"{m.rng.randint(1, 9999)} {m.choice(w.street_names)} {m.choice(w.street_suffixes)}"
    street1, street2 = street, None
    if m.chance(rate(m.dist.street2, "present")):
        if m.chance(0.5):
            issuer = m.issuer.name.value or ""
            street1, street2 = clip(f"C/O {issuer}", 40), street
        else:
            street2 = m.choice(w.street2_patterns).format(number=m.rng.randint(100, 4999),
                                                          small=m.rng.randint(2, 40))
    zip_code = city.zip_prefix + f"{m.rng.randint(0, 99):02d}"
    if m.chance(0.1):
        zip_code += f"-{m.rng.randint(1, 9999):04d}"
    return Address(street1=text(m.cased(street1, "owner")), street2=text(street2),
                   city=text(m.cased(city.name, "owner")), state=text(city.state), zip_code=text(zip_code))


def clip(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[:limit].rsplit(" ", 1)[0].rstrip(",")


def signature_name(m: Maker, kind: str, printed: str) -> str:
    """A signature in one of the usual styles: the owner's own, or an attorney-in-fact's."""
    if kind == "person":
        first, initial, last = printed.split(" ", 2)
        values = {"first": first, "initial": initial.rstrip("."), "last": last}
    else:
        values = {"entity": printed}
    values["agent"] = m.agent
    pattern = m.choice(m.words.signature_patterns[kind])
    return pattern.format(**values)[:255]
