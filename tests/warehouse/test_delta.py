"""Each table folder's Delta log lists exactly the files docclean's views read, through new runs,
superseded versions, a crashed run and recovery; Delta readers get the views' rows."""

from __future__ import annotations

import contextlib
import errno
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from docclean.flows.stages.commit import delta_sync_failures
from docclean.warehouse.catalog import run_query
from docclean.warehouse.delta import DELTA_FILES, current_files, sync_lake
from docclean.warehouse.lake import Lake, write_parquet_atomic
from docclean.warehouse.schemas import TABLES

from tests.warehouse.conftest import delta_rows, load_folder, view_rows

deltalake = pytest.importorskip("deltalake")
COMPARED = ("articles", "removals", "rejects", "sources", "runs")


def _versions(lake: Lake) -> dict[str, int]:
    return {table: deltalake.DeltaTable(str(lake.table_dir(table))).version() for table in TABLES}


def _assert_delta_equals_views(lake: Lake) -> None:
    for table in COMPARED:
        assert delta_rows(lake, table) == view_rows(lake, table), table
    for table in TABLES:  # the file sets too: the log's links are the current files' inodes
        listed = deltalake.DeltaTable(str(lake.table_dir(table))).file_uris()
        assert sorted(Path(p).stat().st_ino for p in listed) == sorted(
            p.stat().st_ino for p in current_files(lake, table)
        )


def _change_one_source(folder: Path) -> None:
    (folder / "budget.md").write_text(
        "# Council Passes Budget\n\nThe council passed the annual budget after a long debate about "
        "libraries, parks and the new swimming pool.\n"
    )


def test_a_synced_lake_reads_the_same_in_deltalake_polars_and_duckdb(small_lake) -> None:
    import polars as pl

    lake, _ = small_lake
    synced = sync_lake(lake)
    assert {s.table: s.version for s in synced} == dict.fromkeys(TABLES, 0)
    _assert_delta_equals_views(lake)
    columns = ["doc_id", "title", "word_count", "dup_role"]
    expected = sorted(run_query(lake, f"SELECT {', '.join(columns)} FROM articles").rows, key=repr)
    assert sorted(pl.read_delta(str(lake.table_dir("articles")), columns=columns).rows(), key=repr) == expected
    con = _duckdb_with_delta()
    rows = con.sql(f"SELECT {', '.join(columns)} FROM delta_scan('{lake.table_dir('articles')}')").fetchall()
    assert sorted(rows, key=repr) == expected


def _duckdb_with_delta() -> duckdb.DuckDBPyConnection:
    """DuckDB with the packaged delta extension (offline), or the test is skipped saying why."""
    from importlib import resources

    try:
        folder = resources.files("duckdb_extension_delta").joinpath("extensions", f"v{duckdb.__version__}")
    except ModuleNotFoundError:
        pytest.skip("duckdb-extension-delta is not installed (x86_64 Linux wheels only)")
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"LOAD '{Path(str(folder)) / 'delta.duckdb_extension'}'")
    return con


def test_resyncing_an_unchanged_lake_writes_no_version(small_lake) -> None:
    lake, folder = small_lake
    sync_lake(lake)
    before = _versions(lake)
    assert all(s.version is None for s in sync_lake(lake))
    assert not load_folder(lake, folder, "run-2")  # a re-run that finds nothing new
    assert delta_sync_failures(lake) == []
    assert _versions(lake) == before


