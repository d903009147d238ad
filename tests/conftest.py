"""Shared fixtures. Tests never read ../shared: everything they need is in tests/ or seeds/."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from docclean.flows.settings import apply_prefect_defaults

# Before any test imports Prefect: local ephemeral mode, quiet, offline, project-level home.
apply_prefect_defaults()

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
SEEDS = ROOT / "seeds"


def load_cases(name: str, key: str = "case") -> list[dict]:
    with open(CASES / name, "rb") as handle:
        return tomllib.load(handle)[key]


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS
