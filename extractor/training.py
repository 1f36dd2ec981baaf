"""Training the model extractor: labeled documents from records or from a user's samples, fit, dev scores.

From records (corpus XML or made-up): render each in a layout family, read the channel back
(PDF, text dumps, markdown, optionally a simulated scan or fax read by OCR) and put the exact
printed labels onto the layout's words (or, for text channels, the aligner's labels). From a user's
samples: each document with its XML/JSON record, labels from the aligner.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .classifier import FieldClassifier, collapse
from .errors import Form4Error
from .features import DocumentFeatures, FeatureSettings, document_features
from .layout import read_layout
from .layout.document import Layout
from .line_fields import FILLERS
from .records import Record
from .word_breaks import broken_value_pairs, join_broken_values

CHANNELS = ("pdf", "html", "text", "md", "scan", "fax")
OCR_CHANNELS = ("scan", "fax")
_DOC_TYPES = ("3", "4", "5")


@dataclass(frozen=True)
class TrainSettings:
    """What a training run renders and fits."""

    channels: tuple[str, ...] = ("pdf", "text", "md")
    families: tuple[str, ...] = ("edgar", "paper", "agent", "typewriter")
    n_made_up: int = 0  # made-up records added to the XML ones
    seed: int = 0
    dev_fraction: float = 0.0  # of the training documents held out to choose the threshold, when no dev set is given
    features: FeatureSettings = field(default_factory=FeatureSettings)

    def __post_init__(self) -> None:
        bad = [c for c in self.channels if c not in CHANNELS]
        if bad or not self.channels:
            raise ValueError(f"channels must be among {', '.join(CHANNELS)}, not {', '.join(bad) or 'none'}")
        from .synth.render import FAMILIES

        wrong = [f for f in self.families if f not in FAMILIES]
        if wrong or not self.families:
            raise ValueError(f"families must be among {', '.join(FAMILIES)}, not {', '.join(wrong) or 'none'}")
        if self.n_made_up < 0:
            raise ValueError(f"n_made_up must be >= 0, not {self.n_made_up}")
        if not 0.0 <= self.dev_fraction < 1.0:
            raise ValueError(f"dev_fraction must be in [0, 1), not {self.dev_fraction}")


@dataclass
class Example:
    """One labeled document: its layout, the word features, collapsed labels, and the gold record."""

    key: str
    channel: str
    family: str
    layout: Layout
    features: DocumentFeatures
    labels: list[str]
    record: Record
    page_text: str


def records_from_folder(folder: Path, limit: int | None = None) -> Iterator[Record]:
    """Records from ownership XML (or record JSON) files in `folder`, sorted by name."""
    from .edgar_xml import read_xml

    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".xml", ".json"))
    for path in paths[:limit] if limit else paths:
        data = path.read_bytes()
        yield Record.model_validate_json(data) if path.suffix.lower() == ".json" else read_xml(data, str(path))


def rendered_examples(record: Record, key: str, channel: str, family: str, seed: int,
                      settings: TrainSettings) -> Example:
    """One record rendered in `family`, read back through `channel`, its words labeled."""
    from .synth.align import align, labels_for_layout
    from .synth.channels import pdf_layout_text, pdf_text, seed_style_markdown, html_markdown
    from .synth.render import render

    rng = random.Random(f"{seed}:{key}:{channel}")
    if channel == "md":
        rendering = render(record, "edgar", seed)
        text = seed_style_markdown(rendering.html) if rng.random() < 0.5 else html_markdown(rendering.html)
        layout = read_layout(text.encode("utf-8"), f"{key}.md")
        labels = align(layout, record)
        family = "edgar"
    elif channel == "html":
        rendering = render(record, "edgar", seed)  # only the EDGAR family has an HTML form
        layout = read_layout(rendering.html.encode("utf-8"), f"{key}.html")
        labels = align(layout, record)
        family = "edgar"
    elif channel == "text":
        rendering = render(record, family, seed)
        text = pdf_layout_text(rendering.pdf) if rng.random() < 0.5 else pdf_text(rendering.pdf)
        layout = read_layout(text.encode("utf-8"), f"{key}.txt")
        labels = align(layout, record)
    elif channel in OCR_CHANNELS:
        from .synth.scan import scan_preset, scan_to_tiff, simulate_scan, transfer_labels

        rendering = render(record, family, seed)
        # Read as the evaluation and users' fax servers deliver it: doubled lines, square pixels.
        scan = simulate_scan(rendering.pdf, scan_preset(channel, rng), rng.randrange(2**31))
        layout = read_layout(scan_to_tiff(scan), f"{key}.tiff")
        labels = transfer_labels(rendering.words, scan, layout)
    else:
        rendering = render(record, family, seed)
        layout = read_layout(rendering.pdf, f"{key}.pdf")
        labels = labels_for_layout(layout, rendering.words)
    return _example(key, channel, family, layout, [lab.field for lab in labels], record, settings)


def _example(key: str, channel: str, family: str, layout: Layout, fields: list[str], record: Record,
             settings: TrainSettings) -> Example:
    words = list(layout.words)
    if len(fields) != len(words):
        raise ValueError(f"{key}: {len(fields)} labels for {len(words)} words")
    layout, fields = _with_broken_values_joined(layout, fields)
    return Example(key, channel, family, layout, document_features(layout, settings.features),
                   [collapse(f) for f in fields], record, page_text(layout))


def _with_broken_values_joined(layout: Layout, fields: list[str]) -> tuple[Layout, list[str]]:
    """The layout as the model reads it (`word_breaks.join_broken_values`), each joined word labelled
    as its first piece, or as its rest where only the rest was a value's."""
    pairs = broken_value_pairs(layout)
    if not pairs:
        return layout, fields
    label = {id(w): f for w, f in zip(layout.words, fields)}
    rest_of = {id(first): second for first, second in pairs}
    rests = {id(second) for _, second in pairs}
    out = []
    for w, f in zip(layout.words, fields):
        if id(w) in rests:
            continue
        second = rest_of.get(id(w))
        if second is not None and f in FILLERS and label[id(second)] not in FILLERS:
            f = label[id(second)]
        out.append(f)
    return join_broken_values(layout, pairs), out


