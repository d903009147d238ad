from __future__ import annotations

from pathlib import Path

import pytest
from docclean.warehouse.catalog import QueryError, build_catalog, run_query
from docclean.warehouse.lake import Lake
from docclean.warehouse.schemas import TABLES


def test_an_empty_lake_has_typed_empty_views(tmp_path: Path) -> None:
    lake = Lake.at(tmp_path)
    lake.create()
    build_catalog(lake)
    for table, schema in TABLES.items():
        result = run_query(lake, f"SELECT * FROM {table}")
        assert result.rows == []
        if table != "paragraph_counts":  # a view that sums over runs
            assert result.columns == schema.names
    for view in ("removals_by_rule", "rejects_by_reason", "runs_summary", "articles_unique", "current_documents"):
        assert run_query(lake, f"SELECT * FROM {view}").rows == []


@pytest.mark.parametrize(
    "sql",
    [
        "DROP VIEW articles",
        "CREATE TABLE x AS SELECT 1",
        "COPY (SELECT 1) TO '/tmp/docclean-should-not-exist.csv'",
        "SELECT 1; DELETE FROM articles",
        "ATTACH '/tmp/other.duckdb' AS other",
    ],
)
def test_query_only_reads(tmp_path: Path, sql: str) -> None:
    lake = Lake.at(tmp_path)
    build_catalog(lake)
    with pytest.raises(QueryError, match="only reads"):
        run_query(lake, sql)
    assert not Path("/tmp/docclean-should-not-exist.csv").exists()


def test_query_errors_are_reported_not_raised_raw(tmp_path: Path) -> None:
    lake = Lake.at(tmp_path)
    build_catalog(lake)
    with pytest.raises(QueryError, match="nope"):
        run_query(lake, "SELECT * FROM nope")


def test_missing_catalog_says_to_run_first(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="docclean run"):
        run_query(Lake.at(tmp_path / "none"), "SELECT 1")


def test_a_file_that_goes_away_while_read_says_to_run_again(tmp_path: Path) -> None:
    import duckdb
    import pyarrow.parquet as pq
    from docclean.warehouse.catalog import connect_readonly, explained

    lake = Lake.at(tmp_path)
    lake.create()
    build_catalog(lake)
    file = lake.table_dir("runs") / "r.parquet"
    pq.write_table(TABLES["runs"].empty_table(), file)
    con = connect_readonly(lake)  # lists the file ...
    file.unlink()  # ... which a run replaces before the query reads it
    with pytest.raises(duckdb.Error) as caught:
        con.sql("SELECT count(*) FROM runs").fetchall()
    con.close()
    assert explained(caught.value).startswith("a file of the lake went away while it was read")
