"""A small lake built with the plain batch and load functions (no Prefect), for warehouse tests."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from flows.inputs import discover_files
from flows.load import commit_run, mark_duplicates
from flows.readers import Limits, sources_from_files
from flows.results import BatchOptions, now_utc
from flows.stages.clean import process_batch
from transforms.ruleset import default_ruleset
from warehouse.lake import Lake

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
        batches = [asdict(result)]
        staged = {t: [b["files"][t] for b in batches if t in b["files"]] for t in ("articles", "minhash")}
        duplicates = mark_duplicates(lake, staged["articles"], staged["minhash"])
        return commit_run(
            lake,
            run_id=run_id,
            flow_run_id=None,
            started_at=now_utc(),
            finished_at=now_utc(),
            inputs=[str(folder)],
            config={},
            ruleset=default_ruleset(),
            batches=batches,
            duplicates=duplicates,
        )


@pytest.fixture
def small_lake(tmp_path: Path) -> tuple[Lake, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text)
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    return lake, folder
