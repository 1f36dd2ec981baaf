"""Tiny models trained here by the CLI, for tests that need one (never the shipped model's weights)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app


def train_tiny_model(out: Path, seed: int = 5, auto_strategy: str | None = None) -> Path:
    """`form4 train` on two made-up records (PDF, EDGAR family); `auto_strategy` rewrites its meta.json."""
    result = CliRunner().invoke(app, ["train", "--fake", "2", "--channels", "pdf", "--families", "edgar",
                                      "--out", str(out), "--seed", str(seed)])
    assert result.exit_code == 0, result.output
    if auto_strategy is not None:
        meta = json.loads((out / "meta.json").read_text())
        meta["auto_strategy"] = auto_strategy
        (out / "meta.json").write_text(json.dumps(meta))
    return out
