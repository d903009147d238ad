"""`docclean info` and `docclean --version`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docclean.flows.cli import app
from typer.testing import CliRunner

import docclean

pytestmark = pytest.mark.flow


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_version() -> None:
    result = _cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"docclean {docclean.__version__}"
    assert docclean.__version__ == "0.1.0"


def test_info_json_shows_runs_rows_and_the_last_run(two_runs) -> None:
    result = _cli("info", "--json", "--lake", str(two_runs.lake))
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["lake"] == str(two_runs.lake) and info["schema_version"] == "1"
    assert info["docclean_version"] == docclean.__version__
    assert info["runs"] == 2 and info["first_run"] == two_runs.first.run_id
    assert info["rows"]["articles"] == 4 and info["rows"]["articles_unique"] == 4 and info["rows"]["runs"] == 2
    assert info["rows"]["removals"] > 0 and info["files"]["articles"] >= 2
    last = info["last_run"]
    assert last["run_id"] == two_runs.second.run_id
    assert (last["n_documents"], last["n_articles"], last["n_rejects"]) == (2, 2, 0)


def test_info_prints_the_same_for_people(two_runs) -> None:
    result = _cli("info", "--lake", str(two_runs.lake))
    assert result.exit_code == 0, result.output
    for expected in (
        str(two_runs.lake),
        "schema version 1",
        "runs            2",
        "articles_unique",
        f"last run {two_runs.second.run_id}",
        "2 documents -> 2 articles",
    ):
        assert expected in result.stdout, expected


def test_info_on_a_lake_not_made_yet(tmp_path: Path) -> None:
    result = _cli("info", "--lake", str(tmp_path / "nothing"))
    assert result.exit_code == 0
    assert "no lake at" in result.output and "docclean run" in result.output
