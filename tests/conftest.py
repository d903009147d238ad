"""Shared fixtures. Tests never read ../shared: everything they need is in tests/ or seeds/."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Iterator
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


@pytest.fixture(autouse=True)
def prefect_settings_follow_the_environment() -> Iterator[None]:
    """`flows.server.api_at` re-reads Prefect's global settings from the environment: a test that
    set PREFECT_API_URL with monkeypatch must not leave later tests pointed at its server."""
    yield
    context = sys.modules.get("prefect.context")
    if context is not None and context.GLOBAL_SETTINGS_CONTEXT.settings.api.url != os.environ.get("PREFECT_API_URL"):
        context.refresh_global_settings_context()


@pytest.fixture(autouse=True)
def lake_copies_in_a_temporary_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Local copies of lakes on object storage go under the test session's temporary folder,
    never the user's ~/.cache (tests that play two hosts set their own)."""
    monkeypatch.setenv("DOCCLEAN_CACHE", str(tmp_path_factory.getbasetemp() / "docclean-cache"))


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS
