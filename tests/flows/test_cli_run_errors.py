"""`docclean run` on a lake it cannot use: refused at once when busy; a full disk or a folder it
cannot write ends in one line saying what to do, a non-zero exit, and the lake as it was."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import docclean.flows.flow  # noqa: F401  (imported now: the stages hold the writer they imported)
import pytest
from docclean.flows.cli import app
from docclean.warehouse.lake import Lake
from typer.testing import CliRunner

from tests.conftest import ROOT
from tests.warehouse.conftest import ARTICLES, load_folder


def _fingerprint(root: Path) -> dict[str, str]:
    """Every file of the lake but its lock, with its bytes' hash."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Lake, Path]:
    """A committed lake (built without Prefect) and a folder of new documents for the next run."""
    first = tmp_path / "first"
    first.mkdir()
    for name, text in ARTICLES.items():
        (first / name).write_text(text)
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, first, "run-1")
    new = tmp_path / "new"
    new.mkdir()
    (new / "volcano.txt").write_text("Volcano Erupts\n\nThe volcano erupted at dawn, covering the valley in ash.\n")
    return lake, new


def _one_line(output: str) -> str:
    return " ".join(output.split())


def test_a_busy_lake_is_refused_at_once_naming_the_holder(loaded, tmp_path: Path) -> None:
    lake, new = loaded
    before = _fingerprint(lake.root)
    # "At once" is checked by what did not happen, not by a wall clock (a busy machine takes
    # seconds just to import the CLI): Prefect never started (no database in a fresh
    # PREFECT_HOME), and the lock was not waited for (the timeout would end a blocked run).
    prefect_home = tmp_path / "prefect-home"
    env = {**os.environ, "PREFECT_HOME": str(prefect_home)}
    env.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)
    with lake.writer_lock():  # a run in progress, in this process; the CLI runs in another
        busy = subprocess.run(
            [sys.executable, "-m", "docclean.flows.cli", "run", str(new), "--lake", str(lake.root)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
    assert busy.returncode == 2, busy.stderr
    assert f"another docclean run is writing to {lake.root} (pid {os.getpid()})" in _one_line(busy.stderr)
    assert "Traceback" not in busy.stderr
    assert not list(prefect_home.rglob("*.db")), "Prefect started: the lock must be taken before it"
    assert _fingerprint(lake.root) == before


def _no_space(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    "writer",
    [
        "docclean.warehouse.lake.write_parquet_atomic",  # the commit point: the runs row
        "docclean.flows.stages.clean.write_parquet_atomic",  # a batch task's staged files
    ],
)
def test_a_full_disk_ends_in_one_line_and_leaves_the_lake_as_it_was(loaded, monkeypatch, writer: str) -> None:
    lake, new = loaded
    before = _fingerprint(lake.root)
    monkeypatch.setattr(writer, _no_space)
    result = CliRunner().invoke(app, ["run", str(new), "--lake", str(lake.root), "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    message = _one_line(result.output)
    assert f"error: the disk holding {lake.root} is full" in message
    assert "free some space" in message and "the lake is as it was" in message
    assert "Traceback" not in result.output
    assert _fingerprint(lake.root) == before


def test_a_lake_folder_that_cannot_be_written_ends_in_one_line(loaded, monkeypatch) -> None:
    """As root, chmod stops nothing: the lake module's `open` fails as on a read-only file system."""
    import builtins

    import docclean.warehouse.lake as lake_module

    lake, new = loaded
    before = _fingerprint(lake.root)

    def read_only_open(path, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wa+x"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return builtins.open(path, mode, *args, **kwargs)

    monkeypatch.setattr(lake_module, "open", read_only_open, raising=False)
    flow_runs: list[object] = []  # found when taking the lock, before Prefect starts
    monkeypatch.setattr("docclean.flows.cli._flow", lambda *args, **kwargs: flow_runs.append(args))
    result = CliRunner().invoke(app, ["run", str(new), "--lake", str(lake.root)])
    assert result.exit_code == 1, result.output
    message = _one_line(result.output)
    assert f"error: {lake.root} cannot be written" in message and "writable copy" in message
    assert "Traceback" not in result.output
    assert flow_runs == []
    assert _fingerprint(lake.root) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod")
def test_a_read_only_lake_folder_ends_in_one_line(loaded) -> None:
    lake, new = loaded
    (lake.root / ".lock").unlink(missing_ok=True)
    before = _fingerprint(lake.root)
    lake.root.chmod(0o555)
    try:
        result = CliRunner().invoke(app, ["run", str(new), "--lake", str(lake.root)])
    finally:
        lake.root.chmod(0o755)
    assert result.exit_code == 1, result.output
    assert "cannot be written" in _one_line(result.output)
    assert _fingerprint(lake.root) == before


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["run", "https://crawl.example/x.warc.gz", "--lake", "LAKE"], "input https://crawl.example/x.warc.gz"),
        (["info", "--lake", "az://container/lake"], "az://container"),
    ],
)
def test_a_uri_is_refused_never_taken_for_a_local_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], named: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AZURE_STORAGE_ACCOUNT_NAME", raising=False)
    lake = tmp_path / "lake"
    result = CliRunner().invoke(app, [str(lake) if a == "LAKE" else a for a in args])
    assert result.exit_code == 2, result.output
    said = _one_line(result.output)
    assert f"error: {named}" in said
    assert "copy or mount it" in said or "AZURE_STORAGE_ACCOUNT_NAME" in said  # what to do instead
    assert list(tmp_path.iterdir()) == []  # no `https:` or `az:` folder, no lake begun


@pytest.mark.parametrize(
    "args",
    [
        ["run", "s3://crawl/", "--lake", "s3://lake/"],
        ["query", "--lake", "gs://bucket/lake", "select 1"],
    ],
)
def test_a_lake_on_a_store_that_does_not_answer_is_one_error_not_a_local_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "none")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "none")
    monkeypatch.setenv("DOCCLEAN_STORE_RETRY_SECONDS", "1")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "no-such-credentials.json"))
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (1, 2), result.output
    lake = next(a for a in args if a.endswith("/lake") or a.endswith("lake/"))
    assert f"error: lake {lake}: cannot reach it" in _one_line(result.output)
    assert list(tmp_path.iterdir()) == []  # no `s3:` or `gs:` folder
