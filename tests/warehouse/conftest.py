"""A small lake built with the plain batch and load functions (no Prefect), for warehouse tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from docclean.flows.inputs import discover_files
from docclean.flows.readers import Limits, sources_from_files
from docclean.flows.results import BatchOptions, Discovered, RunCounts, RunInfo, now_utc
from docclean.flows.stages.clean import process_batch
from docclean.flows.stages.commit import commit_run, runs_row, staged_tables
from docclean.flows.stages.common_paragraphs import remove_common
from docclean.flows.stages.dedup import mark_duplicates
from docclean.transforms.ruleset import default_ruleset
from docclean.warehouse.catalog import run_query
from docclean.warehouse.lake import Lake
from docclean.warehouse.schemas import TABLES

ARTICLES = {
    "harbour.txt": "Harbour Reopens After Storm\n\nBy Jane Doe\n\nThe harbour reopened on Monday after the storm "
    "passed. Fishing boats returned to the quay by noon.\n",
    "harbour_copy.txt": "Harbour Reopens After Storm\n\nBy Jane Doe\n\nThe harbour reopened on Monday after the "
    "storm passed. Fishing boats returned to the quay by noon.\n",
    "budget.md": "# Council Passes Budget\n\nThe council passed the annual budget after a long debate about "
    "libraries and parks.\n",
}


def load_folder(lake: Lake, folder: Path, run_id: str) -> bool:
    """One run over `folder`, as the flow does it, minus Prefect."""
    with lake.writer_lock():
        lake.create()
        lake.recover()
        known = set(lake.read_column("articles", "doc_id") + lake.read_column("rejects", "doc_id"))
        staging = lake.staging_dir(run_id)
        result = process_batch(
            0, sources_from_files(discover_files([str(folder)]), Limits()), known, BatchOptions(run_id, str(staging))
        )
        batches = [result]
        duplicates = mark_duplicates(lake, run_id, batches)
        final = remove_common(lake, run_id, batches, duplicates, default_ruleset(), reprocess=False)
        run = RunInfo(run_id, None, now_utc(), {})
        discovered = Discovered([], None, inputs=[str(folder)])
        row = runs_row(run, discovered, RunCounts.of(final.batches), duplicates.counts, now_utc())
        return commit_run(lake, run, staged_tables(discovered, None, batches, final), row)


@pytest.fixture
def small_lake(tmp_path: Path) -> tuple[Lake, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text)
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    return lake, folder


def view_rows(lake: Lake, table: str) -> list[tuple]:
    """A table's rows as docclean's catalog view returns them, sorted."""
    return sorted(run_query(lake, f"SELECT * FROM {table}").rows, key=repr)


def delta_rows(lake: Lake, table: str) -> list[tuple]:
    """A table's rows as `deltalake` reads its folder's Delta log (no docclean code), sorted."""
    from deltalake import DeltaTable

    data = DeltaTable(str(lake.table_dir(table))).to_pyarrow_table()
    return sorted(zip(*(data[c].to_pylist() for c in TABLES[table].names), strict=True), key=repr)
