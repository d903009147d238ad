"""Publishing the lake's tables as Delta tables to another place (here a folder; object storage in
tests/flows/test_publish.py): readers there get the views' rows, every publish is one version per
changed table, and a publish stopped halfway leaves the target readable and is finished by the next."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from docclean.warehouse.delta import DELTA_FILES
from docclean.warehouse.lake import Lake, write_parquet_atomic
from docclean.warehouse.publish import PublishConflict, PublishTarget, publish_lake, publish_table, published_versions
from docclean.warehouse.schemas import TABLES

from tests.warehouse.conftest import load_folder, view_rows

deltalake = pytest.importorskip("deltalake")
COMPARED = ("articles", "removals", "rejects", "sources", "runs")


def _target(folder: Path) -> PublishTarget:
    from pyarrow import fs

    return PublishTarget(str(folder), fs.LocalFileSystem(), str(folder))


def _published_rows(target: Path, table: str) -> list[tuple]:
    data = deltalake.DeltaTable(str(target / table)).to_pyarrow_table()
    return sorted(zip(*(data[c].to_pylist() for c in TABLES[table].names), strict=True), key=repr)


def _assert_published(lake: Lake, target: Path) -> None:
    """Every table reads at the target as the lake's views, and holds no file its log does not list."""
    for table in COMPARED:
        assert _published_rows(target, table) == view_rows(lake, table), table
    for table in TABLES:
        listed = {Path(p).name for p in deltalake.DeltaTable(str(target / table)).file_uris()}
        files = target / table / DELTA_FILES
        assert ({p.name for p in files.iterdir()} if files.exists() else set()) == listed, table


def _change_one_source(folder: Path) -> None:
    (folder / "budget.md").write_text(
        "# Council Passes Budget\n\nThe council passed the annual budget after a long debate about "
        "libraries, parks and the new swimming pool.\n"
    )


def test_a_published_lake_reads_like_its_views_and_republishing_changes_nothing(small_lake, tmp_path) -> None:
    lake, _ = small_lake
    target = tmp_path / "published"
    first = publish_lake(lake, _target(target))
    assert {t.table: (t.version, t.committed) for t in first} == dict.fromkeys(TABLES, (0, True))
    assert sum(t.uploaded for t in first) == sum(len(lake.files(t)) for t in TABLES)
    _assert_published(lake, target)
    again = publish_lake(lake, _target(target))
    assert [(t.version, t.committed, t.uploaded, t.deleted) for t in again] == [(0, False, 0, 0)] * len(TABLES)


def test_a_writer_that_committed_after_the_versions_were_read_is_never_overwritten(small_lake, tmp_path) -> None:
    lake, folder = small_lake
    target = _target(tmp_path / "published")
    publish_lake(lake, target)
    seen = published_versions(target)
    _change_one_source(folder)
    assert load_folder(lake, folder, "run-2")
    publish_lake(lake, target, expected=seen)  # still at the versions it read: publishes
    moved = published_versions(target)
    assert moved["articles"] == seen["articles"] + 1
    with pytest.raises(PublishConflict, match="another writer"):
        publish_lake(lake, target, expected=seen)  # checked before anything is written
    with pytest.raises(PublishConflict, match="another writer"):
        publish_table(lake, target, "articles", expected=seen)  # and again as each table is opened
    assert published_versions(target) == moved


def test_a_new_version_of_a_document_is_one_version_that_replaces_its_files(small_lake, tmp_path) -> None:
    lake, folder = small_lake
    target = tmp_path / "published"
    publish_lake(lake, _target(target))
    articles_before = len(view_rows(lake, "articles"))
    _change_one_source(folder)
    assert load_folder(lake, folder, "run-2")
    second = {t.table: t for t in publish_lake(lake, _target(target))}
    # run-2's file in; run-1's file, rewritten without the old version, replaced
    assert (second["articles"].version, second["articles"].uploaded, second["articles"].deleted) == (1, 2, 1)
    assert second["minhash"].committed and not second["site_profiles"].committed
    _assert_published(lake, target)
    assert len(_published_rows(target, "articles")) == articles_before  # a new version, not a new article


def test_a_publish_stopped_after_its_uploads_leaves_the_target_as_it_was(small_lake, tmp_path, monkeypatch) -> None:
    import docclean.warehouse.publish as publish

    lake, folder = small_lake
    target = tmp_path / "published"
    publish_lake(lake, _target(target))
    before = {table: _published_rows(target, table) for table in COMPARED}
    _change_one_source(folder)
    assert load_folder(lake, folder, "run-2")

    def stop(point: str) -> None:
        if point == "publishing":
            raise OSError("connection reset")  # as a dropped connection, or a kill, between upload and commit

    monkeypatch.setattr(publish, "crash_point", stop)
    with pytest.raises(OSError, match="connection reset"):
        publish_lake(lake, _target(target))
    assert {table: _published_rows(target, table) for table in COMPARED} == before  # uploads listed by no version
    monkeypatch.undo()
    publish_lake(lake, _target(target))
    _assert_published(lake, target)


def test_an_uncommitted_runs_files_are_not_published(small_lake, tmp_path) -> None:
    lake, _ = small_lake
    data = pq.read_table(lake.files("articles")[0])
    column = data.schema.get_field_index("run_id")
    data = data.set_column(column, "run_id", pa.array(["run-9"] * data.num_rows, pa.string()))
    write_parquet_atomic(
        data, lake.table_dir("articles") / "run-9-b00000.parquet", staging=lake.staging_dir("run-9"), table="articles"
    )
    target = tmp_path / "published"
    publish_lake(lake, _target(target))
    assert not any("run-9" in p.name for p in (target / "articles" / DELTA_FILES).iterdir())
    _assert_published(lake, target)


def test_a_file_replaced_in_the_lake_is_published_under_a_new_name_and_a_copied_lake_is_known(
    small_lake, tmp_path
) -> None:
    lake, _ = small_lake
    target = tmp_path / "published"
    publish_lake(lake, _target(target))
    lake.files("articles")[0].touch()  # as a replacement does: same name in the lake, new mtime
    result = {t.table: t for t in publish_lake(lake, _target(target))}
    assert (result["articles"].uploaded, result["articles"].deleted) == (1, 1)
    _assert_published(lake, target)
    copy = Lake.at(tmp_path / "copied")
    shutil.copytree(lake.root, copy.root, copy_function=shutil.copy2)  # new inodes, same mtimes
    assert not any(t.committed for t in publish_lake(copy, _target(target)))
