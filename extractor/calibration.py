"""Field confidences mapped onto observed accuracy, fitted on held-out evaluation documents.

The extractor's confidences come from many places (Platt-scaled word probabilities, the rules'
fixed scores, validation's penalty, the "choose" hand-over), so nothing makes a final 0.9 mean
"right nine times in ten". A `ConfidenceCalibrator` learns that mapping per group of values:
the method asked for (auto, rules, model), the method that produced the value, the kind of input
(pdf, scan, text, ...) and the kind of field (text, number, date, code, checkbox, footnote text).
Each group gets an isotonic curve, stored as plain knots and applied with `np.interp`, so the
shipped model needs no scikit-learn at run time. A group with too few samples falls back to a
coarser one, and a value no group covers keeps its confidence.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .errors import Form4Error, ModelError
from .records import RELATIONSHIP_BOXES, TOP_BOXES, Record

CALIBRATION_FILE = "calibration.json"
FORMAT_VERSION = 1
FEATURES = ("extraction", "method", "source", "kind", "checked")
# Finest first; the first level whose group had enough samples at fit time maps a value. Measured
# on 60 dev filings x 5 channels (held-out halves), finer groups (by input kind or field kind)
# fitted their half better but held out worse (ECE auto 0.014 here, 0.027-0.029 with them).
DEFAULT_LEVELS: tuple[tuple[str, ...], ...] = (
    ("extraction", "method", "checked"),
    ("extraction", "method"),
    ("method", "kind"),
    ("method",),
)
CODE_FIELDS = frozenset({
    "transaction_code", "acquired_disposed", "direct_or_indirect", "document_type", "state",
    "transaction_form_type", "trading_symbol",
})
CHECKBOX_FIELDS = frozenset({*RELATIONSHIP_BOXES, *TOP_BOXES, "equity_swap_involved", "non_us_address", "good_address"})
NUMBER_FIELDS = frozenset({
    "shares", "price_per_share", "shares_owned_following", "value_owned_following", "conversion_or_exercise_price",
    "total_value", "underlying_shares", "underlying_value",
})
SOURCE_OF_FORMAT = {"image": "scan", "scan-pdf": "scan", "pdf": "pdf", "markdown": "markdown", "text": "text",
                    "html": "html"}


def field_kind(path: str) -> str:
    """text, number, date, code, checkbox or footnote: fields of a kind are read (and misread) alike.

    By the path alone, so a record's value and a scoring cell of it (in normal form) agree.
    """
    if path.startswith("footnote"):
        return "footnote"
    leaf = path.rsplit(".", 1)[-1]
    if leaf in CHECKBOX_FIELDS:
        return "checkbox"
    if leaf.endswith("date") or leaf in ("period_of_report", "date_of_original_submission"):
        return "date"
    if leaf in NUMBER_FIELDS:
        return "number"
    if leaf in CODE_FIELDS:
        return "code"
    return "text"


def source_kind(record_format: str | None) -> str:
    return SOURCE_OF_FORMAT.get(record_format or "", "other")


def checked_state(record: Record) -> str:
    """Whether validation found anything in the record: its other fields are less often right too."""
    return "warned" if record.warnings else "clean"


@dataclass(frozen=True)
class ConfidenceSample:
    """One predicted field value: how it was made, its raw confidence, and whether it was right."""

    extraction: str  # the method asked for: auto, rules or model
    method: str  # the method that produced the value (its Value.method)
    source: str  # pdf, scan, text, markdown, html
    kind: str  # field_kind
    confidence: float
    correct: bool
    document: str = ""  # the gold record's key, to split documents between fitting and measuring
    checked: str = "clean"  # "warned" when validation found something wrong in the value's record


class ConfidenceCalibrator:
    """Isotonic confidence curves per group of values, falling back to coarser groups, then identity.

    scikit-learn's estimator contract: settings here, `fit` returns self, learned attributes end
    in `_`. `levels` lists the groupings tried, finest first (names from FEATURES); a group is
    fitted when it has at least `min_samples` samples.
    """

    def __init__(self, levels: Sequence[Sequence[str]] = DEFAULT_LEVELS, min_samples: int = 200):
        self.levels = levels
        self.min_samples = min_samples

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"levels": self.levels, "min_samples": self.min_samples}

    def set_params(self, **params: Any) -> ConfidenceCalibrator:
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"ConfidenceCalibrator has no setting {name!r}")
            setattr(self, name, value)
        return self

    def _checked_levels(self) -> tuple[tuple[str, ...], ...]:
        levels = tuple(tuple(level) for level in self.levels)
        if not levels or any(not level or any(f not in FEATURES for f in level) for level in levels):
            raise ValueError(f"levels must be non-empty groupings of {', '.join(FEATURES)}, not {self.levels!r}")
        if self.min_samples < 2:
            raise ValueError(f"min_samples must be at least 2, not {self.min_samples}")
        return levels

    def fit(self, samples: Sequence[ConfidenceSample]) -> ConfidenceCalibrator:
        from sklearn.isotonic import IsotonicRegression

        levels = self._checked_levels()
        grouped: dict[str, list[ConfidenceSample]] = {}
        for sample in samples:
            for level in levels:
                grouped.setdefault(_group_key(level, sample), []).append(sample)
        self.levels_ = levels
        self.curves_: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.counts_: dict[str, int] = {}
        for key, members in sorted(grouped.items()):
            if len(members) < self.min_samples:
                continue
            x = np.array([s.confidence for s in members], dtype=float)
            y = np.array([s.correct for s in members], dtype=float)
            curve = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
            self.curves_[key] = (np.asarray(curve.X_thresholds_, float), np.asarray(curve.y_thresholds_, float))
            self.counts_[key] = len(members)
        return self

    def curve_for(self, extraction: str, method: str, source: str, kind: str, checked: str = "clean"
                  ) -> tuple[np.ndarray, np.ndarray] | None:
        """The knots of the finest fitted group the value belongs to; None: no group, keep it as is."""
        values = {"extraction": extraction, "method": method, "source": source, "kind": kind, "checked": checked}
        for level in self.levels_:
            curve = self.curves_.get("|".join(f"{f}={values[f]}" for f in level))
            if curve is not None:
                return curve
        return None

    def predict(self, samples: Sequence[ConfidenceSample]) -> np.ndarray:
        """Calibrated confidences of the samples (their `correct` is ignored)."""
        out = np.array([s.confidence for s in samples], dtype=float)
        for i, s in enumerate(samples):
            curve = self.curve_for(s.extraction, s.method, s.source, s.kind, s.checked)
            if curve is not None:
                out[i] = float(np.interp(s.confidence, *curve))
        return np.clip(out, 0.0, 1.0)

    def calibrate_record(self, record: Record, extraction: str) -> Record:
        """A copy of the record with every present value's confidence calibrated (method tags kept)."""
        out = record.model_copy(deep=True)
        source, checked = source_kind(out.source.format), checked_state(out)
        for path, item in out.values():
            if not item.present:
                continue
            curve = self.curve_for(extraction, item.method, source, field_kind(path), checked)
            if curve is not None:
                item.confidence = float(np.clip(np.interp(item.confidence, *curve), 0.0, 1.0))
        return out

    # --- plain JSON -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "levels": [list(level) for level in self.levels_],
            "min_samples": self.min_samples,
            "curves": {key: {"x": x.tolist(), "y": y.tolist(), "count": self.counts_[key]}
                       for key, (x, y) in self.curves_.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConfidenceCalibrator:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unknown calibration format version {data.get('format_version')!r}")
        out = cls(levels=tuple(tuple(level) for level in data["levels"]), min_samples=int(data["min_samples"]))
        out.levels_ = out._checked_levels()
        out.curves_, out.counts_ = {}, {}
        for key, curve in data["curves"].items():
            x, y = np.asarray(curve["x"], float), np.asarray(curve["y"], float)
            if x.ndim != 1 or x.shape != y.shape or not len(x) or np.any(np.diff(x) < 0) or np.any(np.diff(y) < 0):
                raise ValueError(f"curve {key!r} is not an increasing set of knots")
            out.curves_[key], out.counts_[key] = (x, y), int(curve.get("count", 0))
        return out


def _group_key(level: tuple[str, ...], sample: ConfidenceSample) -> str:
    return "|".join(f"{f}={getattr(sample, f)}" for f in level)


def save_calibrator(calibrator: ConfidenceCalibrator, path: Path) -> None:
    path.write_text(json.dumps(calibrator.to_dict(), indent=1), encoding="utf-8")


def load_calibrator(path: Path) -> ConfidenceCalibrator:
    try:
        return ConfidenceCalibrator.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: unreadable calibration ({type(exc).__name__}: {exc})") from exc


# --- samples from evaluation documents -----------------------------------------------------------


def judge(gold: Record, predicted: Record | None, extraction: str, document: str) -> list[ConfidenceSample]:
    """A sample for every predicted field value, right when it equals the gold's (as scoring counts it)."""
    from .scoring import align

    if predicted is None:
        return []
    alignment = align(gold, predicted)
    source, checked = source_kind(predicted.source.format), checked_state(predicted)
    out = []
    for path, cell in alignment.predicted.items():
        if cell.value is None:
            continue
        expected = alignment.gold.get(path)
        out.append(ConfidenceSample(extraction, cell.method, source, field_kind(path), cell.confidence,
                                    expected is not None and expected.value == cell.value, document, checked))
    return out


def _document_samples(document: Path, gold: Record, key: str, methods: tuple[str, ...], model_dir: str | None,
                      max_pages: int) -> list[ConfidenceSample]:
    from .layout import read_input_bytes
    from .pipeline import ExtractSettings, extract_methods

    try:
        data = read_input_bytes(document)
    except Form4Error:
        return []
    settings = ExtractSettings(max_pages=max_pages, model_dir=model_dir, calibrate=False)
    outcomes = extract_methods(data, str(document), methods, settings)
    return [s for method in methods for s in judge(gold, outcomes[method].record, method, key)]


def collect_samples(gold_dir: Path, docs_dir: Path, methods: tuple[str, ...] = ("auto", "rules", "model"),
                    model_dir: str | None = None, max_pages: int = 50, workers: int = 1,
                    progress: Callable[[int], None] | None = None) -> list[ConfidenceSample]:
    """Uncalibrated samples of every document under `docs_dir` with gold in `gold_dir`, for each method."""
    from itertools import repeat

    from .evaluate import pair_documents, read_gold

    pairs = pair_documents(gold_dir, docs_dir).pairs
    golds = {p.gold: read_gold(p.gold) for p in pairs}
    args = ([p.document for p in pairs], [golds[p.gold] for p in pairs], [p.key for p in pairs],
            repeat(methods), repeat(model_dir), repeat(max_pages))
    out: list[ConfidenceSample] = []
    if workers <= 1:
        results: Iterable[list[ConfidenceSample]] = map(_document_samples, *args)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from .layout.ocr import one_thread_per_process

        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=one_thread_per_process)
        results = pool.map(_document_samples, *args)
    for samples in results:
        out.extend(samples)
        if progress is not None:
            progress(1)
    if workers > 1:
        pool.shutdown()
    return out


