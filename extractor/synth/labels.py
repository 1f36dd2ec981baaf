"""Word labels: which record field (table, row, column) each printed word belongs to.

A label's `field` is a dotted `Record.values()` path (``issuer.name``,
``non_derivative.2.shares``, ``footnotes.0.text``, ``owners.0.relationship.is_director`` for a
check mark), or one of the pseudo fields below. Boxes are (x0, top, x1, bottom) in the
coordinates of the page they were printed on: PDF points with the origin top left, as
pdfplumber gives them; for a scan, the same points mapped through the scan's transform.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]

#: Printed form text (titles, column headers, box captions).
FORM_LABEL = "label"
#: A footnote marker inside a cell, e.g. "(1)"; `table`/`row`/`column` name the cell it cites.
FOOTNOTE_REF = "footnote_ref"
#: Anything else (page numbers, stamps, noise).
OTHER = "other"


@dataclass(frozen=True)
class WordLabel:
    page: int  # 1-based
    text: str
    bbox: BBox
    field: str
    table: str | None = None  # "I" or "II"
    row: int | None = None  # index into record.non_derivative / record.derivative
    column: str | None = None  # row field name, e.g. "shares"

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError(f"page is 1-based, not {self.page}")
        if self.table not in (None, "I", "II"):
            raise ValueError(f"table must be 'I', 'II' or None, not {self.table!r}")


@dataclass
class Rendering:
    """One rendered document and the exact label of every word printed on it."""

    record_id: str
    family: str  # layout family, e.g. "edgar", "paper", "agent", "typewriter"
    seed: int
    pdf: bytes
    words: list[WordLabel]
    pages: int
    html: str | None = None  # the HTML the PDF was printed from, where the family is HTML based
    variation: dict[str, str] = field(default_factory=dict)  # what the seed chose: fonts, widths, ...
