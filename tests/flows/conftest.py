"""A lake of two real runs, shared by the tests that only read it (`info`, `export`)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS

SECOND_RUN = [
    {
        "url": "https://example.org/2024/rivers",
        "title": "Rivers rise after storm",
        "text": "Rivers across the valley rose by two metres overnight after the heaviest rain in a decade.\n\n"
        "Emergency crews moved families from low-lying streets while volunteers filled sandbags.",
    },
    {
        "url": "https://example.org/2024/bridge",
        "title": "Old bridge reopens",
        "text": "The old stone bridge over the river reopened on Monday after two years of repairs.\n\n"
        "Engineers replaced the arches and strengthened the foundations against floods.",
    },
]


@dataclass
class TwoRuns:
    lake: Path
    first: Any  # RunSummary of the seeds run
    second: Any  # RunSummary of a JSONL run with two new articles


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> TwoRuns:
    """Seeds (two URL-less articles), then two new articles with URLs: through `docclean.run`."""
    import docclean

    root = tmp_path_factory.mktemp("two-runs")
    seeds, more = root / "seeds", root / "more"
    shutil.copytree(SEEDS, seeds)
    more.mkdir()
    (more / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in SECOND_RUN), encoding="utf-8")
    lake = root / "lake"
    first = docclean.run([seeds], lake)
    second = docclean.run([more], lake)
    return TwoRuns(lake, first, second)
