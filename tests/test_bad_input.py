"""Broken, hostile and wrong inputs: each one raises its own InputError, in one line naming the file."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from extractor.errors import (
    CorruptInputError,
    EmptyInputError,
    EncryptedInputError,
    InputError,
    NotAFormError,
    TooLargeError,
    UnsupportedFormatError,
)
from extractor.layout import LayoutSettings, OcrSettings, PdfSettings, detect_format, read_layout, read_layout_file
from extractor.layout.ocr import read_image
from extractor.layout.pdf import read_pdf

from . import fixture_docs as docs


def raises(error: type[InputError], data: bytes, name: str, settings: LayoutSettings | None = None) -> InputError:
    """read_layout must fail with `error`, and say so in one line that names the file."""
    with pytest.raises(error) as info:
        read_layout(data, name, settings)
    message = str(info.value)
    assert type(info.value) is error, f"{type(info.value).__name__}: {message}"
    assert name in message and "\n" not in message and info.value.source == name
    return info.value


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", b"\xef\xbb\xbf  \n", " \n".encode("utf-16")])
def test_empty_and_whitespace_only_files(data):
    raises(EmptyInputError, data, "nothing.pdf")


def test_binary_garbage_is_unsupported():
    error = raises(UnsupportedFormatError, docs.garbage(), "noise.bin")
    assert "binary" in str(error)


def test_archives_are_named_in_the_message():
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("form4.txt", "FORM 4")
    assert "ZIP" in str(raises(UnsupportedFormatError, buf.getvalue(), "filings.zip"))


@pytest.mark.parametrize("kind", ["aes256", "rc4"])
def test_password_protected_pdf_is_encrypted_input(kind):
    import pikepdf

    out = io.BytesIO()
    encryption = (pikepdf.Encryption(user="secret", owner="owner") if kind == "aes256"
                  else pikepdf.Encryption(user="secret", owner="owner", R=4, aes=False, metadata=False))
    with pikepdf.open(io.BytesIO(docs.made_up_pdf())) as pdf:
        pdf.save(out, encryption=encryption)
    error = raises(EncryptedInputError, out.getvalue(), "locked.pdf")
    assert "password" in str(error)


def test_pdf_encrypted_with_an_empty_user_password_just_reads():
    layout = read_layout(docs.encrypted_pdf(docs.made_up_pdf(), user=""), "owner-locked.pdf")
    assert layout.format == "pdf" and set(docs.MADE_UP_KEY_WORDS) <= {w.text for w in layout.words}


@pytest.mark.parametrize(("make", "hint"), [
    (lambda: docs.truncated(docs.made_up_pdf()), "truncated"),
    (lambda: docs.made_up_pdf()[: int(len(docs.made_up_pdf()) * 0.9)], "truncated"),
    (lambda: b"%PDF-1.7\n" + docs.garbage(4000, seed=1), "PDF"),
    (lambda: b"%PDF-1.4\n%%EOF\n", "PDF"),
    (lambda: docs.many_pages_pdf(0), "no pages"),
])
def test_truncated_or_broken_pdf_is_corrupt(make, hint):
    assert hint in str(raises(CorruptInputError, make(), "broken.pdf"))


def test_pdf_over_the_page_limit_is_too_large_and_says_by_how_much():
    error = raises(TooLargeError, docs.many_pages_pdf(51), "tome.pdf")
    assert "51 pages" in str(error) and "limit of 50" in str(error)
    settings = LayoutSettings(pdf=PdfSettings(max_pages=3))
    assert "4 pages" in str(raises(TooLargeError, docs.many_pages_pdf(4), "four.pdf", settings))


def test_input_over_the_byte_limit_is_refused_before_reading(tmp_path):
    raises(TooLargeError, b"x" * 2048, "big.txt", LayoutSettings(max_bytes=1024))
    path = tmp_path / "big.txt"
    path.write_bytes(b"FORM 4\n" * 400)
    with pytest.raises(TooLargeError, match="big.txt"):
        read_layout_file(path, LayoutSettings(max_bytes=1024))


def test_decompression_bomb_is_refused_without_decoding_it():
    bomb = docs.bomb_png()  # 20000 x 20000 pixels in about 80 KB
    assert len(bomb) < 200_000
    started = time.perf_counter()
    error = raises(TooLargeError, bomb, "bomb.png")
    assert time.perf_counter() - started < 2.0  # refused from the header, not after inflating it
    assert "400,000,000 pixels" in str(error)


def test_image_between_the_limit_and_twice_it_is_refused_too():
    # PIL only warns (DecompressionBombWarning) up to twice its limit; that is a bomb as well.
    image = docs.png_bytes(docs.blank_page(1200, 1000))
    error = raises(TooLargeError, image, "big-scan.png", LayoutSettings(ocr=OcrSettings(max_pixels=1_000_000)))
    assert "1,200,000 pixels" in str(error)
    assert Image.MAX_IMAGE_PIXELS != 1_000_000  # the limit is restored for other code


def test_image_pages_over_the_frame_limit():
    tiff = docs.tiff_bytes([docs.blank_page(50, 50)] * 3)
    error = raises(TooLargeError, tiff, "stack.tif", LayoutSettings(ocr=OcrSettings(max_frames=2)))
    assert "3 pages" in str(error)


def test_ocr_over_its_time_limit_is_too_large():
    settings = LayoutSettings(ocr=OcrSettings(timeout=0.05))
    assert "took over" in str(raises(TooLargeError, docs.png_bytes(docs.made_up_scan()), "slow.png", settings))


@pytest.mark.parametrize(("make", "name"), [
    (lambda: docs.truncated(docs.png_bytes(docs.made_up_scan())), "cut.png"),
    (lambda: docs.truncated(docs.jpeg_bytes(docs.made_up_scan())), "cut.jpg"),
    (lambda: docs.truncated(docs.tiff_bytes([docs.blank_page(300, 300)])), "cut.tif"),
    (lambda: b"\x89PNG\r\n\x1a\n" + docs.garbage(2000, seed=2), "fake.png"),
    (lambda: b"\xff\xd8\xff\xe0" + docs.garbage(2000, seed=3), "fake.jpg"),
])
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_truncated_or_damaged_image_is_corrupt(make, name):
    raises(CorruptInputError, make(), name)


def test_ownership_xml_has_no_layout_and_says_where_to_read_it():
    xml = b'<?xml version="1.0"?><ownershipDocument><documentType>4</documentType></ownershipDocument>'
    assert detect_format(xml, "f.xml") == "xml"
    assert "edgar_xml" in str(raises(UnsupportedFormatError, xml, "f.xml"))


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        read_layout_file(tmp_path)
    with pytest.raises(InputError, match="missing.pdf"):
        read_layout_file(tmp_path / "missing.pdf")


def test_readers_called_directly_name_the_file_too():
    with pytest.raises(CorruptInputError, match="direct.pdf"):
        read_pdf(docs.truncated(docs.made_up_pdf()), "direct.pdf")
    with pytest.raises(CorruptInputError, match="direct.png"):
        read_image(b"\x89PNG\r\n\x1a\n\x00\x00", "direct.png")


# ---- inputs that read fine but are not forms: the rules layer says so -----------------------


def test_non_form_text_reads_as_text_and_the_pipeline_calls_it_not_a_form():
    from extractor.pipeline import extract_bytes

    data = docs.NOT_A_FORM_TEXT.encode()
    layout = read_layout(data, "pelicorn-10k.txt")
    assert layout.format == "text" and "Pelicorn" in layout.text
    with pytest.raises(NotAFormError, match="pelicorn-10k.txt"):
        extract_bytes(data, "pelicorn-10k.txt")


def test_photo_reads_to_almost_nothing_and_is_not_a_form():
    from extractor.pipeline import extract_bytes

    data = docs.png_bytes(docs.photo())
    layout = read_layout(data, "holiday.png")
    assert layout.format == "image" and len(list(layout.words)) <= 5
    with pytest.raises(NotAFormError, match="holiday.png"):
        extract_bytes(data, "holiday.png")
