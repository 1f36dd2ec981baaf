"""Labeled document sets: records -> renderings -> channels, with gold, word labels and a manifest.

`build_set` is what `form4 synth` runs. For every record and each of `per_doc` variants it
picks a layout family from the seed, renders it, and writes each channel the user asked for:

- ``pdf``: the born-digital rendering; word labels are the renderer's exact ones, carried
  onto the words pdfplumber reads back.
- ``text``: a PDF-to-text dump (pdfplumber's plain or layout-preserving text); ``md``: the
  HTML rendering through a markdown converter or in the seed's converter style. Words of
  text have no boxes in common with the PDF, so their labels come from the aligner.
- ``scan`` / ``fax``: the PDF through the scan simulator. OCR is slow, so the labels stored
  are the exact printed words with each page's transform onto the image; `scan_labels`
  carries them onto the words of whatever OCR later reads from the image.

Everything depends only on the seed: the same command writes the same files.
"""

from __future__ import annotations

import json
import random
from itertools import repeat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..edgar_xml import read_xml, write_xml
from ..errors import Form4Error
from ..layout import read_layout
from ..layout.document import Layout
from ..records import Record
from .labels import Rendering, WordLabel
from .render import FAMILIES, render

CHANNELS = ("pdf", "text", "md", "scan", "fax")
_EXTENSIONS = {"pdf": "pdf", "text": "txt", "md": "md", "scan": "tiff", "fax": "tiff"}


@dataclass(frozen=True)
class SynthSettings:
    channels: tuple[str, ...] = ("pdf",)
    per_doc: int = 1
    seed: int = 0
    families: tuple[str, ...] = FAMILIES
    labels: bool = True  # word labels for training; an evaluation set needs only documents and gold

    def __post_init__(self) -> None:
        unknown = [c for c in self.channels if c not in CHANNELS]
        if unknown or not self.channels:
            raise ValueError(f"channels must be some of {', '.join(CHANNELS)}, not {', '.join(unknown) or 'none'}")
        bad = [f for f in self.families if f not in FAMILIES]
        if bad or not self.families:
            raise ValueError(f"families must be some of {', '.join(FAMILIES)}, not {', '.join(bad) or 'none'}")
        if self.per_doc < 1:
            raise ValueError(f"per_doc must be at least 1, not {self.per_doc}")


@dataclass
class SynthDocument:
    """One written document: what it was made from and where its gold and labels are."""

    key: str
    record: str
    family: str
    channel: str
    seed: int
    file: str
    gold: str
    labels: str
    label_source: str  # "exact" (renderer), "aligned" (aligner), "exact+transform" (scans)
    variation: dict[str, str] = field(default_factory=dict)
    noise: dict[str, object] = field(default_factory=dict)


@dataclass
class SynthOutcome:
    documents: list[SynthDocument]
    failures: list[tuple[str, str]]


def records_from_xml(folder: Path, limit: int | None = None) -> Iterator[Record]:
    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() == ".xml")
    for path in paths[:limit] if limit else paths:
        yield read_xml(path.read_bytes(), str(path))


def spread_sample(folder: Path, n: int | None) -> list[Path]:
    """`n` XML files spread evenly over the folder's name order (names group by issuer)."""
    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() == ".xml")
    if not n or n >= len(paths):
        return paths
    step = len(paths) / n
    return [paths[int(i * step)] for i in range(n)]


def corpus_set(corpus: Path, split: str, settings: SynthSettings, n: int | None, cache: Path,
               progress: Callable[[int], None] | None = None, workers: int = 1) -> Path:
    """Render `n` records of a corpus split once; later calls with the same arguments reuse the files."""
    folder = Path(corpus) / "xml" / split
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such corpus split")
    name = f"{split}-n{n or 'all'}-seed{settings.seed}-k{settings.per_doc}-{'-'.join(settings.channels)}"
    name += "" if settings.labels else "-nolabels"
    out = Path(cache) / name
    if (out / "complete").exists():
        return out
    records = (read_xml(p.read_bytes(), str(p)) for p in spread_sample(folder, n))
    build_set(records, out, settings, progress, workers)
    (out / "complete").write_text("rendered\n", encoding="utf-8")
    return out


def build_set(records: Iterable[Record], out: Path, settings: SynthSettings,
              progress: Callable[[int], None] | None = None, workers: int = 1) -> SynthOutcome:
    """Write every channel of every variant of every record under `out`; one bad record never stops the rest.

    With `workers` > 1 records are rendered in parallel processes; the files and the manifest's
    order are the same as with one, since each record's output depends only on the seed.
    """
    out = Path(out)
    for sub in ("docs", "gold", "labels"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    outcome = SynthOutcome([], [])
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for documents, failure in _each_record(records, out, settings, workers):
            for doc in documents:
                outcome.documents.append(doc)
                manifest.write(json.dumps(asdict(doc), sort_keys=True) + "\n")
            if failure is not None:
                outcome.failures.append(failure)
            if progress is not None:
                progress(1)
    return outcome


def _each_record(records: Iterable[Record], out: Path, settings: SynthSettings, workers: int):
    if workers <= 1:
        for record in records:
            yield _one_record(record, out, settings)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ..layout.ocr import one_thread_per_process

    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=one_thread_per_process) as pool:
        yield from pool.map(_one_record, records, repeat(out), repeat(settings), chunksize=4)


