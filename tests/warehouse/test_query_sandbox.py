"""`docclean query` cannot write, read outside the lake, reach the network or change its settings.

Each statement is tried as given and wrapped (EXPLAIN, EXPLAIN ANALYZE, a CTE, a subquery, after
another statement), through `run_query` and straight on the sandboxed connection (past the
statement-type check, to show the sandbox itself refuses); afterwards every file of the lake
has the bytes it had, and nothing was written outside it.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import duckdb
import pytest
from docclean.warehouse.catalog import QueryError, connect_readonly, run_query, saved_queries
from docclean.warehouse.lake import Lake
from docclean.warehouse.search import fts_extension_path, search_articles

# Statements that write or reach outside. {lake}: the lake root, {article}: a committed article
# file, {secret}: a file beside the lake, {out}: a path beside the lake that must not appear.
WRITES = [
    "COPY (SELECT 42 AS x) TO '{article}' (FORMAT parquet)",
    "COPY (SELECT 42 AS x) TO '{out}.csv'",
    "COPY articles TO '{lake}/articles/extra.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{lake}/exported'",
    "ATTACH '{lake}/attached.duckdb' AS attached",
    "ATTACH '{out}.duckdb' AS attached",
    "INSTALL fts",
    "INSTALL httpfs FROM 'http://127.0.0.1:9/'",
    "LOAD fts",
    "LOAD '{fts}'",
    "SET enable_external_access = true",
    "SET allowed_directories = ['/']",
    "RESET lock_configuration",
    "PRAGMA enable_profiling = 'json'",
    "SET profiling_output = '{lake}/profile.json'",
    "CREATE PERSISTENT SECRET leak (TYPE s3, KEY_ID 'k', SECRET 's')",
    "CALL read_text('{secret}')",
    "CALL glob('/root/*')",
]
READS = [
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM read_text('/etc/shadow')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM read_json_auto('{secret}')",
    "SELECT * FROM sniff_csv('{secret}')",
    "SELECT * FROM glob('/root/*')",
    "SELECT * FROM glob('{lake}/../*')",
    "SELECT * FROM read_parquet('{lake}/../*.parquet')",
    "SELECT * FROM '{secret}'",
    "SELECT * FROM read_text('{lake}/../secret.txt')",
    "SELECT * FROM read_text('http://127.0.0.1:9/x')",
]


def _wrapped(statement: str) -> list[str]:
    forms = [statement, f"EXPLAIN {statement}", f"EXPLAIN ANALYZE {statement}", f"SELECT 1; {statement}"]
    if statement.startswith("SELECT"):
        forms += [f"WITH t AS ({statement}) SELECT count(*) FROM t", f"SELECT count(*) FROM ({statement})"]
        forms += [f"SELECT (SELECT count(*) FROM ({statement})) AS n"]
    return forms


def _fingerprint(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


@pytest.fixture
def sandbox_lake(small_lake, tmp_path: Path) -> tuple[Lake, dict[str, str]]:
    lake, _ = small_lake
    (tmp_path / "secret.txt").write_text("a,b\n1,2\n")
    names = {
        "lake": str(lake.root),
        "article": str(lake.files("articles")[0]),
        "secret": str(tmp_path / "secret.txt"),
        "out": str(tmp_path / "written"),
        "fts": str(fts_extension_path()),
    }
    return lake, names


@pytest.mark.parametrize("statement", WRITES + READS)
def test_query_refuses_every_write_and_every_read_outside_the_views(sandbox_lake, statement: str) -> None:
    lake, names = sandbox_lake
    before = _fingerprint(lake.root)
    outside = set(Path(names["secret"]).parent.iterdir())
    for sql in _wrapped(statement.format(**names)):
        if sql.startswith("EXPLAIN ") and not sql.startswith("EXPLAIN ANALYZE"):
            # A plan is only shown, not run: DuckDB may refuse to plan it, or show it; either way
            # nothing happens (the fingerprint below), and the same statement run is refused.
            with contextlib.suppress(QueryError):
                run_query(lake, sql)
            continue
        with pytest.raises(QueryError) as refused:
            run_query(lake, sql)
        first_line = str(refused.value).splitlines()[0]
        assert "only reads" in first_line or "cannot parse" in first_line, (sql, first_line)
    assert _fingerprint(lake.root) == before
    assert set(Path(names["secret"]).parent.iterdir()) == outside


@pytest.mark.parametrize("statement", WRITES + READS)
def test_the_sandbox_itself_refuses_what_the_statement_check_lets_through(sandbox_lake, statement: str) -> None:
    """Straight on the connection, with no statement-type check: refused by construction."""
    lake, names = sandbox_lake
    before = _fingerprint(lake.root)
    con = connect_readonly(lake)
    try:
        for sql in (statement.format(**names), "EXPLAIN ANALYZE " + statement.format(**names)):
            with pytest.raises(duckdb.Error):
                con.execute(sql).fetchall()
        # and the settings that make it so are still in force
        assert con.sql("SELECT current_setting('enable_external_access')").fetchall() == [(False,)]
        assert con.sql("SELECT current_setting('lock_configuration')").fetchall() == [(True,)]
    finally:
        con.close()
    assert _fingerprint(lake.root) == before


def test_the_replaced_article_file_of_the_issue_is_untouched(sandbox_lake) -> None:
    lake, names = sandbox_lake
    before = _fingerprint(lake.root)
    sql = "EXPLAIN ANALYZE COPY (SELECT 42) TO '{article}' (FORMAT parquet)".format(**names)
    with pytest.raises(QueryError, match="only reads the lake's views"):
        run_query(lake, sql)
    assert _fingerprint(lake.root) == before
    assert run_query(lake, "SELECT count(*) FROM articles").rows == [(3,)]


def test_reads_still_work_in_the_sandbox(sandbox_lake) -> None:
    lake, _ = sandbox_lake
    for _name, (_description, sql) in saved_queries().items():
        run_query(lake, sql)
    assert run_query(lake, "EXPLAIN SELECT count(*) FROM articles").rows
    assert run_query(lake, "EXPLAIN ANALYZE SELECT count(*) FROM articles").rows
    assert run_query(lake, "WITH a AS (SELECT * FROM articles) SELECT count(*) FROM a").rows == [(3,)]
    assert run_query(lake, "SELECT 1; SELECT count(*) FROM rejects").rows == [(0,)]
    assert run_query(lake, "PRAGMA show_tables").rows
    assert run_query(lake, "DESCRIBE articles").rows
    assert search_articles(lake, "harbour").rows  # the fts extension still loads for `search`
