"""Seconds spent in each stage of one extraction, for the speed figures of `form4 evaluate`."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Iterator

STAGES = ("classification", "layout", "ocr", "rules", "model", "validation")


@dataclass
class StageTimings:
    """Seconds per stage, filled by `extract_bytes(..., timings=...)`.

    classification: content detection (which reader); layout: reading text, HTML or a PDF's text
    layer, or the ownership XML itself; ocr: reading a layout that needed OCR (rasterising,
    deskewing and Tesseract, all of it, since OCR dominates that read).
    """

    classification: float = 0.0
    layout: float = 0.0
    ocr: float = 0.0
    rules: float = 0.0
    model: float = 0.0
    validation: float = 0.0
    pages: int = 0

    def add(self, stage: str, seconds: float) -> None:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")
        setattr(self, stage, getattr(self, stage) + seconds)

    @property
    def total(self) -> float:
        return sum(getattr(self, f.name) for f in fields(self) if f.name in STAGES)

    def __add__(self, other: StageTimings) -> StageTimings:
        return StageTimings(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


class Lap:
    """The stage a measured block is booked to; the block may change it once it knows (layout -> ocr)."""

    def __init__(self, stage: str):
        self.stage = stage


@contextmanager
def measure(timings: StageTimings | None, stage: str) -> Iterator[Lap]:
    """Book the block's wall time to `stage` of `timings` (nothing when timings is None)."""
    lap = Lap(stage)
    start = time.perf_counter()
    try:
        yield lap
    finally:
        if timings is not None:
            timings.add(lap.stage, time.perf_counter() - start)
