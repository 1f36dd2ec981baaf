"""Typed Form 3/4/5 records: everything an ownershipDocument holds.

Every leaf is a `Value`: the value itself plus the footnote ids that cite that exact cell,
a confidence in [0, 1], the method that produced it and, where the input had geometry,
the page and bounding box it came from. Table rows keep their document order, and a row's
`kind` says whether it is a transaction or a holding, as the XML's `xs:choice` does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Generic, Iterator, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

T = TypeVar("T")

Method = Literal["xml", "rules", "model"]
DocumentType = Literal["3", "3/A", "4", "4/A", "5", "5/A"]
RowKind = Literal["transaction", "holding"]
BBox = tuple[float, float, float, float]


class Provenance(BaseModel):
    """Where a value was read: 1-based page and line, and its box in page units (x0, top, x1, bottom)."""

    model_config = ConfigDict(frozen=True)

    page: int = Field(ge=1)
    bbox: BBox | None = None
    line: int | None = None


class Value(BaseModel, Generic[T]):
    """One extracted value with what is known about how it was obtained."""

    value: T | None = None
    footnote_ids: list[str] = Field(default_factory=list)
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    method: Method = "xml"
    provenance: Provenance | None = None

    @property
    def present(self) -> bool:
        return self.value is not None or bool(self.footnote_ids)


Text = Value[str]
Number = Value[Decimal]
Date = Value[dt.date]
Flag = Value[bool]


def _text() -> Text:
    return Value[str]()


def _number() -> Number:
    return Value[Decimal]()


def _date() -> Date:
    return Value[dt.date]()


def _flag() -> Flag:
    return Value[bool]()


class Issuer(BaseModel):
    cik: Text = Field(default_factory=_text, description="Never printed on a rendered form.")
    name: Text = Field(default_factory=_text)
    trading_symbol: Text = Field(default_factory=_text)


class Address(BaseModel):
    street1: Text = Field(default_factory=_text)
    street2: Text = Field(default_factory=_text)
    city: Text = Field(default_factory=_text)
    state: Text = Field(default_factory=_text, description="Two-letter code.")
    zip_code: Text = Field(default_factory=_text)
    state_description: Text = Field(default_factory=_text)
    country: Text = Field(default_factory=_text)
    non_us_state_territory: Text = Field(default_factory=_text)
    non_us_address: Flag = Field(default_factory=_flag)
    good_address: Flag = Field(default_factory=_flag)


# The record's checkboxes: the form's boxes above the tables, and each owner's relationship boxes.
TOP_BOXES = ("not_subject_to_section16", "aff10b5_one", "form3_holdings_reported", "form4_transactions_reported",
             "no_securities_owned", "joint_filing")
RELATIONSHIP_BOXES = ("is_director", "is_officer", "is_ten_percent_owner", "is_other")


class Relationship(BaseModel):
    is_director: Flag = Field(default_factory=_flag)
    is_officer: Flag = Field(default_factory=_flag)
    is_ten_percent_owner: Flag = Field(default_factory=_flag)
    is_other: Flag = Field(default_factory=_flag)
    officer_title: Text = Field(default_factory=_text)
    other_text: Text = Field(default_factory=_text)


class ReportingOwner(BaseModel):
    cik: Text = Field(default_factory=_text, description="Never printed on a rendered form.")
    ccc: Text = Field(default_factory=_text)
    name: Text = Field(default_factory=_text)
    address: Address = Field(default_factory=Address)
    relationship: Relationship = Field(default_factory=Relationship)


class _Row(BaseModel):
    kind: RowKind = "transaction"
    security_title: Text = Field(default_factory=_text)
    transaction_date: Date = Field(default_factory=_date)
    deemed_execution_date: Date = Field(default_factory=_date)
    transaction_form_type: Text = Field(default_factory=_text)
    transaction_code: Text = Field(
        default_factory=_text, description="Footnotes on the transaction coding are attached here."
    )
    equity_swap_involved: Flag = Field(default_factory=_flag, description="An equity swap was involved (XML only).")
    transaction_timeliness: Text = Field(
        default_factory=_text, description="E (early: a \"V\" in the form's V column) or L (late)."
    )
    shares: Number = Field(default_factory=_number)
    price_per_share: Number = Field(default_factory=_number)
    acquired_disposed: Text = Field(default_factory=_text, description="A or D.")
    shares_owned_following: Number = Field(default_factory=_number)
    value_owned_following: Number = Field(default_factory=_number)
    direct_or_indirect: Text = Field(default_factory=_text, description="D or I.")
    nature_of_ownership: Text = Field(default_factory=_text)


class NonDerivativeRow(_Row):
    """A row of Table I."""


class DerivativeRow(_Row):
    """A row of Table II."""

    conversion_or_exercise_price: Number = Field(default_factory=_number)
    total_value: Number = Field(default_factory=_number)
    exercise_date: Date = Field(default_factory=_date)
    expiration_date: Date = Field(default_factory=_date)
    underlying_title: Text = Field(default_factory=_text)
    underlying_shares: Number = Field(default_factory=_number)
    underlying_value: Number = Field(default_factory=_number)


class Footnote(BaseModel):
    id: str
    text: Text = Field(default_factory=_text)


class Signature(BaseModel):
    name: Text = Field(default_factory=_text)
    date: Date = Field(default_factory=_date)


class RecordWarning(BaseModel):
    """A domain-validation finding: the record is usable, but these fields deserve a look."""

    code: str
    message: str
    fields: list[str] = Field(default_factory=list)


class Source(BaseModel):
    path: str | None = None
    format: str | None = None
    pages: int | None = None
    sha256: str | None = None


class Record(BaseModel):
    """One Form 3, 4 or 5 (or amendment), as complete as the input allows."""

    schema_version: str | None = None
    document_type: Text = Field(default_factory=_text)
    period_of_report: Date = Field(default_factory=_date)
    date_of_original_submission: Date = Field(default_factory=_date)
    not_subject_to_section16: Flag = Field(default_factory=_flag)
    aff10b5_one: Flag = Field(default_factory=_flag, description="The Rule 10b5-1(c) box.")
    form3_holdings_reported: Flag = Field(default_factory=_flag)
    form4_transactions_reported: Flag = Field(default_factory=_flag)
    no_securities_owned: Flag = Field(default_factory=_flag)
    joint_filing: Flag = Field(
        default_factory=_flag, description="Box 6: filed by more than one reporting person."
    )
    issuer: Issuer = Field(default_factory=Issuer)
    owners: list[ReportingOwner] = Field(default_factory=list)
    non_derivative: list[NonDerivativeRow] = Field(default_factory=list)
    derivative: list[DerivativeRow] = Field(default_factory=list)
    footnotes: list[Footnote] = Field(default_factory=list)
    remarks: Text = Field(default_factory=_text)
    signatures: list[Signature] = Field(default_factory=list)
    warnings: list[RecordWarning] = Field(default_factory=list)
    source: Source = Field(default_factory=Source)

    @field_validator("document_type")
    @classmethod
    def _known_document_type(cls, v: Text) -> Text:
        if v.value is not None and v.value not in ("3", "3/A", "4", "4/A", "5", "5/A"):
            raise ValueError(f"unknown document type {v.value!r}")
        return v

    def values(self) -> Iterator[tuple[str, Value[Any]]]:
        """Every leaf value with its dotted path, e.g. `non_derivative.0.shares`."""
        yield from iter_values(self)

    def footnote(self, footnote_id: str) -> Footnote | None:
        return next((f for f in self.footnotes if f.id == footnote_id), None)


def iter_values(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Value[Any]]]:
    for name in type(model).model_fields:
        item = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(item, Value):
            yield path, item
        elif isinstance(item, BaseModel):
            yield from iter_values(item, path + ".")
        elif isinstance(item, list):
            for index, element in enumerate(item):
                if isinstance(element, BaseModel):
                    yield from iter_values(element, f"{path}.{index}.")


def record_json_schema() -> dict[str, Any]:
    return Record.model_json_schema()
