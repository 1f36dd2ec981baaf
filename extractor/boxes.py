"""Which box a check mark is: the top boxes and the owners' relationship boxes by their printed captions.

The classifier tells a mark from other words well, and which box it is less well where boxes sit
close together; the captions printed beside the boxes settle it.
"""

from __future__ import annotations

from typing import Callable

from .labels import LabelFinder, catalog
from .layout.document import Layout, Word
from .line_fields import same_line
from .tagged import Tagged
from .values import is_check_mark

# A text dump runs the captions together with the columns beside them ("...Section 16. Form 4 or
# Estimated average burden"), so a caption found there matches only about 0.6 of its words.
_CAPTION_SCORE = 0.55
CAPTIONED_BOXES = ("not_subject_to_section16", "aff10b5_one", "form3_holdings_reported", "form4_transactions_reported")


def top_boxes_by_caption(by_field: dict[str, list[Tagged]], layout: Layout) -> None:
    """A mark printed on its caption's first line, left of it, is that caption's box.

    The four boxes at the top of the form sit one above the other with long captions; EDGAR
    prints the mark in a cell before "Check this box if no longer subject...", and the
    classifier, seeing the 10b5-1 caption a line below, gave it to that box.
    """
    tags = [t for name in CAPTIONED_BOXES for t in by_field.get(name, [])]
    finder = LabelFinder(layout)
    captions = [(key, m) for key in CAPTIONED_BOXES
                for m in finder.find(key, catalog()["checkboxes"][key], min_score=_CAPTION_SCORE, limit=1)]
    if not captions:
        return
    # A mark the classifier left untagged (a text dump's bare "X" before the caption) is the box's too.
    words = list(layout.words)
    position = {id(w): i for i, w in enumerate(words)}
    tagged = {t.index for name in by_field for t in by_field[name]}
    for key, m in captions:
        before = position[id(m.first)] - 1
        if (before >= 0 and before not in tagged and words[before].checkbox is not False
                and is_check_mark(words[before].text) and same_line(words[before], m.first)):
            tags.append(Tagged(words[before], before, key, m.score))

    def nearest_caption(t: Tagged) -> str | None:
        beside = [(m.first.x0 - t.word.x1, key) for key, m in captions
                  if m.first.x0 >= t.word.x1 - 1.0 and same_line(t.word, m.first)]
        return min(beside)[1] if beside else None

    _regroup(by_field, CAPTIONED_BOXES, tags, nearest_caption)


_UNTAGGED_MARK = 0.5  # a mark's probability where only its caption says which box it is
_RELATIONSHIP_CAPTIONS = (("director", "owners.*.relationship.is_director"),
                          ("10%", "owners.*.relationship.is_ten_percent_owner"),
                          ("officer", "owners.*.relationship.is_officer"),
                          ("other", "owners.*.relationship.is_other"))


def relationship_boxes_by_caption(by_field: dict[str, list[Tagged]], words: list[Word]) -> None:
    """A relationship mark printed just left of its caption ("X Director") is that caption's box,
    unless a caption stands as close on its left (a form that prints "Director X"). On a 300 dpi
    scan the classifier gave the director's mark to the 10% owner box beside it."""
    fields = tuple(field for _, field in _RELATIONSHIP_CAPTIONS)
    marks = [t for name in fields for t in by_field.get(name, [])]
    # A mark the classifier left to the printed labels (a fax's bold "X" read "XxX", 0.46 label) is
    # its caption's box all the same.
    tagged = {t.index for tags in by_field.values() for t in tags}
    for i, w in enumerate(words):
        if i not in tagged and (w.checkbox or w.checkbox is None and is_check_mark(w.text)):
            field = _caption_right_of(Tagged(w, i, "", 0.0), words)
            if field is not None:
                marks.append(Tagged(w, i, field, _UNTAGGED_MARK))
    _regroup(by_field, fields, marks, lambda t: _caption_right_of(t, words))


def _regroup(by_field: dict[str, list[Tagged]], boxes: tuple[str, ...], marks: list[Tagged],
             box_of: Callable[[Tagged], str | None]) -> None:
    """The boxes' tag lists rebuilt from `marks`, each under the box `box_of` names (its own where None)."""
    moved: dict[str, list[Tagged]] = {}
    for t in marks:
        field = box_of(t) or t.field
        moved.setdefault(field, []).append(t if field == t.field else Tagged(t.word, t.index, field, t.probability))
    for name in boxes:
        if name in moved:
            by_field[name] = sorted(moved[name], key=lambda t: t.index)
        else:
            by_field.pop(name, None)


def _caption_right_of(t: Tagged, words: list[Word]) -> str | None:
    mark = t.word
    line = [w for w in words if w is not mark and same_line(mark, w)]
    # A speck between the mark and its caption ("X = Director", "x ~~ Director" on a fax) is passed over.
    right = min((w for w in line if w.x0 >= mark.x1 - 1.0 and any(c.isalnum() for c in w.text)),
                key=lambda w: w.x0, default=None)
    if right is None or right.x0 - mark.x1 > 2.0 * max(mark.height, 1.0):
        return None
    field = next((f for caption, f in _RELATIONSHIP_CAPTIONS if right.text.lower().startswith(caption)), None)
    left = max((w for w in line if w.x1 <= mark.x0 + 1.0), key=lambda w: w.x1, default=None)
    if field is not None and left is not None and mark.x0 - left.x1 <= right.x0 - mark.x1:
        before = left.text.lower().rstrip(")")
        if before in ("owner", "below") or any(before.startswith(c) for c, _ in _RELATIONSHIP_CAPTIONS):
            return None  # "Director X": a caption as near on the left may be the mark's
    return field
