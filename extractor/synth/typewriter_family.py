"""The "typewriter" family: the form as plain monospaced text, columns aligned by spaces, no rulings.

The look of a typed form or of a text dump of one: every word sits on a character grid,
boxes are a caption line with the values indented under it (one column, or two side by
side), the tables are columns of wrapped text under wrapped headers with an optional line
of dashes, and a table that runs past the page repeats its headers on the next. Footnote
markers stay on the baseline, glued to the value or one space after it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..records import Record
from .canvas import LABEL, OTHER_SLOT, Font, Sheet, Slot, Style
from .forms import COLUMN_WEIGHTS, issuer_tokens
from .grid import fit_columns
from .printed import (
    COMMISSION,
    FILED_PURSUANT,
    FOOTER_NOTES,
    OMB,
    TITLES,
    WASHINGTON,
    FormKind,
    Token,
    box_captions,
    cell_tokens,
    date_key,
    footnote_tokens,
    form_kind,
    pick_formats,
    state_tokens,
    table_leaves,
    table_titles,
    top_checkboxes,
    value_tokens,
)

if TYPE_CHECKING:
    from .render import Chooser, Drawn

Cellword = tuple[int, str, Slot]  # (column, text, slot)
Row = list[Cellword]
NUMERIC = {"shares", "price_per_share", "shares_owned_following", "conversion_or_exercise_price", "shares_acquired",
           "shares_disposed", "underlying_shares"}


@dataclass
class _Item:
    rows: list[Row]
    header: list[Row] | None = None  # a table row: the headers to repeat above it on a new page


def _words(tokens: list[Token], font: Font) -> list[tuple[str, Slot]]:
    out: list[tuple[str, Slot]] = []
    for token in tokens:
        text = font.printable(token.text)
        for i, part in enumerate(text.split()):
            if i == 0 and token.glue and out and not text[0].isspace():
                out[-1] = (out[-1][0] + part, out[-1][1])
            else:
                out.append((part, token.slot))
    return out


def wrap(tokens: list[Token], width: int, font: Font, indent: int = 0) -> list[Row]:
    """Tokens broken into rows of at most `width` characters, words one space apart."""
    width = max(width, 1)
    rows: list[Row] = []
    current: Row = []
    col = 0
    for text, slot in _words(tokens, font):
        pieces = [text[i:i + width] for i in range(0, len(text), width)] if len(text) > width else [text]
        for piece in pieces:
            start = col + 1 if current else 0
            if current and start + len(piece) > width:
                rows.append(current)
                current, start = [], 0
            current.append((indent + start, piece, slot))
            col = start + len(piece)
    if current:
        rows.append(current)
    return rows


def labels(text: str, width: int, font: Font, indent: int = 0) -> list[Row]:
    return wrap([Token(text, LABEL, "label")], width, font, indent)


def beside(left: list[Row], right: list[Row], offset: int) -> list[Row]:
    out = []
    for i in range(max(len(left), len(right))):
        row = list(left[i]) if i < len(left) else []
        row += [(c + offset, t, s) for c, t, s in right[i]] if i < len(right) else []
        out.append(row)
    return out


def draw(record: Record, chooser: "Chooser") -> "Drawn":
    from .render import Drawn

    kind = form_kind(record)
    width, height = chooser.page(landscape_ok=True)
    font = chooser.fonts("font", "mono").regular
    size = round(8.4 * chooser.scale(), 2)
    formats = pick_formats(chooser.rng, symbols=False)
    # Plain text has no raised markers and no box glyphs beyond letters and brackets.
    formats = replace(formats, marker_raised=False, marker="bracket" if formats.marker == "bracket" else "paren",
                      marker_glued=formats.marker_glued, check=formats.check if formats.check in ("X", "x", "[X]") else "X",
                      empty_box="[_]" if formats.empty_box else "")
    chooser.variation.update(formats.describe())
    style = Style(font, size)
    char = font.width("M", size)
    line = round(size * chooser.uniform("line_spacing", 1.15, 1.45), 2)
    margin = chooser.uniform("margin", 24.0, 54.0)
    cols = int((width - 2 * margin) // char)
    layout = _Layout(record, kind, formats, font, cols, chooser)
    items = layout.build()
    sheet = Sheet(width, height, f"Form {kind.name}")
    rows_per_page = int((height - 2 * margin) // line)
    _paginate(sheet, items, style, margin, margin, char, line, rows_per_page, chooser.chance("page_numbers", 0.5), cols)
    pdf = sheet.finish()
    return Drawn(sheet, pdf, None, chooser.variation)


def _paginate(sheet: Sheet, items: list[_Item], style: Style, left: float, top: float, char: float, line: float,
              rows_per_page: int, numbered: bool, cols: int) -> None:
    usable = rows_per_page - (2 if numbered else 0)
    used = 0

    def emit(rows: list[Row]) -> None:
        nonlocal used
        for row in rows:
            baseline = top + used * line + 0.8 * style.size
            for col, text, slot in row:
                sheet.word(text, left + col * char, baseline, style, slot)
            used += 1

    def footer() -> None:
        if numbered:
            text = f"Page {sheet.page}"
            baseline = top + (rows_per_page - 1) * line + 0.8 * style.size
            x = left + (cols - len(text)) * char
            sheet.word("Page", x, baseline, style, OTHER_SLOT)
            sheet.word(str(sheet.page), x + 5 * char, baseline, style, OTHER_SLOT)

    for item in items:
        if used + len(item.rows) > usable and used > 0:
            footer()
            sheet.new_page()
            used = 0
            if item.header:
                emit(item.header)
        rows = item.rows
        while used + len(rows) > usable and len(rows) > 1:  # longer than a page: split it
            room = max(usable - used, 1)
            emit(rows[:room])
            rows = rows[room:]
            footer()
            sheet.new_page()
            used = 0
        emit(rows)
    footer()


class _Layout:
    """The form as rows of words on a character grid."""

    def __init__(self, record: Record, kind: FormKind, formats, font: Font, cols: int, chooser: "Chooser"):
        self.record, self.kind, self.formats, self.font, self.cols, self.chooser = record, kind, formats, font, cols, chooser
        self.items: list[_Item] = []

    def add(self, rows: list[Row], header: list[Row] | None = None) -> None:
        self.items.append(_Item(rows, header))

    def blank(self, count: int = 1) -> None:
        self.add([[] for _ in range(count)])

    def centered(self, text: str, slot: Slot = LABEL) -> None:
        for row in wrap([Token(text, slot, "label")], self.cols, self.font):
            length = row[-1][0] + len(row[-1][1])
            shift = max((self.cols - length) // 2, 0)
            self.add([[(c + shift, t, s) for c, t, s in row]])

    def build(self) -> list[_Item]:
        record, kind, cols, font = self.record, self.kind, self.cols, self.font
        number, hours = OMB[kind.base]
        omb = cols - len(f"OMB Number: {number}")
        self.add([[(0, "FORM", LABEL), (5, kind.name, Slot("document_type")), (omb, "OMB", LABEL),
                   (omb + 4, "Number:", LABEL), (omb + 12, number, LABEL)]])
        self.centered(COMMISSION)
        self.centered(WASHINGTON)
        self.blank()
        self.centered(TITLES[kind.base])
        for text in FILED_PURSUANT:
            self.centered(text)
        self.add(labels(f"Estimated average burden hours per response: {hours}", cols, font))
        self.blank()
        for field, text in top_checkboxes(record, kind):
            mark = value_tokens(getattr(record, field), Slot(field), "flag", self.formats)
            self.add(beside(wrap(mark, 4, font), labels(text, cols - 6, font), 6))
        self.blank()
        self._header()
        for which in ("I", "II"):
            self.blank()
            self._table(which)
        self.blank()
        self._closing()
        return self.items

    def _box(self, key: str, tokens: list[Token], width: int, indent: int) -> list[Row]:
        rows = labels(box_captions(self.kind)[key], width, self.font)
        return rows + (wrap(tokens, width - indent, self.font, indent) if tokens else [[]])

    def _owner(self, index: int, width: int, indent: int) -> list[Row]:
        owner = self.record.owners[index]
        f, base, font = self.formats, f"owners.{index}", self.font
        rows = labels(box_captions(self.kind)["name_address"] + "*", width, font)
        rows += wrap(value_tokens(owner.name, Slot(f"{base}.name"), "text", f), width - indent, font, indent)
        a = owner.address
        for name in ("street1", "street2"):
            tokens = value_tokens(getattr(a, name), Slot(f"{base}.address.{name}"), "text", f)
            if tokens:
                rows += wrap(tokens, width - indent, font, indent)
        place = (value_tokens(a.city, Slot(f"{base}.address.city"), "text", f)
                 + state_tokens(a.state, Slot(f"{base}.address.state"), f)
                 + value_tokens(a.zip_code, Slot(f"{base}.address.zip_code"), "text", f))
        return rows + wrap(place, width - indent, font, indent)

    def _relationship(self, index: int, width: int, indent: int) -> list[Row]:
        rel = self.record.owners[index].relationship
        base = f"owners.{index}.relationship"
        caption = box_captions(self.kind)["relationship"]
        rows = labels(caption, width, self.font)
        for key, text in (("is_director", "Director"), ("is_ten_percent_owner", "10% Owner"),
                          ("is_officer", "Officer (give title below)"), ("is_other", "Other (specify below)")):
            mark = value_tokens(getattr(rel, key), Slot(f"{base}.{key}"), "flag", self.formats)
            rows += beside(wrap(mark, 4, self.font, indent), labels(text, width - indent - 5, self.font), indent + 5)
        for key in ("officer_title", "other_text"):
            tokens = value_tokens(getattr(rel, key), Slot(f"{base}.{key}"), "text", self.formats)
            if tokens:
                rows += wrap(tokens, width - indent - 5, self.font, indent + 5)
        return rows

    def _filing(self, width: int, indent: int) -> list[Row]:
        record = self.record
        joint = record.joint_filing.value if record.joint_filing.value is not None else len(record.owners) > 1
        rows = labels(box_captions(self.kind)["filing"], width, self.font)
        for flag, text in ((not joint, "Form filed by One Reporting Person"),
                           (joint, "Form filed by More than One Reporting Person")):
            mark = value_tokens(record.joint_filing.model_copy(update={"value": flag}), Slot("joint_filing"), "flag", self.formats)
            rows += beside(wrap(mark, 4, self.font, indent), labels(text, width - indent - 5, self.font), indent + 5)
        return rows

    def _header(self) -> None:
        record, kind, f, cols = self.record, self.kind, self.formats, self.cols
        indent = self.chooser.pick("indent", (2, 4, 6))
        two = self.chooser.chance("two_column_header", 0.5) and cols >= 90
        width = (cols - 4) // 2 if two else cols
        issuer = self._box("issuer", issuer_tokens(record, f), width, indent)
        date = self._box(date_key(kind), value_tokens(record.period_of_report, Slot("period_of_report"), "date", f), width, indent)
        amend = self._box("amendment", value_tokens(record.date_of_original_submission,
                                                    Slot("date_of_original_submission"), "date", f), width, indent)
        owners = [self._owner(i, width, indent) for i in range(len(record.owners))]
        relations = [self._relationship(i, width, indent) for i in range(len(record.owners))]
        filing = self._filing(width, indent)
        boxes = ([owners[0]] if owners else []) + [issuer, date, amend] + ([relations[0]] if relations else []) + [filing]
        for i in range(1, len(owners)):
            boxes += [owners[i], relations[i]]
        if two:
            for a, b in zip(boxes[0::2], boxes[1::2] + [[]] * (len(boxes) % 2)):
                self.add(beside(a, b, width + 4))
                self.blank()
        else:
            for box in boxes:
                self.add(box)
                self.blank()

    def _table(self, which: str) -> None:
        record, kind, font = self.record, self.kind, self.font
        leaves = table_leaves(kind, which)
        rows = record.non_derivative if which == "I" else record.derivative
        cells = [[cell_tokens(row, which, i, leaf.key, self.formats) for leaf in leaves] for i, row in enumerate(rows)]
        gap = 1
        usable = self.cols - gap * (len(leaves) - 1)
        mins = []
        for j, leaf in enumerate(leaves):
            longest = max([len(w) for w, _ in _words([Token(leaf.header, LABEL)], font)]
                          + [len(w) for row in cells for w, _ in _words(row[j], font)] + [3])
            mins.append(float(longest))
        weights = [COLUMN_WEIGHTS.get(leaf.key, 6.0) * self.chooser.rng.uniform(0.85, 1.15) for leaf in leaves]
        edges = fit_columns(0.0, float(usable), weights, mins)
        widths = [max(int(edges[j + 1]) - int(edges[j]), 1) for j in range(len(leaves))]
        starts, x = [], 0
        for w in widths:
            starts.append(x)
            x += w + gap
        title_i, (title_ii, eg) = table_titles(kind)
        title = labels(title_i if which == "I" else f"{title_ii} {eg}", self.cols, font)
        header = self._table_header(leaves, starts, widths)
        if self.chooser.chance(f"dashes_{which}", 0.6):
            header.append([(s, "-" * w, OTHER_SLOT) for s, w in zip(starts, widths)])
        self.add(title + header)
        spacing = self.chooser.chance(f"row_spacing_{which}", 0.3)
        repeat = self.chooser.chance(f"repeat_header_{which}", 0.8)
        for row_cells in cells:
            wrapped = []
            for j, tokens in enumerate(row_cells):
                lines = wrap(tokens, widths[j], font)
                if leaves[j].key in NUMERIC:  # numbers set flush right, as typists and text dumps do
                    lines = [[(c + widths[j] - (line[-1][0] + len(line[-1][1])), t, s) for c, t, s in line] for line in lines]
                wrapped.append([[(c + starts[j], t, s) for c, t, s in line] for line in lines])
            height = max((len(w) for w in wrapped), default=1) or 1
            out = [[w for cell in wrapped if i < len(cell) for w in cell[i]] for i in range(height)]
            if spacing:
                out.append([])
            self.add(out, (title + header) if repeat else None)

    def _table_header(self, leaves, starts: list[int], widths: list[int]) -> list[Row]:
        """Headers wrapped in their columns; a group's sub-headers on the header's last lines."""
        font = self.font
        singles: list[tuple[int, list[Row]]] = []
        groups: list[tuple[int, list[Row], list[tuple[int, list[Row]]]]] = []
        j = 0
        while j < len(leaves):
            leaf = leaves[j]
            if leaf.group is None:
                singles.append((starts[j], labels(leaf.header, widths[j], font)))
                j += 1
                continue
            end = j
            while end < len(leaves) and leaves[end].group == leaf.group:
                end += 1
            span = starts[end - 1] + widths[end - 1] - starts[j]
            subs = [(starts[m], labels(leaves[m].header, widths[m], font)) for m in range(j, end)]
            groups.append((starts[j], labels(leaf.group, span, font), subs))
            j = end
        height = max([len(rows) for _, rows in singles]
                     + [len(g) + max(len(rows) for _, rows in subs) for _, g, subs in groups])
        out: list[Row] = [[] for _ in range(height)]

        def place(rows: list[Row], start: int, first: int) -> None:
            for i, row in enumerate(rows):
                out[first + i] += [(c + start, t, s) for c, t, s in row]

        for start, rows in singles:
            place(rows, start, 0)
        for start, rows, subs in groups:
            place(rows, start, 0)
            for sub_start, sub_rows in subs:
                place(sub_rows, sub_start, height - len(sub_rows))
        return [sorted(row) for row in out]

    def _closing(self) -> None:
        record, font, cols, f = self.record, self.font, self.cols, self.formats
        self.add(labels("Explanation of Responses:", cols, font))
        for tokens in footnote_tokens(record, f):
            self.add(wrap(tokens, cols, font))
        remarks = value_tokens(record.remarks, Slot("remarks"), "text", f)
        if remarks:
            self.add(labels("Remarks:", cols, font))
            self.add(wrap(remarks, cols, font))
        self.blank()
        half = cols // 2
        for index, signature in enumerate(record.signatures):
            name = wrap(value_tokens(signature.name, Slot(f"signatures.{index}.name"), "text", f), half - 16, font)
            date = wrap(value_tokens(signature.date, Slot(f"signatures.{index}.date"), "date", f), 14, font)
            self.add(beside([[(c + half, t, s) for c, t, s in r] for r in name], date, cols - 14))
        line = [[(half, "_" * (cols - half), OTHER_SLOT)]]
        captions = beside(labels("** Signature of Reporting Person", half - 16, font, half), labels("Date", 14, font), cols - 14)
        self.add(line + captions)
        self.blank()
        for text in FOOTER_NOTES:
            self.add(labels(text, cols, font))
