"""EDGAR ownership XML: reading any ownershipDocument into a Record, writing one back, validating.

Reading is normalized so that a record read from XML, one extracted from its rendering and one
read back from `write_xml` agree:

- Checkbox booleans that the printed form of the document's type always shows read as False when
  the element is absent: the relationship boxes, the equity swap flag (V column) of a transaction
  with a transactionCoding, and, per form, notSubjectToSection16 (4, 5), aff10b5One (4, 5),
  form3HoldingsReported and form4TransactionsReported (5), noSecuritiesOwned (3). `joint_filing`
  is True when the document has more than one reportingOwner.
- A CIK of "0000000000" reads as absent: `write_xml` writes that placeholder when a record (e.g. one
  extracted from a rendered form, which never prints CIKs) has none, because the XSD requires it.
- EDGAR disseminates a non-US owner's location as a country code in rptOwnerState (e.g. "X0",
  United Kingdom), following the spec's combined state-and-country list, while the XSD's state list
  only has US codes and puts the others in rptOwnerCountry. `Address.state` keeps EDGAR's combined
  designator and `Address.country` holds the country code of a non-US address; `write_xml` writes
  a non-US designator as rptOwnerCountry only, and reading fills `state` from rptOwnerCountry when
  rptOwnerState is absent, so both spellings read as the same record.
- A value that cannot be parsed as its type (a date, number or boolean) reads as None with a
  RecordWarning naming the field, rather than failing the whole document.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from lxml import etree

from .errors import EmptyInputError, Form4Error, XmlError
from .records import (
    Address,
    DerivativeRow,
    Footnote,
    Issuer,
    NonDerivativeRow,
    Record,
    RecordWarning,
    Relationship,
    ReportingOwner,
    Signature,
    Source,
    Value,
)
from .values import decimal_text

DEFAULT_SCHEMA_VERSION = "X0508"
SPEC_DIR_ENV = "FORM4_SPEC_DIR"
NO_CIK = "0000000000"

_SCHEMA_FILES = {
    "3": "ownership3Document.xsd.xml",
    "3/A": "ownership3ADocument.xsd.xml",
    "4": "ownership4Document.xsd.xml",
    "4/A": "ownership4ADocument.xsd.xml",
    "5": "ownership5Document.xsd.xml",
    "5/A": "ownership5ADocument.xsd.xml",
}

# rptOwnerState's list in the XSD: US states, DC and US territories (the rest are country codes).
_US_STATE_CODES = frozenset(
    "AL AK B5 AZ AR CA CO CT DE DC FL GA GU HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND 1V OH OK OR PA PR RI SC SD TN TX 2J UT VT VI VA WA WV WI WY".split()
)

# Document-level flags: element, Record field, forms whose XSD allows it, forms that print it as a
# box (read as False when absent, and always written). The header ones come before <issuer>.
_HEADER_FLAGS = (
    ("noSecuritiesOwned", "no_securities_owned", "3", "3"),
    ("notSubjectToSection16", "not_subject_to_section16", "45", "45"),
    ("form3HoldingsReported", "form3_holdings_reported", "5", "5"),
    ("form4TransactionsReported", "form4_transactions_reported", "5", "5"),
)
# After the owners; required on Forms 4 and 5, optional and not printed on Form 3.
_AFF10B5ONE = ("aff10b5One", "aff10b5_one", "345", "45")

_PARSER_OPTIONS = dict(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
    remove_comments=True, remove_pis=True,
)
_XML_BLOCK = re.compile(r"<XML>\s*(.*?)\s*</XML>", re.S | re.I)
_SUBMISSION_MARK = re.compile(rb"<XML>|<SEC-DOCUMENT>|<DOCUMENT>", re.I)
_ROOT_TAG = re.compile(rb"<(?:[\w.-]+:)?ownershipDocument[\s>/]")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")


class SpecNotFoundError(Form4Error, FileNotFoundError):
    """The folder with the SEC ownership XSDs is missing."""


# ---------------------------------------------------------------- sniffing and unwrapping


def is_ownership_xml(data: bytes) -> bool:
    """Cheap test for the format detector: an ownershipDocument, bare or in an EDGAR submission."""
    head = data[:65536]
    if _ROOT_TAG.search(head):
        return True
    return bool(_SUBMISSION_MARK.search(head)) and _ROOT_TAG.search(data) is not None


def find_ownership_xml(text: str) -> str | None:
    """The ownershipDocument XML inside an EDGAR submission .txt (its <XML> block), or None."""
    for match in _XML_BLOCK.finditer(text):
        if "ownershipDocument" in match.group(1):
            return match.group(1)
    start = text.find("<ownershipDocument")
    end = text.rfind("</ownershipDocument>")
    if start < 0 or end < start:
        return None
    return text[start : end + len("</ownershipDocument>")]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # old submissions; every byte maps, so nothing is lost


def _parse(data: bytes | str, source: str) -> etree._Element:
    if isinstance(data, bytes):
        data = data.lstrip(b" \t\r\n")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:].lstrip(b" \t\r\n")
        if _SUBMISSION_MARK.search(data[:65536]):
            data = _decode(data)
    if isinstance(data, str):
        data = data.lstrip("\ufeff \t\r\n")
        if _XML_BLOCK.search(data) or data[:16].upper().startswith(("<SEC-DOCUMENT>", "<DOCUMENT>")):
            found = find_ownership_xml(data)
            if found is None:
                raise XmlError(source, "an EDGAR submission without an ownershipDocument <XML> block")
            data = found
        # lxml refuses a str that declares an encoding; the text is already decoded.
        data = _DECLARATION.sub("", data, count=1).lstrip()
    try:
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise XmlError(source, "malformed XML (" + " ".join(str(exc).split()) + ")") from None
    if _local(root.tag) != "ownershipDocument":
        raise XmlError(source, f"the root element is <{_local(root.tag)}>, not <ownershipDocument>")
    if any(isinstance(el.tag, str) and el.tag.startswith("{") for el in root.iter()):
        # The XSD has no namespace; dropping one lets every lookup below use plain names.
        for el in root.iter():
            if isinstance(el.tag, str):
                el.tag = _local(el.tag)
    return root


# ---------------------------------------------------------------- reading


def read_xml(data: bytes | str | Path, source: str | None = None) -> Record:
    """Read an ownershipDocument (bare, with a BOM, namespaced, or in an EDGAR .txt) into a Record."""
    if isinstance(data, Path):
        source = source or str(data)
        data = data.read_bytes()
    source = source or "<xml>"
    if not data or not data.strip():
        raise EmptyInputError(source)
    root = _parse(data, source)
    doc_type = _text(_first(root, "documentType"))
    if doc_type is None:
        raise XmlError(source, "no documentType")
    if doc_type not in _SCHEMA_FILES:
        raise XmlError(source, f"documentType {doc_type!r} is not a Form 3, 4 or 5")
    return _record(root, doc_type, source)


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _first(el: etree._Element | None, *path: str) -> etree._Element | None:
    return None if el is None else el.find(path[0] if len(path) == 1 else "/".join(path))


def _all(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if el is None else el.findall(name)


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    text = (el.text or "") if len(el) == 0 else "".join(el.itertext())
    return text.strip() or None


def _footnote_ids(el: etree._Element | None) -> list[str]:
    return [c.get("id").strip() for c in _all(el, "footnoteId") if (c.get("id") or "").strip()]


def _to_bool(raw: str) -> bool:
    folded = raw.lower()
    if folded in ("1", "true"):
        return True
    if folded in ("0", "false"):
        return False
    raise ValueError(raw)


def _to_date(raw: str) -> dt.date:
    # xs:date may carry a time zone ("2023-01-03-05:00"); the date part is what the form shows.
    match = _DATE.match(raw)
    if not match:
        raise ValueError(raw)
    return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def _to_decimal(raw: str) -> Decimal:
    try:
        number = Decimal(raw.replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise ValueError(raw) from None
    if not number.is_finite():
        raise ValueError(raw)
    return number


_KINDS: dict[str, tuple[Callable[[str], Any], type[Value[Any]]]] = {
    "str": (str, Value[str]),
    "bool": (_to_bool, Value[bool]),
    "date": (_to_date, Value[dt.date]),
    "number": (_to_decimal, Value[Decimal]),
}


class _Reader:
    """Builds Values for one document and collects warnings about cells it cannot parse."""

    def __init__(self) -> None:
        self.warnings: list[RecordWarning] = []

    def value(self, el: etree._Element | None, kind: str, where: str, wrapped: bool = True,
              default: Any = None) -> Value[Any]:
        """A Value from a <value>+<footnoteId> element (wrapped) or from an element's own text."""
        convert, cls = _KINDS[kind]
        if el is None:
            return cls(value=default)
        inner = _first(el, "value") if wrapped else el
        if wrapped and inner is None and len(el) == 0:
            inner = el  # some filers leave out the <value> wrapper
        raw = _text(inner)
        parsed = default
        if raw is not None:
            try:
                parsed = convert(raw)
            except ValueError:
                parsed = None
                self.warnings.append(RecordWarning(
                    code="xml_unreadable_value",
                    message=f"{where}: cannot read {raw[:40]!r} as a {kind}; left empty",
                    fields=[where],
                ))
        return cls(value=parsed, footnote_ids=_footnote_ids(el) if wrapped else [])


