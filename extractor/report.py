"""The evaluation report: one self-contained HTML file, plots embedded as PNG.

Plots are drawn with matplotlib's Agg backend (no display needed) and inlined as base64 data
URIs, so the file can be mailed or attached to a CI run on its own. Their number does not grow
with the number of documents: per-field bars, a reliability diagram and the auto-accept curve.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from .evaluate import EvaluateSettings, EvaluationResult, MethodSummary, worst_documents
from .timing import STAGES

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
.bad { color: #b00020; } .good { color: #176f2c; } .muted { color: #777; }
img { max-width: 100%; }
code { font-size: 0.95em; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _png(figure) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode("ascii")}">'


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _available(result: EvaluationResult) -> list[MethodSummary]:
    return [s for s in result.summaries.values() if s.available and s.documents]


def field_bars(result: EvaluationResult) -> str:
    """Horizontal F1 bars per field group, one colour per method."""
    summaries = _available(result)
    groups = sorted({g for s in summaries for g in s.fields})
    if not groups:
        return "<p class=muted>No fields scored.</p>"
    plt = _pyplot()
    height = 0.22 * len(groups) * max(1, len(summaries)) + 1.0
    figure, axis = plt.subplots(figsize=(8, max(2.5, height)))
    width = 0.8 / len(summaries)
    for i, summary in enumerate(summaries):
        ys = [g_index + i * width for g_index in range(len(groups))]
        axis.barh(ys, [summary.fields[g].f1 if g in summary.fields else 0.0 for g in groups], height=width,
                  label=summary.method)
    axis.set_yticks([g + 0.4 - width / 2 for g in range(len(groups))], groups, fontsize=7)
    axis.invert_yaxis()
    axis.set_xlim(0, 1)
    axis.set_xlabel("F1")
    axis.legend(loc="lower right", fontsize=8)
    axis.grid(axis="x", alpha=0.3)
    return _png(figure)


def calibration_plot(result: EvaluationResult) -> str:
    """Reliability diagram (accuracy against mean confidence per bin) and the auto-accept curve."""
    summaries = [s for s in _available(result) if s.calibration.fields]
    if not summaries:
        return "<p class=muted>No predicted fields to calibrate.</p>"
    plt = _pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=1, label="perfectly calibrated")
    for summary in summaries:
        bins = summary.calibration.bins
        left.plot([b.mean_confidence for b in bins], [b.accuracy for b in bins], marker="o",
                  label=f"{summary.method} (ECE {summary.calibration.ece:.3f})")
        rows = summary.calibration.thresholds
        right.plot([r.accepted_share for r in rows], [r.error_rate for r in rows], marker="o", label=summary.method)
        for r in rows:
            right.annotate(f"{r.threshold:g}", (r.accepted_share, r.error_rate), fontsize=6,
                           textcoords="offset points", xytext=(3, 3))
    left.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="mean confidence", ylabel="share right",
             title="Reliability of field confidences")
    right.set(xlim=(0, 1.02), xlabel="share of fields auto-accepted", ylabel="error rate of accepted",
              title="Auto-accept by confidence threshold")
    for axis in (left, right):
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    return _png(figure)


def _summary_table(result: EvaluationResult) -> str:
    methods = list(result.summaries.values())
    head = "".join(f"<th>{_e(s.method)}</th>" for s in methods)
    rows = [
        ("documents", lambda s: f"{s.documents} ({s.failed} failed)"),
        ("micro F1", lambda s: f"{s.total.f1:.4f}"),
        ("micro precision", lambda s: f"{s.total.precision:.4f}"),
        ("micro recall", lambda s: f"{s.total.recall:.4f}"),
        ("fields TP / FP / FN", lambda s: f"{s.total.tp} / {s.total.fp} / {s.total.fn}"),
        ("table rows exact", lambda s: f"{_pct(s.rows.exact_share)} ({s.rows.exact} of {s.rows.gold}; "
                                       f"{s.rows.predicted} predicted)"),
        ("footnote links found", lambda s: f"{_pct(s.links.accuracy)} ({s.links.found} of {s.links.gold})"),
        ("checkboxes right", lambda s: f"{_pct(s.checkboxes.accuracy)} ({s.checkboxes.correct} of "
                                       f"{s.checkboxes.total})"),
        ("documents wholly right", lambda s: f"{_pct(s.exact_share)} ({s.exact})"),
        ("ECE (10 bins)", lambda s: f"{s.calibration.ece:.4f}"),
        ("seconds per page", lambda s: f"{s.speed.total_seconds_per_page:.3f}"),
        ("peak memory", lambda s: f"{s.speed.peak_memory_mb:.0f} MB"),
    ]
    body = []
    for label, cell in rows:
        tds = "".join(
            f"<td class=n>{_e(cell(s))}</td>" if s.available else "<td class=muted>not available</td>"
            for s in methods
        )
        body.append(f"<tr><th>{_e(label)}</th>{tds}</tr>")
    notes = "".join(f"<p class=muted>{_e(s.method)}: not available — {_e(s.reason)}</p>"
                    for s in methods if not s.available)
    return f"<table><tr><th></th>{head}</tr>{''.join(body)}</table>{notes}"


def _fields_table(result: EvaluationResult) -> str:
    summaries = _available(result)
    groups = sorted({g for s in summaries for g in s.fields})
    head = "".join(f"<th>{_e(s.method)} P</th><th>R</th><th>F1</th><th>TP/FP/FN</th>" for s in summaries)
    body = []
    for group in groups:
        tds = []
        for s in summaries:
            c = s.fields.get(group)
            tds.append("<td></td>" * 4 if c is None else
                       f"<td class=n>{c.precision:.3f}</td><td class=n>{c.recall:.3f}</td>"
                       f"<td class=n>{c.f1:.3f}</td><td class=n>{c.tp}/{c.fp}/{c.fn}</td>")
        body.append(f"<tr><td><code>{_e(group)}</code></td>{''.join(tds)}</tr>")
    return f"<table><tr><th>field</th>{head}</tr>{''.join(body)}</table>"


def _channels_table(result: EvaluationResult) -> str:
    body = []
    for s in _available(result):
        for name, c in sorted(s.channels.items()):
            body.append(f"<tr><td>{_e(s.method)}</td><td>{_e(name)}</td><td class=n>{c.documents}</td>"
                        f"<td class=n>{c.failed}</td><td class=n>{c.total.f1:.4f}</td>"
                        f"<td class=n>{_pct(c.exact / c.documents if c.documents else 0.0)}</td>"
                        f"<td class=n>{c.seconds_per_page:.3f}</td></tr>")
    return ("<table><tr><th>method</th><th>channel</th><th>documents</th><th>failed</th><th>micro F1</th>"
            f"<th>wholly right</th><th>seconds per page</th></tr>{''.join(body)}</table>")


def _channel_matrix(result: EvaluationResult) -> str:
    """Micro F1 and pages per second, one row per channel, one column pair per method."""
    summaries = _available(result)
    channels = sorted({name for s in summaries for name in s.channels})
    head = "".join(f"<th>{_e(s.method)} F1</th><th>pages/s</th>" for s in summaries)
    body = []
    for name in channels:
        cells = []
        for s in summaries:
            c = s.channels.get(name)
            cells.append("<td></td><td></td>" if c is None else
                         f"<td class=n>{c.total.f1:.4f}</td><td class=n>{c.pages_per_second:.2f}</td>")
        documents = max((s.channels[name].documents for s in summaries if name in s.channels), default=0)
        body.append(f"<tr><td>{_e(name)}</td><td class=n>{documents}</td>{''.join(cells)}</tr>")
    note = ""
    if "auto" in result.summaries and result.auto_strategy:
        note = (f"<p class=muted>auto is the shipped default, strategy <code>{_e(result.auto_strategy)}</code> "
                "(rules: the rules alone; choose: the model's record with the rules' owners, or the model's alone where "
                "validation finds a misreading in the rules' record; combined: field by field). pages/s counts each method as if it ran alone, "
                "reading and OCR included.</p>")
    return (f"<table><tr><th>channel</th><th>documents</th>{head}</tr>{''.join(body)}</table>{note}")


def _thresholds_table(result: EvaluationResult) -> str:
    out = []
    for s in _available(result):
        rows = "".join(
            f"<tr><td class=n>{r.threshold:g}</td><td class=n>{_pct(r.accepted_share)}</td>"
            f"<td class=n>{r.accepted}</td><td class=n>{_pct(r.error_rate)}</td></tr>"
            for r in s.calibration.thresholds
        )
        out.append(f"<h3>{_e(s.method)}: {s.calibration.fields} predicted fields, ECE {s.calibration.ece:.4f}</h3>"
                   "<table><tr><th>confidence at least</th><th>auto-accepted</th><th>fields</th>"
                   f"<th>error rate of accepted</th></tr>{rows}</table>")
    return "".join(out)


def _speed_table(result: EvaluationResult) -> str:
    summaries = _available(result)
    head = "".join(f"<th>{_e(s.method)}</th>" for s in summaries)
    body = [
        f"<tr><th>{stage}</th>" + "".join(f"<td class=n>{s.speed.seconds_per_page.get(stage, 0.0):.4f}</td>"
                                          for s in summaries) + "</tr>"
        for stage in STAGES
    ]
    body.append("<tr><th>all stages</th>" + "".join(f"<td class=n>{s.speed.total_seconds_per_page:.4f}</td>"
                                                  for s in summaries) + "</tr>")
    body.append("<tr><th>pages (documents)</th>" + "".join(
        f"<td class=n>{s.speed.pages} ({s.speed.documents})</td>" for s in summaries) + "</tr>")
    body.append("<tr><th>peak memory</th>" + "".join(
        f"<td class=n>{s.speed.peak_memory_mb:.0f} MB</td>" for s in summaries) + "</tr>")
    return f"<table><tr><th>seconds per page</th>{head}</tr>{''.join(body)}</table>"


def _worst(result: EvaluationResult, settings: EvaluateSettings) -> str:
    out = []
    for s in _available(result):
        for doc in worst_documents(result, s.method, settings.worst):
            status = f" <span class=bad>failed: {_e(doc.error)}</span>" if doc.status == "failed" else ""
            rows = "".join(
                f"<tr><td><code>{_e(e.path)}</code></td><td>{_e(e.kind)}</td>"
                f"<td>{_e(e.gold)}{_notes(e.gold_footnotes)}</td>"
                f"<td>{_e(e.predicted)}{_notes(e.predicted_footnotes)}</td>"
                f"<td class=n>{'' if e.confidence is None else f'{e.confidence:.2f}'}</td></tr>"
                for e in doc.score.errors[:60]
            )
            more = len(doc.score.errors) - 60
            tail = f"<p class=muted>… and {more} more</p>" if more > 0 else ""
            out.append(
                f"<h3>{_e(s.method)}: <code>{_e(doc.id)}</code> ({_e(doc.channel)}, "
                f"{len(doc.score.errors)} wrong, F1 {doc.score.total.f1:.3f}){status}</h3>"
                "<table><tr><th>field</th><th>error</th><th>gold</th><th>predicted</th><th>confidence</th></tr>"
                f"{rows}</table>{tail}"
            )
    return "".join(out) or "<p class=good>Every document is wholly right.</p>"


def _notes(ids: list[str]) -> str:
    return f" <span class=muted>[{_e(', '.join(ids))}]</span>" if ids else ""


def _comparison(result: EvaluationResult) -> str:
    c = result.comparison
    if c is None:
        return ""

    def table(changes, css: str) -> str:
        rows = "".join(f"<tr><td>{_e(x.method)}</td><td><code>{_e(x.metric)}</code></td>"
                       f"<td class=n>{x.before:.4f}</td><td class='n {css}'>{x.after:.4f}</td></tr>" for x in changes)
        return f"<table><tr><th>method</th><th>metric</th><th>before</th><th>after</th></tr>{rows}</table>"

    parts = [f"<h2>Compared with <code>{_e(c.previous)}</code></h2>"]
    if c.regressions:
        parts.append(f"<h3 class=bad>{len(c.regressions)} regressions</h3>{table(c.regressions, 'bad')}")
    else:
        parts.append("<p class=good>No regressions.</p>")
    if c.improvements:
        parts.append(f"<h3 class=good>{len(c.improvements)} improvements</h3>{table(c.improvements, 'good')}")
    if c.documents_regressed:
        items = "".join(f"<li><code>{_e(d)}</code></li>" for d in c.documents_regressed)
        parts.append(f"<h3 class=bad>Documents wholly right before, not now</h3><ul>{items}</ul>")
    return "".join(parts)


def _problems(result: EvaluationResult) -> str:
    parts = []
    failed = [d for d in result.documents if d.status == "failed"]
    if failed:
        items = "".join(f"<li>{_e(d.method)}: {_e(d.error)}</li>" for d in failed)
        parts.append(f"<h3>Failed documents (gold fields counted as missed)</h3><ul>{items}</ul>")
    if result.skipped:
        items = "".join(f"<li>{_e(s.reason)}</li>" for s in result.skipped)
        parts.append(f"<h3>Gold that could not be read (its documents not scored)</h3><ul>{items}</ul>")
    if result.documents_without_gold:
        items = "".join(f"<li><code>{_e(d)}</code></li>" for d in result.documents_without_gold)
        parts.append(f"<h3>Documents without gold (not scored)</h3><ul>{items}</ul>")
    return "".join(parts)


def render_report(result: EvaluationResult, settings: EvaluateSettings | None = None) -> str:
    """The whole report as one HTML string."""
    settings = settings or EvaluateSettings()
    title = f"form4 evaluation — {len({d.id for d in result.documents})} documents"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title><style>{STYLE}</style></head><body>
<h1>{_e(title)}</h1>
<p class=muted>{_e(result.created)} · gold <code>{_e(result.gold_dir)}</code> · documents
<code>{_e(result.docs_dir)}</code> · scoring rules: docs/scoring.md</p>
<h2>Summary</h2>{_summary_table(result)}
{_comparison(result)}
<h2>Per field</h2>{field_bars(result)}{_fields_table(result)}
<h2>Per channel</h2>{_channel_matrix(result)}{_channels_table(result)}
<h2>Calibration</h2>{calibration_plot(result)}{_thresholds_table(result)}
<h2>Speed and memory</h2>{_speed_table(result)}
<h2>Worst documents</h2>{_worst(result, settings)}
{_problems(result)}
</body></html>
"""


def write_report(result: EvaluationResult, path: Path, settings: EvaluateSettings | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(result, settings), encoding="utf-8")
