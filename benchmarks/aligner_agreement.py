"""The aligner's agreement with the renderer's exact word labels, per layout family.

Records come from the dev split (never test/ood). PDFs: labels derived from the record alone
(`align`) against the exact labels carried onto the PDF's words. Scans: the same PDF scanned at
300 dpi and read by real Tesseract, exact labels carried through the scan's transform.

    OMP_THREAD_LIMIT=1 python benchmarks/aligner_agreement.py --pdfs 20 --scans 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor.edgar_xml import read_xml  # noqa: E402
from extractor.synth.agreement import measure_agreement  # noqa: E402
from extractor.synth.render import FAMILIES  # noqa: E402
from extractor.synth.scan import ScanSettings  # noqa: E402
from tests.shared_data import CORPUS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdfs", type=int, default=20, help="dev records per family, as PDFs")
    parser.add_argument("--scans", type=int, default=2, help="dev records per family, as 300 dpi scans")
    args = parser.parse_args()
    dev = sorted((CORPUS / "xml" / "dev").glob("*.xml"))
    if not dev:
        sys.exit(f"{CORPUS}: no dev split (../shared beside the checkout)")
    records = [read_xml(p.read_bytes(), str(p)) for p in dev[: max(args.pdfs, args.scans)]]
    scan = ScanSettings(dpi=300, mode="grey", max_skew_deg=1.0, blur=0.3, noise=6.0)
    print("| family | PDF words agreeing | 300 dpi scan words agreeing |")
    print("|---|---|---|")
    for family in FAMILIES:
        pdf = measure_agreement(records[: args.pdfs], family)
        scanned = measure_agreement(records[: args.scans], family, scan=scan) if args.scans else None
        cell = f"{scanned.agreed}/{scanned.words} = {scanned.share:.2%}" if scanned else "-"
        print(f"| {family} | {pdf.agreed}/{pdf.words} = {pdf.share:.2%} | {cell} |")


if __name__ == "__main__":
    main()