def _record(root: etree._Element, doc_type: str, source: str) -> Record:
    form = doc_type[0]
    reader = _Reader()
    fields: dict[str, Any] = {
        "schema_version": _text(_first(root, "schemaVersion")),
        "document_type": Value[str](value=doc_type),
        "period_of_report": reader.value(_first(root, "periodOfReport"), "date", "period_of_report", wrapped=False),
        "date_of_original_submission": reader.value(
            _first(root, "dateOfOriginalSubmission"), "date", "date_of_original_submission", wrapped=False),
    }
    for tag, name, _allowed, printed in _HEADER_FLAGS + (_AFF10B5ONE,):
        default = False if form in printed else None
        fields[name] = reader.value(_first(root, tag), "bool", name, wrapped=False, default=default)
    issuer = _first(root, "issuer")
    fields["issuer"] = Issuer(
        cik=_cik(reader.value(_first(issuer, "issuerCik"), "str", "issuer.cik", wrapped=False)),
        name=reader.value(_first(issuer, "issuerName"), "str", "issuer.name", wrapped=False),
        trading_symbol=reader.value(_first(issuer, "issuerTradingSymbol"), "str", "issuer.trading_symbol", wrapped=False),
    )
    owners = [_owner(reader, el, f"owners.{i}") for i, el in enumerate(_all(root, "reportingOwner"))]
    fields["owners"] = owners
    fields["joint_filing"] = Value[bool](value=len(owners) > 1)
    for table, name, cls in (("nonDerivativeTable", "non_derivative", NonDerivativeRow),
                             ("derivativeTable", "derivative", DerivativeRow)):
        rows = []
        table_el = _first(root, table)
        for el in table_el if table_el is not None else ():
            tag = _local(el.tag)
            if tag.endswith("Transaction") or tag.endswith("Holding"):
                kind = "transaction" if tag.endswith("Transaction") else "holding"
                rows.append(_row(reader, el, cls, kind, f"{name}.{len(rows)}"))
        fields[name] = rows
    fields["footnotes"] = [
        Footnote(id=(el.get("id") or "").strip(), text=Value[str](value=_text(el)))
        for el in _all(_first(root, "footnotes"), "footnote")
    ]
    fields["remarks"] = reader.value(_first(root, "remarks"), "str", "remarks", wrapped=False)
    fields["signatures"] = [
        Signature(
            name=reader.value(_first(el, "signatureName"), "str", f"signatures.{i}.name", wrapped=False),
            date=reader.value(_first(el, "signatureDate"), "date", f"signatures.{i}.date", wrapped=False),
        )
        for i, el in enumerate(_all(root, "ownerSignature"))
    ]
    fields["warnings"] = reader.warnings
    fields["source"] = Source(path=source, format="xml")
    return Record(**fields)


