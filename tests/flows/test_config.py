"""docclean.toml / [tool.docclean]: defaults for every command; the command line overrides them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docclean.flows.cli import app
from docclean.flows.config import ConfigError, default_map, load_config
from typer.main import get_command

from tests.conftest import ROOT

FULL = """
lake = "data/lake"
inputs = ["crawl", "more/pages.jsonl"]
rules = "my-rules"
site_from_folder = true
batch_size = 500
workers = 3
runner = "local"

[limits]
max_document_mb = 8
max_decompressed_mb = 64
max_html_depth = 400

[thresholds]
duplicate = 0.85
variant = 0.6

[schedule]
cron = "0 * * * *"
port = 4300
ui = false
"""


def test_every_key_maps_to_an_option_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "docclean.toml").write_text(FULL)
    settings = load_config(tmp_path)
    assert settings["lake"] == str(tmp_path / "data" / "lake")
    assert settings["inputs"] == [str(tmp_path / "crawl"), str(tmp_path / "more" / "pages.jsonl")]
    assert settings["rules"] == str(tmp_path / "my-rules")
    assert (settings["duplicate_threshold"], settings["variant_threshold"]) == (0.85, 0.6)
    defaults = default_map(get_command(app), settings)
    command_options = {name: {p.name for p in cmd.params} for name, cmd in get_command(app).commands.items()}
    used = set().union(*(d.keys() for d in defaults.values()))
    assert used == set(settings), "a config key no command takes"
    assert defaults["run"]["max_html_depth"] == 400 and defaults["run"]["inputs"] == settings["inputs"]
    assert defaults["serve"]["cron"] == "0 * * * *" and defaults["serve"]["workers"] == 3
    assert all(defaults[c]["lake"] == settings["lake"] for c in command_options if "lake" in command_options[c])


def test_object_store_uris_are_kept_and_a_publish_folder_is_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "docclean.toml").write_text('lake = "s3://bucket/lake"\n')
    assert load_config(tmp_path)["lake"] == "s3://bucket/lake"
    (tmp_path / "docclean.toml").write_text('lake = "lake"\npublish = "published"\n')
    assert load_config(tmp_path)["publish"] == str(tmp_path / "published")


def test_pyproject_table_and_docclean_toml_first(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.docclean]\nlake = "from-pyproject"\n')
    assert load_config(tmp_path) == {"lake": str(tmp_path / "from-pyproject")}
    (tmp_path / "docclean.toml").write_text('lake = "from-docclean-toml"\n')
    assert load_config(tmp_path) == {"lake": str(tmp_path / "from-docclean-toml")}
    assert load_config(tmp_path / "nowhere") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lakes = 'x'\n", "unknown key 'lakes'"),
        ("[limits]\nmax_mb = 3\n", "unknown key [limits] 'max_mb'"),
        ("[nope]\nx = 1\n", "unknown key 'nope'"),
        ("lake = \n", "docclean.toml"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "docclean.toml").write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(tmp_path)


def _docclean(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "docclean.flows.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.flow
def test_the_console_reads_the_config_and_options_win(two_runs, tmp_path: Path) -> None:
    (tmp_path / "docclean.toml").write_text(f"lake = {json.dumps(str(two_runs.lake))}\n")
    from_file = _docclean(tmp_path, "info", "--json")
    assert from_file.returncode == 0, from_file.stderr
    assert json.loads(from_file.stdout)["runs"] == 2
    overridden = _docclean(tmp_path, "info", "--json", "--lake", str(tmp_path / "elsewhere"))
    assert json.loads(overridden.stdout)["lake"] == str(tmp_path / "elsewhere")
    (tmp_path / "docclean.toml").write_text("[schedule]\nevery = 5\n")
    broken = _docclean(tmp_path, "info")
    assert broken.returncode == 2 and "unknown key [schedule] 'every'" in broken.stderr


def test_run_takes_the_config_and_the_command_line_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docclean.flows import cli
    from typer.testing import CliRunner

    captured: dict = {}
    monkeypatch.setattr(cli, "local_task_runner", lambda workers: captured.setdefault("workers", workers))
    monkeypatch.setattr(
        cli,
        "_run_flow",  # the runner comes as a factory (made once the lake's lock is held)
        lambda target, runner, verbose, **params: captured.update(params, lake=str(target.root), runner=runner()),
    )
    (tmp_path / "docclean.toml").write_text(FULL)
    settings = load_config(tmp_path)
    defaults = default_map(get_command(app), settings)
    result = CliRunner().invoke(app, ["run", "--batch-size", "7"], default_map=defaults)
    assert result.exit_code == 0, result.output
    assert captured["inputs"] == settings["inputs"] and captured["lake"] == settings["lake"]
    assert captured["batch_size"] == 7  # the command line over the file's 500
    assert (captured["workers"], captured["site_from_folder"], captured["rules_dir"]) == (3, True, settings["rules"])
    assert (captured["max_html_depth"], captured["max_document_bytes"]) == (400, 8 * 2**20)
    assert (captured["duplicate_threshold"], captured["variant_threshold"]) == (0.85, 0.6)