def page_text(layout: Layout, limit: int = 3000) -> str:
    """The first page's text (as the document-type classifier sees it)."""
    return " ".join(line.text for line in layout.pages[0].lines)[:limit] if layout.pages else ""


def examples_from_records(records: Iterable[Record], settings: TrainSettings,
                          progress: Callable[[int], None] | None = None,
                          failures: list[str] | None = None) -> Iterator[Example]:
    """Every record through every channel, the family chosen per record and channel by the seed."""
    for i, record in enumerate(records):
        key = Path(record.source.path).stem if record.source.path else f"record-{i}"
        rng = random.Random(f"{settings.seed}:{key}")
        for channel in settings.channels:
            family = rng.choice(settings.families)
            try:
                yield rendered_examples(record, key, channel, family, rng.randrange(2**31), settings)
            except (Form4Error, ValueError, OSError) as exc:
                if failures is not None:
                    failures.append(f"{key}.{channel}: {exc}")
        if progress is not None:
            progress(1)


def examples_from_samples(folder: Path, settings: TrainSettings,
                          progress: Callable[[int], None] | None = None,
                          failures: list[str] | None = None) -> Iterator[Example]:
    """A user's documents, each next to its record `<stem>.xml` or `<stem>.json`; labels from the aligner."""
    from .edgar_xml import read_xml
    from .layout import detect_format
    from .synth.align import align

    folder = Path(folder)
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".xml", ".json") or not path.is_file():
            continue
        gold = next((path.with_suffix(s) for s in (".xml", ".json") if path.with_suffix(s).exists()), None)
        if gold is None:
            continue
        try:
            data = path.read_bytes()
            if detect_format(data, str(path)) == "xml":
                continue
            raw = gold.read_bytes()
            record = Record.model_validate_json(raw) if gold.suffix == ".json" else read_xml(raw, str(gold))
            layout = read_layout(data, str(path))
            labels = align(layout, record)
            yield _example(path.stem, "sample", "sample", layout, [lab.field for lab in labels], record, settings)
        except (Form4Error, ValueError, OSError) as exc:
            if failures is not None:
                failures.append(f"{path}: {exc}")
        if progress is not None:
            progress(1)


def data_hash(examples: list[Example]) -> str:
    """A digest of the training words and labels: says which data a model was fitted on."""
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(ex.key.encode())
        digest.update(ex.channel.encode())
        for w, label in zip(ex.layout.words, ex.labels):
            digest.update(f"{w.text}\x00{label}\x01".encode())
    return digest.hexdigest()[:16]


def fit_classifier(examples: list[Example], classifier: FieldClassifier | None = None) -> FieldClassifier:
    classifier = classifier or FieldClassifier()
    return classifier.fit([ex.features for ex in examples], [label for ex in examples for label in ex.labels])


def doctype_label(record: Record) -> str:
    value = record.document_type.value or "4"
    return f"form{value[0]}"


# --- the document-type classifier (spaCy) -------------------------------------------------------