def _cik(value: Value[str]) -> Value[str]:
    if value.value is not None and value.value.strip("0") == "":
        return Value[str]()  # the placeholder write_xml uses for an unknown CIK
    return value


def _owner(reader: _Reader, el: etree._Element, where: str) -> ReportingOwner:
    ident = _first(el, "reportingOwnerId")
    address = _first(el, "reportingOwnerAddress")
    relation = _first(el, "reportingOwnerRelationship")

    def text(parent: etree._Element | None, tag: str, field: str) -> Value[Any]:
        return reader.value(_first(parent, tag), "str", f"{where}.{field}", wrapped=False)

    def flag(parent: etree._Element | None, tag: str, field: str, default: bool | None) -> Value[Any]:
        return reader.value(_first(parent, tag), "bool", f"{where}.{field}", wrapped=False, default=default)

    state = text(address, "rptOwnerState", "address.state")
    country = text(address, "rptOwnerCountry", "address.country")
    if country.value is None and state.value is not None and state.value not in _US_STATE_CODES:
        country = Value[str](value=state.value)
    if state.value is None and country.value is not None:
        state = Value[str](value=country.value)
    return ReportingOwner(
        cik=_cik(text(ident, "rptOwnerCik", "cik")),
        ccc=text(ident, "rptOwnerCcc", "ccc"),
        name=text(ident, "rptOwnerName", "name"),
        address=Address(
            street1=text(address, "rptOwnerStreet1", "address.street1"),
            street2=text(address, "rptOwnerStreet2", "address.street2"),
            city=text(address, "rptOwnerCity", "address.city"),
            state=state,
            zip_code=text(address, "rptOwnerZipCode", "address.zip_code"),
            state_description=text(address, "rptOwnerStateDescription", "address.state_description"),
            country=country,
            non_us_state_territory=text(address, "rptOwnerNonUSStateTerritory", "address.non_us_state_territory"),
            non_us_address=flag(address, "rptOwnerNonUSAddressFlag", "address.non_us_address", None),
            good_address=flag(address, "rptOwnerGoodAddress", "address.good_address", None),
        ),
        relationship=Relationship(
            is_director=flag(relation, "isDirector", "relationship.is_director", False),
            is_officer=flag(relation, "isOfficer", "relationship.is_officer", False),
            is_ten_percent_owner=flag(relation, "isTenPercentOwner", "relationship.is_ten_percent_owner", False),
            is_other=flag(relation, "isOther", "relationship.is_other", False),
            officer_title=text(relation, "officerTitle", "relationship.officer_title"),
            other_text=text(relation, "otherText", "relationship.other_text"),
        ),
    )


