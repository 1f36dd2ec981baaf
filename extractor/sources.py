"""Walking bulk inputs: files, folders, globs and zip archives, to documents with their bytes.

A zip member is read into memory and never written to disk, so a hostile member name
(`../../etc/passwd`, an absolute path) can do no harm: it only ever appears in the source
label `archive.zip!inner/file.pdf`.
"""

from __future__ import annotations

import glob
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from .errors import InputError, TooLargeError

# What a folder walk picks up; files named on the command line are taken whatever their name,
# since the extractor detects formats from content.
DOCUMENT_SUFFIXES = (
    ".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".txt", ".md", ".markdown",
    ".htm", ".html", ".xml",
)
ZIP_SUFFIX = ".zip"
MEMBER_SEPARATOR = "!"


@dataclass(frozen=True)
class SourceSettings:
    suffixes: tuple[str, ...] = DOCUMENT_SUFFIXES
    max_bytes: int = 200 * 1024 * 1024
    # A zip bomb declares small sizes or a huge ratio; refuse members that would inflate past this.
    max_zip_ratio: float = 200.0

    def __post_init__(self) -> None:
        if not self.suffixes or any(not s.startswith(".") for s in self.suffixes):
            raise ValueError(f"suffixes must be non-empty and start with a dot, not {self.suffixes!r}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {self.max_bytes}")
        if self.max_zip_ratio <= 1:
            raise ValueError(f"max_zip_ratio must be above 1, not {self.max_zip_ratio}")


@dataclass(frozen=True)
class InputDocument:
    """One document to extract: a file, or a member of a zip archive on disk."""

    path: Path
    member: str | None = None

    @property
    def source(self) -> str:
        return f"{self.path}{MEMBER_SEPARATOR}{self.member}" if self.member else str(self.path)


def find_documents(inputs: Sequence[str | Path], settings: SourceSettings | None = None) -> list[InputDocument]:
    """Every document under the inputs, each once, in a stable order.

    Raises InputError for an input that matches nothing, so a typo is not a silent empty run.
    """
    settings = settings or SourceSettings()
    seen: set[InputDocument] = set()
    found: list[InputDocument] = []
    for item in inputs:
        matched = False
        for doc in _expand(str(item), settings):
            matched = True
            if doc not in seen:
                seen.add(doc)
                found.append(doc)
        if not matched:
            raise InputError(str(item), "no such file, folder or matching document")
    return found


def _expand(item: str, settings: SourceSettings) -> Iterator[InputDocument]:
    if glob.has_magic(item):
        for match in sorted(glob.glob(item, recursive=True)):
            path = Path(match)
            if path.is_dir():
                yield from _walk(path, settings)
            elif path.is_file() and _wanted(path, settings):
                yield from _file(path, settings)
        return
    path = Path(item)
    if path.is_dir():
        yield from _walk(path, settings)
    elif path.exists():
        yield from _file(path, settings)


def _walk(folder: Path, settings: SourceSettings) -> Iterator[InputDocument]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and _wanted(path, settings):
                yield from _file(path, settings)


def _wanted(path: Path, settings: SourceSettings) -> bool:
    suffix = path.suffix.lower()
    return suffix == ZIP_SUFFIX or suffix in settings.suffixes


def _file(path: Path, settings: SourceSettings) -> Iterator[InputDocument]:
    if path.suffix.lower() == ZIP_SUFFIX and zipfile.is_zipfile(path):
        yield from _zip_members(path, settings)
    else:
        yield InputDocument(path)


def _zip_members(path: Path, settings: SourceSettings) -> Iterator[InputDocument]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        yield InputDocument(path)  # extracting it reports the damage against the archive's name
        return
    for info in infos:
        name = info.filename
        if info.is_dir() or Path(name).name.startswith(".") or "__MACOSX/" in name:
            continue
        if Path(name).suffix.lower() in settings.suffixes:
            yield InputDocument(path, name)


def read_document(doc: InputDocument, settings: SourceSettings | None = None) -> bytes:
    """A document's bytes, read in memory; errors name the file (and the member)."""
    settings = settings or SourceSettings()
    if doc.member is None:
        from .layout import read_input_bytes

        return read_input_bytes(doc.path, settings.max_bytes)
    try:
        with zipfile.ZipFile(doc.path) as archive:
            info = archive.getinfo(doc.member)
            _check_member(doc, info, settings)
            with archive.open(info) as member:
                data = member.read(settings.max_bytes + 1)
    except KeyError:
        raise InputError(doc.source, "no such member in the archive") from None
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        raise InputError(doc.source, f"cannot be read from the archive ({exc})") from None
    except OSError as exc:
        raise InputError(doc.source, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > settings.max_bytes:
        raise TooLargeError(doc.source, f"over the limit of {settings.max_bytes:,} bytes")
    return data


def _check_member(doc: InputDocument, info: zipfile.ZipInfo, settings: SourceSettings) -> None:
    if info.file_size > settings.max_bytes:
        raise TooLargeError(doc.source, f"{info.file_size:,} bytes, over the limit of {settings.max_bytes:,}")
    if info.compress_size and info.file_size / info.compress_size > settings.max_zip_ratio:
        raise TooLargeError(doc.source, f"compressed {info.file_size / info.compress_size:.0f} to 1, a zip bomb")

