"""Scans and faxes of rendered PDFs, and the transfer of word labels onto their OCR words.

`simulate_scan` prints a PDF onto simulated paper: rasterize, stamp and scribble on it, feed it
skewed through a scanner (blur, sensor noise, JPEG, a bilevel threshold) or a fax (200 x 100 dpi,
bilevel, speckle, dropped and doubled lines). Every page keeps the affine map from PDF points
to its pixels, so the exact labels of the rendering follow the words onto the image;
`transfer_labels` then labels each word the real OCR found, whatever it made of it.
"""

from __future__ import annotations

import datetime
import io
import math
import random
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..errors import CorruptInputError
from ..layout.document import Layout
from .labels import OTHER, BBox, WordLabel

ScanMode = Literal["grey", "bilevel"]
PresetKind = Literal["scan", "fax"]

# Fax "standard" resolution: 200 dpi along the line, 100 lines per inch down the page
# (ITU-T T.4 says 204 x 98; viewers and EDGAR-era fax servers round to these).
FAX_DPI = (200, 100)

# An OCR word counts as printed text when this much of its box lies on labelled words;
# less, and it is a stamp, a pen mark or speckle read as letters.
MIN_LABEL_COVER = 0.3


@dataclass(frozen=True)
class Affine:
    """x' = a x + b y + c, y' = d x + e y + f."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0
    e: float = 1.0
    f: float = 0.0

    @classmethod
    def from_matrix(cls, m: np.ndarray) -> Affine:
        return cls(*(float(v) for v in (m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2])))

    def matrix(self) -> np.ndarray:
        return np.array([[self.a, self.b, self.c], [self.d, self.e, self.f], [0.0, 0.0, 1.0]])

    def then(self, other: Affine) -> Affine:
        """This map followed by `other`."""
        return Affine.from_matrix(other.matrix() @ self.matrix())

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.a * x + self.b * y + self.c, self.d * x + self.e * y + self.f

    def box(self, bbox: BBox) -> BBox:
        """The upright box around the mapped corners of `bbox`."""
        x0, top, x1, bottom = bbox
        xs, ys = zip(*(self.point(x, y) for x in (x0, x1) for y in (top, bottom)))
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class ScanSettings:
    dpi: int = 300
    mode: ScanMode = "grey"
    max_skew_deg: float = 1.0  # the page turns by a uniform draw in +- this
    max_shift_in: float = 0.05  # and slides by up to this many inches either way
    blur: float = 0.0  # Gaussian sigma in pixels of the scan's resolution
    noise: float = 0.0  # sensor noise: standard deviation in grey levels
    salt_pepper: float = 0.0  # fraction of pixels flipped to black or white
    jpeg_quality: int | None = None  # a JPEG round trip at this quality (grey only)
    threshold: int = 140  # grey level below which a bilevel pixel is black
    speckle: float = 0.0  # bilevel: dots of dust per pixel (1e-4 is a dusty glass)
    fax: bool = False  # 200 x 100 dpi transmission with line errors and a header line
    stamps: bool = False  # a "RECEIVED" stamp with a date, in a circle
    marks: bool = False  # pen marks: a tick, initials, a stroke

    def __post_init__(self) -> None:
        if not 150 <= self.dpi <= 300:
            raise ValueError(f"dpi must be between 150 and 300, not {self.dpi}")
        if self.mode not in ("grey", "bilevel"):
            raise ValueError(f"mode must be 'grey' or 'bilevel', not {self.mode!r}")
        if not 0 <= self.max_skew_deg <= 2:
            raise ValueError(f"max_skew_deg must be in [0, 2] degrees, not {self.max_skew_deg}")
        if not 0 <= self.max_shift_in <= 0.5:
            raise ValueError(f"max_shift_in must be in [0, 0.5] inches, not {self.max_shift_in}")
        if not 0 <= self.blur <= 3:
            raise ValueError(f"blur must be a sigma in [0, 3] pixels, not {self.blur}")
        if not 0 <= self.noise <= 60:
            raise ValueError(f"noise must be in [0, 60] grey levels, not {self.noise}")
        if not 0 <= self.salt_pepper <= 0.05:
            raise ValueError(f"salt_pepper must be a fraction in [0, 0.05], not {self.salt_pepper}")
        if not 0 <= self.speckle <= 0.01:
            raise ValueError(f"speckle must be in [0, 0.01] dots per pixel, not {self.speckle}")
        if not 40 <= self.threshold <= 220:
            raise ValueError(f"threshold must be a grey level in [40, 220], not {self.threshold}")
        if self.jpeg_quality is not None:
            if not 10 <= self.jpeg_quality <= 95:
                raise ValueError(f"jpeg_quality must be in [10, 95] or None, not {self.jpeg_quality}")
            if self.mode != "grey":
                raise ValueError("jpeg_quality needs mode 'grey': scanners never JPEG a bilevel page")
        if self.fax and (self.mode != "bilevel" or self.dpi != FAX_DPI[0]):
            raise ValueError(f"a fax is bilevel at {FAX_DPI[0]} dpi, not {self.mode} at {self.dpi}")


@dataclass
class ScanPage:
    image: Image.Image  # as a viewer shows it: square pixels at the scan's dpi
    transform: Affine  # PDF points (origin top left) to pixels of `image`
    skew_deg: float  # the page's turn, counter-clockwise positive (PIL's `rotate`)
    raw: Image.Image | None = None  # fax: the transmitted image, 200 x 100 dpi


@dataclass
class Scan:
    pages: list[ScanPage]
    dpi: int
    settings: ScanSettings
    seed: int
    bilevel: bool = field(init=False)

    def __post_init__(self) -> None:
        self.bilevel = self.settings.mode == "bilevel"

    @property
    def images(self) -> list[Image.Image]:
        return [p.image for p in self.pages]


def scan_preset(kind: PresetKind, rng: random.Random) -> ScanSettings:
    """Random settings of a typical office scan or fax; the draw depends only on `rng`."""
    if kind == "fax":
        return ScanSettings(
            dpi=FAX_DPI[0], mode="bilevel", fax=True,
            max_skew_deg=round(rng.uniform(0.3, 2.0), 2), max_shift_in=0.08,
            # Below a threshold of ~140 the thin strokes of small print break up: one fax of a
            # Form 3 at 120 lost two thirds of its words to OCR.
            blur=round(rng.uniform(0.3, 0.8), 2), noise=round(rng.uniform(0, 10), 1),
            threshold=rng.randint(140, 175), speckle=round(rng.uniform(2e-5, 3e-4), 6),
            stamps=rng.random() < 0.3, marks=rng.random() < 0.2,
        )
    if kind != "scan":
        raise ValueError(f"kind must be 'scan' or 'fax', not {kind!r}")
    dpi = rng.choice((150, 200, 200, 240, 300, 300, 300))
    grey = rng.random() < 0.6
    return ScanSettings(
        dpi=dpi, mode="grey" if grey else "bilevel",
        max_skew_deg=round(rng.uniform(0.2, 2.0), 2),
        blur=round(rng.uniform(0.0, 0.9) * dpi / 300, 2), noise=round(rng.uniform(0, 12), 1),
        salt_pepper=round(rng.uniform(0, 3e-4), 6) if rng.random() < 0.3 else 0.0,
        jpeg_quality=rng.randint(45, 90) if grey and rng.random() < 0.5 else None,
        threshold=rng.randint(130, 175), speckle=0.0 if grey else round(rng.uniform(0, 1e-4), 6),
        stamps=rng.random() < 0.25, marks=rng.random() < 0.25,
    )


def simulate_scan(pdf_bytes: bytes, settings: ScanSettings, seed: int) -> Scan:
    """Every page of the PDF as the scanner or fax of `settings` would deliver it; same seed, same pixels."""
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(pdf_bytes)
    except pypdfium2.PdfiumError as exc:
        raise CorruptInputError("<pdf>", f"the PDF cannot be rasterized ({exc})") from None
    pages = []
    try:
        count = len(doc)
        for index in range(count):
            # One stream per page and per purpose: a change to one effect (more marks) leaves
            # the skew and noise of every page as they were.
            rng = np.random.default_rng([seed, index])
            rnd = random.Random(f"{seed}/{index}")
            page = doc[index]
            grey = np.asarray(page.render(scale=settings.dpi / 72.0, grayscale=True).to_pil().convert("L")).copy()
            page.close()
            pages.append(_scan_page(grey, settings, rng, rnd, index + 1, count))
    finally:
        doc.close()
    return Scan(pages=pages, dpi=settings.dpi, settings=settings, seed=seed)


def _scan_page(grey: np.ndarray, settings: ScanSettings, rng: np.random.Generator, rnd: random.Random,
               number: int, count: int) -> ScanPage:
    import cv2

    dpi = settings.dpi
    to_pixels = Affine(a=dpi / 72.0, e=dpi / 72.0)
    skew = rnd.uniform(-settings.max_skew_deg, settings.max_skew_deg)
    shift = (rnd.uniform(-1, 1) * settings.max_shift_in * dpi, rnd.uniform(-1, 1) * settings.max_shift_in * dpi)
    desk = random.Random(rnd.random())  # what lands on the paper, drawn apart from the feed
    paper = Image.fromarray(grey)
    if settings.stamps:
        _stamp(paper, dpi, desk)
    if settings.marks:
        _pen_marks(paper, dpi, desk)
    height, width = grey.shape
    feed = cv2.getRotationMatrix2D((width / 2, height / 2), skew, 1.0)
    feed[:, 2] += shift
    pixels = cv2.warpAffine(np.asarray(paper), feed, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    transform = to_pixels.then(Affine.from_matrix(feed))
    pixels = pixels.astype(np.float32)
    if settings.blur > 0:
        pixels = cv2.GaussianBlur(pixels, (0, 0), settings.blur)
    if settings.noise > 0:
        pixels += rng.normal(0.0, settings.noise, pixels.shape).astype(np.float32)
    if settings.fax:
        # The fax reads every other line: average row pairs, as the CCD's taller aperture does.
        pixels = cv2.resize(pixels, (width, (height + 1) // 2), interpolation=cv2.INTER_AREA)
    pixels = np.clip(pixels, 0, 255).astype(np.uint8)
    if settings.mode == "bilevel":
        pixels = np.where(pixels < settings.threshold, 0, 255).astype(np.uint8)
        if settings.speckle > 0:
            _speckle(pixels, settings.speckle, rng)
    if settings.salt_pepper > 0:
        flips = rng.random(pixels.shape) < settings.salt_pepper
        pixels[flips] = np.where(rng.random(int(flips.sum())) < 0.5, 0, 255).astype(np.uint8)
    raw = None
    if settings.fax:
        _line_errors(pixels, rng)
        _fax_header(pixels, rnd, number, count)
        raw = Image.fromarray(pixels).convert("1")
        raw.info["dpi"] = FAX_DPI
        # A viewer doubles every line to show square pixels; the page is as tall as on paper again.
        pixels = np.repeat(pixels, 2, axis=0)[:height]
    image = Image.fromarray(pixels)
    if settings.jpeg_quality is not None:
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=settings.jpeg_quality)
        image = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    if settings.mode == "bilevel":
        image = image.convert("1", dither=Image.Dither.NONE)
    image.info["dpi"] = (dpi, dpi)
    return ScanPage(image=image, transform=transform, skew_deg=round(skew, 4), raw=raw)


def _speckle(pixels: np.ndarray, density: float, rng: np.random.Generator) -> None:
    """Dust and toner dots: black specks of one to three pixels on white and black alike."""
    height, width = pixels.shape
    count = rng.poisson(density * pixels.size)
    ys, xs = rng.integers(0, height, count), rng.integers(0, width, count)
    sizes = rng.choice((1, 1, 1, 2, 2, 3), count)
    for y, x, s in zip(ys, xs, sizes):
        pixels[y : y + s, x : x + s] = 0


def _line_errors(pixels: np.ndarray, rng: np.random.Generator) -> None:
    """Transmission errors of a fax: a few lines lost (repeated from the one above) or streaked."""
    height, width = pixels.shape
    for y in rng.integers(1, height, rng.integers(0, 6)):
        pixels[y] = pixels[y - 1]
    for y in rng.integers(0, height, rng.integers(0, 3)):
        start = int(rng.integers(0, width // 2))
        pixels[y, start : start + int(rng.integers(width // 8, width // 2))] = 0


def _font(size: int, bold: bool = True) -> ImageFont.ImageFont:
    for name in (("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf") if bold else ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf")):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _fax_header(pixels: np.ndarray, rnd: random.Random, number: int, count: int) -> None:
    """The sending machine's line at the top of each page: when, from which number, page of pages."""
    day = datetime.date(2005, 1, 1) + datetime.timedelta(days=rnd.randrange(7000))
    text = (f"{day:%b %d %Y} {rnd.randrange(7, 19):02d}:{rnd.randrange(60):02d}   "
            f"FROM: 555 01{rnd.randrange(100):02d}   TO: 555 01{rnd.randrange(100):02d}   P.{number}/{count}")
    height, width = pixels.shape
    # Drawn at transmission resolution: each glyph half as tall, as the receiving viewer shows it doubled.
    strip = Image.new("L", (width, 40), 255)
    ImageDraw.Draw(strip).text((int(width * 0.05), 4), text, fill=0, font=_font(26, bold=False))
    strip = strip.resize((width, 20), Image.Resampling.BOX)
    band = np.asarray(strip) < 128
    top = pixels[2:22]
    top[band[: top.shape[0]]] = 0