# Row field -> (element path inside the row, kind, whether it is a <value>+<footnoteId> element).
_ROW_ELEMENTS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "security_title": (("securityTitle",), "str", True),
    "conversion_or_exercise_price": (("conversionOrExercisePrice",), "number", True),
    "transaction_date": (("transactionDate",), "date", True),
    "deemed_execution_date": (("deemedExecutionDate",), "date", True),
    "transaction_form_type": (("transactionCoding", "transactionFormType"), "str", False),
    "transaction_timeliness": (("transactionTimeliness",), "str", True),
    "shares": (("transactionAmounts", "transactionShares"), "number", True),
    "total_value": (("transactionAmounts", "transactionTotalValue"), "number", True),
    "price_per_share": (("transactionAmounts", "transactionPricePerShare"), "number", True),
    "acquired_disposed": (("transactionAmounts", "transactionAcquiredDisposedCode"), "str", True),
    "exercise_date": (("exerciseDate",), "date", True),
    "expiration_date": (("expirationDate",), "date", True),
    "underlying_title": (("underlyingSecurity", "underlyingSecurityTitle"), "str", True),
    "underlying_shares": (("underlyingSecurity", "underlyingSecurityShares"), "number", True),
    "underlying_value": (("underlyingSecurity", "underlyingSecurityValue"), "number", True),
    "shares_owned_following": (("postTransactionAmounts", "sharesOwnedFollowingTransaction"), "number", True),
    "value_owned_following": (("postTransactionAmounts", "valueOwnedFollowingTransaction"), "number", True),
    "direct_or_indirect": (("ownershipNature", "directOrIndirectOwnership"), "str", True),
    "nature_of_ownership": (("ownershipNature", "natureOfOwnership"), "str", True),
}


