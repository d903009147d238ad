"""The DuckDB catalog: a small database file of views over the lake's Parquet files.

Views read `read_parquet(<absolute glob>, union_by_name = true)`, so new files show up without
a refresh and older files written before a column existed still read. The catalog is rebuilt
in a temporary file and renamed into place, and again when it is opened from another folder
than the one it was built for (a moved or copied lake), so it never reads an old location.

`docclean query` (and `explain`, `report`, the checks) do not open it: they get the same views
in a sandbox (`connect_readonly`), an in-memory DuckDB that reads the lake's files through
pyarrow and has no file system, extensions or settings of its own. See `connect_readonly`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
from docclean.warehouse.crash import crash_point
from docclean.warehouse.lake import Lake
from docclean.warehouse.remote_tables import RemoteLake, RemoteReadError
from docclean.warehouse.schemas import TABLES, WRITE_MODES, WriteMode

_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.float32(): "FLOAT",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us"): "TIMESTAMP",
    pa.list_(pa.string()): "VARCHAR[]",
    pa.binary(): "BLOB",
}
_NO_AUTOLOAD = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# Statements `docclean query` accepts: reading, describing, explaining; nothing that writes.
_READ_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA", "SHOW", "DESCRIBE"}


class QueryError(ValueError):
    """A query `docclean query` refuses or DuckDB rejects; the message says what to do."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def _sql_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("docclean.warehouse.sql").joinpath(folder)
    return sorted((p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.name.endswith(".sql"))


def saved_queries() -> dict[str, tuple[str, str]]:
    """Saved queries in `warehouse/queries/`: name -> (first comment line, SQL)."""
    folder = resources.files("docclean.warehouse").joinpath("queries")
    out = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".sql"):
            sql = path.read_text(encoding="utf-8")
            first = sql.splitlines()[0] if sql else ""
            out[path.name.removesuffix(".sql")] = (first.removeprefix("--").strip(), sql)
    return out


def _source(lake: Lake, table: str, staged: Sequence[Path] = ()) -> str:
    """A table's rows with every column of the current schema, in schema order.

    Files written before a column existed read it as NULL (schema evolution); a table with no
    files yet is an empty relation of the right types. Without `staged` files, the table's
    files are a glob, so the catalog's views see new files without a rebuild; with them, the
    committed files and those staged, listed (a candidate lake, for the checks).
    """
    names = ", ".join(f'"{field.name}"' for field in TABLES[table])
    typed_empty = _typed_empty(table)
    paths = [*lake.files(table), *staged]
    if not paths:
        return f"({typed_empty})"
    if staged:
        listed = ", ".join(_quoted(path) for path in paths)
        files = f"SELECT * FROM read_parquet([{listed}], union_by_name = true)"
    else:
        files = f"SELECT * FROM read_parquet({_quoted(lake.table_dir(table) / '*.parquet')}, union_by_name = true)"
    return f"(SELECT {names} FROM ({files} UNION ALL BY NAME ({typed_empty})))"


def _typed_empty(table: str) -> str:
    """A SELECT of no rows with the table's columns and types."""
    columns = ", ".join(f'CAST(NULL AS {_DUCKDB_TYPES[f.type]}) AS "{f.name}"' for f in TABLES[table])
    return f"SELECT {columns} LIMIT 0"


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


# A table's current rows, by its write mode (`warehouse.schemas.WRITE_MODES`): the `{<table>_current}`
# relation its view selects. SUMMED tables need their own SQL (what to add up, by what).
_CURRENT_ROWS = {
    WriteMode.LATEST_PER_SOURCE: "SELECT t.* FROM {source} AS t "
    "SEMI JOIN current_documents AS c ON t.doc_id = c.doc_id AND t.run_id = c.run_id",
    WriteMode.LATEST_PER_SITE: "SELECT t.* FROM {source} AS t JOIN runs AS r USING (run_id) "
    "QUALIFY dense_rank() OVER (PARTITION BY t.site ORDER BY r.finished_at DESC, t.run_id DESC) = 1",
    WriteMode.APPEND: "SELECT t.* FROM {source} AS t SEMI JOIN runs AS r ON t.run_id = r.run_id",
}


def _create_views(con: duckdb.DuckDBPyConnection, sources: Mapping[str, str]) -> None:
    """Every view of `warehouse/sql/views/`, over the given `{<table>_source}` relations."""
    relations = dict(sources)
    for table, mode in WRITE_MODES.items():
        if mode in _CURRENT_ROWS and table != "runs":  # `runs` is what the others are filtered by
            relations[f"{table}_current"] = "(" + _CURRENT_ROWS[mode].format(source=sources[f"{table}_source"]) + ")"
    for _name, sql in _sql_files("views"):
        con.execute(sql.format(**relations))


