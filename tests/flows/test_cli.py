"""The `docclean` command line: the same commands as before the split, each with working help."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from docclean.flows.cli import app
from typer.testing import CliRunner

from tests.conftest import ROOT

# `docclean --help` lists these, in this order: those that write the lake, then those that read it.
COMMANDS = ["run", "reprocess", "serve", "query", "search", "report", "explain", "info", "export", "publish"]


def _help(*args: str):
    return CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})


def test_top_level_help_lists_the_same_commands_in_the_same_order() -> None:
    result = _help()
    assert result.exit_code == 0, result.output
    listed = [
        line.strip("│ ").split()[0] for line in result.output.split("Commands")[1].splitlines() if line.startswith("│")
    ]
    assert listed == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_that_exits_0(command: str) -> None:
    result = _help(command)
    assert result.exit_code == 0, result.output
    assert f"Usage: root {command} [OPTIONS]" in result.output
    assert "--help" in result.output
    if command not in ("run", "reprocess"):  # every command but those reads or names a lake
        assert "--lake" in result.output


def test_run_help_keeps_its_options() -> None:
    output = _help("run").output
    for option in (
        "--lake",
        "--site",
        "--site-from-folder",
        "--batch-size",
        "--workers",
        "--max-document-mb",
        "--max-decompressed-mb",
        "--max-html-depth",
        "--rules",
        "--runner",
        "--dask-address",
        "--rescan",
        "--verbose",
    ):
        assert option in output, option


def test_the_console_script_runs_the_typer_app() -> None:
    """pyproject's `docclean = "docclean.flows.cli:main"`, as installed next to this Python."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["docclean"] == "docclean.flows.cli:main"
    script = Path(sys.executable).parent / "docclean"
    if not script.exists():
        pytest.skip("docclean is not installed in this environment")
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"}
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: docclean [OPTIONS] COMMAND" in result.stdout
    assert all(f"│ {command} " in result.stdout for command in COMMANDS)


def test_the_cli_loads_without_prefect_or_the_cleaning_stack() -> None:
    """`--help` answers, and `run` takes the lake's lock and launches the Prefect server, before
    Prefect, the readers and the cleaning modules are imported (~2.5 s of imports then overlap
    the server's start-up): the limits `run --help` shows live in a module of plain constants."""
    heavy = ("prefect", "trafilatura", "pyarrow", "docclean.flows.readers", "docclean.transforms.clean")
    code = f"import sys, docclean.flows.cli; print(sorted(m for m in sys.modules if m.startswith({heavy!r})))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_serve_needs_exactly_one_schedule_before_starting_anything() -> None:
    for args in ([], ["--cron", "0 * * * *", "--interval", "60"]):
        result = CliRunner().invoke(app, ["serve", *args])
        assert result.exit_code == 2
        assert "give exactly one of --cron or --interval" in result.output


def test_serve_takes_the_options_run_has_for_what_is_cleaned() -> None:
    output = _help("serve").output
    for option in ("--rules", "--workers", "--site-from-folder", "--site", "--lake", "--batch-size", "--publish"):
        assert option in output, option


def test_version_and_the_new_commands_are_listed() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("docclean ")
    assert "--version" in _help().output
