"""Benchmark of the synth renderer (not a test): documents per second per family, in one process.

    OMP_THREAD_LIMIT=1 python benchmarks/bench_render.py --docs 40
    OMP_THREAD_LIMIT=1 python benchmarks/bench_render.py --xml ../shared/corpus/xml/dev --docs 20 --check --rules

Records are made up (`extractor.synth.fake`, typical sizes as measured) or, with `--xml`, read
from a folder of ownership XML (use train or dev only), evenly spaced. `--check` also reads
every PDF back with pdfplumber and reports the share of its words matched to a label (text
and box overlap); `--rules` runs the rule extractor on each PDF and counts the fields that
differ from the record. The bar (issue 3): at least 5 documents per second per family.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from extractor.records import Record  # noqa: E402
from extractor.synth.labels import Rendering  # noqa: E402
from extractor.synth.render import FAMILIES, render, text_layer_agreement  # noqa: E402


def load_records(xml_dir: str | None, count: int) -> list[Record]:
    if xml_dir is None:
        from extractor.synth.fake import make_records

        return list(make_records(count, seed=2024))
    from extractor.edgar_xml import read_xml

    files = sorted(Path(xml_dir).glob("*.xml"))
    step = max(len(files) // count, 1)
    return [read_xml(path.read_bytes(), str(path)) for path in files[::step][:count]]


def rule_differences(record: Record, rendering: Rendering) -> tuple[int, int, Counter]:
    from extractor.pipeline import ExtractSettings, extract_bytes
    from extractor.scoring import comparable, differences

    predicted = extract_bytes(rendering.pdf, "bench.pdf", ExtractSettings(method="rules"))
    found = differences(record, predicted)
    kinds = Counter(".".join("N" if part.isdigit() else part for part in path.split(".")) for path, _, _ in found)
    return len(found), len(comparable(record)), kinds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=40, help="records per family")
    parser.add_argument("--xml", help="a folder of ownership XML (train or dev) instead of made-up records")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--check", action="store_true", help="match pdfplumber's words to the labels")
    parser.add_argument("--rules", action="store_true", help="count the fields the rule extractor gets wrong")
    args = parser.parse_args(argv)
    records = load_records(args.xml, args.docs)
    render(records[0], "edgar", 0)  # fonts are registered once per process; not part of the rate
    print(f"{len(records)} records from {args.xml or 'extractor.synth.fake'}")
    for family in args.families.split(","):
        start = time.perf_counter()
        renderings = [render(record, family, seed) for seed, record in enumerate(records)]
        elapsed = time.perf_counter() - start
        pages = sum(r.pages for r in renderings)
        line = f"{family:<10} {len(renderings) / elapsed:6.1f} docs/s  {pages / elapsed:6.1f} pages/s  ({pages} pages)"
        if args.check:
            matched = total = 0
            for rendering in renderings:
                m, t = text_layer_agreement(rendering)
                matched, total = matched + m, total + t
            line += f"  labels matched {matched}/{total} = {100.0 * matched / max(total, 1):.2f}%"
        print(line, flush=True)
        if args.rules:
            wrong = fields = 0
            kinds: Counter = Counter()
            for record, rendering in zip(records, renderings):
                w, f, k = rule_differences(record, rendering)
                wrong, fields, kinds = wrong + w, fields + f, kinds + k
            print(f"{'':<10} rules: {wrong} differing fields of {fields} ({wrong / len(records):.1f} per document); "
                  f"most: {', '.join(f'{k} {n}' for k, n in kinds.most_common(5))}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
