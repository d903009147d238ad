from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pyarrow.parquet as pq
from docclean.warehouse.lake import Lake, LakeBusyError, rows_to_table, write_parquet_atomic


def _reject_rows(run_id: str, n: int) -> list[dict]:
    from datetime import datetime

    return [
        {
            "doc_id": f"{run_id}-{i}",
            "source_id": "s",
            "source_uri": f"file:///{i}",
            "input_format": "text",
            "reason": "empty",
            "detail": "d",
            "raw_hash": None,
            "run_id": run_id,
            "rejected_at": datetime(2024, 1, 1),
        }
        for i in range(n)
    ]


def _runs_row(run_id: str):
    from datetime import datetime

    row = {
        "run_id": run_id,
        "flow_run_id": None,
        "started_at": datetime(2024, 1, 1),
        "finished_at": datetime(2024, 1, 1),
        "inputs": [],
        "config_json": "{}",
        "config_fingerprint": "f",
        "ruleset_version": "v",
        "ruleset_fingerprint": "f",
        "docclean_version": "0",
        "n_documents": 0,
        "n_skipped": 0,
        "n_articles": 0,
        "n_rejects": 0,
        "n_removals": 0,
        "n_duplicates": 0,
        "n_variants": 0,
        "summary_json": "{}",
    }
    return rows_to_table([row], "runs")


def test_atomic_write_leaves_only_the_final_file_and_records_the_schema_version(tmp_path: Path) -> None:
    target = tmp_path / "rejects" / "x.parquet"
    write_parquet_atomic(
        rows_to_table(_reject_rows("r", 3), "rejects"), target, staging=tmp_path / "stage", table="rejects"
    )
    assert [p.name for p in target.parent.iterdir()] == ["x.parquet"]
    assert list((tmp_path / "stage").iterdir()) == []
    meta = pq.read_schema(target).metadata
    assert meta[b"docclean.table"] == b"rejects"
    assert meta[b"docclean.schema_version"] == b"1"


def test_commit_makes_a_run_visible_and_recover_deletes_uncommitted_files(tmp_path: Path) -> None:
    lake = Lake.at(tmp_path / "lake")
    lake.create()
    staged = lake.staging_dir("run1") / "rejects" / "b00000.parquet"
    write_parquet_atomic(
        rows_to_table(_reject_rows("run1", 2), "rejects"),
        staged,
        staging=lake.staging_dir("run1") / "tmp",
        table="rejects",
    )
    lake.commit("run1", {"rejects": [staged]}, _runs_row("run1"))
    assert lake.read_column("rejects", "doc_id") == ["run1-0", "run1-1"]

    # A crashed run: its table file is in place, but no runs row was written.
    orphan = lake.table_dir("rejects") / "run2-b00000.parquet"
    write_parquet_atomic(
        rows_to_table(_reject_rows("run2", 1), "rejects"),
        orphan,
        staging=lake.staging_dir("run2"),
        table="rejects",
    )
    assert lake.read_column("rejects", "doc_id") == ["run1-0", "run1-1"]  # invisible while uncommitted
    removed = lake.recover()
    assert orphan in removed and not orphan.exists()
    assert not (lake.root / "_staging" / "run2").exists()
    assert lake.read_column("rejects", "doc_id") == ["run1-0", "run1-1"]


def _try_lock(root: str, queue) -> None:
    try:
        with Lake.at(root).writer_lock():
            queue.put("locked")
    except LakeBusyError as exc:
        queue.put(str(exc))


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    lake = Lake.at(tmp_path / "lake")
    queue = multiprocessing.get_context("spawn").Queue()
    with lake.writer_lock():
        proc = multiprocessing.get_context("spawn").Process(target=_try_lock, args=(str(lake.root), queue))
        proc.start()
        proc.join(60)
        message = queue.get(timeout=5)
    assert "another docclean run is writing" in message and "pid" in message
    with lake.writer_lock():  # released: the lock can be taken again
        pass


def test_the_lock_is_reentrant_in_one_context_only(tmp_path: Path) -> None:
    lake = Lake.at(tmp_path / "lake")
    seen: list[str] = []

    def other_thread() -> None:
        try:
            with lake.writer_lock():
                seen.append("locked")
        except LakeBusyError:
            seen.append("busy")

    with lake.writer_lock(), lake.writer_lock():  # the CLI, then the flow it calls: no deadlock
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join(30)
    assert seen == ["busy"]
    with lake.writer_lock():  # released by the outer block
        pass


def _profile_rows(run_id: str, sites: dict[str, list[str]]) -> list[dict]:
    return [
        {"site": site, "n_docs": 5, "key": key, "doc_freq": 5, "run_id": run_id}
        for site, keys in sites.items()
        for key in keys
    ]


def test_a_sites_profile_is_the_latest_runs_and_older_rows_of_it_are_dropped(tmp_path: Path) -> None:
    lake = Lake.at(tmp_path / "lake")
    lake.create()
    runs = {"r1": {"a.example": ["menu", "footer"], "b.example": ["home"]}, "r2": {"a.example": ["new menu"]}}
    for run_id, sites in runs.items():
        staged = lake.staging_dir(run_id) / "site_profiles" / "b00000.parquet"
        rows = rows_to_table(_profile_rows(run_id, sites), "site_profiles")
        write_parquet_atomic(rows, staged, staging=lake.staging_dir(run_id) / "tmp", table="site_profiles")
        lake.commit(run_id, {"site_profiles": [staged]}, _runs_row(run_id))
    current = [(r["site"], r["key"], r["run_id"]) for r in lake.site_profile_rows().to_pylist()]
    expected = [("b.example", "home", "r1"), ("a.example", "new menu", "r2")]
    assert sorted(current) == sorted(expected)

    lake.drop_stale_site_rows()  # r1's file keeps b.example's row only
    stored = lake.read_table("site_profiles", ["site", "key", "run_id"], committed_only=False).to_pylist()
    assert sorted((r["site"], r["key"], r["run_id"]) for r in stored) == sorted(expected)
    assert len(lake.files("site_profiles")) == 2
