"""Text channels: a rendering as users meet it after a PDF-to-text tool or an HTML converter.

- `pdf_text`: pdfplumber's plain text, pages joined by form feeds (what `pdftotext` users send).
- `pdf_layout_text`: the same with the page's spacing kept, columns as runs of spaces.
- `html_markdown`: markdownify's markdown (pipe tables, nested tables squeezed into cells).
- `seed_style_markdown`: the style of the converter that wrote the Allied Motion sample in
  ../shared/samples: paragraphs apart by blank lines, table rows as tab-separated cells on the
  table's grid, header-box values in `<u>`, footnote markers in `<sup>`, ticked boxes as
  `<input checked>` and empty ones dropped, whole-bold paragraphs in `**`, `$` and leading `*`
  escaped, breaks inside a paragraph as markdown hard breaks.
"""

from __future__ import annotations

import io
import re

import lxml.html
from lxml import etree

from ..errors import CorruptInputError
from ..layout.html import table_grid
from ..layout.pdf import PdfSettings

FORM_FEED = "\f"
_WORD_GAP = PdfSettings().word_gap  # ems between characters that split a word

_SKIP = {"script", "style", "head", "title", "noscript", "template"}
_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "center", "blockquote", "pre", "ul", "ol"}
_BOLD_TAGS = {"b", "strong", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
_BOLD_CLASS = re.compile(r"FormTitle|FormName", re.I)
# EDGAR prints filled-in values in FormData spans and the owner and issuer as links;
# made-up renderings mark theirs with a "value" class.
_VALUE_CLASS = re.compile(r"FormData|\bvalue\b", re.I)
_CHECKED = {"X", "x", "☒", "☑", "✓", "✔", "✗", "✘"}

# Markers in the flattened text, replaced once whitespace is collapsed.
_HARD_BREAK = "\x01"  # markdown hard break: two spaces, new line
_WIDE_GAP = "\x02"  # a rule between parts of a cell: two spaces


def pdf_text(pdf_bytes: bytes) -> str:
    """pdfplumber's text of every page, pages joined with a form feed."""
    return FORM_FEED.join(_pages_text(pdf_bytes, layout=False))


def pdf_layout_text(pdf_bytes: bytes) -> str:
    """pdfplumber's layout-preserving text: words where they stand on the page, in spaces."""
    return FORM_FEED.join(_pages_text(pdf_bytes, layout=True))


def _pages_text(pdf_bytes: bytes, layout: bool) -> list[str]:
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
            out = []
            for page in pdf.pages:
                # pdfplumber's fixed 3 pt gap glues every word of small print together
                # ("Checkthisboxifno..."); a gap relative to the font size keeps the spaces a
                # text dump has, as the project's PDF reader does.
                out.append(page.extract_text(layout=layout, x_tolerance_ratio=_WORD_GAP) or "")
                page.close()
            return out
    except Exception as exc:
        raise CorruptInputError("<pdf>", f"the PDF's text cannot be read ({type(exc).__name__}: {exc})") from None


def html_markdown(html: str) -> str:
    """markdownify's markdown of the HTML, ATX headings, as a user's converter would give it."""
    from markdownify import markdownify

    return markdownify(html, heading_style="ATX", strip=["title", "img"]).strip() + "\n"


def seed_style_markdown(html: str) -> str:
    """The HTML as the converter of the Allied Motion sample would have written it (see the module doc)."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise CorruptInputError("<html>", f"the HTML cannot be parsed ({exc})") from None
    body = root.find(".//body")
    writer = _Writer()
    writer.walk(body if body is not None else root)
    writer.flush()
    return writer.text()


class _Writer:
    """Collects blocks: paragraphs (apart by blank lines) and runs of table lines (one per row)."""

    def __init__(self) -> None:
        self.blocks: list[list[str]] = []
        self.pending = _Inline(underline=True, paragraph=True)
        self.tables_seen = 0
        self.in_data_tables = False

    def text(self) -> str:
        return "\n\n".join("\n".join(block) for block in self.blocks if block) + "\n"

    def paragraph(self, inline: _Inline) -> None:
        text = inline.render()
        if text:
            self.blocks.append([f"**{text}**" if inline.all_bold() else text])

    def flush(self) -> None:
        self.paragraph(self.pending)
        self.pending = _Inline(underline=not self.in_data_tables, paragraph=True)

    def walk(self, element: etree._Element) -> None:
        if element.text:
            self.pending.add_text(element.text, self.pending.bold_here(element))
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _SKIP or not tag:
                pass
            elif tag == "table":
                self.flush()
                self.table(child)
            elif tag in _BLOCK or tag == "hr":
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.pending.add_element(child)
            if child.tail:
                self.pending.add_text(child.tail, False)

    def table(self, table: etree._Element) -> None:
        # Table I and II (the tables with a header section) print their values plain; from there
        # on, footnotes and signature included, so does the sample.
        if table.find("thead") is not None:
            self.in_data_tables = True
        grid = [{col: (td, colspan) for col, colspan, td in row} for row in table_grid(table)]
        width = max((col + span for cells in grid for col, (_, span) in cells.items()), default=0)
        lines: list[str] = []
        for cells in grid:
            rendered = {col: (self.cell(td), span) for col, (td, span) in cells.items()}
            filled = [(col, inline, span) for col, (inline, span) in rendered.items() if inline.render()]
            if not filled:
                continue
            if len(filled) == 1 and (width == 1 or filled[0][2] >= width):
                # A row that is one full-width cell reads as a paragraph of its own.
                if lines:
                    self.blocks.append(lines)
                    lines = []
                self.paragraph(filled[0][1])
                continue
            texts = [""] * width
            for col, inline, _span_ in filled:
                texts[col] = inline.render()
            lines.append("\t".join(texts))
        if lines:
            self.blocks.append(lines)

    def cell(self, td: etree._Element) -> _Inline:
        inline = _Inline(underline=not self.in_data_tables, paragraph=False)
        if _is_checked_cell(td):
            inline.add_markup('<input checked="" type="checkbox"/>')
            return inline
        if td.text:
            inline.add_text(td.text, inline.bold_here(td))
        for child in td:
            inline.add_element(child, bold=inline.bold_here(td))
            if child.tail:
                inline.add_text(child.tail, inline.bold_here(td))
        return inline


class _Inline:
    """One paragraph's or cell's text with its markup, built from a walk of its elements."""

    def __init__(self, underline: bool, paragraph: bool) -> None:
        self.parts: list[str] = []
        self.bold_chars = 0
        self.plain_chars = 0
        self.underline = underline
        self.paragraph = paragraph

    @staticmethod
    def bold_here(element: etree._Element) -> bool:
        tag = element.tag if isinstance(element.tag, str) else ""
        return tag in _BOLD_TAGS or bool(_BOLD_CLASS.search(element.get("class", "")))

    def add_markup(self, markup: str) -> None:
        self.parts.append(markup)
        self.plain_chars += 1  # markup makes a paragraph more than a bold title

    def add_text(self, text: str, bold: bool) -> None:
        if not text:
            return
        count = len(text.strip())
        if bold:
            self.bold_chars += count
        else:
            self.plain_chars += count
        self.parts.append(_escape(text))

    def add_element(self, element: etree._Element, bold: bool = False, in_value: bool = False) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP or not tag:
            return
        bold = bold or self.bold_here(element)
        if tag == "br":
            self.parts.append(_HARD_BREAK if self.paragraph else " ")
            return
        if tag == "hr":
            self.parts.append(_WIDE_GAP)
            return
        if tag == "input":
            if (element.get("type") or "").lower() == "checkbox" and element.get("checked") is not None:
                self.add_markup(' <input checked="" type="checkbox"/> ')
            return
        if tag == "sup":
            marker = " ".join(element.text_content().split())
            if marker == "*" or not marker:
                self.parts.append(marker)
            else:
                self.add_markup(f" <sup>{_escape(marker)}</sup>")
            return
        if tag in ("table", "tr", "td", "th") or tag in _BLOCK:
            self.parts.append(" ")  # a nested table's cells and blocks run on in the cell
        if tag in ("td", "th") and _is_checked_cell(element):
            self.add_markup(' <input checked="" type="checkbox"/> ')
            return
        is_value = not in_value and (tag in ("a", "u") or (tag == "span" and bool(_VALUE_CLASS.search(element.get("class", "")))))
        if is_value:
            value = " ".join(element.text_content().split())
            if not value:
                return
            self.plain_chars += len(value)
            self.parts.append(f"<u>{_escape(value)}</u>" if self.underline else _escape(value))
            # Footnote markers inside a value span still show as markers.
            for sup in element.iter("sup"):
                self.add_element(sup)
            return
        if element.text:
            self.add_text(element.text, bold)
        for child in element:
            self.add_element(child, bold, in_value)
            if child.tail:
                self.add_text(child.tail, bold)
        if tag in ("table", "tr", "td", "th") or tag in _BLOCK:
            self.parts.append(" ")

    def all_bold(self) -> bool:
        return self.bold_chars > 0 and self.plain_chars == 0

    def render(self) -> str:
        text = re.sub(r"[ \t\r\n\f\v\u00a0]+", " ", "".join(self.parts))
        text = re.sub(rf" *{_HARD_BREAK}[ {_HARD_BREAK}]*", _HARD_BREAK, text)
        text = re.sub(rf" *{_WIDE_GAP}[ {_WIDE_GAP}]*", _WIDE_GAP, text)
        text = text.strip(f" {_HARD_BREAK}{_WIDE_GAP}")
        return text.replace(_HARD_BREAK, "  \n").replace(_WIDE_GAP, "  ")


def _escape(text: str) -> str:
    # The sample escapes dollars always, and stars except right after a word ("Person*").
    text = text.replace("\\", "\\\\").replace("$", "\\$")
    return re.sub(r"(?<![A-Za-z0-9])\*", r"\\*", text)


def _is_checked_cell(td: etree._Element) -> bool:
    """A check box cell that is ticked: all its text is one X (or a box glyph)."""
    if td.find(".//table") is not None:
        return False
    return " ".join(td.text_content().split()) in _CHECKED
