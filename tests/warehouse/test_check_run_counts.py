"""The `run_counts_match_views` data check: the newest run's summary must be visible in the views."""

from __future__ import annotations

from pathlib import Path

import duckdb

CHECK = Path(__file__).resolve().parents[2] / "warehouse" / "sql" / "checks" / "run_counts_match_views.sql"


def _failing(documents: list[tuple[str, str, str, str]], n_articles: int, n_rejects: int) -> list[tuple]:
    con = duckdb.connect()
    con.execute("CREATE TABLE runs (run_id VARCHAR, finished_at TIMESTAMP, n_articles BIGINT, n_rejects BIGINT)")
    con.execute(
        "INSERT INTO runs VALUES ('old', '2024-01-01', 5, 5), ('new', '2024-02-01', ?, ?)", [n_articles, n_rejects]
    )
    con.execute("CREATE TABLE current_documents (source_id VARCHAR, doc_id VARCHAR, run_id VARCHAR, kind VARCHAR)")
    if documents:
        con.executemany("INSERT INTO current_documents VALUES (?, ?, ?, ?)", documents)
    return con.sql(CHECK.read_text()).fetchall()


def test_a_run_whose_counted_documents_are_all_visible_passes() -> None:
    docs = [("s1", "d1", "new", "article"), ("s2", "d2", "new", "reject"), ("s0", "d0", "old", "article")]
    assert _failing(docs, 1, 1) == []


def test_two_documents_of_one_source_counted_but_one_shown_fail() -> None:
    # the summary counted two articles of source s1; current_documents can show only one
    assert _failing([("s1", "d1", "new", "article")], 2, 0) == [("new", 2, 0, 1, 0)]


def test_an_older_run_superseded_by_later_versions_is_not_flagged() -> None:
    assert _failing([("s1", "d1", "new", "article")], 1, 0) == []
