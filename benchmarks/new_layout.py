"""A layout family the model never saw: its accuracy before, and after retraining with 20 labeled samples of it.

    OMP_THREAD_LIMIT=1 nice -n 5 python benchmarks/new_layout.py --family typewriter --base 40 --samples 20 --dev 10

A small model is fitted on train-split filings rendered as PDFs in the other three families;
then `--samples` other train-split filings are rendered in the held-out family and handed over
the way a user's samples are (`form4 train --samples`: each PDF beside its XML record, labels
from the aligner, no boxes drawn), and the model is fitted again on both. Both models read
`--dev` dev-split filings rendered in the held-out family (and as many in the seen families,
as a control). Prints mean wrong printed fields per document (`scoring.differences`; the
rules alone alongside), micro F1 of the printed fields, and the retraining seconds (aligning
the samples + fitting; the base documents' features are in memory, as in one training run).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor.edgar_xml import read_xml, write_xml  # noqa: E402
from extractor.errors import Form4Error  # noqa: E402
from extractor.records import Record  # noqa: E402
from extractor.training import (  # noqa: E402
    Example,
    TrainSettings,
    examples_from_records,
    examples_from_samples,
    fit_classifier,
    rendered_examples,
)

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FAMILIES = ("edgar", "paper", "agent", "typewriter")


def shuffled(split: str, seed: int) -> list[Path]:
    paths = sorted((CORPUS / "xml" / split).glob("*.xml"))
    random.Random(seed).shuffle(paths)
    return paths


def records(paths: list[Path]) -> list[Record]:
    return [read_xml(p.read_bytes(), str(p)) for p in paths]


def pdf_examples(paths: list[Path], families: tuple[str, ...], settings: TrainSettings, seed: int) -> list[Example]:
    out = []
    for i, (path, record) in enumerate(zip(paths, records(paths))):
        family = families[i % len(families)]
        try:
            out.append(rendered_examples(record, path.stem, "pdf", family, seed + i, settings))
        except (Form4Error, ValueError, OSError) as exc:
            print(f"skipped {path.name} ({family}): {exc}", file=sys.stderr)
    return out


def scores(classifier, examples: list[Example]) -> dict:
    """Mean wrong printed fields per document (model alone, rules alone) and the model's micro F1."""
    from extractor.model import ModelExtractor, ModelSettings, TrainedModel
    from extractor.rules import RuleExtractor
    from extractor.scoring import differences, score_record

    extractor = ModelExtractor(TrainedModel(classifier, None), ModelSettings(combine=False))
    wrong_model = wrong_rules = 0
    tp = fp = fn = 0
    for ex in examples:
        try:
            found = extractor.extract(ex.layout)
        except Form4Error:
            found = Record()
        try:
            ruled = RuleExtractor().extract(ex.layout)
        except Form4Error:
            ruled = Record()
        wrong_model += len(differences(ex.record, found))
        wrong_rules += len(differences(ex.record, ruled))
        total = score_record(ex.record, found).total
        tp, fp, fn = tp + total.tp, fp + total.fp, fn + total.fn
    n = max(len(examples), 1)
    f1 = 2 * tp / max(2 * tp + fp + fn, 1)
    return {"documents": len(examples), "model_wrong_per_doc": round(wrong_model / n, 1),
            "rules_wrong_per_doc": round(wrong_rules / n, 1), "model_f1": round(f1, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=FAMILIES, default="typewriter", help="the family held out of training")
    parser.add_argument("--base", type=int, default=40, help="train-split filings in the seen families")
    parser.add_argument("--samples", type=int, default=20, help="labeled samples of the held-out family")
    parser.add_argument("--dev", type=int, default=10, help="dev filings per measurement set")
    args = parser.parse_args()

    seen = tuple(f for f in FAMILIES if f != args.family)
    settings = TrainSettings(channels=("pdf",), families=seen)
    train_paths = shuffled("train", 5)
    dev_paths = shuffled("dev", 13)
    base = list(examples_from_records(records(train_paths[:args.base]), settings))
    held_dev = pdf_examples(dev_paths[:args.dev], (args.family,), settings, 1000)
    seen_dev = pdf_examples(dev_paths[args.dev:2 * args.dev], seen, settings, 2000)

    started = time.perf_counter()
    before = fit_classifier(base)
    base_seconds = time.perf_counter() - started
    result = {"held_out_family": args.family, "base_documents": len(base),
              "base_fit_seconds": round(base_seconds, 1),
              "before": {args.family: scores(before, held_dev), "seen families": scores(before, seen_dev)}}

    with tempfile.TemporaryDirectory() as folder:
        from extractor.synth.render import render

        sample_paths = train_paths[args.base:args.base + args.samples]
        for i, (path, record) in enumerate(zip(sample_paths, records(sample_paths))):
            (Path(folder) / f"{path.stem}.pdf").write_bytes(render(record, args.family, 3000 + i).pdf)
            (Path(folder) / f"{path.stem}.xml").write_bytes(write_xml(record))
        started = time.perf_counter()
        failures: list[str] = []
        samples = list(examples_from_samples(Path(folder), settings, failures=failures))
        after = fit_classifier(base + samples)
        retrain_seconds = time.perf_counter() - started
    result["samples"] = len(samples)
    result["sample_failures"] = failures
    result["retrain_seconds"] = round(retrain_seconds, 1)
    result["after"] = {args.family: scores(after, held_dev), "seen families": scores(after, seen_dev)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
