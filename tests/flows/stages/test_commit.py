"""The commit stage runs the data checks on every commit: a broken staged row fails the run
before anything is committed, and the lake stays as it was."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from docclean.flows import flow as flow_module
from docclean.flows.flow import clean_documents
from docclean.flows.stages.common_paragraphs import remove_common_paragraphs
from docclean.warehouse.catalog import CheckFailed, run_query
from docclean.warehouse.lake import Lake
from prefect import task
from prefect.cache_policies import NO_CACHE

pytestmark = pytest.mark.flow


def _story(i: int) -> str:
    return (
        f"Harbour Report {i}\n\nBy Jane Doe\n\nThe harbour authority published report {i} on Monday. "
        f"Ships waited outside for {i} days. Follow us on Twitter\n"
    )


def _break_text(articles: pa.Table) -> pa.Table:
    texts = articles["text"].to_pylist()
    return articles.set_column(articles.schema.get_field_index("text"), "text", pa.array(["  ", *texts[1:]]))


def _break_offset(removals: pa.Table) -> pa.Table:
    ends = pc.add(removals["end_offset"], 1_000_000)
    return removals.set_column(removals.schema.get_field_index("end_offset"), "end_offset", pc.cast(ends, pa.int32()))


def _lake_state(lake: Lake) -> tuple:
    files = sorted(str(p.relative_to(lake.root)) for p in lake.root.glob("*/*.parquet"))
    rows = run_query(lake, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM runs)").rows
    return files, rows


@pytest.mark.parametrize(
    ("table", "corrupt", "check"),
    [("articles", _break_text, "no_empty_articles"), ("removals", _break_offset, "removal_offsets_inside_document")],
)
def test_a_broken_staged_row_fails_the_run_and_leaves_the_lake_as_it_was(
    tmp_path: Path, monkeypatch, table: str, corrupt, check: str
) -> None:
    inputs, lake = tmp_path / "in", Lake.at(tmp_path / "lake")
    inputs.mkdir()
    (inputs / "a.txt").write_text(_story(1))
    clean_documents(inputs=[str(inputs)], lake=str(lake.root))
    before = _lake_state(lake)

    @task(cache_policy=NO_CACHE)
    def remove_then_corrupt(*args):  # the real stage, then one of its staged files damaged
        final = remove_common_paragraphs.fn(*args)
        path = final.batches[0].files[table]
        pq.write_table(corrupt(pq.read_table(path)), path)
        return final

    monkeypatch.setattr(flow_module, "remove_common_paragraphs", remove_then_corrupt)
    (inputs / "b.txt").write_text(_story(2))
    with pytest.raises(CheckFailed, match=check):
        clean_documents(inputs=[str(inputs)], lake=str(lake.root))
    assert _lake_state(lake) == before
    # The next run (without the damage) commits as if the failed one had never been.
    monkeypatch.undo()
    assert clean_documents(inputs=[str(inputs)], lake=str(lake.root)).counts.n_articles == 1
