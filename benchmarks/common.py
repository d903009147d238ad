"""Helpers the benchmark scripts share (run them from the repo root: `python benchmarks/NAME.py`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def load_scorer(path: Path) -> ModuleType:
    """The shared scorer (`../shared/tools/score_extraction.py`), imported from where it lies."""
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the scorer from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