def _row(reader: _Reader, el: etree._Element, cls: type, kind: str, where: str) -> Any:
    fields: dict[str, Any] = {"kind": kind}
    for name, (path, value_kind, wrapped) in _ROW_ELEMENTS.items():
        if name in cls.model_fields:
            fields[name] = reader.value(_first(el, *path), value_kind, f"{where}.{name}", wrapped)
    coding = _first(el, "transactionCoding")
    # The coding's own footnotes sit on the code: that is the cell they are printed beside.
    fields["transaction_code"] = Value[str](
        value=_text(_first(coding, "transactionCode")), footnote_ids=_footnote_ids(coding))
    swap_default = False if kind == "transaction" and coding is not None else None
    fields["equity_swap_involved"] = reader.value(
        _first(coding, "equitySwapInvolved"), "bool", f"{where}.equity_swap_involved", wrapped=False,
        default=swap_default)
    return cls(**fields)


# ---------------------------------------------------------------- writing


def write_xml(record: Record) -> bytes:
    """Serialize a Record as an ownershipDocument laid out for its document type's XSD.

    Elements follow the XSD's sequence for the form (3, 4 or 5, and amendments); elements that
    form does not allow are left out. Booleans are written as 1/0, decimals in plain notation
    without exponent or trailing zeros, dates as YYYY-MM-DD. Empty Values are not written; a
    Value with only footnote ids is written as just its footnoteId children.

    Filled in for validity, and read back as before: a missing issuer or owner CIK is written as
    "0000000000" (which read_xml reads as no CIK); unset checkboxes the form requires are written
    as 0; a missing transactionFormType defaults to the form's own number (4 or 5); a non-US state
    designator is written as rptOwnerCountry. Nothing else is invented: a record that lacks a
    value the XSD requires (a date, a share count, a signature) gives XML that `validate_xml`
    reports on. Where the XSD allows only one of two values (shares or total value, shares or
    value owned following, underlying shares or value), the shares win.
    """
    doc_type = record.document_type.value
    form = doc_type[0] if doc_type else "4"  # without a type, lay out as the common Form 4
    root = etree.Element("ownershipDocument")
    _leaf(root, "schemaVersion", record.schema_version or DEFAULT_SCHEMA_VERSION)
    _leaf(root, "documentType", doc_type)
    _leaf(root, "periodOfReport", _format(record.period_of_report.value))
    if doc_type and doc_type.endswith("/A"):
        _leaf(root, "dateOfOriginalSubmission", _format(record.date_of_original_submission.value))
    for flag in _HEADER_FLAGS:
        _write_flag(root, record, flag, form)
    issuer = etree.SubElement(root, "issuer")
    _leaf(issuer, "issuerCik", record.issuer.cik.value or NO_CIK)
    _leaf(issuer, "issuerName", record.issuer.name.value)
    _leaf(issuer, "issuerTradingSymbol", record.issuer.trading_symbol.value)
    for owner in record.owners:
        _write_owner(root, owner)
    _write_flag(root, record, _AFF10B5ONE, form)
    for tag, rows, derivative in (("nonDerivativeTable", record.non_derivative, False),
                                  ("derivativeTable", record.derivative, True)):
        if rows:
            table = etree.SubElement(root, tag)
            for row in rows:
                _write_row(table, row, derivative, form)
    if record.footnotes:
        notes = etree.SubElement(root, "footnotes")
        for note in record.footnotes:
            _leaf(notes, "footnote", note.text.value or "", allow_empty=True).set("id", note.id)
    _leaf(root, "remarks", record.remarks.value)
    for signature in record.signatures:
        el = etree.SubElement(root, "ownerSignature")
        _leaf(el, "signatureName", signature.name.value)
        _leaf(el, "signatureDate", _format(signature.date.value))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_flag(root: etree._Element, record: Record, flag: tuple[str, str, str, str], form: str) -> None:
    tag, name, allowed, printed = flag
    if form in allowed:
        value = getattr(record, name).value
        _leaf(root, tag, _format(False if value is None and form in printed else value))


