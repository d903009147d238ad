"""`docclean export` and `query --format jsonl`: streamed, selectable, incremental."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from docclean.flows.cli import app
from docclean.warehouse import export
from docclean.warehouse.catalog import run_query
from docclean.warehouse.lake import Lake
from typer.testing import CliRunner

pytestmark = pytest.mark.flow


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def _unique_ids(lake: Path) -> set[str]:
    return {r[0] for r in run_query(Lake.at(lake), "SELECT doc_id FROM articles_unique").rows}


def test_jsonl_export_is_the_unique_articles(two_runs, tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    result = _cli("export", str(out), "--lake", str(two_runs.lake))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["doc_id"] for r in rows} == _unique_ids(two_runs.lake)
    assert len(rows) == 4
    titles = {r["title"] for r in rows}
    assert {"Rivers rise after storm", "China Boasts of Closer Ties With Russia After Envoy's Moscow Visit"} <= titles
    seed = next(r for r in rows if r["authors"] == ["Angeline Tan"])
    assert seed["published_at"] == "2023-02-07T00:00:00" and "Written by" not in seed["text"]
    assert "exported 4 rows" in result.output


def test_parquet_and_datasets_folder(two_runs, tmp_path: Path) -> None:
    assert _cli("export", str(tmp_path / "a.parquet"), "--lake", str(two_runs.lake)).exit_code == 0
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.num_rows == 4 and {"doc_id", "text", "title", "authors", "run_id"} <= set(table.column_names)

    folder = tmp_path / "hf"
    assert _cli("export", str(folder), "--format", "hf", "--lake", str(two_runs.lake)).exit_code == 0
    card = (folder / "README.md").read_text()
    assert card.startswith("---\nconfigs:") and "path: data/train-*.parquet" in card and "`text`" in card
    shards = sorted((folder / "data").glob("train-*.parquet"))
    assert [p.name for p in shards] == ["train-00000.parquet"]
    assert pq.read_table(shards[0]).num_rows == 4


def test_since_run_exports_only_later_runs(two_runs, tmp_path: Path) -> None:
    out = tmp_path / "new.jsonl"
    result = _cli("export", str(out), "--since-run", two_runs.first.run_id, "--lake", str(two_runs.lake))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["title"] for r in rows} == {"Rivers rise after storm", "Old bridge reopens"}
    assert {r["run_id"] for r in rows} == {two_runs.second.run_id}
    nothing = tmp_path / "none.jsonl"
    assert (
        _cli("export", str(nothing), "--since-run", two_runs.second.run_id, "--lake", str(two_runs.lake)).exit_code == 0
    )
    assert nothing.read_text() == ""
    unknown = _cli("export", str(tmp_path / "x.jsonl"), "--since-run", "nope", "--lake", str(two_runs.lake))
    assert unknown.exit_code == 1 and "no committed run 'nope'" in unknown.output


def test_sql_selection_and_only_selects(two_runs, tmp_path: Path) -> None:
    out = tmp_path / "sel.parquet"
    sql = "SELECT doc_id, title FROM articles WHERE site = 'example.org'"
    assert _cli("export", str(out), "--sql", sql, "--lake", str(two_runs.lake)).exit_code == 0
    table = pq.read_table(out)
    assert table.column_names == ["doc_id", "title"] and table.num_rows == 2
    refused = _cli(
        "export", str(tmp_path / "y.jsonl"), "--sql", "COPY articles TO 'x.csv'", "--lake", str(two_runs.lake)
    )
    assert refused.exit_code == 1 and "one SELECT" in refused.output


def test_rows_stream_in_batches(two_runs, monkeypatch: pytest.MonkeyPatch) -> None:
    """One batch in memory at a time: with 1-row batches, four batches for four rows."""
    monkeypatch.setattr(export, "BATCH_ROWS", 1)
    selection = export.record_batches(Lake.at(two_runs.lake))
    sizes = [batch.num_rows for batch in selection.batches]
    assert sizes == [1, 1, 1, 1]


def test_query_format_jsonl_streams_one_object_a_line(two_runs) -> None:
    result = _cli(
        "query",
        "select title, published_at from articles_unique order by title",
        "--format",
        "jsonl",
        "--lake",
        str(two_runs.lake),
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4 and set(rows[0]) == {"title", "published_at"}
    assert {"title": "Old bridge reopens", "published_at": None} in rows


def test_gzip_jsonl_by_suffix_and_no_partial_file_left(two_runs, tmp_path: Path) -> None:
    import gzip

    out = tmp_path / "out" / "articles.jsonl.gz"
    assert _cli("export", str(out), "--lake", str(two_runs.lake)).exit_code == 0
    assert len(gzip.decompress(out.read_bytes()).decode().splitlines()) == 4
    assert [p.name for p in out.parent.iterdir()] == ["articles.jsonl.gz"]
    bad = "SELECT CAST(title AS INTEGER) AS x FROM articles"  # fails while rows stream
    failed = _cli("export", str(tmp_path / "bad.parquet"), "--sql", bad, "--lake", str(two_runs.lake))
    assert failed.exit_code == 1 and "Conversion Error" in failed.output, failed.output
    assert not list(tmp_path.glob("*bad*"))
