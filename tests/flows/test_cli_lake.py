"""`query`, `search` and `explain` on a lake that was moved, or that cannot be written."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from docclean.flows.cli import app
from docclean.warehouse.lake import Lake
from typer.testing import CliRunner

from tests.warehouse.conftest import ARTICLES, load_folder


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text)
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    return lake


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_a_copied_lake_reads_its_new_folder_after_the_old_one_is_gone(lake: Lake, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / "lake"
    shutil.copytree(lake.root, copy)
    shutil.rmtree(lake.root)
    result = _cli("query", "select count(*) as n from articles", "--lake", str(copy), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["n", "3"]
    found = _cli("search", "harbour", "--lake", str(copy), "--format", "csv")
    assert found.exit_code == 0, found.output
    assert "Harbour Reopens After Storm" in found.stdout
    explained = _cli("explain", "budget.md", "--lake", str(copy))
    assert explained.exit_code == 0, explained.output
    assert "Council Passes Budget" in explained.stdout
    # the catalog file, for DuckDB's own users, was rebuilt for the new folder
    con = duckdb.connect(str(copy / "docclean.duckdb"), read_only=True)
    try:
        assert con.sql("select count(*) from articles").fetchall() == [(3,)]
        assert con.sql("select root from catalog_info").fetchall() == [(str(copy),)]
    finally:
        con.close()


def _read_only_lake(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """DuckDB cannot create files in `root`, as on a read-only file system (chmod stops no root)."""
    real_connect = duckdb.connect

    def connect(database: str = ":memory:", read_only: bool = False, **kwargs):
        if not read_only and str(database).startswith(str(root)):
            raise duckdb.IOException(f'IO Error: Cannot open file "{database}": Read-only file system')
        return real_connect(database, read_only=read_only, **kwargs)

    monkeypatch.setattr(duckdb, "connect", connect)


def test_search_on_a_lake_it_cannot_write_says_what_to_do(lake: Lake, monkeypatch, tmp_path: Path) -> None:
    before = sorted(p.name for p in lake.root.iterdir())
    _read_only_lake(monkeypatch, lake.root)
    result = _cli("search", "harbour", "--lake", str(lake.root))
    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    assert message.startswith("error: search keeps its index in the lake folder, and ")
    assert "cannot be written" in message and "writable copy" in message
    assert "Traceback" not in result.output
    assert sorted(p.name for p in lake.root.iterdir()) == before
    # reading needs no writing: query still answers, even on a moved copy whose catalog is stale
    copy = tmp_path / "copy"
    shutil.copytree(lake.root, copy)
    _read_only_lake(monkeypatch, copy)
    assert _cli("query", "select count(*) from articles", "--lake", str(copy), "-f", "csv").stdout.split() == [
        "count_star()",
        "3",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod")
def test_search_on_a_read_only_folder(lake: Lake) -> None:
    (lake.root / "search.duckdb").unlink(missing_ok=True)
    lake.root.chmod(0o555)
    try:
        result = _cli("search", "harbour", "--lake", str(lake.root))
    finally:
        lake.root.chmod(0o755)
    assert result.exit_code == 1, result.output
    assert "cannot be written" in " ".join(result.output.split())


def test_unwritable_means_read_only_or_full_and_nothing_else(tmp_path: Path) -> None:
    from docclean.warehouse.errors import cannot_write

    assert "is full" in cannot_write(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert "cannot be written" in cannot_write(OSError(errno.EROFS, "Read-only file system"), tmp_path)
    assert "is full" in cannot_write(duckdb.IOException("IO Error: No space left on device"), tmp_path)
    assert cannot_write(OSError(errno.ENOENT, "No such file"), tmp_path) is None
    assert cannot_write(ValueError("x"), tmp_path) is None
