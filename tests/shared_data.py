"""Where the tests find the real data of ../shared, and the skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
RENDERINGS = CORPUS / "renderings"
SEED_TEXT = SHARED / "samples" / "allied-motion-2012-form4.md"
SEED_GOLD = SHARED / "samples" / "allied-motion-2012-form4.xml"
RENDERING_NAMES = ("374water-form4", "snowflake-form3", "snowflake-form5")


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not found: the real documents live in ../shared beside the checkout")
    return path