def _one_record(record: Record, out: Path, settings: SynthSettings) -> tuple[list[SynthDocument], tuple[str, str] | None]:
    record_id = _record_id(record)
    documents: list[SynthDocument] = []
    try:
        for variant in range(settings.per_doc):
            documents.extend(_variant(record, record_id, variant, out, settings))
    except (Form4Error, ValueError, OSError) as exc:
        return documents, (record_id, str(exc))
    return documents, None


def _record_id(record: Record) -> str:
    return Path(record.source.path).stem if record.source.path else (record.source.sha256 or "record")[:16]


def _variant(record: Record, record_id: str, variant: int, out: Path, settings: SynthSettings) -> Iterator[SynthDocument]:
    rng = random.Random(f"{settings.seed}:{record_id}:{variant}")
    family = rng.choice(settings.families)
    doc_seed = rng.randrange(2**31)
    key = f"{record_id}-{variant}"
    gold = out / "gold" / f"{key}.xml"
    gold.write_bytes(write_xml(record))
    rendering = render(record, family, doc_seed)
    for channel in settings.channels:
        if channel == "md" and rendering.html is None:
            source = render(record, "edgar", doc_seed)  # only the EDGAR family has an HTML form
        else:
            source = rendering
        yield _write_channel(record, source, channel, key, gold, out, random.Random(f"{doc_seed}:{channel}"),
                             settings.labels)


def _write_channel(record: Record, rendering: Rendering, channel: str, key: str, gold: Path, out: Path,
                   rng: random.Random, labels: bool = True) -> SynthDocument:
    from .align import align, labels_for_layout
    from .channels import html_markdown, pdf_layout_text, pdf_text, seed_style_markdown

    name = f"{key}.{channel}.{_EXTENSIONS[channel]}"
    path = out / "docs" / name
    labels_path = out / "labels" / f"{key}.{channel}.json"
    noise: dict[str, object] = {}
    if channel == "pdf":
        path.write_bytes(rendering.pdf)
        source = "exact"
        if labels:
            _write_labels(labels_path, labels_for_layout(read_layout(rendering.pdf, name), rendering.words))
    elif channel in ("text", "md"):
        if channel == "text":
            layout_preserving = rng.random() < 0.5
            text = pdf_layout_text(rendering.pdf) if layout_preserving else pdf_text(rendering.pdf)
            noise["converter"] = "pdfplumber-layout" if layout_preserving else "pdfplumber"
        else:
            seed_style = rng.random() < 0.5
            text = seed_style_markdown(rendering.html) if seed_style else html_markdown(rendering.html)
            noise["converter"] = "seed-style" if seed_style else "markdownify"
        path.write_text(text, encoding="utf-8")
        source = "aligned"
        if labels:
            _write_labels(labels_path, align(read_layout(text.encode("utf-8"), name), record))
    else:
        from .scan import scan_preset, scan_to_tiff, simulate_scan

        settings = scan_preset(channel, rng)
        scan = simulate_scan(rendering.pdf, settings, rng.randrange(2**31))
        path.write_bytes(scan_to_tiff(scan))
        noise = {k: v for k, v in asdict(settings).items()}
        pages = [{"width": p.image.size[0], "height": p.image.size[1], "skew_deg": p.skew_deg,
                  "transform": list(asdict(p.transform).values())} for p in scan.pages]
        if labels:
            labels_path.write_text(json.dumps({"words": [asdict(w) for w in rendering.words], "pages": pages,
                                               "dpi": scan.dpi, "settings": noise}), encoding="utf-8")
        source = "exact+transform"
    if not labels:
        source = "none"
    return SynthDocument(key=key, record=str(record.source.path or key), family=rendering.family, channel=channel,
                         seed=rendering.seed, file=str(path.relative_to(out)), gold=str(gold.relative_to(out)),
                         labels=str(labels_path.relative_to(out)) if labels else "", label_source=source,
                         variation=dict(rendering.variation), noise=noise)


def _write_labels(path: Path, words: list[WordLabel]) -> None:
    path.write_text(json.dumps({"words": [asdict(w) for w in words]}), encoding="utf-8")


def _label(data: dict) -> WordLabel:
    return WordLabel(page=data["page"], text=data["text"], bbox=tuple(data["bbox"]), field=data["field"],
                     table=data.get("table"), row=data.get("row"), column=data.get("column"))


def load_labels(path: Path, layout: Layout) -> list[WordLabel]:
    """The word labels of a synth document, one per word of `layout` read from that document."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    words = [_label(w) for w in data["words"]]
    if "pages" not in data:
        return words
    return scan_labels(words, data, layout)


def scan_labels(printed: list[WordLabel], data: dict, layout: Layout) -> list[WordLabel]:
    """Exact printed labels carried through a scan's stored page transforms onto OCR words."""
    from PIL import Image

    from .scan import Affine, Scan, ScanPage, ScanSettings, transfer_labels

    pages = [ScanPage(image=Image.new("1", (p["width"], p["height"])), transform=Affine(*p["transform"]),
                      skew_deg=p["skew_deg"]) for p in data["pages"]]
    settings = ScanSettings(**data["settings"])
    return transfer_labels(printed, Scan(pages=pages, dpi=data["dpi"], settings=settings, seed=0), layout)
