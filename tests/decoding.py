"""Decoding made-up layouts whose word tags the test gives by hand: the helpers the decoder's tests share."""

from __future__ import annotations

import numpy as np

from extractor.decode import decode
from extractor.layout.document import Layout, Page, Word, group_lines

D = "derivative.*."
N = "non_derivative.*."
NOT_SUBJECT_CAPTION = "Check this box if no longer subject to Section 16. Form 4 or Form 5 obligations may continue."
AFF10B5_CAPTION = "Check this box to indicate that a transaction was made pursuant to a contract, instruction or written plan"
TABLE_ONE_ROW = ["transaction_date", "transaction_code", "shares", "acquired_disposed", "price_per_share",
                 "shares_owned_following", "direct_or_indirect"]


def decode_sure(layout: Layout, tags: dict[str, str] | list[str | None]):
    """Decode with each word tagged for sure: `tags` maps a word's text (or gives, in order, each word's field)."""
    words = list(layout.words)
    fields = tags if isinstance(tags, list) else [tags.get(w.text) for w in words]
    classes = np.array(sorted({f for f in fields if f} | {"other"}))
    probabilities = np.zeros((len(words), len(classes)))
    for i, name in enumerate(fields):
        probabilities[i, list(classes).index(name or "other")] = 1.0
    return decode(layout, probabilities, classes, document_type=("4", 1.0))


def decode_soft(layout: Layout, rows: list[dict[str, float]]):
    """Decode with each word's class probabilities given (one dict per word, in `layout.words` order)."""
    classes = np.array(sorted({name for row in rows for name in row} | {"other"}))
    probabilities = np.zeros((len(rows), len(classes)))
    for i, row in enumerate(rows):
        for name, p in row.items():
            probabilities[i, list(classes).index(name)] = p
    return decode(layout, probabilities, classes, document_type=("4", 1.0))


def decode_with_doubts(layout: Layout, fields: list[str | None], doubts: dict[int, dict[str, float]]):
    """Like `decode_sure`, but word k of `doubts` has the probabilities it gives instead of its field for sure."""
    return decode_soft(layout, [doubts.get(i, {field or "other": 1.0}) for i, field in enumerate(fields)])


def decode_by_text(layout: Layout, soft: dict[str, dict[str, float]]):
    """Decode with the class probabilities `soft` gives a word's text; any other word a sure caption."""
    return decode_soft(layout, [soft.get(w.text, {"label": 1.0}) for w in layout.words])


def page_of(words: list[Word]) -> Layout:
    """One made-up PDF page holding `words`, grouped into lines."""
    return Layout(pages=[Page(number=1, width=800, height=600, lines=group_lines(words, page=1))],
                  source="made-up.pdf", format="pdf")


def word_at(text: str, x0: float, top: float) -> Word:
    """A word of 6 points a character, 8 high."""
    return Word(text, x0, top, x0 + 6.0 * len(text), top + 8.0)


def words_at(text: str, x0: float, top: float) -> list[Word]:
    """The words of `text` on one line from `x0`, a space of 4 points between them."""
    words, x = [], x0
    for piece in text.split():
        words.append(word_at(piece, x, top))
        x += 6.0 * len(piece) + 4.0
    return words
