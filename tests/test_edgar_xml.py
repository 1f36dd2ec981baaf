"""EDGAR ownership XML: reading, writing back and validating, on the real corpus and on made-up input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from extractor.edgar_xml import (
    NO_CIK,
    SPEC_DIR_ENV,
    SpecNotFoundError,
    find_ownership_xml,
    is_ownership_xml,
    read_xml,
    validate_xml,
    write_xml,
)
from extractor.errors import EmptyInputError, Form4Error, XmlError
from extractor.records import Record

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
XML_DIR = CORPUS / "xml"
SPEC_DIR = CORPUS / "spec"
RENDERINGS = CORPUS / "renderings"
SEED_GOLD = SHARED / "samples" / "allied-motion-2012-form4.xml"
SAMPLE_SIZE = 300

# Corpus files whose own data cannot be written as XSD-valid XML without inventing a value.
KNOWN_INVALID_SOURCES = {
    "x-1e63bedb828d.xml": (
        "its derivativeTransaction has an empty <exerciseDate>, while the XSD requires a date or a "
        "footnoteId there; write_xml leaves the empty value out rather than invent one"
    ),
}


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"../shared/corpus not found: {path} is missing (the real documents live beside the checkout)")
    return path


def corpus_files(split: str) -> list[Path]:
    files = sorted(need(XML_DIR / split).glob("*.xml"))
    if not files:
        pytest.skip(f"../shared/corpus not found: no XML files in {XML_DIR / split}")
    return files


def evenly_spaced(files: list[Path], count: int) -> list[Path]:
    if len(files) <= count:
        return files
    return [files[i * len(files) // count] for i in range(count)]


def differing_paths(a: Any, b: Any, prefix: str = "") -> list[str]:
    """Dotted paths where two model dumps differ, to say what a failed round trip changed."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for key in sorted(set(a) | set(b)) for p in differing_paths(a.get(key), b.get(key), f"{prefix}{key}.")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b)) for p in differing_paths(x, y, f"{prefix}{i}.")]
    return [] if a == b else [prefix.rstrip(".")]


def round_trip(files: list[Path]) -> tuple[list[str], list[str]]:
    """Read, write and read again every file; returns (round-trip failures, validation failures)."""
    unequal, invalid = [], []
    for path in files:
        first = read_xml(path.read_bytes(), path.name)
        written = write_xml(first)
        second = read_xml(written, path.name)
        if first != second:
            unequal.append(f"{path.name}: {differing_paths(first.model_dump(), second.model_dump())[:5]}")
        if path.name in KNOWN_INVALID_SOURCES:
            continue
        errors = validate_xml(written, first.document_type.value, SPEC_DIR)
        if errors:
            invalid.append(f"{path.name}: {errors[:2]}")
    return unequal, invalid


def report(failures: list[str], total: int, what: str) -> str:
    return f"{len(failures)} of {total} files {what}; first: " + "; ".join(failures[:5])


# ---------------------------------------------------------------- the whole dev split


@pytest.fixture(scope="module")
def dev_results() -> tuple[int, list[str], list[str]]:
    files = corpus_files("dev")
    need(SPEC_DIR)
    unequal, invalid = round_trip(files)
    return len(files), unequal, invalid


def test_every_dev_file_round_trips_to_an_equal_record(dev_results):
    total, unequal, _ = dev_results
    assert total > 2000
    assert not unequal, report(unequal, total, "read back differently after write_xml")


def test_every_dev_file_is_written_as_xsd_valid_xml(dev_results):
    total, _, invalid = dev_results
    assert not invalid, report(invalid, total, "were written as XML the XSD rejects")


@pytest.mark.parametrize("split", ["train", "ood"])
def test_a_sample_of_other_splits_reads_round_trips_and_validates(split):
    need(SPEC_DIR)
    files = evenly_spaced(corpus_files(split), SAMPLE_SIZE)
    unequal, invalid = round_trip(files)
    assert not unequal, report(unequal, len(files), "read back differently after write_xml")
    assert not invalid, report(invalid, len(files), "were written as XML the XSD rejects")


def test_known_invalid_source_is_really_invalid_at_the_source():
    # Keeps the skip list honest: the file must still be there and still lack the value.
    path = need(XML_DIR / "ood" / "x-1e63bedb828d.xml")
    record = read_xml(path)
    assert any(row.exercise_date.value is None and not row.exercise_date.footnote_ids for row in record.derivative)
    errors = validate_xml(write_xml(record), record.document_type.value, need(SPEC_DIR))
    assert errors and all("exerciseDate" in e for e in errors)