def build_catalog(lake: Lake) -> Path:
    """(Re)write `<lake>/docclean.duckdb` with every view in `warehouse/sql/views/`, for this root."""
    lake.root.mkdir(parents=True, exist_ok=True)
    tmp = lake.root / f".{lake.catalog_path.name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        _create_views(con, {f"{table}_source": _source(lake, table) for table in TABLES})
        con.execute(
            "CREATE TABLE catalog_info AS SELECT ? AS definition, ? AS root", [catalog_definition(), str(lake.root)]
        )
    finally:
        con.close()
    crash_point("cataloging")
    os.replace(tmp, lake.catalog_path)
    return lake.catalog_path


def catalog_definition() -> str:
    """Fingerprint of the view SQL and schemas this version of docclean writes."""
    digest = hashlib.sha256()
    for name, sql in _sql_files("views"):
        digest.update(name.encode() + sql.encode())
    for table, schema in TABLES.items():
        digest.update(table.encode() + str(schema).encode())
    return digest.hexdigest()[:16]


def _is_current(lake: Lake) -> bool:
    """The catalog exists, was written by this docclean version, and for the folder it is in."""
    try:
        con = duckdb.connect(str(lake.catalog_path), read_only=True, config=_NO_AUTOLOAD)
    except duckdb.Error:
        return False
    try:
        return con.sql("SELECT definition, root FROM catalog_info").fetchall() == [
            (catalog_definition(), str(lake.root))
        ]
    except duckdb.Error:
        return False
    finally:
        con.close()


def refresh_catalog(lake: Lake) -> Path:
    """The lake's catalog, rebuilt first if another docclean version wrote it or the lake has moved.

    Safe beside a running writer (temporary file and rename). Raises OSError or duckdb.Error
    when the lake folder cannot be written.
    """
    if not _is_current(lake):
        build_catalog(lake)
    return lake.catalog_path


