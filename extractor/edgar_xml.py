"""Reading EDGAR ownership XML (bare, or inside a full EDGAR submission .txt) into a Record.

Booleans the printed form always shows as boxes (Section 16, 10b5-1, relationships, the
equity swap flag) read as False when absent, so that a record from XML and one from its
rendering agree, and a write-read round trip is stable.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from .errors import EmptyInputError, XmlError
from .records import (
    Address,
    DerivativeRow,
    Footnote,
    Issuer,
    NonDerivativeRow,
    Record,
    Relationship,
    ReportingOwner,
    Signature,
    Value,
)

_XML_BLOCK = re.compile(rb"<XML>\s*(.*?)\s*</XML>", re.S | re.I)


def is_ownership_xml(data: bytes) -> bool:
    head = data[:65536]
    return b"<ownershipDocument" in head or (b"<SEC-DOCUMENT>" in head and b"<ownershipDocument" in data)


def find_ownership_xml(data: bytes) -> bytes | None:
    for match in _XML_BLOCK.finditer(data):
        if b"<ownershipDocument" in match.group(1):
            return match.group(1)
    start = data.find(b"<ownershipDocument")
    if start < 0:
        return None
    end = data.find(b"</ownershipDocument>", start)
    return data[start : end + len("</ownershipDocument>")] if end >= 0 else data[start:]


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if el is None else [c for c in el if _local(c.tag) == name]


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    text = "".join(el.itertext()).strip()
    return text or None


def _notes(el: etree._Element | None) -> list[str]:
    return [c.get("id", "").strip() for c in _children(el, "footnoteId") if c.get("id")]


def _convert(raw: str | None, kind: str) -> Any:
    if raw is None:
        return None
    if kind == "bool":
        return raw.strip().lower() in ("1", "true")
    if kind == "date":
        match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", raw)
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
    if kind == "number":
        try:
            return Decimal(raw.replace(",", "").replace("$", "").strip())
        except InvalidOperation:
            return None
    return raw


def _value(el: etree._Element | None, kind: str = "str", wrapped: bool = True, default: Any = None) -> Value:
    """A Value from an element holding <value> and <footnoteId> children (or plain text)."""
    if el is None:
        return Value(value=default)
    raw = _text(_child(el, "value")) if wrapped else _text(el)
    parsed = _convert(raw, kind)
    if parsed is None and kind == "str" and raw is not None:
        parsed = raw
    if wrapped and parsed is None and _child(el, "value") is None and not _notes(el) and len(el) == 0:
        parsed = _convert(_text(el), kind)  # some filers omit the <value> wrapper
    return Value(value=parsed if parsed is not None else default, footnote_ids=_notes(el))


def read_xml(data: bytes | str | Path, source: str | None = None) -> Record:
    if isinstance(data, Path):
        source = source or str(data)
        data = data.read_bytes()
    if isinstance(data, str):
        data = data.encode("utf-8")
    source = source or "<xml>"
    if not data.strip():
        raise EmptyInputError(source)
    xml = find_ownership_xml(data)
    if xml is None:
        raise XmlError(source, "no ownershipDocument element")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, remove_comments=True)
    try:
        root = etree.fromstring(xml.lstrip(b"\xef\xbb\xbf \r\n\t"), parser)
    except etree.XMLSyntaxError as exc:
        raise XmlError(source, f"malformed XML ({exc})") from None
    if _local(root.tag) != "ownershipDocument":
        raise XmlError(source, f"the root element is {_local(root.tag)!r}, not ownershipDocument")
    doc_type = _text(_child(root, "documentType"))
    if not doc_type:
        raise XmlError(source, "no documentType")
    return _record(root, doc_type, source)


def _record(root: etree._Element, doc_type: str, source: str) -> Record:
    flag = lambda name: _value(_child(root, name), "bool", wrapped=False, default=False)
    record = Record(
        schema_version=_text(_child(root, "schemaVersion")),
        document_type=Value(value=doc_type),
        period_of_report=_value(_child(root, "periodOfReport"), "date", wrapped=False),
        date_of_original_submission=_value(_child(root, "dateOfOriginalSubmission"), "date", wrapped=False),
        not_subject_to_section16=flag("notSubjectToSection16"),
        aff10b5_one=flag("aff10b5One"),
        form3_holdings_reported=flag("form3HoldingsReported"),
        form4_transactions_reported=flag("form4TransactionsReported"),
        no_securities_owned=flag("noSecuritiesOwned"),
    )
    issuer = _child(root, "issuer")
    record.issuer = Issuer(
        cik=_value(_child(issuer, "issuerCik"), wrapped=False),
        name=_value(_child(issuer, "issuerName"), wrapped=False),
        trading_symbol=_value(_child(issuer, "issuerTradingSymbol"), wrapped=False),
    )
    for owner in _children(root, "reportingOwner"):
        record.owners.append(_owner(owner))
    record.joint_filing = Value(value=len(record.owners) > 1)
    for table, cls in (("nonDerivativeTable", NonDerivativeRow), ("derivativeTable", DerivativeRow)):
        for el in _child(root, table) if _child(root, table) is not None else []:
            name = _local(el.tag)
            if name.endswith("Transaction") or name.endswith("Holding"):
                record_rows = record.non_derivative if cls is NonDerivativeRow else record.derivative
                record_rows.append(_row(el, cls, "transaction" if name.endswith("Transaction") else "holding"))
    for note in _children(_child(root, "footnotes"), "footnote"):
        record.footnotes.append(Footnote(id=note.get("id", "").strip(), text=Value(value=_text(note))))
    record.remarks = _value(_child(root, "remarks"), wrapped=False)
    for sig in _children(root, "ownerSignature"):
        record.signatures.append(Signature(
            name=_value(_child(sig, "signatureName"), wrapped=False),
            date=_value(_child(sig, "signatureDate"), "date", wrapped=False),
        ))
    record.source.format = "xml"
    record.source.path = source
    return record


def _owner(el: etree._Element) -> ReportingOwner:
    ident, address, rel = _child(el, "reportingOwnerId"), _child(el, "reportingOwnerAddress"), _child(el, "reportingOwnerRelationship")
    plain = lambda parent, name: _value(_child(parent, name), wrapped=False)
    return ReportingOwner(
        cik=plain(ident, "rptOwnerCik"),
        ccc=plain(ident, "rptOwnerCcc"),
        name=plain(ident, "rptOwnerName"),
        address=Address(
            street1=plain(address, "rptOwnerStreet1"), street2=plain(address, "rptOwnerStreet2"),
            city=plain(address, "rptOwnerCity"), state=plain(address, "rptOwnerState"),
            zip_code=plain(address, "rptOwnerZipCode"), state_description=plain(address, "rptOwnerStateDescription"),
            country=plain(address, "rptOwnerCountry"), non_us_state_territory=plain(address, "rptOwnerNonUSStateTerritory"),
            non_us_address=_value(_child(address, "rptOwnerNonUSAddressFlag"), "bool", wrapped=False),
            good_address=_value(_child(address, "rptOwnerGoodAddress"), "bool", wrapped=False),
        ),
        relationship=Relationship(
            is_director=_value(_child(rel, "isDirector"), "bool", wrapped=False, default=False),
            is_officer=_value(_child(rel, "isOfficer"), "bool", wrapped=False, default=False),
            is_ten_percent_owner=_value(_child(rel, "isTenPercentOwner"), "bool", wrapped=False, default=False),
            is_other=_value(_child(rel, "isOther"), "bool", wrapped=False, default=False),
            officer_title=plain(rel, "officerTitle"),
            other_text=plain(rel, "otherText"),
        ),
    )


def _row(el: etree._Element, cls: type, kind: str) -> Any:
    row = cls(kind=kind)
    row.security_title = _value(_child(el, "securityTitle"))
    row.transaction_date = _value(_child(el, "transactionDate"), "date")
    row.deemed_execution_date = _value(_child(el, "deemedExecutionDate"), "date")
    coding = _child(el, "transactionCoding")
    if coding is not None:
        row.transaction_form_type = _value(_child(coding, "transactionFormType"), wrapped=False)
        code = _value(_child(coding, "transactionCode"), wrapped=False)
        row.transaction_code = Value(value=code.value, footnote_ids=_notes(coding))
        if kind == "transaction" or _child(coding, "equitySwapInvolved") is not None:
            row.equity_swap_involved = _value(_child(coding, "equitySwapInvolved"), "bool", wrapped=False, default=False)
    row.transaction_timeliness = _value(_child(el, "transactionTimeliness"))
    amounts = _child(el, "transactionAmounts")
    row.shares = _value(_child(amounts, "transactionShares"), "number")
    row.price_per_share = _value(_child(amounts, "transactionPricePerShare"), "number")
    row.acquired_disposed = _value(_child(amounts, "transactionAcquiredDisposedCode"))
    post = _child(el, "postTransactionAmounts")
    row.shares_owned_following = _value(_child(post, "sharesOwnedFollowingTransaction"), "number")
    row.value_owned_following = _value(_child(post, "valueOwnedFollowingTransaction"), "number")
    nature = _child(el, "ownershipNature")
    row.direct_or_indirect = _value(_child(nature, "directOrIndirectOwnership"))
    row.nature_of_ownership = _value(_child(nature, "natureOfOwnership"))
    if cls is DerivativeRow:
        row.conversion_or_exercise_price = _value(_child(el, "conversionOrExercisePrice"), "number")
        row.total_value = _value(_child(amounts, "transactionTotalValue"), "number")
        row.exercise_date = _value(_child(el, "exerciseDate"), "date")
        row.expiration_date = _value(_child(el, "expirationDate"), "date")
        underlying = _child(el, "underlyingSecurity")
        row.underlying_title = _value(_child(underlying, "underlyingSecurityTitle"))
        row.underlying_shares = _value(_child(underlying, "underlyingSecurityShares"), "number")
        row.underlying_value = _value(_child(underlying, "underlyingSecurityValue"), "number")
    return row
