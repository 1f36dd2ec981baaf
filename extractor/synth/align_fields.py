"""Values outside the tables, for the aligner: footnote and remarks texts, header boxes, signatures, check marks.

Footnotes and remarks go first, as they are long and unique. Header values prefer the box
whose caption stands above them; a signature's date stands beside its name. A checkbox's
caption names the flag its box prints, ticked or not.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Callable

from ..labels import LabelMatch
from ..values import CHECK_MARKS
from .align_tables import same_band
from .chains import Span, Target
from .labels import WordLabel

if TYPE_CHECKING:
    from .align import Aligner

# Check marks and empty boxes as renderers and OCR print them.
_BOXES = {m.lower() for m in CHECK_MARKS} | {"■", "☐", "□", "[_]", "[", "]", "o", "[ ]"}


def place_long_texts(al: Aligner) -> None:
    long_texts = [t for t in al.targets.values() if t.kind == "text" and t.table is None
                  and (t.path.startswith("footnotes.") or t.path == "remarks")]
    long_texts.sort(key=lambda t: -len(t.keys[0]))
    for target in long_texts:
        zone = "remarks" if target.path == "remarks" else "footnotes"
        # Their prose may quote a caption ("Form 4", "Director"): printed words are no bar.
        al.place_best(target, lambda span: 0.1 if al.zones.section.get(span.first) == zone else 0.0, al.free)


_FIELD_BOXES = (
    (re.compile(r"^issuer\."), {"issuer"}),
    (re.compile(r"^owners\.\d+\.relationship\."), {"relationship"}),
    (re.compile(r"^owners\.\d+\.(name|address\.)"), {"name_address"}),
    (re.compile(r"^period_of_report$"), {"earliest", "event", "fiscal_year"}),
    (re.compile(r"^date_of_original_submission$"), {"amendment"}),
)


def header_bonus(al: Aligner, target: Target) -> Callable[[Span], float]:
    expected = next((boxes for pattern, boxes in _FIELD_BOXES if pattern.search(target.path)), set())
    signature = target.path.startswith("signatures.")
    group = re.match(r"^signatures\.\d+\.", target.path)
    sig_lines = [al.pos(al.index[id(m.first)])[0] for m in al.anchors.get("signature", [])]

    def bonus(span: Span) -> float:
        i = span.first
        if signature:
            # A signature's date stands beside its own name; else just above the caption.
            own = [p for p in al.assigned if group and p.startswith(group.group(0))]
            if own:
                return al.s.box_bonus if any(same_band(al, span, al.assigned[p]) for p in own) else -al.s.box_bonus
            line = al.line_of[i]
            near = any(0 <= s - line <= (3 if al.grid else 4) for s in sig_lines)
            return al.s.box_bonus if near else (-al.s.box_bonus if al.zones.section.get(i) == "header" else 0.0)
        box = al.zones.box.get(i)
        if expected and box in expected:
            return al.s.box_bonus
        if box is not None or al.zones.section.get(i) in ("footnotes", "remarks") or i in al.zones.table:
            return -al.s.box_bonus
        return 0.0
    return bonus


def place_header(al: Aligner) -> None:
    rest = [t for t in al.targets.values() if t.table is None and t.path not in al.assigned
            and t.kind in ("text", "number", "date", "code")]
    rest.sort(key=lambda t: (t.kind != "text", -len(t.keys[0]) if t.keys else 0))
    for target in rest:
        al.place_best(target, header_bonus(al, target))


# Top checkbox captions and the flag their box prints; "individual" and "joint" share one flag.
_CHECKBOX_FIELDS = {
    "not_subject_to_section16": "not_subject_to_section16", "aff10b5_one": "aff10b5_one",
    "form3_holdings_reported": "form3_holdings_reported",
    "form4_transactions_reported": "form4_transactions_reported",
    "individual": "joint_filing", "joint": "joint_filing",
}


def place_check_marks(al: Aligner) -> None:
    """Boxes left of their captions, checked or not: a box prints its flag either way."""
    seen: Counter[str] = Counter()
    keys = ["is_director", "is_officer", "is_ten_percent_owner", "is_other", *_CHECKBOX_FIELDS]
    found = sorted(((m, k) for k in keys for m in al.anchors.get(k, [])),
                   key=lambda mk: al.pos(al.index[id(mk[0].first)]))
    for match, key in found:
        if key in _CHECKBOX_FIELDS:
            path = _CHECKBOX_FIELDS[key]
            checked = getattr(al.record, path).value
            if key in ("individual", "joint"):  # one box of the pair is ticked
                checked = bool(checked) == (key == "joint")
        else:
            if not al.record.owners:
                continue
            # Each owner has a relationship box of its own, in the owners' order.
            owner = min(seen[key], len(al.record.owners) - 1)
            seen[key] += 1
            path = f"owners.{owner}.relationship.{key}"
            checked = getattr(al.record.owners[owner].relationship, key).value
        for mark in box_before(al, match, bool(checked)):
            w = al.words[mark]
            al.labels[mark] = WordLabel(w.page, w.text, w.bbox, path)


def box_before(al: Aligner, match: LabelMatch, checked: bool) -> list[int]:
    """The check mark or empty box just left of a checkbox caption, on its line."""
    first = match.first
    li = al.line_of[al.index[id(first)]]
    best = None
    for lj in range(max(0, li - 1), min(li + 2, len(al.lines))):
        for w in al.lines[lj].words:
            i = al.index[id(w)]
            if not al.free(i) or w.page != first.page or i in al.label_words:
                continue
            # OCR makes anything of a box; an empty one at least keeps some of its outline.
            ocr_box = al.graph.ocr and len(w.text) <= 4 and sum(c.isalpha() for c in w.text) <= 2 and (
                checked or any(c in "[](){}_oO0☐□LJU|" for c in w.text))
            if w.checkbox is None and w.text.strip().lower() not in _BOXES and not ocr_box:
                continue
            if abs(w.y_mid - first.y_mid) > max(first.height, w.height) * 0.8:
                continue
            gap = first.x0 - w.x1
            between = [v for v in al.lines[lj].words if w.x1 <= v.x0 and v.x1 <= first.x0 + 0.5 and v is not first]
            if al.grid:  # beside the caption in its cell, or alone in the cell before it
                ok = w.line == first.line and gap >= -0.5 and (w.cell == first.cell and gap <= 12.0 or not between)
            else:
                ok = -1.0 <= gap <= first.height * 8 and not between
            if ok and (best is None or w.x1 > al.words[best].x1):
                best = i
    if best is None:
        return []
    line = al.lines[al.line_of[best]].words
    k = al.place[best]
    if al.words[best].text == "]" and k and line[k - 1].text == "[":  # "[ ]" read as two words
        return [al.index[id(line[k - 1])], best]
    return [best]
