"""The SQLite result store: saving, replacing, reading, status, normalized tables and export, on made-up records."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from decimal import Decimal

import pytest

from extractor.errors import InputError
from extractor.records import (DerivativeRow, Footnote, Issuer, NonDerivativeRow, Record, RecordWarning, Relationship,
                               ReportingOwner, Value)
from extractor.store import SCHEMA_VERSION, ResultStore, export_store

VERSION = "rules-test"


def text(value, **kw) -> Value[str]:
    return Value[str](value=value, **kw)


def number(value, **kw) -> Value[Decimal]:
    return Value[Decimal](value=Decimal(value), **kw)


def date(value: str) -> Value[dt.date]:
    return Value[dt.date](value=dt.date.fromisoformat(value))


def made_up_record(shares: str = "12345", holdings: bool = True) -> Record:
    rows = [
        NonDerivativeRow(
            security_title=text("Common Stock"), transaction_date=date("2031-02-17"), transaction_code=text("P"),
            shares=number(shares, footnote_ids=["F1"]), price_per_share=number("8.25", confidence=0.7),
            acquired_disposed=text("A"), shares_owned_following=number("67890"), direct_or_indirect=text("D"),
        )
    ]
    if holdings:
        rows.append(NonDerivativeRow(
            kind="holding", security_title=text("Common Stock"), shares_owned_following=number("1000"),
            direct_or_indirect=text("I"), nature_of_ownership=text("By spouse"),
        ))
    return Record(
        document_type=text("4"),
        period_of_report=date("2031-02-17"),
        issuer=Issuer(cik=text("0000000042"), name=text("Brambleton Kitchenware Holdings"), trading_symbol=text("BKWH")),
        owners=[ReportingOwner(
            name=text("Quillfeather Marigold T"),
            relationship=Relationship(is_director=Value[bool](value=True), officer_title=text("Chief Tinkerer")),
        )],
        non_derivative=rows,
        derivative=[DerivativeRow(
            security_title=text("Stock Option (right to buy)"), transaction_date=date("2031-02-17"),
            transaction_code=text("A"), shares=number("500"), conversion_or_exercise_price=number("7.50"),
            expiration_date=date("2040-02-17"), underlying_title=text("Common Stock"), underlying_shares=number("500"),
            acquired_disposed=text("A"), direct_or_indirect=text("D"),
        )],
        footnotes=[Footnote(id="F1", text=text("Bought in several trades from $8.10 to $8.40."))],
        warnings=[RecordWarning(code="missing-field", message="no signature date")],
    )


@pytest.fixture
def store(tmp_path):
    with ResultStore(tmp_path / "results.sqlite") as opened:
        yield opened


def test_a_saved_record_reads_back_equal_and_fills_the_normalized_tables(store):
    record = made_up_record()
    store.save_record("a" * 64, "inbox/form.pdf", record, 1.25, VERSION)

    assert store.record("a" * 64) == record
    row = store.document("a" * 64)
    assert (row.source, row.status, row.error, row.seconds, row.model_version) == ("inbox/form.pdf", "done", None, 1.25, VERSION)
    assert row.warnings == ["missing-field: no signature date"]
    sql = store.connection.execute
    assert sql("SELECT name, is_director, is_officer, officer_title FROM owners").fetchall() == [
        ("Quillfeather Marigold T", 1, None, "Chief Tinkerer")
    ]
    assert sql(
        "SELECT derivative, transaction_code, shares, price_per_share, footnote_ids, min_confidence"
        " FROM transactions ORDER BY derivative"
    ).fetchall() == [(0, "P", 12345, 8.25, '["F1"]', 0.7), (1, "A", 500, None, "[]", 1.0)]
    option = sql("SELECT conversion_or_exercise_price, expiration_date FROM transactions WHERE derivative = 1")
    assert option.fetchone() == (7.5, "2040-02-17")
    holdings = sql("SELECT position, shares_owned_following, nature_of_ownership FROM holdings")
    assert holdings.fetchall() == [(1, 1000, "By spouse")]
    assert sql("SELECT footnote_id, text FROM footnotes").fetchall() == [("F1", "Bought in several trades from $8.10 to $8.40.")]
    document = sql("SELECT document_type, period_of_report, issuer_ticker, min_confidence FROM documents")
    assert document.fetchone() == ("4", "2031-02-17", "BKWH", 0.7)


def test_saving_again_replaces_the_row_and_its_table_rows(store):
    store.save_record("b" * 64, "x.md", made_up_record("100"), 0.5, VERSION)
    store.save_record("b" * 64, "y.md", made_up_record("200", holdings=False), 0.25, VERSION)

    tables = ("documents", "transactions", "holdings", "owners", "footnotes")
    counts = [store.connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables]
    assert counts == [1, 2, 0, 1, 1]
    assert store.connection.execute("SELECT shares FROM transactions WHERE derivative = 0").fetchone() == (200,)
    assert store.document("b" * 64).source == "y.md"


def test_a_failure_is_finished_and_replaced_by_a_later_success(store):
    store.save_failure("c" * 64, "bad.pdf", "bad.pdf: the file is corrupt or truncated", 0.1, VERSION)
    assert store.is_done("c" * 64) and store.is_done("c" * 64, VERSION) and not store.is_done("c" * 64, "rules-9.9")
    assert store.record("c" * 64) is None
    assert store.document("c" * 64).error == "bad.pdf: the file is corrupt or truncated"

    store.save_record("c" * 64, "bad.pdf", made_up_record(), 0.2, VERSION)
    assert store.document("c" * 64).status == "done" and store.document("c" * 64).error is None


def test_running_is_not_done_and_never_hides_a_finished_record(store):
    store.mark_running("d" * 64, "slow.tiff", VERSION)
    assert not store.is_done("d" * 64) and store.document("d" * 64).status == "running"
    assert store.document("e" * 64) is None and not store.is_done("e" * 64)

    store.save_record("f" * 64, "done.md", made_up_record(), 0.3, VERSION)
    store.mark_running("f" * 64, "done.md", VERSION)  # a --reextract under way keeps the old record until replaced
    assert store.document("f" * 64).status == "done" and store.record("f" * 64) is not None

    status = store.status()
    assert status.counts == {"done": 1, "failed": 0, "running": 1} and status.total == 2
    assert status.seconds == pytest.approx(0.3) and status.model_versions == {VERSION: 2}
    assert status.last_update is not None


def test_a_second_connection_reads_while_the_first_is_open(tmp_path):
    with ResultStore(tmp_path / "r.sqlite") as writer:
        writer.save_record("a" * 64, "one.md", made_up_record(), 0.1, VERSION)
        with ResultStore(tmp_path / "r.sqlite") as reader:
            assert reader.status().counts["done"] == 1
            assert reader.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_store_from_a_newer_version_or_not_a_store_is_refused_with_its_name(tmp_path):
    path = tmp_path / "newer.sqlite"
    ResultStore(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(InputError, match="newer.sqlite: written by a newer form4"):
        ResultStore(path)

    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(InputError, match="junk.sqlite: not a result store"):
        ResultStore(junk)


def test_export_writes_every_table_as_parquet_and_csv_and_records_as_jsonl(store, tmp_path):
    import pyarrow.parquet as pq

    store.save_record("a" * 64, "one.md", made_up_record("12345"), 0.1, VERSION)
    store.save_record("b" * 64, "two.md", made_up_record("777", holdings=False), 0.1, VERSION)
    store.save_failure("c" * 64, "bad.pdf", "bad.pdf: the file is empty", 0.0, VERSION)

    written = export_store(store, "parquet", tmp_path / "pq")
    assert sorted(p.stem for p in written) == ["documents", "footnotes", "holdings", "owners", "transactions"]
    transactions = pq.read_table(tmp_path / "pq" / "transactions.parquet").to_pylist()
    assert sorted((t["sha256"][0], t["derivative"], t["shares"]) for t in transactions) == [
        ("a", 0, 12345.0), ("a", 1, 500.0), ("b", 0, 777.0), ("b", 1, 500.0)
    ]
    documents = pq.read_table(tmp_path / "pq" / "documents.parquet").to_pylist()
    assert [(d["source"], d["status"]) for d in documents] == [("bad.pdf", "failed"), ("one.md", "done"), ("two.md", "done")]
    assert "record_json" not in documents[0]
    assert pq.read_table(tmp_path / "pq" / "holdings.parquet").num_rows == 1

    export_store(store, "csv", tmp_path / "csv")
    with (tmp_path / "csv" / "owners.csv").open() as stream:
        owners = list(csv.DictReader(stream))
    assert [(o["name"], o["is_director"], o["is_officer"]) for o in owners] == [("Quillfeather Marigold T", "1", "")] * 2

    export_store(store, "jsonl", tmp_path / "records.jsonl")
    lines = (tmp_path / "records.jsonl").read_text().splitlines()
    assert [json.loads(line)["non_derivative"][0]["shares"]["value"] for line in lines] == ["12345", "777"]


def test_export_of_an_empty_store_writes_empty_tables(store, tmp_path):
    import pyarrow.parquet as pq

    export_store(store, "parquet", tmp_path / "pq")
    table = pq.read_table(tmp_path / "pq" / "owners.parquet")
    assert table.num_rows == 0 and "name" in table.column_names