# ---------------------------------------------------------------- real documents, value by value


def test_374water_form4_values():
    record = read_xml(need(RENDERINGS / "374water-form4.xml"))
    assert record.document_type.value == "4" and record.schema_version == "X0508"
    assert record.period_of_report.value == dt.date(2025, 4, 30)
    assert record.issuer.trading_symbol.value == "SCWO"
    assert record.issuer.name.value == "374Water Inc." and record.issuer.cik.value == "0000933972"
    (owner,) = record.owners
    assert owner.cik.value == "0002064133" and owner.address.state.value == "NC"
    assert owner.address.country.value is None
    assert owner.relationship.is_officer.value is True
    assert owner.relationship.is_director.value is False  # absent box reads as unchecked
    assert owner.relationship.officer_title.value == "Chief Technology Officer"
    assert record.aff10b5_one.value is False and record.not_subject_to_section16.value is False
    assert record.joint_filing.value is False
    assert record.no_securities_owned.value is None  # a Form 4 has no such box

    (row,) = record.non_derivative
    assert row.kind == "transaction"
    assert row.shares.value == Decimal("757756") and row.shares.footnote_ids == ["F1"]
    assert row.price_per_share.value == Decimal(0) and row.price_per_share.footnote_ids == []
    assert (row.transaction_code.value, row.transaction_form_type.value) == ("A", "4")
    assert row.equity_swap_involved.value is False
    assert row.shares_owned_following.value == Decimal("757756")
    assert row.direct_or_indirect.value == "D" and row.nature_of_ownership.value is None

    (option,) = record.derivative
    assert option.conversion_or_exercise_price.value == Decimal("0.33")
    assert option.exercise_date.value is None and option.exercise_date.footnote_ids == ["F1"]
    assert option.expiration_date.value == dt.date(2035, 4, 29)
    assert option.underlying_title.value == "Common Stock"
    assert option.underlying_shares.value == Decimal("757576")

    assert [f.id for f in record.footnotes] == ["F1"]
    assert record.footnotes[0].text.value.startswith("Vesting commencement date")
    (signature,) = record.signatures
    assert signature.name.value == "/s/ Rajesh Melkote" and signature.date.value == dt.date(2025, 5, 2)

    assert record.source.format == "xml" and record.source.path.endswith("374water-form4.xml")
    for path, value in record.values():
        assert (value.method, value.confidence, value.provenance) == ("xml", 1.0, None), path


def test_snowflake_form3_holdings_and_form3_flags():
    record = read_xml(need(RENDERINGS / "snowflake-form3.xml"))
    assert record.document_type.value == "3"
    assert record.no_securities_owned.value is False
    assert record.not_subject_to_section16.value is None and record.aff10b5_one.value is None
    assert record.derivative and all(row.kind == "holding" for row in record.derivative)
    first = record.derivative[0]
    assert first.conversion_or_exercise_price.value is None and first.conversion_or_exercise_price.footnote_ids == ["F1"]
    assert first.underlying_title.footnote_ids == ["F2", "F3"]
    assert first.nature_of_ownership.value == "Limited Partnership" and first.nature_of_ownership.footnote_ids == ["F4"]
    assert first.equity_swap_involved.value is None  # holdings have no V column


def test_snowflake_form5_coding_footnote_sits_on_the_code():
    record = read_xml(need(RENDERINGS / "snowflake-form5.xml"))
    assert record.document_type.value == "5"
    assert record.form3_holdings_reported.value is False and record.form4_transactions_reported.value is False
    row = record.non_derivative[0]
    assert (row.kind, row.transaction_form_type.value, row.transaction_code.value) == ("transaction", "5", "G")
    assert row.transaction_code.footnote_ids == ["F1"]
    assert [r.kind for r in record.non_derivative[1:3]] == ["holding", "holding"]


def test_seed_gold_without_ciks():
    record = read_xml(need(SEED_GOLD))
    row = record.non_derivative[0]
    assert row.price_per_share.value == Decimal("6.4") and row.price_per_share.footnote_ids == ["F1"]
    assert row.shares.value == Decimal(859) and row.shares_owned_following.value == Decimal(7688)
    owner = record.owners[0]
    assert owner.address.state.value == "CO" and owner.relationship.is_director.value is True
    assert record.aff10b5_one.value is False  # the 2012 gold predates the box
    assert record.issuer.cik.value is None and owner.cik.value is None
    written = write_xml(record)
    # The XSD requires CIKs, so the placeholder is written, and it reads back as no CIK.
    assert written.count(f">{NO_CIK}<".encode()) == 2
    assert read_xml(written, str(SEED_GOLD)) == record
    assert validate_xml(written, "4", need(SPEC_DIR)) == []


