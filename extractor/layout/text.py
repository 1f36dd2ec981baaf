"""Reader for plain text, markdown and OCR or PDF-to-text dumps.

Keeps the line structure (blank lines included, as gaps between line bands), tabs and
markdown table pipes as cell boundaries, and the inline markup converters leave behind:
`<u>` runs become underlined value chunks, `<sup>` footnote markers, `<input checked>`
and box glyphs checkbox words. Words are laid out on a grid (see `document.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import BRACKET_BOXES, GRID_CELL_WIDTH, GRID_LINE_HEIGHT, INSIDE_BOX, Layout, Line, Page, Word

CHECKED_GLYPHS = {"☒", "☑", "✓", "✔", "✗", "✘"} | {text for text, checked in BRACKET_BOXES.items() if checked}
UNCHECKED_GLYPHS = {"☐", "□"} | {text for text, checked in BRACKET_BOXES.items() if not checked}

_TAG = re.compile(r"<(/?)([a-zA-Z]+)([^>]*)>")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$|<>~])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BOX = re.compile(r"\[[xX ]\]|\([xX ]\)")
_COLUMN_GAP = re.compile(r"\S {3,}\S")
_LAYOUT_LINES = 3  # lines with such a gap that show a dump kept its layout


@dataclass(slots=True)
class _Run:
    """A piece of cell text with the inline style in force where it stands."""

    text: str
    underline: bool
    superscript: bool
    chunk: int | None
    checkbox: bool | None = None


def read_text(text: str, source: str, markdown: bool = False) -> Layout:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines: list[Line] = []
    chunk_counter = [0]
    raw_lines = text.split("\n")
    # A layout-keeping dump (pdftotext -layout, pdfplumber's layout text) spaces its columns apart;
    # in a single-spaced one a word's character column says nothing about where it stood.
    keeps_layout = not markdown and sum(1 for raw in raw_lines if _COLUMN_GAP.search(raw)) >= _LAYOUT_LINES
    for index, raw in enumerate(raw_lines, start=1):
        words = _line_words(raw, index, markdown, chunk_counter, keeps_layout)
        if words:
            lines.append(Line(words=words, page=1))
    n_lines = len(raw_lines)
    width = GRID_CELL_WIDTH * max((w.cell or 0) + 1 for line in lines for w in line.words) if lines else GRID_CELL_WIDTH
    page = Page(number=1, width=width, height=n_lines * GRID_LINE_HEIGHT, lines=lines, unit="grid")
    return Layout(pages=[page], source=source, format="markdown" if markdown else "text", geometry="grid")


def _split_cells(raw: str, markdown: bool) -> list[str]:
    stripped = raw.strip()
    if markdown and stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 2:
        if re.fullmatch(r"\|[\s:|-]+\|", stripped):
            return []  # the separator row of a markdown table
        return [c for c in stripped[1:-1].split("|")]
    return raw.split("\t")


def _clean_markdown(cell: str) -> str:
    cell = _HEADING.sub("", cell)
    cell = cell.replace("**", "").replace("__", "")
    cell = re.sub(r"(?<![\w\\])\*(?=\S)(.+?)(?<=\S)\*(?!\w)", r"\1", cell)  # *emphasis*
    cell = re.sub(r"\s{2,}$", "", cell)  # markdown hard line break
    return _MD_ESCAPE.sub(r"\1", cell)


def _runs(cell: str, chunk_counter: list[int]) -> list[_Run]:
    """Split a cell's text at inline tags, tracking underline and superscript nesting."""
    runs: list[_Run] = []
    underline = superscript = 0
    chunk: int | None = None
    pos = 0
    for match in _TAG.finditer(cell):
        if match.start() > pos:
            runs.append(_Run(cell[pos : match.start()], underline > 0, superscript > 0, chunk))
        pos = match.end()
        closing, tag, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3).lower()
        if tag in ("u", "ins"):
            underline += -1 if closing else 1
            underline = max(underline, 0)
            if not closing:
                chunk_counter[0] += 1
                chunk = chunk_counter[0]
            elif underline == 0:
                chunk = None
        elif tag == "sup":
            superscript = max(superscript + (-1 if closing else 1), 0)
        elif tag == "input" and "checkbox" in attrs:
            checked = re.search(r"\bchecked\b", attrs) is not None
            runs.append(_Run("☒" if checked else "☐", False, False, None, checked))
    if pos < len(cell):
        runs.append(_Run(cell[pos:], underline > 0, superscript > 0, chunk))
    return runs


def _line_words(raw: str, line_no: int, markdown: bool, chunk_counter: list[int], keeps_layout: bool = False) -> list[Word]:
    words: list[Word] = []
    top = (line_no - 1) * GRID_LINE_HEIGHT
    cells = _split_cells(raw, markdown)
    keeps_columns = keeps_layout and len(cells) == 1  # tab-separated cells each count their own characters
    for cell_index, cell in enumerate(cells):
        if markdown:
            cell = _clean_markdown(cell)
        runs = _runs(cell, chunk_counter)
        # Each token with the character column it starts at: a layout-keeping dump ("ADAMS JOHN K JR
        # <spaces> SCHWAB CHARLES CORP") keeps its gaps between fields; markdown cells are single-spaced.
        tokens: list[tuple[str, _Run, int]] = []
        column = 0
        for run in runs:
            if run.checkbox is not None:
                tokens.append((run.text, run, column))
                column += 2
                continue
            # Box glyphs typed as "[X]" stay one token even when written "[ X ]".
            text = _BOX.sub(lambda m: " " + m.group(0).replace(" ", INSIDE_BOX) + " ", run.text)
            for match in re.finditer(r"\S+", text):
                tokens.append((match.group(0).replace(INSIDE_BOX, " "), run, column + match.start()))
            column += len(text)
        if not tokens:
            continue
        if markdown:
            columns, offset = [], 0
            for token, _, _ in tokens:
                columns.append(offset)
                offset += len(token) + 1
        else:
            columns = [c - tokens[0][2] for _, _, c in tokens]
        total = columns[-1] + len(tokens[-1][0]) + 1
        x_start = cell_index * GRID_CELL_WIDTH
        usable = GRID_CELL_WIDTH * 0.96
        for (token, run, character_column), offset in zip(tokens, columns):
            checkbox = run.checkbox
            if checkbox is None and token in CHECKED_GLYPHS:
                checkbox = True
            elif checkbox is None and token in UNCHECKED_GLYPHS:
                checkbox = False
            x0 = x_start + usable * offset / total
            x1 = x_start + usable * (offset + len(token)) / total
            words.append(
                Word(
                    text=token,
                    x0=x0,
                    top=top + (0.0 if not run.superscript else -1.0),
                    x1=x1,
                    bottom=top + GRID_LINE_HEIGHT * 0.8,
                    underline=run.underline,
                    superscript=run.superscript,
                    checkbox=checkbox,
                    chunk=run.chunk,
                    cell=cell_index,
                    line=line_no,
                    column=character_column if keeps_columns else None,
                )
            )
    return words
