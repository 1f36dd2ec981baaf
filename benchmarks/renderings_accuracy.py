"""Wrong fields per real EDGAR rendering, as HTML, printed to PDF, and as a 300 dpi scan of that PDF.

Reads ../shared/corpus/renderings (never committed). Prints one line per document and channel,
with the differing fields, so README figures can be reproduced:

    OMP_THREAD_LIMIT=1 python benchmarks/renderings_accuracy.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.edgar_xml import read_xml  # noqa: E402
from extractor.pipeline import ExtractSettings, extract_bytes  # noqa: E402
from extractor.scoring import comparable, differences  # noqa: E402
from tests.fixture_docs import rendering_pdf, scan_pdf_pages, tiff_bytes  # noqa: E402
from tests.shared_data import RENDERING_NAMES, RENDERINGS  # noqa: E402


def main(method: str = "auto") -> None:
    if not RENDERINGS.is_dir():
        sys.exit(f"{RENDERINGS}: not found (../shared beside the checkout)")
    settings = ExtractSettings(method=method)
    for name in RENDERING_NAMES:
        gold = read_xml((RENDERINGS / f"{name}.xml").read_bytes(), name)
        pdf = rendering_pdf(name)
        channels = {
            "html": (RENDERINGS / f"{name}.html").read_bytes(),
            "pdf": pdf,
            "scan300": tiff_bytes(scan_pdf_pages(pdf, 300)),
        }
        for channel, data in channels.items():
            start = time.perf_counter()
            record = extract_bytes(data, f"{name}.{channel}", settings)
            wrong = differences(gold, record)
            print(f"{name:18} {channel:8} {len(wrong):3} wrong of {len(comparable(gold))} fields"
                  f"  ({time.perf_counter() - start:.1f} s)")
            for field, expected, got in wrong:
                print(f"    {field}: gold {_shown(expected)}, got {_shown(got)}")


def _shown(key: tuple | None) -> str:
    """A field's value and, where it cites any, its footnote ids (a wrong marker is a wrong field)."""
    if key is None:
        return "None"
    value, footnotes = key
    return f"{value!r} {sorted(footnotes)}" if footnotes else repr(value)


if __name__ == "__main__":
    main(*sys.argv[1:])