# ---------------------------------------------------------------- made-up documents

FAKE_FORM4 = """<?xml version="1.0" encoding="UTF-8"?>
<ownershipDocument>
  <schemaVersion>X0407</schemaVersion>
  <documentType>4</documentType>
  <periodOfReport>2021-03-04-05:00</periodOfReport>
  <notSubjectToSection16> TRUE </notSubjectToSection16>
  <issuer>
    <issuerCik>0000123456</issuerCik>
    <issuerName>Example Widgets Corp</issuerName>
    <issuerTradingSymbol>EXWG</issuerTradingSymbol>
  </issuer>
  <reportingOwner>
    <reportingOwnerId>
      <rptOwnerCik>0000654321</rptOwnerCik>
      <rptOwnerName>Doe Jane Q</rptOwnerName>
    </reportingOwnerId>
    <reportingOwnerAddress>
      <rptOwnerStreet1>1 Sample Way</rptOwnerStreet1>
      <rptOwnerCity>Springfield</rptOwnerCity>
      <rptOwnerState>X0</rptOwnerState>
      <rptOwnerZipCode>00001</rptOwnerZipCode>
    </reportingOwnerAddress>
    <reportingOwnerRelationship>
      <isDirector>true</isDirector>
      <isOther>1</isOther>
      <otherText>Made-up role</otherText>
    </reportingOwnerRelationship>
  </reportingOwner>
  <reportingOwner>
    <reportingOwnerId>
      <rptOwnerCik>0000777777</rptOwnerCik>
      <rptOwnerName>Roe Family Trust</rptOwnerName>
    </reportingOwnerId>
    <reportingOwnerRelationship>
      <isTenPercentOwner>1</isTenPercentOwner>
    </reportingOwnerRelationship>
  </reportingOwner>
  <aff10b5One>1</aff10b5One>
  <nonDerivativeTable>
    <nonDerivativeHolding>
      <securityTitle><value>Common Stock</value><footnoteId id="F3"/></securityTitle>
      <postTransactionAmounts>
        <sharesOwnedFollowingTransaction><value>1,000.50</value></sharesOwnedFollowingTransaction>
      </postTransactionAmounts>
      <ownershipNature>
        <directOrIndirectOwnership><value>I</value></directOrIndirectOwnership>
        <natureOfOwnership><value></value><footnoteId id="F2"/></natureOfOwnership>
      </ownershipNature>
    </nonDerivativeHolding>
    <nonDerivativeTransaction>
      <securityTitle><value>Common Stock</value></securityTitle>
      <transactionDate><value>2021-03-02</value><footnoteId id="F1"/></transactionDate>
      <deemedExecutionDate><footnoteId id="F2"/></deemedExecutionDate>
      <transactionCoding>
        <transactionFormType>4</transactionFormType>
        <transactionCode>S</transactionCode>
        <footnoteId id="F1"/>
      </transactionCoding>
      <transactionTimeliness><value>L</value><footnoteId id="F3"/></transactionTimeliness>
      <transactionAmounts>
        <transactionShares><value>250.0000</value></transactionShares>
        <transactionPricePerShare><value>12.50</value><footnoteId id="F1"/></transactionPricePerShare>
        <transactionAcquiredDisposedCode><value>D</value><footnoteId id="F2"/></transactionAcquiredDisposedCode>
      </transactionAmounts>
      <postTransactionAmounts>
        <sharesOwnedFollowingTransaction><value>750</value></sharesOwnedFollowingTransaction>
      </postTransactionAmounts>
      <ownershipNature>
        <directOrIndirectOwnership><value>D</value></directOrIndirectOwnership>
      </ownershipNature>
    </nonDerivativeTransaction>
  </nonDerivativeTable>
  <derivativeTable>
    <derivativeTransaction>
      <securityTitle><value>Phantom Units</value></securityTitle>
      <conversionOrExercisePrice><footnoteId id="F1"/></conversionOrExercisePrice>
      <transactionDate><value>2021-03-03</value></transactionDate>
      <transactionCoding>
        <transactionFormType>4</transactionFormType>
        <transactionCode>A</transactionCode>
        <equitySwapInvolved>1</equitySwapInvolved>
      </transactionCoding>
      <transactionAmounts>
        <transactionTotalValue><value>5000</value></transactionTotalValue>
        <transactionPricePerShare><value>0</value></transactionPricePerShare>
        <transactionAcquiredDisposedCode><value>A</value></transactionAcquiredDisposedCode>
      </transactionAmounts>
      <exerciseDate><footnoteId id="F2"/></exerciseDate>
      <expirationDate><footnoteId id="F2"/></expirationDate>
      <underlyingSecurity>
        <underlyingSecurityTitle><value>Common Stock</value></underlyingSecurityTitle>
        <underlyingSecurityValue><value>5000</value></underlyingSecurityValue>
      </underlyingSecurity>
      <postTransactionAmounts>
        <valueOwnedFollowingTransaction><value>0.0001</value></valueOwnedFollowingTransaction>
      </postTransactionAmounts>
      <ownershipNature>
        <directOrIndirectOwnership><value>D</value></directOrIndirectOwnership>
      </ownershipNature>
    </derivativeTransaction>
  </derivativeTable>
  <footnotes>
    <footnote id="F1">A made-up footnote &amp; its ampersand.</footnote>
    <footnote id="F2">Another invented note.</footnote>
    <footnote id="F3">A third one.</footnote>
  </footnotes>
  <remarks>  Invented remarks.  </remarks>
  <ownerSignature><signatureName>/s/ Jane Q. Doe</signatureName><signatureDate>2021-03-05</signatureDate></ownerSignature>
  <ownerSignature><signatureName>/s/ R. Roe, trustee</signatureName><signatureDate>2021-03-06</signatureDate></ownerSignature>
</ownershipDocument>
"""


