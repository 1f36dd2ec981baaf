"""Telling an input's format from its content, never from its file name.

Users rename files freely (a scan saved as .pdf.txt, an EDGAR submission as .htm), so only
the bytes decide: magic numbers for binary formats, then the text's own structure.
"""

from __future__ import annotations

import re

from ..errors import EmptyInputError, UnsupportedFormatError

FORMATS = ("pdf", "image", "xml", "html", "markdown", "text")

_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
    b"GIF87a",
    b"GIF89a",
    b"BM",
)
# Formats people send by mistake, named so the message says what the file is.
_KNOWN_BINARY = (
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))

# Whole-document HTML. A markdown file from an HTML converter keeps inline tags (<u>, <sup>,
# <input>) but never a page skeleton, and never table markup, which it turns into pipes or tabs.
_HTML_PAGE = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
_HTML_TABLE = re.compile(r"<(table|tr|td|th|div|p)[\s>]", re.I)
_MARKDOWN_SYNTAX = re.compile(
    r"^\s{0,3}#{1,6}\s+\S"  # heading
    r"|\*\*(?=\S)[^*\n]+(?<=\S)\*\*"  # bold; never "** Intentional ... ** Signature", the form's own asterisks
    r"|^\s*\|.*\|\s*$"  # pipe table row
    r"|\\[*_$#|\[\]()<>-]",  # backslash escapes converters emit
    re.M,
)
_INLINE_TAG = re.compile(r"</?(u|sup|sub|b|i|em|strong|br|input)\b[^>]*>", re.I)


def decode_text(data: bytes) -> str:
    """Text of a document's bytes: a BOM decides, else UTF-8, else Windows-1252 (old EDGAR text)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def detect_format(data: bytes, source: str) -> str:
    """One of FORMATS, from the content alone; raises EmptyInputError or UnsupportedFormatError."""
    if not data or data.isspace():  # isspace, not strip: no copy of a 20 MB scan
        raise EmptyInputError(source)
    head = data[:1024]
    # PDF readers accept junk (a mail header, a BOM) before the header within the first 1 KB.
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    for magic, what in _KNOWN_BINARY:
        if head.startswith(magic):
            raise UnsupportedFormatError(source, f"{what}, not a PDF, image, text, HTML or XML document")
    sample = data[:65536]
    if _looks_binary(sample):
        raise UnsupportedFormatError(source, "binary content that is not a PDF or an image")
    text = decode_text(sample)
    if not text.strip(" \t\r\n\f\v\ufeff\x00"):
        raise EmptyInputError(source)
    if _is_ownership_xml(data):
        return "xml"
    if _HTML_PAGE.search(text[:8192]):
        return "html"
    syntax = _MARKDOWN_SYNTAX.search(text)
    if not syntax and len(_HTML_TABLE.findall(text)) >= 2:
        return "html"  # an HTML fragment (a copied table) without the page around it
    if syntax or _INLINE_TAG.search(text):
        return "markdown"
    return "text"


def _looks_binary(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text has NULs in every other byte
    if b"\x00" in sample[:8192]:
        return True
    # Controls other than tab, newline, form feed, carriage return, and ESC/backspace that old
    # printer-formatted EDGAR text sometimes carries; text has next to none of them.
    controls = sum(1 for b in sample if b < 8 or 13 < b < 27 or 27 < b < 32 or b == 127)
    if controls > max(2, len(sample) // 100):
        return True
    try:
        sample.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:
            return False  # a multi-byte character cut by the sample's end
    # Not UTF-8: Windows-1252 text is plausible only if its bytes are mostly ASCII letters.
    high = sum(1 for b in sample if b >= 128)
    return high > len(sample) * 0.3


def _is_ownership_xml(data: bytes) -> bool:
    try:
        from ..edgar_xml import is_ownership_xml
    except ImportError:  # the XML reader is optional to layout work; fall back to its marker
        return b"<ownershipDocument" in data[:65536]
    return is_ownership_xml(data)
