"""Makers of the test inputs: born-digital PDFs, scans of them, and broken or hostile files.

Everything is generated at test time from made-up content (or, for the real-document tests,
from the renderings in ../shared read in place), so no document is committed to the repo.
"""

from __future__ import annotations

import functools
import html
import io
import random
import struct
import zlib

import numpy as np
from PIL import Image

from .shared_data import RENDERINGS

SCAN_DPI = 300
SCAN_ANGLE = 0.7  # degrees, counter-clockwise as PIL's rotate: a typical feeder skew

MADE_UP_FORM_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
  @page { size: letter; margin: 0.6in; }
  body { font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; }
  h1 { font-size: 15pt; margin: 0 0 4pt 0; }
  table { border-collapse: collapse; width: 100%; margin-top: 10pt; }
  td, th { border: 0.8pt solid black; padding: 3pt 4pt; vertical-align: top; }
  th { font-size: 8pt; }
  .value { font-family: 'DejaVu Serif', serif; color: #1a1aa0; }
  sup { font-size: 6.5pt; }
</style></head><body>
<h1>FORM 4</h1>
<p>STATEMENT OF CHANGES IN BENEFICIAL OWNERSHIP</p>
<p>1. Name and Address of Reporting Person<sup>*</sup>
   <u class="value">Quillfeather Marigold T</u></p>
<p>2. Issuer Name and Ticker or Trading Symbol
   <u class="value">Brambleton Kitchenware Holdings</u> [ <span class="value">BKWH</span> ]</p>
<p>3. Date of Earliest Transaction (Month/Day/Year) <span class="value">02/17/2031</span></p>
<p>5. Relationship: &#9746; Director &#9744; Officer (give title below)</p>
<table>
  <tr><th>1. Title of Security</th><th>2. Transaction Date</th><th>3. Code</th>
      <th>4. Amount</th><th>(A) or (D)</th><th>Price</th><th>5. Amount Owned Following</th></tr>
  <tr><td class="value">Common Stock</td><td class="value">02/17/2031</td><td class="value">P</td>
      <td class="value">12,345<sup>(1)</sup></td><td class="value">A</td><td class="value">$8.25</td>
      <td class="value">67,890</td></tr>
  <tr><td class="value">Common Stock</td><td class="value">02/18/2031</td><td class="value">S</td>
      <td class="value">2,500</td><td class="value">D</td><td class="value">$9.10<sup>(2)</sup></td>
      <td class="value">65,390</td></tr>
</table>
<p>Explanation of Responses:</p>
<p>1. The reported shares were bought in several trades at prices from $8.10 to $8.40.</p>
<p>2. Weighted average sale price.</p>
<p>Signature: <u class="value">/s/ Marigold T. Quillfeather</u> Date: <span class="value">02/19/2031</span></p>
</body></html>
"""

# Words of the made-up form that OCR and the text layer should both find.
MADE_UP_KEY_WORDS = ("Quillfeather", "Brambleton", "BKWH", "02/17/2031", "12,345", "67,890", "65,390", "$8.25")

NOT_A_FORM_TEXT = """ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)

Item 1. Business. Pelicorn Analytics Corp. designs weather-forecasting software for
regional orchards and sells annual subscriptions to growers in eleven countries. Revenue
grew to $41.7 million in fiscal 2030 from $35.2 million a year earlier, driven by the new
frost-warning service. The company employs 212 people, most of them at its headquarters,
and faces competition from larger agricultural data firms and from public weather services.

Item 1A. Risk Factors. Our results depend on the accuracy of our forecasts; a season of poor
predictions could lead customers to cancel their subscriptions.
"""


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()


def render_pages(pdf: bytes, dpi: int = SCAN_DPI) -> list[Image.Image]:
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    finally:
        doc.close()


def scan(image: Image.Image, angle: float = SCAN_ANGLE, noise: float = 8.0, seed: int = 0) -> Image.Image:
    """A feeder scan of a rendered page: a slight rotation on white and mild sensor noise."""
    rotated = image.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    pixels = np.asarray(rotated, dtype=np.float32)
    pixels += np.random.default_rng(seed).normal(0.0, noise, pixels.shape).astype(np.float32)
    out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    out.info["dpi"] = image.info.get("dpi", (SCAN_DPI, SCAN_DPI))
    return out


def scan_pdf_pages(pdf: bytes, dpi: int = SCAN_DPI, angle: float = SCAN_ANGLE) -> list[Image.Image]:
    return [scan(page, angle, seed=i) for i, page in enumerate(render_pages(pdf, dpi))]


def png_bytes(image: Image.Image, dpi: int = SCAN_DPI) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def jpeg_bytes(image: Image.Image, dpi: int = SCAN_DPI, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", dpi=(dpi, dpi), quality=quality)
    return buf.getvalue()


def tiff_bytes(images: list[Image.Image], dpi: int = SCAN_DPI) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, "TIFF", save_all=True, append_images=images[1:], dpi=(dpi, dpi), compression="tiff_deflate")
    return buf.getvalue()


def image_pdf(images: list[Image.Image], dpi: int = SCAN_DPI) -> bytes:
    """A PDF of page images only, as a scanner writes it: no text layer at all."""
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buf.getvalue()


def encrypted_pdf(pdf: bytes, user: str = "secret", owner: str = "owner") -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.save(out, encryption=pikepdf.Encryption(user=user, owner=owner))
    return out.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.new() as doc:
        for _ in range(pages):
            doc.add_blank_page(page_size=(612, 792))
        doc.save(out)
    return out.getvalue()


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def garbage(size: int = 8192, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A 1-bit PNG of width x height white pixels that is tiny on disk.

    Written chunk by chunk so that the test itself never holds the decoded pixels.
    """

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte, then the packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def photo(width: int = 640, height: int = 480, seed: int = 0) -> Image.Image:
    """Something that is not a document: a colour gradient with noise, like a blurry snapshot."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack([x / width * 255, y / height * 255, (x + y) / (width + height) * 255], axis=-1)
    rgb += rng.normal(0, 25, rgb.shape)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def blank_page(width: int = 1275, height: int = 1650) -> Image.Image:
    return Image.new("L", (width, height), 255)


# Cached makers: each process renders and scans a document once, however many tests use it.


@functools.cache
def made_up_pdf() -> bytes:
    return html_to_pdf(MADE_UP_FORM_HTML)


@functools.cache
def made_up_scan() -> Image.Image:
    return scan_pdf_pages(made_up_pdf())[0]


@functools.cache
def not_a_form_pdf() -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in NOT_A_FORM_TEXT.split("\n\n"))
    return html_to_pdf(f"<html><body style='font-family: DejaVu Serif; font-size: 11pt'>{paragraphs}</body></html>")


@functools.cache
def rendering_pdf(name: str, page: str = "letter landscape; margin: 10mm") -> bytes:
    """One of ../shared's real EDGAR renderings printed to PDF (the caller skips if absent).

    Landscape by default, as people print these wide forms; on portrait the Table II overflows.
    """
    import weasyprint

    path = RENDERINGS / f"{name}.html"
    sheet = weasyprint.CSS(string=f"@page {{ size: {page} }}")
    return weasyprint.HTML(string=path.read_text(encoding="utf-8"), base_url=str(path.parent)).write_pdf(stylesheets=[sheet])