def fake() -> Record:
    return read_xml(FAKE_FORM4.encode(), "fake.xml")


def test_made_up_document_reads_every_cell_with_its_own_footnotes():
    record = fake()
    assert record.period_of_report.value == dt.date(2021, 3, 4)  # time zone suffix dropped
    assert record.not_subject_to_section16.value is True and record.aff10b5_one.value is True
    assert record.joint_filing.value is True and len(record.owners) == 2
    jane, trust = record.owners
    assert jane.relationship.is_director.value is True and jane.relationship.is_officer.value is False
    assert jane.relationship.other_text.value == "Made-up role"
    assert (jane.address.state.value, jane.address.country.value) == ("X0", "X0")
    assert trust.relationship.is_ten_percent_owner.value is True and trust.address.city.value is None

    holding, sale = record.non_derivative  # document order kept
    assert holding.kind == "holding" and sale.kind == "transaction"
    assert holding.security_title.footnote_ids == ["F3"]
    assert holding.shares_owned_following.value == Decimal("1000.50")
    assert holding.nature_of_ownership.value is None and holding.nature_of_ownership.footnote_ids == ["F2"]
    assert sale.transaction_date.footnote_ids == ["F1"]
    assert sale.deemed_execution_date.value is None and sale.deemed_execution_date.footnote_ids == ["F2"]
    assert sale.transaction_code.value == "S" and sale.transaction_code.footnote_ids == ["F1"]
    assert sale.equity_swap_involved.value is False  # coding present, flag absent
    assert sale.transaction_timeliness.value == "L" and sale.transaction_timeliness.footnote_ids == ["F3"]
    assert sale.price_per_share.value == Decimal("12.5") and sale.price_per_share.footnote_ids == ["F1"]
    assert sale.acquired_disposed.footnote_ids == ["F2"]

    (units,) = record.derivative
    assert units.conversion_or_exercise_price.footnote_ids == ["F1"]
    assert units.equity_swap_involved.value is True
    assert units.shares.value is None and units.total_value.value == Decimal(5000)
    assert units.underlying_value.value == Decimal(5000) and units.underlying_shares.value is None
    assert units.value_owned_following.value == Decimal("0.0001")
    assert record.footnote("F1").text.value == "A made-up footnote & its ampersand."
    assert record.remarks.value == "Invented remarks."
    assert [s.name.value for s in record.signatures] == ["/s/ Jane Q. Doe", "/s/ R. Roe, trustee"]
    assert record.warnings == []


def test_made_up_document_round_trips_and_validates():
    record = fake()
    written = write_xml(record)
    assert read_xml(written, "fake.xml") == record
    assert validate_xml(written, "4", need(SPEC_DIR)) == []
    text = written.decode()
    assert "<value>250</value>" in text and "<value>12.5</value>" in text and "<value>0.0001</value>" in text
    assert "<rptOwnerCountry>X0</rptOwnerCountry>" in text and "<rptOwnerState>" not in text