def _format(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _leaf(parent: etree._Element, tag: str, text: str | None, allow_empty: bool = False) -> etree._Element | None:
    if text is None and not allow_empty:
        return None
    el = etree.SubElement(parent, tag)
    el.text = text
    return el


def _put(parent: etree._Element, tag: str, value: Value[Any], notes: bool = True,
         empty_value: bool = False) -> None:
    """A <tag><value/><footnoteId/>...</tag> element, if the Value has anything to say.

    `empty_value` writes <value/> for a footnote-only Value where the XSD requires a value element
    but accepts an empty string (natureOfOwnership).
    """
    ids = value.footnote_ids if notes else []
    if value.value is None and not ids:
        return
    el = etree.SubElement(parent, tag)
    _leaf(el, "value", _format(value.value), allow_empty=empty_value)
    for footnote_id in ids:
        etree.SubElement(el, "footnoteId").set("id", footnote_id)


def _write_owner(root: etree._Element, owner: ReportingOwner) -> None:
    el = etree.SubElement(root, "reportingOwner")
    ident = etree.SubElement(el, "reportingOwnerId")
    _leaf(ident, "rptOwnerCik", owner.cik.value or NO_CIK)
    _leaf(ident, "rptOwnerCcc", owner.ccc.value)
    _leaf(ident, "rptOwnerName", owner.name.value)
    a = owner.address
    state, country = a.state.value, a.country.value
    if state is not None and state not in _US_STATE_CODES and country in (None, state):
        state, country = None, state  # see the module docstring: the XSD keeps countries apart
    parts = [
        ("rptOwnerNonUSAddressFlag", _format(a.non_us_address.value)),
        ("rptOwnerStreet1", a.street1.value),
        ("rptOwnerStreet2", a.street2.value),
        ("rptOwnerCity", a.city.value),
        ("rptOwnerNonUSStateTerritory", a.non_us_state_territory.value),
        ("rptOwnerState", state),
        ("rptOwnerCountry", country),
        ("rptOwnerZipCode", a.zip_code.value),
        ("rptOwnerStateDescription", a.state_description.value),
        ("rptOwnerGoodAddress", _format(a.good_address.value)),
    ]
    if any(text is not None for _, text in parts):
        address = etree.SubElement(el, "reportingOwnerAddress")
        for tag, text in parts:
            _leaf(address, tag, text)
    r = owner.relationship
    relation = etree.SubElement(el, "reportingOwnerRelationship")
    for tag, flag in (("isDirector", r.is_director), ("isOfficer", r.is_officer),
                      ("isTenPercentOwner", r.is_ten_percent_owner), ("isOther", r.is_other)):
        _leaf(relation, tag, _format(bool(flag.value)))
    _leaf(relation, "officerTitle", r.officer_title.value)
    _leaf(relation, "otherText", r.other_text.value)


def _write_row(table: etree._Element, row: Any, derivative: bool, form: str) -> None:
    # Form 3 reports holdings only, so any row of a Form 3 is written as one.
    holding = row.kind == "holding" or form == "3"
    prefix = "derivative" if derivative else "nonDerivative"
    el = etree.SubElement(table, prefix + ("Holding" if holding else "Transaction"))
    _put(el, "securityTitle", row.security_title)
    if derivative:
        _put(el, "conversionOrExercisePrice", row.conversion_or_exercise_price)
    if holding:
        if form == "5":
            _write_holding_coding(el, row)
    else:
        _put(el, "transactionDate", row.transaction_date)
        _put(el, "deemedExecutionDate", row.deemed_execution_date)
        _write_transaction_coding(el, row, form)
        # Form 5's timeliness takes no footnotes.
        _put(el, "transactionTimeliness", row.transaction_timeliness, notes=form != "5")
        amounts = etree.SubElement(el, "transactionAmounts")
        if row.shares.present or not derivative:
            _put(amounts, "transactionShares", row.shares)
        else:
            _put(amounts, "transactionTotalValue", row.total_value)
        _put(amounts, "transactionPricePerShare", row.price_per_share)
        # A derivative transaction's acquired/disposed code takes no footnotes.
        _put(amounts, "transactionAcquiredDisposedCode", row.acquired_disposed, notes=not derivative)
    if derivative:
        _put(el, "exerciseDate", row.exercise_date)
        _put(el, "expirationDate", row.expiration_date)
        underlying = etree.SubElement(el, "underlyingSecurity")
        _put(underlying, "underlyingSecurityTitle", row.underlying_title)
        if row.underlying_shares.present:
            _put(underlying, "underlyingSecurityShares", row.underlying_shares)
        else:
            _put(underlying, "underlyingSecurityValue", row.underlying_value)
    if not (derivative and form == "3"):  # a Form 3 derivative holding has no amount owned
        post = etree.SubElement(el, "postTransactionAmounts")
        if row.shares_owned_following.present:
            _put(post, "sharesOwnedFollowingTransaction", row.shares_owned_following)
        else:
            _put(post, "valueOwnedFollowingTransaction", row.value_owned_following)
    nature = etree.SubElement(el, "ownershipNature")
    _put(nature, "directOrIndirectOwnership", row.direct_or_indirect)
    _put(nature, "natureOfOwnership", row.nature_of_ownership, empty_value=True)


def _write_transaction_coding(el: etree._Element, row: Any, form: str) -> None:
    # A lone unchecked V box is no reason to write a coding that would lack its required code.
    if not (row.transaction_code.present or row.transaction_form_type.present or row.equity_swap_involved.value):
        return
    coding = etree.SubElement(el, "transactionCoding")
    _leaf(coding, "transactionFormType", row.transaction_form_type.value or form)
    _leaf(coding, "transactionCode", row.transaction_code.value)
    _leaf(coding, "equitySwapInvolved", _format(bool(row.equity_swap_involved.value)))
    for footnote_id in row.transaction_code.footnote_ids:
        etree.SubElement(coding, "footnoteId").set("id", footnote_id)


def _write_holding_coding(el: etree._Element, row: Any) -> None:
    # A Form 5 holding's coding only says "this is a late Form 3 holding", plus footnotes.
    form_type = row.transaction_form_type.value
    ids = row.transaction_code.footnote_ids
    if form_type != "3" and not ids:
        return
    coding = etree.SubElement(el, "transactionCoding")
    _leaf(coding, "transactionFormType", form_type if form_type == "3" else None)
    for footnote_id in ids:
        etree.SubElement(coding, "footnoteId").set("id", footnote_id)


# ---------------------------------------------------------------- validating


def default_spec_dir() -> Path:
    configured = os.environ.get(SPEC_DIR_ENV)
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared/corpus/spec"


@functools.lru_cache(maxsize=16)
def _schema(spec_dir: Path, document_type: str) -> etree.XMLSchema:
    path = spec_dir / _SCHEMA_FILES[document_type]
    if not path.is_file():
        raise SpecNotFoundError(f"{path}: the SEC ownership XSD is not there (set {SPEC_DIR_ENV} to its folder)")
    # The file path (not its text) is parsed, so the XSD's relative include resolves beside it.
    tree = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    return etree.XMLSchema(tree)


def validate_xml(data: bytes, document_type: str, spec_dir: str | Path | None = None) -> list[str]:
    """Schema errors of an ownershipDocument against its form's XSD; an empty list means valid."""
    if document_type not in _SCHEMA_FILES:
        raise ValueError(f"unknown document type {document_type!r}; expected one of {', '.join(_SCHEMA_FILES)}")
    schema = _schema(Path(spec_dir) if spec_dir else default_spec_dir(), document_type)
    try:
        doc = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        return ["malformed XML: " + " ".join(str(exc).split())]
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
