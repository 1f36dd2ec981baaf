"""Pages per second for PDF and scans, against the bare tools, measured in one run.

For born-digital PDFs the bare tool is pdfplumber's `extract_words`; for scans it is
Tesseract alone on the same page images in the same page mode, through the engine the
pipeline uses: tesserocr's API (an engine made once, as ours) where installed, else the
`tesseract` command through `pytesseract.image_to_data`. The command is timed too, for reference.
Ours is `read_layout` (layout only) and `extract_bytes` (layout, rules, validation). The
documents are made-up filings rendered by `form4 synth`'s renderer, so nothing real is needed.

    OMP_THREAD_LIMIT=1 python benchmarks/bench_layout.py --docs 20 --scans 4
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pdfplumber  # noqa: E402
import pytesseract  # noqa: E402
from PIL import Image  # noqa: E402

from extractor.layout import read_layout  # noqa: E402
from extractor.pipeline import ExtractSettings, extract_bytes  # noqa: E402
from extractor.synth.fake import make_records  # noqa: E402
from extractor.synth.render import FAMILIES, render  # noqa: E402
from tests.fixture_docs import png_bytes, render_pages, scan  # noqa: E402


def _timed(fn, items) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - start


def _bare_pdf(pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            page.extract_words()
            page.close()


def _bare_command(png: bytes) -> None:
    with Image.open(io.BytesIO(png)) as image:
        pytesseract.image_to_data(image.convert("L"), config="--psm 11")


def _bare_in_process():
    """Tesseract's API alone, or None where tesserocr is not installed."""
    try:
        import tesserocr
    except ImportError:
        return None
    from extractor.layout.tesseract import tessdata_dir

    api = tesserocr.PyTessBaseAPI(path=str(tessdata_dir("eng")), lang="eng", psm=tesserocr.PSM.SPARSE_TEXT)

    def read(png: bytes) -> None:
        with Image.open(io.BytesIO(png)) as image:
            api.SetImage(image.convert("L"))
            api.SetSourceResolution(300)
            api.GetTSVText(0)

    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20, help="PDF documents (families in turn)")
    parser.add_argument("--scans", type=int, default=4, help="scanned pages (300 dpi PNG)")
    args = parser.parse_args()
    records = list(make_records(args.docs, seed=42))
    pdfs = [render(r, FAMILIES[i % len(FAMILIES)], i).pdf for i, r in enumerate(records)]
    pages = sum(len(pdfplumber.open(io.BytesIO(p)).pages) for p in pdfs)
    settings = ExtractSettings(method="rules")
    bare = _timed(_bare_pdf, pdfs)
    layout = _timed(lambda p: read_layout(p, "bench.pdf"), pdfs)
    full = _timed(lambda p: extract_bytes(p, "bench.pdf", settings), pdfs)
    print(f"PDF   {pages} pages: pdfplumber extract_words {pages / bare:6.1f} pages/s | read_layout {pages / layout:6.1f} "
          f"pages/s (ratio {bare / layout:.2f}) | extract {pages / full:6.1f} pages/s (ratio {bare / full:.2f})")
    # First pages: a later page alone holds too few of the form's captions to be read as a form.
    images = [png_bytes(scan(render_pages(pdf, 300)[0], seed=i)) for i, pdf in enumerate(pdfs[: args.scans])]
    command = _timed(_bare_command, images)
    in_process = _bare_in_process()
    bare = _timed(in_process, images) if in_process else command
    engine = "tesserocr API" if in_process else "tesseract command"
    layout = _timed(lambda p: read_layout(p, "bench.png"), images)
    full = _timed(lambda p: extract_bytes(p, "bench.png", settings), images)
    n = len(images)
    print(f"scan  {n} pages: tesseract alone ({engine}) {n / bare:6.2f} pages/s | read_layout {n / layout:6.2f} "
          f"pages/s (ratio {bare / layout:.2f}) | extract {n / full:6.2f} pages/s (ratio {bare / full:.2f})")
    print(f"      tesseract command alone {n / command:6.2f} pages/s (ours vs the command: extract ratio "
          f"{command / full:.2f})")
    print("ratio = bare tool's time / ours (1.0 = as fast as the bare tool)")


if __name__ == "__main__":
    main()