_FILLER = ("quarterly", "revenue", "segment", "board", "meeting", "invoice", "payment", "due", "customer", "shipping",
           "order", "total", "tax", "lease", "agreement", "tenant", "policy", "coverage", "premium", "patient",
           "report", "annual", "results", "growth", "market", "product", "services", "employee", "benefits",
           "statement", "account", "balance", "interest", "loan", "bank", "deposit", "the", "of", "and", "to", "in",
           "for", "with", "on", "by", "as", "is", "was", "were", "our", "company", "year", "period", "net",
           "income", "shares", "stock", "securities", "dividend", "proxy", "vote", "director", "officer", "date")
_NOT_FORM_TITLES = ("INVOICE", "Quarterly Report", "Lease Agreement", "Proxy Statement", "Meeting Minutes",
                    "Bank Statement", "Insurance Policy", "Press Release", "Form 10-Q", "Form 8-K", "Form 13F",
                    "Schedule 13D", "Purchase Order", "Annual Report to Shareholders", "Employment Agreement")


def made_up_non_forms(n: int, seed: int = 0) -> list[str]:
    """Texts that are not Forms 3/4/5 (other filings, letters, invoices) made of common business words."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(_FILLER) for _ in range(rng.randint(20, 300))]
        for i in range(0, len(words), rng.randint(6, 14)):
            words[i] = words[i].capitalize()
            if rng.random() < 0.3:
                words.insert(i, f"{rng.randint(1, 99999):,}")
            if rng.random() < 0.15:
                words.insert(i, f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.randint(2000, 2030)}")
        out.append(rng.choice(_NOT_FORM_TITLES) + " " + " ".join(words))
    return out


def train_doctype(texts: list[str], labels: list[str], seed: int = 0, epochs: int = 8):
    """A spaCy pipeline with one trained TextCategorizer (bag of words) over form3/form4/form5/not_form."""
    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import fix_random_seed, minibatch

    from .model import DOCTYPES

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat", config={"model": {"@architectures": "spacy.TextCatBOW.v3",
                                                        "exclusive_classes": True, "ngram_size": 2,
                                                        "no_output_layer": False}})
    for label in DOCTYPES:
        textcat.add_label(label)
    samples = [SpacyExample.from_dict(nlp.make_doc(text[:3000]), {"cats": {k: float(k == label) for k in DOCTYPES}})
               for text, label in zip(texts, labels)]
    optimizer = nlp.initialize(lambda: samples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(samples)
        for batch in minibatch(samples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    return nlp


# --- a whole training run -----------------------------------------------------------------------


@dataclass
class TrainOutcome:
    path: Path
    meta: dict
    failures: list[str]


THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 1.01)


@dataclass
class DocumentComparison:
    """Wrong fields of one dev document for the rules, the model alone, and combined per threshold."""

    key: str
    channel: str
    family: str
    rules: int | None  # None: the rules refused the document
    model: int
    combined: dict[float, int]


def compare_methods(model, examples: list[Example], thresholds: tuple[float, ...] = THRESHOLDS
                    ) -> list[DocumentComparison]:
    """Wrong printed fields (`scoring.differences`) per document for rules, model and their combination."""
    from .model import ModelExtractor, ModelSettings, combine
    from .rules import RuleExtractor
    from .scoring import differences

    extractor = ModelExtractor(model, ModelSettings(combine=False))
    out = []
    for ex in examples:
        try:
            rules = RuleExtractor().extract(ex.layout)
        except Form4Error:
            rules = None
        try:
            found = extractor.extract(ex.layout)
        except Form4Error:
            found = Record()
        base = rules if rules is not None else Record()
        out.append(DocumentComparison(
            ex.key, ex.channel, ex.family, None if rules is None else len(differences(ex.record, rules)),
            len(differences(ex.record, found)),
            {t: len(differences(ex.record, combine(base, found, t))) for t in thresholds}))
    return out


def choose_threshold(model, dev: list[Example], thresholds: tuple[float, ...] = THRESHOLDS
                     ) -> tuple[float, dict[str, float]]:
    """The combination threshold with the fewest wrong fields on `dev` (1.01: the rules alone)."""
    compared = compare_methods(model, dev, thresholds)
    best = min(thresholds, key=lambda t: (sum(c.combined[t] for c in compared), -t))
    scores = summarize_comparison(compared, best)
    # Method auto combines with the rules only where that beat the model alone on dev.
    alone = sum(c.model for c in compared)
    scores["auto_strategy"] = "model" if compared and alone < sum(c.combined[best] for c in compared) else "combined"
    return best, scores


def summarize_comparison(compared: list[DocumentComparison], threshold: float) -> dict:
    """Mean wrong fields per document for each method, overall and per channel/family."""
    groups: dict[str, list[DocumentComparison]] = {"all": compared}
    for c in compared:
        groups.setdefault(f"{c.channel}/{c.family}", []).append(c)
    out: dict = {"threshold": threshold}
    for name, items in sorted(groups.items()):
        n = max(len(items), 1)
        out[name] = {"documents": len(items),
                     "rules": round(sum(c.rules if c.rules is not None else c.combined[1.01] for c in items) / n, 2),
                     "rules_refused": sum(c.rules is None for c in items),
                     "model": round(sum(c.model for c in items) / n, 2),
                     "combined": round(sum(c.combined[threshold] for c in items) / n, 2)}
    return out


def train_model(train: list[Example], dev: list[Example], out: Path, name: str | None = None,
                non_forms: int = 150, seed: int = 0, extra_meta: dict | None = None) -> TrainOutcome:
    """Fit the word classifier and the document-type classifier, pick the threshold on `dev`, save to `out`."""
    from .model import NOT_A_FORM, TrainedModel, save_model

    if not train:
        raise ValueError("no training documents: every one failed to render or read")
    classifier = fit_classifier(train)
    texts = [ex.page_text for ex in train] + made_up_non_forms(non_forms, seed)
    labels = [doctype_label(ex.record) for ex in train] + [NOT_A_FORM] * non_forms
    nlp = train_doctype(texts, labels, seed)
    model = TrainedModel(classifier, nlp, threshold=0.9)
    threshold, scores = choose_threshold(model, dev) if dev else (0.9, {})
    model.threshold = threshold
    strategy = scores.get("auto_strategy", "combined")
    import numpy as np

    if dev:
        predicted = classifier.predict([ex.features for ex in dev])
        gold = np.array([label for ex in dev for label in ex.labels], dtype=object)
        values = ~np.isin(gold, ["label", "other"])
        scores["word_accuracy"] = round(float(np.mean(predicted == gold)), 4)
        scores["value_word_accuracy"] = round(float(np.mean(predicted[values] == gold[values])), 4) if values.any() else None
    model.meta = {"name": name or Path(out).name, "data_hash": data_hash(train), "train_documents": len(train),
                  "train_words": sum(len(ex.labels) for ex in train), "dev_documents": len(dev),
                  "channels": sorted({ex.channel for ex in train}), "families": sorted({ex.family for ex in train}),
                  "classes": [str(c) for c in classifier.classes_], "dev_scores": scores, "auto_strategy": strategy,
                  **(extra_meta or {})}
    save_model(model, Path(out))
    return TrainOutcome(Path(out), model.meta, [])


def run_training(out: Path, settings: TrainSettings, xml_dir: Path | None = None, limit: int | None = None,
                 samples: Path | None = None, dev_dir: Path | None = None, dev_limit: int = 20,
                 progress: Callable[[int], None] | None = None) -> TrainOutcome:
    """Build the training documents (XML and made-up records rendered, a user's samples), fit, save to `out`."""
    from itertools import chain

    from .synth.fake import make_records

    failures: list[str] = []
    records = chain(records_from_folder(xml_dir, limit) if xml_dir is not None else [],
                    make_records(settings.n_made_up, settings.seed) if settings.n_made_up else [])
    examples = list(examples_from_records(records, settings, progress, failures))
    if samples is not None:
        examples += list(examples_from_samples(samples, settings, progress, failures))
    if dev_dir is not None:
        dev = list(examples_from_records(records_from_folder(dev_dir, dev_limit), settings, None, failures))
        train = examples
    else:
        # Hold out whole records (all their channels), never single renderings of a record trained on.
        keys = sorted({ex.key for ex in examples})
        held = set(random.Random(settings.seed).sample(keys, int(len(keys) * settings.dev_fraction)))
        train = [ex for ex in examples if ex.key not in held]
        dev = [ex for ex in examples if ex.key in held]
    outcome = train_model(train, dev, out, seed=settings.seed,
                          extra_meta={"xml_dir": str(xml_dir) if xml_dir else None, "made_up_records": settings.n_made_up,
                                      "samples_dir": str(samples) if samples else None,
                                      "dev_dir": str(dev_dir) if dev_dir else None})
    outcome.failures.extend(failures)
    return outcome


def count_inputs(xml_dir: Path | None, limit: int | None, samples: Path | None, n_made_up: int) -> int:
    """How many records and samples a run will read (for the progress bar)."""
    total = n_made_up
    if xml_dir is not None:
        total += min(sum(1 for p in Path(xml_dir).iterdir() if p.suffix.lower() in (".xml", ".json")), limit or 10**9)
    if samples is not None:
        total += sum(1 for p in Path(samples).iterdir() if p.suffix.lower() not in (".xml", ".json"))
    return total