# The sandbox's settings, applied in this order once its views exist: no Python variables as
# tables, no file system at all (files, globs, COPY, ATTACH, EXPORT, INSTALL, LOAD, secrets), and
# no way to change any of it back.
_SANDBOX = (
    "SET python_enable_replacements = false",
    "SET python_scan_all_frames = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


def connect_readonly(lake: Lake | RemoteLake) -> duckdb.DuckDBPyConnection:
    """A connection that reads the lake's views and nothing else, whatever SQL it is given.

    An in-memory DuckDB with the catalog's views over the lake's files as pyarrow datasets
    (listed now; `runs` first, so a run committing meanwhile is either whole or absent), then
    `enable_external_access = false` with no allowed folder and `lock_configuration = true`:
    DuckDB itself cannot open any file, not even in the lake (an allowed folder would let
    `COPY ... TO` and `ATTACH` write there), load or install an extension, or undo that. Statements
    that create or drop things act on this connection's memory only and end with it.

    A local lake's catalog file is refreshed on the way (best effort: a read-only lake still
    reads); a lake on object storage (`RemoteLake`) is read in place, its files through pyarrow.
    """
    if isinstance(lake, RemoteLake):
        datasets = _remote_datasets(lake)
        if datasets["runs"] is None:
            raise QueryError(f"no lake at {lake.location}: run `docclean run INPUTS --lake {lake.location}` first")
    else:
        datasets = _local_datasets(lake)
    con = duckdb.connect(config=_NO_AUTOLOAD)
    try:
        sources = {f"{table}_source": _dataset_source(con, table, datasets[table]) for table in TABLES}
        _create_views(con, sources)
        for setting in _SANDBOX:
            con.execute(setting)
    except BaseException:
        con.close()
        raise
    return con


def _remote_datasets(lake: RemoteLake) -> dict[str, ds.Dataset | None]:
    """`RemoteLake.datasets`, a store that fails to answer said as a QueryError."""
    try:
        return lake.datasets()
    except RemoteReadError as exc:
        raise QueryError(str(exc)) from exc


def _local_datasets(lake: Lake) -> dict[str, ds.Dataset | None]:
    """A local lake's committed and uncommitted files per table (`runs` first; None: no files)."""
    if not lake.catalog_path.exists():
        raise QueryError(
            f"no catalog at {lake.catalog_path}: run `docclean run` first, or pass the --lake you ran with"
        )
    with contextlib.suppress(OSError, duckdb.Error):
        refresh_catalog(lake)  # for DuckDB users of the catalog file; the sandbox does not need it
    datasets = {}
    for table in sorted(TABLES, key=lambda t: t != "runs"):
        files = lake.files(table)
        datasets[table] = (
            ds.dataset([str(path) for path in files], format="parquet", schema=TABLES[table]) if files else None
        )
    return datasets


def _dataset_source(con: duckdb.DuckDBPyConnection, table: str, dataset: ds.Dataset | None) -> str:
    """A table's files (a pyarrow dataset in the current schema) registered on `con`, as the
    relation `_CURRENT_ROWS` filters; typed and empty without files."""
    if dataset is None:
        return f"({_typed_empty(table)})"
    name = f"{table}_files"
    con.register(name, dataset)
    names = ", ".join(f'"{field.name}"' for field in TABLES[table])
    return f"(SELECT {names} FROM {name})"


def run_query(lake: Lake | RemoteLake, sql: str, params: list[Any] | None = None) -> QueryResult:
    """Run SQL against the lake's views in the sandbox; the result of the last statement is returned.

    Statements that are not reads are refused up front with a plain message; whatever gets past
    that (`EXPLAIN ANALYZE COPY ...`, a table function over a path) meets the sandbox, which
    cannot reach any file. `params` binds `?` placeholders (single-statement queries only).
    """
    con = connect_readonly(lake)
    try:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryError(f"cannot parse the query: {exc}") from exc
        if not statements:
            raise QueryError("the query is empty")
        for statement in statements:
            kind = statement.type.name
            if kind not in _READ_STATEMENTS:
                raise QueryError(f"`docclean query` only reads; {kind} statements are not allowed")
        result = QueryResult([], [])
        for statement in statements:
            try:
                relation = con.sql(statement.query, params=params) if params else con.sql(statement.query)
                if relation is not None:  # relations are lazy: errors may come with the rows
                    result = QueryResult(list(relation.columns), relation.fetchall())
            except duckdb.Error as exc:
                raise QueryError(explained(exc)) from exc
        return result
    finally:
        con.close()


def explained(exc: Exception) -> str:
    """DuckDB's message, with what the sandbox refused, and files that went away while they were
    read, said in docclean's terms."""
    text = str(exc)
    if "arrow_scan" in text and ("Path does not exist" in text or "No such file" in text):
        return (
            "a file of the lake went away while it was read (a run or a publish replaced it meanwhile): "
            f"run the command again ({text.splitlines()[0][:300]})"
        )
    path_as_table = isinstance(exc, duckdb.CatalogException) and re.search(r"Table with name \S*/", str(exc))
    if isinstance(exc, duckdb.PermissionException) or "configuration has been locked" in str(exc) or path_as_table:
        return (
            f"`docclean query` only reads the lake's views: no other files, extensions or settings (DuckDB said: {exc})"
        )
    return str(exc)


class CheckFailed(RuntimeError):
    """Data checks found rows that break them; nothing was committed."""


def run_checks(lake: Lake) -> dict[str, int]:
    """Run the data checks in `warehouse/sql/checks/`: each returns the rows that break it."""
    con = connect_readonly(lake)
    try:
        return {name: len(rows) for name, rows in _failing_rows(con).items()}
    finally:
        con.close()


def check_candidate(lake: Lake, staged: Mapping[str, Sequence[Path]], runs_row: pa.Table) -> None:
    """Run the data checks on the lake as it would be with a run's staged files committed.

    Reads the committed files and the staged ones in an in-memory database: nothing is written,
    so a run that fails here (or is killed here) leaves the lake as it was. Raises CheckFailed
    naming each broken check with a few of its rows.
    """
    run_id = runs_row["run_id"][0].as_py()
    # A retried commit finds some staged files moved already: they are among the table's files.
    staged = {table: lake.not_yet_moved(table, run_id, list(paths)) for table, paths in staged.items()}
    con = duckdb.connect(config=_NO_AUTOLOAD)
    try:
        con.register("candidate_run", runs_row)
        sources = {f"{table}_source": _source(lake, table, staged.get(table, ())) for table in TABLES}
        sources["runs_source"] = f"({_source(lake, 'runs')} UNION ALL BY NAME (SELECT * FROM candidate_run))"
        _create_views(con, sources)
        failing = {name: rows for name, rows in _failing_rows(con).items() if rows}
    finally:
        con.close()
    if failing:
        detail = "; ".join(f"{name}: {len(rows)} rows, e.g. {rows[:3]}" for name, rows in failing.items())
        raise CheckFailed(f"data checks failed, nothing was committed ({detail})")


def _failing_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {name.removesuffix(".sql"): con.sql(sql).fetchall() for name, sql in _sql_files("checks")}