def write_samples(samples: Sequence[ConfidenceSample], path: Path) -> None:
    """Samples as JSON lines (derived numbers and tags only, no document text)."""
    from dataclasses import asdict

    path.write_text("".join(json.dumps(asdict(s)) + "\n" for s in samples), encoding="utf-8")


def read_samples(path: Path) -> list[ConfidenceSample]:
    return [ConfidenceSample(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]


# --- fitting and measuring -----------------------------------------------------------------------


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """ECE as `form4 evaluate` reports it (evaluate.calibrate)."""
    from .evaluate import calibrate

    return calibrate(list(zip(map(float, confidences), map(bool, correct))), bins, ()).ece


def held_out_half(document: str) -> bool:
    """A fixed half of the documents (by key, so every channel of a filing lands in the same half)."""
    return hashlib.sha256(document.encode()).digest()[0] % 2 == 1


@dataclass(frozen=True)
class MethodCalibration:
    method: str
    fields: int
    ece_before: float
    ece_after: float


@dataclass
class CalibrationReport:
    """ECE before/after on the held-out half, and what the shipped calibration was fitted on."""

    held_out: list[MethodCalibration] = field(default_factory=list)
    fit_documents: int = 0
    held_out_documents: int = 0
    samples: int = 0
    groups: int = 0
    path: Path | None = None


def fit_and_measure(samples: Sequence[ConfidenceSample], calibrator: ConfidenceCalibrator | None = None
                    ) -> tuple[ConfidenceCalibrator, CalibrationReport]:
    """ECE on held-out halves, and the calibrator fitted on all the samples.

    Each half of the filings is calibrated by a fit on the other half and the two held-out halves
    are measured together: filings differ so much (one with many rows misread moves a half's
    accuracy by 0.1) that one direction alone mostly measures the difference between the halves.
    """
    base = calibrator or ConfidenceCalibrator()
    halves = [[s for s in samples if held_out_half(s.document) == side] for side in (False, True)]
    if not all(halves):
        raise ValueError("too few documents to hold half of them out")
    held_out: list[tuple[ConfidenceSample, float]] = []
    for fit_half, test_half in (halves, halves[::-1]):
        fitted = ConfidenceCalibrator(**base.get_params()).fit(fit_half)
        held_out.extend(zip(test_half, fitted.predict(test_half).tolist()))
    report = CalibrationReport(fit_documents=len({s.document for s in halves[0]}),
                               held_out_documents=len({s.document for s in halves[1]}), samples=len(samples))
    for method in sorted({s.extraction for s in samples}):
        chosen = [(s, p) for s, p in held_out if s.extraction == method]
        correct = [s.correct for s, _ in chosen]
        report.held_out.append(MethodCalibration(
            method, len(chosen), expected_calibration_error([s.confidence for s, _ in chosen], correct),
            expected_calibration_error([p for _, p in chosen], correct),
        ))
    final = ConfidenceCalibrator(**base.get_params()).fit(samples)
    report.groups = len(final.curves_)
    return final, report


def install_calibration(calibrator: ConfidenceCalibrator, report: CalibrationReport, model_dir: Path,
                        fitted_on: str) -> Path:
    """Write calibration.json beside the model and describe it under meta.json's "calibration" key."""
    from .model import META_FILE

    meta_path = model_dir / META_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{meta_path}: no readable model description to add the calibration to ({exc})") from exc
    path = model_dir / CALIBRATION_FILE
    save_calibrator(calibrator, path)
    meta["calibration"] = {
        "file": CALIBRATION_FILE,
        "fitted_on": fitted_on,
        "samples": report.samples,
        "groups": report.groups,
        "held_out": {
            "how": f"filings split by key into halves of {report.fit_documents} and {report.held_out_documents}; "
                   "each half calibrated by a fit on the other, both measured (10-bin ECE); the file itself is "
                   "fitted on all of them",
            **{m.method: {"fields": m.fields, "ece_before": round(m.ece_before, 4), "ece_after": round(m.ece_after, 4)}
               for m in report.held_out},
        },
    }
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True, default=str), encoding="utf-8")
    report.path = path
    return path


