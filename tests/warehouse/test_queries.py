from __future__ import annotations

import pytest
from docclean.warehouse.catalog import QueryError, run_checks, run_query, saved_queries
from docclean.warehouse.search import search_articles


def test_every_saved_query_runs_and_has_a_description(small_lake) -> None:
    lake, _ = small_lake
    queries = saved_queries()
    assert {"articles_per_site_day", "top_authors", "duplicate_clusters", "removals_by_rule", "rejects", "runs"} <= set(
        queries
    )
    for name, (description, sql) in queries.items():
        assert description, name
        run_query(lake, sql)


def test_saved_queries_answer_about_the_lake(small_lake) -> None:
    lake, _ = small_lake
    queries = saved_queries()
    assert run_query(lake, queries["top_authors"][1]).rows == [("Jane Doe", 1, "(unknown)")]
    clusters = run_query(lake, queries["duplicate_clusters"][1])
    assert [row[1:3] for row in clusters.rows] == [(2, "Harbour Reopens After Storm")]
    assert set(run_checks(lake).values()) == {0}


def test_search_ranks_matching_articles_once_per_cluster(small_lake) -> None:
    lake, _ = small_lake
    result = search_articles(lake, "fishing boats harbour")
    titles = [row[2] for row in result.rows]
    assert titles == ["Harbour Reopens After Storm"]
    assert search_articles(lake, "budget libraries").rows[0][2] == "Council Passes Budget"
    assert search_articles(lake, "zebra").rows == []
    with pytest.raises(QueryError, match="words"):
        search_articles(lake, "  ")


def test_search_index_is_rebuilt_after_a_new_run(small_lake, tmp_path) -> None:
    from tests.warehouse.conftest import load_folder

    lake, _ = small_lake
    assert search_articles(lake, "volcano").rows == []
    more = tmp_path / "more"
    more.mkdir()
    (more / "volcano.txt").write_text("Volcano Erupts\n\nThe volcano erupted at dawn, covering the valley in ash.\n")
    load_folder(lake, more, "run-2")
    assert [row[2] for row in search_articles(lake, "volcano ash").rows] == ["Volcano Erupts"]


def test_runs_summary_reports_each_run(small_lake) -> None:
    lake, _ = small_lake
    rows = run_query(lake, "SELECT run_id, n_articles, n_duplicates, removals_by_rule FROM runs_summary").rows
    assert len(rows) == 1
    run_id, n_articles, n_duplicates, by_rule = rows[0]
    assert (run_id, n_articles, n_duplicates) == ("run-1", 3, 1)
    assert '"byline":2' in by_rule.replace(" ", "")


def test_files_from_an_older_schema_read_new_columns_as_null_and_old_catalogs_are_rebuilt(small_lake) -> None:
    import duckdb
    import pyarrow.parquet as pq

    lake, _ = small_lake
    for path in lake.files("articles"):  # as written before dup_similarity existed
        table = pq.read_table(path)
        pq.write_table(table.drop_columns(["dup_similarity"]), path)
    con = duckdb.connect(str(lake.catalog_path))  # a catalog from an older docclean
    con.execute("DROP VIEW articles")
    con.execute("UPDATE catalog_info SET definition = 'old'")
    con.close()
    rows = run_query(lake, "SELECT count(*), count(dup_similarity) FROM articles").rows
    assert rows == [(3, 0)]


def test_a_changed_input_replaces_its_old_version_in_views_and_files(small_lake) -> None:
    import pyarrow.dataset as ds

    from tests.warehouse.conftest import load_folder

    lake, folder = small_lake
    (folder / "budget.md").write_text(
        "# Council Passes Budget\n\nThe council passed the annual budget after a short debate about parks.\n"
    )
    assert load_folder(lake, folder, "run-2")
    rows = run_query(lake, "SELECT text, run_id FROM articles WHERE source_uri LIKE '%budget.md'").rows
    assert rows == [("The council passed the annual budget after a short debate about parks.", "run-2")]
    assert run_query(lake, "SELECT count(*) FROM articles").rows == [(3,)]
    for table in ("articles", "sources", "minhash"):
        assert ds.dataset(str(lake.table_dir(table)), format="parquet").count_rows() == 3, table
    assert set(run_checks(lake).values()) == {0}