def test_bom_whitespace_str_and_namespace_variants_read_the_same():
    expected = fake()
    namespaced = FAKE_FORM4.replace("<ownershipDocument>", '<o:ownershipDocument xmlns:o="urn:example:made-up">')
    namespaced = namespaced.replace("</ownershipDocument>", "</o:ownershipDocument>")
    namespaced = namespaced.replace("<documentType>", "<o:documentType>").replace("</documentType>", "</o:documentType>")
    default_ns = FAKE_FORM4.replace("<ownershipDocument>", '<ownershipDocument xmlns="urn:example:made-up">')
    variants = {
        "bom": b"\xef\xbb\xbf" + FAKE_FORM4.encode(),
        "leading whitespace": b"\n\n   " + FAKE_FORM4.encode(),
        "str": FAKE_FORM4,
        "str with bom": "\ufeff" + FAKE_FORM4,
        "prefixed namespace": namespaced.encode(),
        "default namespace": default_ns.encode(),
    }
    for name, data in variants.items():
        assert read_xml(data, "fake.xml") == expected, name


def test_path_input_names_the_source(tmp_path):
    path = tmp_path / "made-up.xml"
    path.write_text(FAKE_FORM4, encoding="utf-8")
    record = read_xml(path)
    assert record.source.path == str(path) and record.source.format == "xml"


def submission(xml: str) -> str:
    return (
        "<SEC-DOCUMENT>0000000000-21-000001.txt : 20210305\n<SEC-HEADER>\nCONFORMED SUBMISSION TYPE:\t4\n"
        "</SEC-HEADER>\n<DOCUMENT>\n<TYPE>4\n<SEQUENCE>1\n<FILENAME>doc4.xml\n<TEXT>\n<XML>\n"
        f"{xml}</XML>\n</TEXT>\n</DOCUMENT>\n<DOCUMENT>\n<TYPE>EX-24\n<TEXT>\n<XML>\n<?xml version=\"1.0\"?>\n"
        "<other/>\n</XML>\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n"
    )


def test_edgar_submission_txt_reads_as_the_bare_xml():
    wrapped = submission(FAKE_FORM4)
    assert find_ownership_xml(wrapped).startswith("<?xml")
    assert find_ownership_xml("<SEC-DOCUMENT><DOCUMENT><TEXT>no xml here</TEXT></DOCUMENT>") is None
    assert read_xml(wrapped.encode(), "fake.xml") == fake()
    assert read_xml(wrapped, "fake.xml") == fake()
    assert is_ownership_xml(wrapped.encode())


def test_is_ownership_xml_sniffs_cheaply():
    assert is_ownership_xml(FAKE_FORM4.encode())
    assert is_ownership_xml(b'<o:ownershipDocument xmlns:o="urn:x">')
    assert not is_ownership_xml(b"<html><body>Form 4 ownershipDocuments explained</body></html>")
    assert not is_ownership_xml(b"%PDF-1.7")