def test_a_superseding_run_removes_the_old_versions_from_the_log(small_lake) -> None:
    lake, folder = small_lake
    sync_lake(lake)
    old = view_rows(lake, "articles")
    _change_one_source(folder)
    assert load_folder(lake, folder, "run-2")  # committed, old version's files cleaned up: not synced yet
    # Until the sync the log still reads the lake as it was, though the clean-up deleted or
    # replaced the files it named: it names hard links, which keep those bytes.
    assert delta_rows(lake, "articles") == old
    synced = {s.table: s for s in sync_lake(lake)}
    # run-2's file in, run-1's file (it held the old version and two others) out, its rewrite in
    assert (synced["articles"].version, synced["articles"].added, synced["articles"].removed) == (1, 2, 1)
    _assert_delta_equals_views(lake)
    assert len(view_rows(lake, "articles")) == len(old)  # a new version, not a new article
    for table in TABLES:  # no link is left that the log does not list
        links = lake.table_dir(table) / DELTA_FILES
        listed = {Path(p).name for p in deltalake.DeltaTable(str(lake.table_dir(table))).file_uris()}
        assert ({p.name for p in links.iterdir()} if links.exists() else set()) == listed


def test_a_crashed_runs_files_never_enter_the_log_and_recovery_changes_nothing(small_lake) -> None:
    lake, _ = small_lake
    sync_lake(lake)
    before = _versions(lake)
    # A crashed run's file: in the table folder, no runs row.
    data = pq.read_table(lake.files("articles")[0])
    column = data.schema.get_field_index("run_id")
    data = data.set_column(column, "run_id", pa.array(["run-9"] * data.num_rows, pa.string()))
    orphan = lake.table_dir("articles") / "run-9-b00000.parquet"
    write_parquet_atomic(data, orphan, staging=lake.staging_dir("run-9"), table="articles")
    assert all(s.version is None for s in sync_lake(lake))  # uncommitted: not in the log
    assert lake.recover() and not orphan.exists()
    assert all(s.version is None for s in sync_lake(lake))
    assert _versions(lake) == before
    _assert_delta_equals_views(lake)


def test_a_sync_left_half_done_is_caught_up(small_lake) -> None:
    lake, folder = small_lake
    sync_lake(lake)
    _change_one_source(folder)
    assert load_folder(lake, folder, "run-2")
    # A crash inside a sync: a link made, the commit not written.
    stray = lake.table_dir("articles") / DELTA_FILES / "stray.1.parquet"
    with contextlib.suppress(FileExistsError):
        stray.hardlink_to(lake.files("articles")[0])
    assert delta_sync_failures(lake) == []
    assert not stray.exists()
    _assert_delta_equals_views(lake)


def test_a_failed_sync_is_reported_and_leaves_the_log_readable(small_lake, monkeypatch) -> None:
    import docclean.warehouse.delta as delta

    lake, folder = small_lake
    sync_lake(lake)
    old = delta_rows(lake, "articles")

    def refuse(*_args, **_kwargs) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(delta, "new_table", refuse)
    _change_one_source(folder)
    assert load_folder(lake, folder, "run-2")
    failures = delta_sync_failures(lake)
    assert any(f.startswith("articles: OSError") and "No space left" in f for f in failures)
    assert delta_rows(lake, "articles") == old
    monkeypatch.undo()
    assert delta_sync_failures(lake) == []
    _assert_delta_equals_views(lake)


def test_without_hard_links_the_log_names_copies_and_reads_the_same(small_lake, monkeypatch) -> None:
    import docclean.warehouse.delta as delta

    def no_links(*_args, **_kwargs) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")  # as on some network and FUSE mounts

    monkeypatch.setattr(delta.os, "link", no_links)
    lake, folder = small_lake
    sync_lake(lake)
    _change_one_source(folder)
    assert load_folder(lake, folder, "run-2")
    assert {s.table: s.version for s in sync_lake(lake)}["articles"] == 1
    for table in COMPARED:
        assert delta_rows(lake, table) == view_rows(lake, table), table
    listed = [Path(p) for p in deltalake.DeltaTable(str(lake.table_dir("articles"))).file_uris()]
    assert listed and all(p.stat().st_nlink == 1 for p in listed)  # copies, not links
    assert all(s.version is None for s in sync_lake(lake))  # the copies are known again: nothing to do
