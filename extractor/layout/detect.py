"""Telling the input's format from its content, never from its file name."""

from __future__ import annotations

import re

from ..errors import EmptyInputError, UnsupportedFormatError

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8", b"BM")
_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<body[\s>]|<table[\s>]", re.I)
_MARKDOWN = re.compile(r"(^|\n)\s{0,3}(#{1,6}\s|\*\*|\|.*\||[-*]\s)|<u>|<sup>|<input|\\\*", re.I)


def decode_text(data: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def detect_format(data: bytes, source: str) -> str:
    """One of pdf, image, xml, html, markdown, text."""
    if not data or not data.strip():
        raise EmptyInputError(source)
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if b"\x00" in sample[:4096] and not sample.startswith((b"\xff\xfe", b"\xfe\xff")) or controls > len(sample) * 0.05:
        raise UnsupportedFormatError(source, "binary content that is not a PDF or an image")
    from ..edgar_xml import is_ownership_xml

    if is_ownership_xml(data):
        return "xml"
    if _HTML.search(sample):
        return "html"
    if _MARKDOWN.search(decode_text(sample)):
        return "markdown"
    return "text"