FIT_SPLITS = ("train", "dev")  # test and ood are for measuring only


def run_calibration(model_dir: Path, gold_dir: Path | None = None, docs_dir: Path | None = None,
                    corpus: Path | None = None, split: str = "dev", channels: tuple[str, ...] = ("pdf", "text", "md"),
                    n: int | None = 40, seed: int = 0, cache: Path = Path(".form4-cache"), workers: int = 1,
                    min_samples: int = 200, progress: Callable[[int], None] | None = None,
                    save_samples: Path | None = None, from_samples: Path | None = None) -> CalibrationReport:
    """Render (or reuse) evaluation documents, collect uncalibrated samples with every method, fit,
    measure on a held-out half, and install the calibration fitted on all of them beside the model.

    `from_samples` fits on samples written before by `save_samples` (of this same model) instead.
    """
    from .model import model_installed

    if not model_installed(model_dir):
        raise ModelError(f"{model_dir}: no trained model here to calibrate (missing meta.json or classifier.npz)")
    if from_samples is not None:
        try:
            samples = read_samples(from_samples)
        except (OSError, ValueError, TypeError) as exc:
            raise ModelError(f"{from_samples}: unreadable calibration samples ({type(exc).__name__}: {exc})") from exc
        calibrator, report = fit_and_measure(samples, ConfidenceCalibrator(min_samples=min_samples))
        install_calibration(calibrator, report, Path(model_dir), f"samples {from_samples}")
        return report
    if corpus is not None:
        from .synth.build import SynthSettings, corpus_set

        if split not in FIT_SPLITS:
            raise ValueError(f"calibration is fitted on {' or '.join(FIT_SPLITS)} only, not {split!r}")
        rendered = corpus_set(corpus, split, SynthSettings(channels=channels, seed=seed, labels=False), n, cache,
                              None, workers)
        gold_dir, docs_dir = rendered / "gold", rendered / "docs"
        fitted_on = f"corpus {split} split, {n or 'all'} filings x {','.join(channels)} (seed {seed})"
    elif gold_dir is None or docs_dir is None:
        raise ValueError("give a corpus, or gold and documents folders")
    else:
        fitted_on = f"documents {docs_dir} against gold {gold_dir}"
    samples = collect_samples(gold_dir, docs_dir, model_dir=str(model_dir), workers=workers, progress=progress)
    if save_samples is not None:
        write_samples(samples, save_samples)
    calibrator, report = fit_and_measure(samples, ConfidenceCalibrator(min_samples=min_samples))
    install_calibration(calibrator, report, Path(model_dir), fitted_on)
    return report