def _quiet_spot(paper: Image.Image, size: tuple[int, int], rnd: random.Random, tries: int = 60) -> tuple[int, int]:
    """The top-left corner of the least inked of `tries` random spots of `size`, so marks leave text readable."""
    import cv2

    ink = (np.asarray(paper) < 160).astype(np.uint8)
    integral = cv2.integral(ink)  # (h + 1) x (w + 1): ink in any box in four look-ups
    height, width = ink.shape
    w, h = min(size[0], width - 1), min(size[1], height - 1)
    best, best_ink = (0, 0), None
    for _ in range(tries):
        x, y = rnd.randrange(0, width - w), rnd.randrange(0, height - h)
        covered = integral[y + h, x + w] - integral[y, x + w] - integral[y + h, x] + integral[y, x]
        if best_ink is None or covered < best_ink:
            best, best_ink = (x, y), covered
    return best


def _stamp(paper: Image.Image, dpi: int, rnd: random.Random) -> None:
    """A rubber "RECEIVED" stamp with its date in a circle, a little turned, in mid-grey ink."""
    diameter = int(rnd.uniform(1.2, 1.6) * dpi)
    stamp = Image.new("L", (diameter, diameter), 0)  # an ink mask: 255 where the stamp inks
    draw = ImageDraw.Draw(stamp)
    ring = max(2, dpi // 60)
    draw.ellipse((ring, ring, diameter - ring, diameter - ring), outline=255, width=ring)
    draw.ellipse((4 * ring, 4 * ring, diameter - 4 * ring, diameter - 4 * ring), outline=255, width=max(1, ring // 2))
    day = datetime.date(2005, 1, 1) + datetime.timedelta(days=rnd.randrange(7000))
    for text, size, y in (("RECEIVED", 0.16, 0.36), (f"{day:%b %d %Y}".upper(), 0.12, 0.56)):
        font = _font(int(diameter * size))
        draw.text((diameter / 2, diameter * y), text, fill=255, font=font, anchor="mm")
    stamp = stamp.rotate(rnd.uniform(-15, 15), resample=Image.Resampling.BILINEAR)
    x, y = _quiet_spot(paper, stamp.size, rnd)
    ink = Image.new("L", stamp.size, rnd.randrange(60, 120))
    paper.paste(ink, (x, y), stamp)


def _pen_marks(paper: Image.Image, dpi: int, rnd: random.Random) -> None:
    """One to three strokes of a pen in empty space: a tick, a scribbled set of initials, a dash."""
    for _ in range(rnd.randint(1, 3)):
        w, h = int(rnd.uniform(0.4, 1.2) * dpi), int(rnd.uniform(0.25, 0.5) * dpi)
        x, y = _quiet_spot(paper, (w, h), rnd)
        draw = ImageDraw.Draw(paper)
        width = max(2, int(dpi * rnd.uniform(0.008, 0.015)))
        kind = rnd.choice(("tick", "scribble", "dash"))
        if kind == "tick":
            points = [(x, y + h * 0.55), (x + w * 0.3, y + h), (x + w * 0.6, y)]
        elif kind == "dash":
            points = [(x, y + h * 0.5), (x + w, y + h * rnd.uniform(0.3, 0.7))]
        else:
            steps = 24
            phase = rnd.uniform(0, math.pi)
            points = [(x + w * i / steps, y + h * (0.5 + 0.4 * math.sin(phase + i * rnd.uniform(0.6, 1.4))))
                      for i in range(steps + 1)]
        draw.line(points, fill=rnd.randrange(20, 80), width=width, joint="curve")


def scan_to_tiff(scan: Scan, raw_fax: bool = False) -> bytes:
    """A multi-page TIFF, Group 4 for bilevel pages; `raw_fax` writes faxes as sent, 200 x 100 dpi."""
    if raw_fax and not scan.settings.fax:
        raise ValueError("raw_fax needs a fax scan")
    images = [p.raw for p in scan.pages] if raw_fax else scan.images
    dpi = FAX_DPI if raw_fax else (scan.dpi, scan.dpi)
    buf = io.BytesIO()
    compression = "group4" if scan.bilevel else "tiff_deflate"
    images[0].save(buf, "TIFF", save_all=True, append_images=images[1:], dpi=dpi, compression=compression)
    return buf.getvalue()


def scan_to_pdf(scan: Scan) -> bytes:
    """An image-only PDF, as a scanner writes one: no text layer, each page as large as the paper."""
    buf = io.BytesIO()
    images = scan.images
    images[0].save(buf, "PDF", resolution=float(scan.dpi), save_all=True, append_images=images[1:])
    return buf.getvalue()


def scan_to_png_pages(scan: Scan) -> list[bytes]:
    out = []
    for image in scan.images:
        buf = io.BytesIO()
        image.save(buf, "PNG", dpi=(scan.dpi, scan.dpi), optimize=False)
        out.append(buf.getvalue())
    return out


def layout_transforms(scan: Scan, layout: Layout) -> list[Affine]:
    """Per page, PDF points of the rendering to the coordinates `layout` reports for its words.

    The OCR reader gives pixels of the image it read (an image file), or points (an image-only
    PDF, rasterized again and scaled back), in either case after turning the page back by the
    skew it found, about the page's centre.
    """
    import cv2

    if len(layout.pages) != len(scan.pages):
        raise ValueError(f"the layout has {len(layout.pages)} pages and the scan {len(scan.pages)}")
    out = []
    for page, scanned in zip(layout.pages, scan.pages):
        width, height = scanned.image.size
        # A page read from the raw fax is half as tall in its own pixels: the scale covers it.
        to_layout = Affine(a=page.width / width, e=page.height / height)
        transform = scanned.transform.then(to_layout)
        skew = page.skew_degrees or 0.0
        if abs(skew) >= 0.05:  # the reader's own threshold for turning the page
            level = cv2.getRotationMatrix2D((page.width / 2, page.height / 2), -skew, 1.0)
            transform = transform.then(Affine.from_matrix(level))
        out.append(transform)
    return out


def transfer_labels(labels: list[WordLabel], scan: Scan, layout: Layout) -> list[WordLabel]:
    """One label per word of `layout` (the OCR of `scan`), in the layout's word order.

    Each OCR word takes the label of the printed words its box overlaps most, by area, so a
    word OCR merged from two printed ones takes the label of the larger part; a word lying on
    no printed word (a stamp, a pen mark, speckle, the fax header) is OTHER.
    """
    transforms = layout_transforms(scan, layout)
    by_page: dict[int, list[WordLabel]] = {}
    for label in labels:
        by_page.setdefault(label.page, []).append(label)
    out: list[WordLabel] = []
    for page, transform in zip(layout.pages, transforms):
        printed = by_page.get(page.number, [])
        boxes = np.array([transform.box(label.bbox) for label in printed], dtype=np.float64).reshape(-1, 4)
        keys = [(label.field, label.table, label.row, label.column) for label in printed]
        for word in page.words:
            key = _majority(word.bbox, boxes, keys)
            field_name, table, row, column = key if key else (OTHER, None, None, None)
            out.append(WordLabel(page=page.number, text=word.text, bbox=word.bbox, field=field_name,
                                 table=table, row=row, column=column))
    return out


def _majority(bbox: BBox, boxes: np.ndarray, keys: list[tuple]) -> tuple | None:
    x0, top, x1, bottom = bbox
    area = max(x1 - x0, 1e-6) * max(bottom - top, 1e-6)
    if not len(boxes):
        return None
    overlap = (np.clip(np.minimum(boxes[:, 2], x1) - np.maximum(boxes[:, 0], x0), 0, None)
               * np.clip(np.minimum(boxes[:, 3], bottom) - np.maximum(boxes[:, 1], top), 0, None))
    hits = np.nonzero(overlap > 0)[0]
    if not len(hits) or overlap[hits].sum() < MIN_LABEL_COVER * area:
        return None
    votes: dict[tuple, float] = {}
    for i in hits:
        votes[keys[i]] = votes.get(keys[i], 0.0) + float(overlap[i])
    return max(votes.items(), key=lambda kv: kv[1])[0]
