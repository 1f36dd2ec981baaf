"""Retrain the shipped model (models/default) the way meta.json describes, and score it on held-out dev.

    OMP_THREAD_LIMIT=1 nice -n 5 python benchmarks/train_default.py --out models/default --train 150 --fake 70 \
        --scans 60 --faxes 60 --ocr-dev 16 --baseline models/default

Training: --train train-split filings (seed-7 shuffle) and --fake made-up records, each through
PDF (a layout family drawn per record), pdfplumber text and markdown; --scans of the train filings
(the first ones) also as a simulated office scan and --faxes (the last ones) as a simulated fax,
both read by real OCR. Threshold: dev filings 1-60 of a seed-11 shuffle, held-out scores: dev
filings 61-120, each filing rendered once, 10 per channel/family group; with OCR channels the next
2 x --ocr-dev dev filings go to scan and fax groups (threshold, then held-out). Dev and train issuers
are disjoint; test and ood are not read. Rendering and OCR run in --workers processes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import pickle
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor.errors import Form4Error  # noqa: E402
from extractor.records import Record  # noqa: E402
from extractor.training import (  # noqa: E402
    OCR_CHANNELS,
    Example,
    TrainSettings,
    compare_methods,
    doctype_label,
    rendered_examples,
    summarize_comparison,
    train_model,
)

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
GROUPS = (("md", "edgar"), ("pdf", "agent"), ("pdf", "edgar"), ("pdf", "paper"), ("pdf", "typewriter"),
          ("text", "edgar"))
OCR_GROUPS = tuple((channel, family) for channel in OCR_CHANNELS for family in ("edgar", "paper", "agent", "typewriter"))


@dataclass(frozen=True)
class RenderTask:
    """One record through one channel in one family: what a worker process renders and reads."""

    record: Record
    key: str
    channel: str
    family: str
    seed: int


def shuffled_xml(split: str, seed: int) -> list[Path]:
    paths = sorted((CORPUS / "xml" / split).glob("*.xml"))
    random.Random(seed).shuffle(paths)
    return paths


def training_tasks(records: list[Record], settings: TrainSettings, scans: int, faxes: int,
                   corpus_records: int) -> list[RenderTask]:
    """Every record through the settings' channels (the draws of `examples_from_records`), plus OCR copies.

    Scans come from the first `scans` corpus records, faxes from the last `faxes`, so with
    scans + faxes <= corpus_records no filing is both.
    """
    tasks = []
    for i, record in enumerate(records):
        key = Path(record.source.path).stem if record.source.path else f"record-{i}"
        rng = random.Random(f"{settings.seed}:{key}")
        for channel in settings.channels:
            family = rng.choice(settings.families)
            tasks.append(RenderTask(record, key, channel, family, rng.randrange(2**31)))
        for channel, chosen in (("scan", i < scans), ("fax", corpus_records - faxes <= i < corpus_records)):
            if chosen:
                ocr_rng = random.Random(f"{settings.seed}:{key}:{channel}")
                tasks.append(RenderTask(record, key, channel, ocr_rng.choice(settings.families), ocr_rng.randrange(2**31)))
    return tasks


def grouped_tasks(paths: list[Path], groups=GROUPS, seed: int = 11, start: int = 0) -> list[RenderTask]:
    """Each filing rendered once, in the next channel/family group (so the groups are the same size)."""
    from extractor.edgar_xml import read_xml

    out = []
    for i, path in enumerate(paths):
        channel, family = groups[i % len(groups)]
        record = read_xml(path.read_bytes(), str(path))
        out.append(RenderTask(record, path.stem, channel, family, seed * 1000 + start + i))
    return out


def _render(task: RenderTask, settings: TrainSettings, cache: Path | None) -> tuple[Example | None, str | None]:
    cached = cache / f"{task.key}.{task.channel}.{task.family}.{task.seed}.pkl" if cache else None
    if cached is not None and cached.exists():
        return pickle.loads(cached.read_bytes()), None
    try:
        example = rendered_examples(task.record, task.key, task.channel, task.family, task.seed, settings)
    except (Form4Error, ValueError, OSError) as exc:
        return None, f"{task.key}.{task.channel}/{task.family}: {exc}"
    if cached is not None:
        cached.write_bytes(pickle.dumps(example))
    return example, None


def _render_chunk(tasks: list[RenderTask], settings: TrainSettings, cache: Path | None) -> list:
    return [_render(task, settings, cache) for task in tasks]


def render_all(tasks: list[RenderTask], settings: TrainSettings, workers: int, cache: Path | None,
               failures: list[str]) -> list[Example | None]:
    """One example per task (None where it failed); OCR tasks (seconds each) go out one by one, the rest in chunks."""
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    ocr = [i for i, t in enumerate(tasks) if t.channel in OCR_CHANNELS]
    rest = [i for i, t in enumerate(tasks) if t.channel not in OCR_CHANNELS]
    # The slow documents first, so the pool does not end waiting on one of them.
    chunks = [[i] for i in ocr] + [rest[j:j + 8] for j in range(0, len(rest), 8)]
    results: list = [None] * len(tasks)
    started = time.perf_counter()
    if workers <= 1:
        outputs = (_render_chunk([tasks[i] for i in chunk], settings, cache) for chunk in chunks)
        _collect(chunks, outputs, results, failures, started, len(tasks))
    else:
        from extractor.layout.ocr import one_thread_per_process

        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=one_thread_per_process) as pool:
            futures = [pool.submit(_render_chunk, [tasks[i] for i in chunk], settings, cache) for chunk in chunks]
            _collect(chunks, (f.result() for f in futures), results, failures, started, len(tasks))
    return results


def _collect(chunks, outputs, results: list, failures: list[str], started: float, total: int) -> None:
    done = 0
    for chunk, output in zip(chunks, outputs):
        for i, (example, failure) in zip(chunk, output):
            results[i] = example
            if failure:
                failures.append(failure)
                print(f"skipped {failure}", file=sys.stderr, flush=True)
        done += len(chunk)
        if done % 100 < len(chunk):
            print(f"  {done}/{total} rendered, {time.perf_counter() - started:.0f} s", flush=True)


def heldout_scores(model, examples: list) -> dict:
    """Mean wrong printed fields per document (rules / model / combined at the model's threshold), per group."""
    compared = compare_methods(model, examples, (model.threshold, 1.01))
    summary = summarize_comparison(compared, model.threshold)
    out = {name: {k: v for k, v in scores.items() if k in ("rules", "model", "combined")}
           for name, scores in summary.items() if isinstance(scores, dict)}
    for channel in sorted({c.channel for c in compared} & set(OCR_CHANNELS)):
        # The OCR channels over all their families too: each family group alone is small.
        part = summarize_comparison([c for c in compared if c.channel == channel], model.threshold)["all"]
        out[f"{channel}/all"] = {k: v for k, v in part.items() if k in ("rules", "model", "combined", "documents")}
    from extractor.model import classify_doctype

    out["doctype_accuracy"] = round(float(np.mean(
        [classify_doctype(model, ex.page_text)[0] == doctype_label(ex.record) for ex in examples])), 4)
    predicted = model.classifier.predict([ex.features for ex in examples])
    gold = np.array([label for ex in examples for label in ex.labels], dtype=object)
    values = ~np.isin(gold, ["label", "other"])
    out["value_word_accuracy"] = round(float(np.mean(predicted[values] == gold[values])), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--train", type=int, default=200, help="train-split filings")
    parser.add_argument("--fake", type=int, default=100, help="made-up records")
    parser.add_argument("--dev", type=int, default=60, help="dev filings for the threshold, and as many held out")
    parser.add_argument("--scans", type=int, default=0, help="of the train filings, this many also as an OCR'd scan")
    parser.add_argument("--faxes", type=int, default=0, help="of the train filings, this many also as an OCR'd fax")
    parser.add_argument("--ocr-dev", type=int, default=16,
                        help="dev filings as scans/faxes for the threshold, and as many held out (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="processes rendering and reading documents")
    parser.add_argument("--baseline", type=Path, help="also score this model on the same held-out documents")
    parser.add_argument("--cache", type=Path, help="experiments only: keep rendered documents here and reuse them "
                                                    "(stale once the readers or features change)")
    args = parser.parse_args()
    if not 0 <= args.scans <= args.train or not 0 <= args.faxes <= args.train:
        parser.error("--scans and --faxes must be between 0 and --train")

    from extractor.edgar_xml import read_xml
    from extractor.model import load_model
    from extractor.synth.fake import make_records

    settings = TrainSettings(channels=("pdf", "text", "md"), n_made_up=args.fake, seed=0)
    started = time.perf_counter()

    records = [read_xml(p.read_bytes(), str(p)) for p in shuffled_xml("train", 7)[:args.train]]
    corpus_records = len(records)
    records += list(make_records(args.fake, 0))
    failures: list[str] = []
    dev_paths = shuffled_xml("dev", 11)
    ocr_paths = dev_paths[2 * args.dev:2 * args.dev + 2 * args.ocr_dev]
    train_tasks = training_tasks(records, settings, args.scans, args.faxes, corpus_records)
    dev_tasks = grouped_tasks(dev_paths[:args.dev]) + grouped_tasks(ocr_paths[:args.ocr_dev], OCR_GROUPS, start=2 * args.dev)
    # Seeds as before the OCR groups, so the PDF/text/md held-out documents are the ones earlier models saw.
    heldout_tasks = (grouped_tasks(dev_paths[args.dev:2 * args.dev])
                     + grouped_tasks(ocr_paths[args.ocr_dev:], OCR_GROUPS, start=2 * args.dev + args.ocr_dev))
    # One pool for all three sets keeps both processes busy to the end.
    examples = render_all(train_tasks + dev_tasks + heldout_tasks, settings, args.workers, args.cache, failures)
    n_train, n_dev = len(train_tasks), len(dev_tasks)
    train, dev, heldout = ([ex for ex in part if ex is not None] for part in (
        examples[:n_train], examples[n_train:n_train + n_dev], examples[n_train + n_dev:]))
    rendered = time.perf_counter()
    print(f"rendered {len(train)} training, {len(dev)} dev, {len(heldout)} held-out documents "
          f"in {rendered - started:.0f} s ({len(failures)} failures)", flush=True)
    ocr_note = (f"; of the train filings the first {args.scans} also as a scan, the last {args.faxes} as a fax (OCR)"
                if args.scans or args.faxes else "")
    outcome = train_model(train, dev, args.out, name=args.out.name, seed=0, extra_meta={
        "xml_dir": f"corpus xml/train: first {args.train} of a seed-7 shuffle{ocr_note}",
        "made_up_records": args.fake,
        "scans": args.scans, "faxes": args.faxes,
        "dev_dir": f"corpus xml/dev: first {args.dev} of a seed-11 shuffle, one channel/family each"
                   + (f", and filings {2 * args.dev + 1}-{2 * args.dev + args.ocr_dev} as scan/fax groups"
                      if args.ocr_dev else "") + " (threshold only)"})
    fitted = time.perf_counter()
    print(f"fitted and saved in {fitted - rendered:.0f} s", flush=True)
    model = load_model(args.out)
    scores = heldout_scores(model, heldout)
    scores["note"] = (f"corpus xml/dev documents {args.dev + 1}-{2 * args.dev} of a seed-11 shuffle"
                      + (f" and {2 * args.dev + args.ocr_dev + 1}-{2 * args.dev + 2 * args.ocr_dev} (scan/fax groups)"
                         if args.ocr_dev else "")
                      + ", rendered by extractor.synth (one channel/family each), never used for fitting or the "
                        "threshold; mean wrong printed fields per document (scoring.differences)")
    meta_path = args.out / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["heldout_dev_scores"] = scores
    meta["training_seconds"] = round(fitted - started)
    meta["training_failures"] = len(failures)
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True))
    report = {"train_documents": outcome.meta["train_documents"], "threshold": model.threshold,
              "heldout_dev_scores": scores, "seconds": round(time.perf_counter() - started)}
    if args.baseline is not None:
        baseline = load_model(args.baseline)
        report["baseline"] = str(args.baseline)
        report["baseline_heldout_dev_scores"] = heldout_scores(baseline, heldout)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
