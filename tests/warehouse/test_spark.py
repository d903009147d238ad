"""Spark reads the lake: a local pyspark session gets, table by table, the rows docclean's views
show, pandas and polars read through `deltalake`, and DuckDB's `delta_scan` returns.

delta-spark's jars come from Maven, which this machine cannot reach, so Spark reads the files each
table's Delta log lists (`DeltaTable.file_uris()`, no docclean code): where delta-spark is installed,
`spark.read.format("delta").load(folder)` reads the same log. Reading the folder as plain Parquet
would not do: a running or crashed run's files sit there until they are committed or removed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from docclean.warehouse.delta import sync_lake
from docclean.warehouse.lake import Lake, write_parquet_atomic
from docclean.warehouse.schemas import TABLES

from tests.warehouse.conftest import delta_rows, load_folder, view_rows

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -c constraints.txt -e '.[test]'")
deltalake = pytest.importorskip("deltalake")
COMPARED = ("articles", "removals", "rejects", "sources", "runs")


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.skip("Spark needs a Java runtime (17 or later): apt-get install openjdk-17-jre-headless")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("docclean-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


def _plain(value: object) -> object:
    """A Spark value as pyarrow's `to_pylist` gives it: Rows as dicts, lists of them too."""
    if isinstance(value, pyspark.sql.Row):
        return {k: _plain(v) for k, v in value.asDict().items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def spark_rows(session: object, lake: Lake, table: str) -> list[tuple]:
    """A table's rows as Spark reads the files its Delta log lists, in the schema's column order, sorted."""
    files = deltalake.DeltaTable(str(lake.table_dir(table))).file_uris()
    if not files:  # Spark cannot read no files: it has no schema to give them
        return []
    frame = session.read.parquet(*files).select(*TABLES[table].names)  # type: ignore[attr-defined]
    return sorted((tuple(_plain(v) for v in row) for row in frame.collect()), key=repr)


def _orphan(lake: Lake) -> Path:
    """A crashed run's file in the articles folder: no runs row, so no view or log shows it."""
    data = pq.read_table(lake.files("articles")[0])
    data = data.set_column(data.schema.get_field_index("run_id"), "run_id", pa.array(["run-9"] * data.num_rows))
    path = lake.table_dir("articles") / "run-9-b00000.parquet"
    return write_parquet_atomic(data, path, staging=lake.staging_dir("run-9"), table="articles")


def test_spark_reads_the_current_rows_pandas_polars_and_the_views_see(small_lake, spark) -> None:
    import polars as pl

    lake, folder = small_lake
    (folder / "budget.md").write_text("# Council Passes Budget\n\nThe council passed the budget after a long debate.\n")
    assert load_folder(lake, folder, "run-2")  # a new version of one source replaces the old one
    sync_lake(lake)
    orphan = _orphan(lake)
    assert all(view_rows(lake, table) for table in ("articles", "removals", "sources", "runs"))
    for table in COMPARED:
        expected = view_rows(lake, table)
        assert spark_rows(spark, lake, table) == expected == delta_rows(lake, table), table
    articles = str(lake.table_dir("articles"))
    by_engine = {
        "spark": spark_rows(spark, lake, "articles"),
        "pandas": deltalake.DeltaTable(articles).to_pandas()["doc_id"].tolist(),
        "polars": pl.read_delta(articles)["doc_id"].to_list(),
    }
    doc_ids = sorted(row[TABLES["articles"].names.index("doc_id")] for row in by_engine["spark"])
    assert doc_ids == sorted(by_engine["pandas"]) == sorted(by_engine["polars"])
    # The folder read as plain Parquet would also show the crashed run's rows: the log does not.
    assert spark.read.parquet(articles).count() > len(doc_ids) and orphan.exists()  # type: ignore[attr-defined]