@pytest.mark.parametrize(
    "data, error, words",
    [
        (b"", EmptyInputError, "empty"),
        (b"  \n\t ", EmptyInputError, "empty"),
        (b"<ownershipDocument><documentType>4</documentType>", XmlError, "malformed XML"),
        (b"<?xml version='1.0'?><edgarSubmission><documentType>4</documentType></edgarSubmission>", XmlError,
         "<edgarSubmission>"),
        (b"<ownershipDocument><periodOfReport>2021-01-01</periodOfReport></ownershipDocument>", XmlError,
         "no documentType"),
        (b"<ownershipDocument><documentType>144</documentType></ownershipDocument>", XmlError, "'144'"),
        (submission("<other/>\n").encode(), XmlError, "submission"),
    ],
)
def test_bad_input_raises_a_one_line_error_naming_the_source(data, error, words):
    with pytest.raises(error) as caught:
        read_xml(data, "made-up-input.xml")
    message = str(caught.value)
    assert message.startswith("made-up-input.xml: ") and words in message and "\n" not in message


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    doc = FAKE_FORM4.replace('<?xml version="1.0" encoding="UTF-8"?>',
                             f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>')
    doc = doc.replace("Invented remarks.", "&x;")
    record = read_xml(doc.encode(), "entity.xml")
    assert "do not read me" not in (record.remarks.value or "")


def test_unreadable_cell_is_left_empty_with_a_warning():
    record = read_xml(FAKE_FORM4.replace("<value>750</value>", "<value>N/A</value>").encode(), "fake.xml")
    row = record.non_derivative[1]
    assert row.shares_owned_following.value is None
    (warning,) = record.warnings
    assert warning.fields == ["non_derivative.1.shares_owned_following"] and "'N/A'" in warning.message


# ---------------------------------------------------------------- writing records that did not come from XML


def rendered_style(record: Record) -> Record:
    """What an extractor working from a printed form can know: no CIKs, no transactionFormType."""
    record = record.model_copy(deep=True)
    record.issuer.cik.value = None
    for owner in record.owners:
        owner.cik.value = None
    for row in record.non_derivative + record.derivative:
        row.transaction_form_type.value = None
    return record


def test_record_without_xml_only_fields_is_still_written_valid():
    record = rendered_style(fake())
    written = write_xml(record)
    assert validate_xml(written, "4", need(SPEC_DIR)) == []
    back = read_xml(written, "fake.xml")
    assert back.issuer.cik.value is None and [o.cik.value for o in back.owners] == [None, None]
    assert back.non_derivative[1].transaction_form_type.value == "4"  # the form's own number


def test_schema_version_defaults_and_form_specific_elements():
    record = fake()
    record.schema_version = None
    assert b"<schemaVersion>X0508</schemaVersion>" in write_xml(record)

    form3 = fake()
    form3.document_type.value = "3"
    form3.aff10b5_one.value = None
    form3.non_derivative = form3.non_derivative[:1]
    form3.derivative = []
    text = write_xml(form3).decode()
    assert "<noSecuritiesOwned>0</noSecuritiesOwned>" in text
    assert "notSubjectToSection16" not in text and "aff10b5One" not in text
    assert validate_xml(text.encode(), "3", need(SPEC_DIR)) == []


def test_amendment_keeps_its_original_submission_date():
    amended = FAKE_FORM4.replace("<documentType>4</documentType>", "<documentType>4/A</documentType>").replace(
        "</periodOfReport>", "</periodOfReport>\n  <dateOfOriginalSubmission>2021-03-05</dateOfOriginalSubmission>")
    record = read_xml(amended.encode(), "fake-amendment.xml")
    assert record.date_of_original_submission.value == dt.date(2021, 3, 5)
    written = write_xml(record)
    assert b"<dateOfOriginalSubmission>2021-03-05</dateOfOriginalSubmission>" in written
    assert read_xml(written, "fake-amendment.xml") == record
    assert validate_xml(written, "4/A", need(SPEC_DIR)) == []


def test_written_elements_follow_the_xsd_sequence():
    root = etree.fromstring(write_xml(fake()))
    assert [child.tag for child in root] == [
        "schemaVersion", "documentType", "periodOfReport", "notSubjectToSection16", "issuer",
        "reportingOwner", "reportingOwner", "aff10b5One", "nonDerivativeTable", "derivativeTable",
        "footnotes", "remarks", "ownerSignature", "ownerSignature",
    ]
    coding = root.find("nonDerivativeTable/nonDerivativeTransaction/transactionCoding")
    assert [c.tag for c in coding] == ["transactionFormType", "transactionCode", "equitySwapInvolved", "footnoteId"]


# ---------------------------------------------------------------- validating


def test_validate_xml_reports_errors_and_malformed_input():
    need(SPEC_DIR)
    broken = write_xml(fake()).replace(b"<transactionCode>S</transactionCode>", b"<transactionCode>Q</transactionCode>")
    errors = validate_xml(broken, "4", SPEC_DIR)
    assert errors and "transactionCode" in errors[0] and errors[0].startswith("line ")
    assert validate_xml(b"<ownershipDocument>", "4", SPEC_DIR)[0].startswith("malformed XML")
    with pytest.raises(ValueError):
        validate_xml(write_xml(fake()), "144", SPEC_DIR)


def test_validate_xml_finds_the_spec_through_the_environment(monkeypatch, tmp_path):
    need(SPEC_DIR)
    monkeypatch.setenv(SPEC_DIR_ENV, str(SPEC_DIR))
    assert validate_xml(write_xml(fake()), "4") == []
    monkeypatch.setenv(SPEC_DIR_ENV, str(tmp_path / "no-spec-here"))
    with pytest.raises(SpecNotFoundError) as caught:
        validate_xml(write_xml(fake()), "4")
    assert isinstance(caught.value, FileNotFoundError) and isinstance(caught.value, Form4Error)
    assert "no-spec-here" in str(caught.value)
