"""`form4 synth`: labeled document sets from records, deterministic for a seed."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from extractor.cli import app
from extractor.edgar_xml import read_xml
from extractor.layout import read_layout
from extractor.scoring import differences
from extractor.synth.build import SynthSettings, build_set, load_labels
from extractor.synth.fake import make_records


def _run(out, *extra):
    result = CliRunner().invoke(app, ["synth", "--fake", "2", "--seed", "5", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def test_synth_writes_docs_gold_labels_and_manifest(tmp_path):
    manifest = _run(tmp_path / "a", "--channels", "pdf,text,md", "--per-doc", "2")
    assert len(manifest) == 2 * 2 * 3
    assert {m["channel"] for m in manifest} == {"pdf", "text", "md"}
    for entry in manifest:
        doc = tmp_path / "a" / entry["file"]
        gold = read_xml((tmp_path / "a" / entry["gold"]).read_bytes(), entry["gold"])
        assert doc.name.startswith(entry["key"] + "." + entry["channel"] + ".")
        layout = read_layout(doc.read_bytes(), doc.name)
        labels = load_labels(tmp_path / "a" / entry["labels"], layout)
        assert len(labels) == len(list(layout.words))
        fields = {w.field for w in labels}
        assert "issuer.name" in fields and any(f.startswith("non_derivative.") or f.startswith("derivative.") for f in fields)
        assert gold.issuer.name.value in " ".join(w.text for w in labels if w.field == "issuer.name") or entry["channel"] != "pdf"
    pdf = next(m for m in manifest if m["channel"] == "pdf")
    assert pdf["label_source"] == "exact" and pdf["family"] in ("edgar", "paper", "agent", "typewriter")
    assert pdf["variation"], "the manifest records what the seed chose"


def test_synth_is_deterministic_for_a_seed(tmp_path):
    first = _run(tmp_path / "a", "--channels", "pdf,md")
    second = _run(tmp_path / "b", "--channels", "pdf,md")
    assert first == second
    for entry in first:
        for part in ("file", "gold", "labels"):
            assert (tmp_path / "a" / entry[part]).read_bytes() == (tmp_path / "b" / entry[part]).read_bytes()
    other = _run(tmp_path / "c", "--channels", "pdf", "--seed", "6")
    assert [m["seed"] for m in other] != [m["seed"] for m in first if m["channel"] == "pdf"]


def test_gold_written_beside_the_docs_is_the_record(tmp_path):
    records = list(make_records(1, seed=3))
    outcome = build_set(records, tmp_path, SynthSettings(channels=("pdf",), seed=3))
    gold = read_xml((tmp_path / outcome.documents[0].gold).read_bytes(), "gold")
    assert differences(records[0], gold) == []


def test_scan_labels_follow_the_words_onto_the_ocr(tmp_path):
    records = list(make_records(1, seed=11))
    outcome = build_set(records, tmp_path, SynthSettings(channels=("scan",), seed=11, families=("agent",)))
    entry = outcome.documents[0]
    assert entry.label_source == "exact+transform" and entry.noise["dpi"] >= 150
    layout = read_layout((tmp_path / entry.file).read_bytes(), entry.file)
    labels = load_labels(tmp_path / entry.labels, layout)
    assert len(labels) == len(list(layout.words))
    name = records[0].issuer.name.value.split()[0]
    hits = [w for w in labels if w.text.strip(".,") == name]
    assert hits and any(w.field == "issuer.name" for w in hits)


def test_synth_refuses_unknown_channels(tmp_path):
    result = CliRunner().invoke(app, ["synth", "--fake", "1", "--channels", "pdf,telex", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "telex" in result.output


def test_parallel_workers_write_the_same_set(tmp_path):
    records = list(make_records(3, seed=8))
    one = build_set(records, tmp_path / "one", SynthSettings(channels=("pdf", "md"), seed=8))
    two = build_set(records, tmp_path / "two", SynthSettings(channels=("pdf", "md"), seed=8), workers=2)
    assert [d.key for d in one.documents] == [d.key for d in two.documents]
    assert (tmp_path / "one" / "manifest.jsonl").read_text() == (tmp_path / "two" / "manifest.jsonl").read_text()
    for doc in one.documents:
        assert (tmp_path / "one" / doc.file).read_bytes() == (tmp_path / "two" / doc.file).read_bytes()


# Read off the page, not printed as words: the form type comes from which form it is, and a
# derivative row's acquired/disposed from whether its amount stands in the (A) or the (D) column.
_DERIVED = ("transaction_form_type",)


def _printed_fields(record):
    from extractor.scoring import comparable

    fields = set()
    for path, (value, _) in comparable(record).items():
        if value is None or value == "false" or path.startswith("footnote."):
            continue
        if path.endswith(_DERIVED) or (path.startswith("derivative.") and path.endswith("acquired_disposed")):
            continue
        fields.add(path)
    return fields


def test_every_family_and_channel_round_trips_its_labels():
    from extractor.synth.agreement import labels_for_layout
    from extractor.synth.align import align
    from extractor.synth.channels import html_markdown, pdf_layout_text, seed_style_markdown
    from extractor.synth.render import FAMILIES, render

    records = list(make_records(2, seed=99))
    for family in FAMILIES:
        for i, record in enumerate(records):
            wanted = _printed_fields(record)
            rendering = render(record, family, i)
            pdf = read_layout(rendering.pdf, "x.pdf")
            found = {w.field for w in labels_for_layout(pdf, rendering.words)}
            assert wanted <= found, (family, "pdf", sorted(wanted - found))
            text = read_layout(pdf_layout_text(rendering.pdf).encode(), "x.txt")
            found = {w.field for w in align(text, record)}
            # a text dump interleaves wrapped cells of neighbouring columns; most values survive whole
            assert len(wanted & found) >= 0.9 * len(wanted), (family, "text", sorted(wanted - found))
    html = render(records[0], "edgar", 0).html
    for convert in (seed_style_markdown, html_markdown):
        found = {w.field for w in align(read_layout(convert(html).encode(), "x.md"), records[0])}
        assert _printed_fields(records[0]) <= found, (convert.__name__, sorted(_printed_fields(records[0]) - found))


def test_an_evaluation_set_without_labels_has_the_same_documents(tmp_path):
    records = list(make_records(2, seed=8))
    labeled = build_set(records, tmp_path / "a", SynthSettings(channels=("pdf", "md", "scan"), seed=8))
    bare = build_set(records, tmp_path / "b", SynthSettings(channels=("pdf", "md", "scan"), seed=8, labels=False))
    assert [d.file for d in bare.documents] == [d.file for d in labeled.documents]
    for a, b in zip(labeled.documents, bare.documents):
        if a.file.endswith(".tiff"):
            # libtiff's Group 4 coder can leave the pad bits of a strip's last byte as it found them
            # in memory (a full-suite run gave one byte apart), so scans are compared by their pages.
            assert _tiff_pages(tmp_path / "a" / a.file) == _tiff_pages(tmp_path / "b" / b.file)
        else:
            assert (tmp_path / "a" / a.file).read_bytes() == (tmp_path / "b" / b.file).read_bytes()
        assert b.labels == "" and b.label_source == "none" and a.labels
    assert not list((tmp_path / "b" / "labels").iterdir())


def _tiff_pages(path) -> list[tuple[str, tuple[int, int], dict, bytes]]:
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        return [(page.mode, page.size, dict(page.tag_v2), page.tobytes()) for page in ImageSequence.Iterator(image)]
