"""Export a selection of the lake, streaming: JSONL, Parquet, or a Hugging Face `datasets` folder.

Rows go from DuckDB to the file in Arrow record batches (`to_arrow_reader`), so memory holds
one batch, never the selection. The default selection is `articles_unique` (one article per
duplicate cluster); `since_run` keeps only rows loaded by runs that finished after that run,
for consumers that export incrementally.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from docclean.warehouse.catalog import QueryError, connect_readonly, explained
from docclean.warehouse.lake import Lake
from docclean.warehouse.remote_tables import RemoteLake

DEFAULT_SELECTION = "SELECT * FROM articles_unique ORDER BY run_id, doc_id"
BATCH_ROWS = 10_000
SHARD_ROWS = 500_000  # rows per Parquet file of a datasets folder


@dataclass(frozen=True)
class ExportStats:
    path: Path
    rows: int
    files: int


def _read_only_select(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"cannot parse the query: {exc}") from exc
    if len(statements) != 1 or statements[0].type.name != "SELECT":
        raise QueryError("give one SELECT statement to export")
    return statements[0].query


def _selection(con: duckdb.DuckDBPyConnection, sql: str | None, since_run: str | None) -> tuple[str, list[Any]]:
    query = _read_only_select(con, sql) if sql else DEFAULT_SELECTION
    if since_run is None:
        return query, []
    if not con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [since_run]).fetchone()[0]:
        raise QueryError(f"no committed run {since_run!r} in this lake (docclean info lists the runs)")
    later = "SELECT run_id FROM runs WHERE finished_at > (SELECT finished_at FROM runs WHERE run_id = ?)"
    return f"SELECT * FROM ({query}) AS selection WHERE run_id IN ({later})", [since_run]


@dataclass
class _Batches:
    """The selection's schema and its record batches; the connection closes when they are read."""

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]


def record_batches(lake: Lake | RemoteLake, sql: str | None = None, since_run: str | None = None) -> _Batches:
    """The selection (default: unique articles), as Arrow record batches of up to BATCH_ROWS rows."""
    con = connect_readonly(lake)
    try:
        query, params = _selection(con, sql, since_run)
        reader = con.execute(query, params).to_arrow_reader(BATCH_ROWS)
    except duckdb.Error as exc:
        con.close()
        raise QueryError(explained(exc)) from exc
    except QueryError:
        con.close()
        raise

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            yield from reader
        except (duckdb.Error, pa.ArrowException) as exc:  # raised while rows stream, e.g. a bad cast
            raise QueryError(explained(exc).splitlines()[0]) from exc
        finally:
            con.close()

    return _Batches(reader.schema, batches())


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def write_jsonl(selection: _Batches, out: IO[str]) -> int:
    """One JSON object a line; timestamps as ISO 8601. Returns the number of rows."""
    rows = 0
    for batch in selection.batches:
        for row in batch.to_pylist():
            out.write(json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
        rows += batch.num_rows
    return rows


def write_parquet(selection: _Batches, path: Path, shard_rows: int | None = None) -> tuple[int, int]:
    """Parquet at `path` (zstd); with `shard_rows`, `path` is a folder of `train-NNNNN.parquet` files,
    a new one started once a file holds `shard_rows` rows. Returns (rows, files)."""
    rows = files = in_file = 0
    writer: pq.ParquetWriter | None = None
    try:
        for batch in selection.batches:
            if writer is None or (shard_rows and in_file >= shard_rows):
                if writer is not None:
                    writer.close()
                target = path / f"train-{files:05d}.parquet" if shard_rows else path
                writer = pq.ParquetWriter(target, selection.schema, compression="zstd")
                files, in_file = files + 1, 0
            writer.write_batch(batch)
            rows, in_file = rows + batch.num_rows, in_file + batch.num_rows
        if writer is None:  # an empty selection still gives a readable file with its columns
            target = path / "train-00000.parquet" if shard_rows else path
            pq.write_table(selection.schema.empty_table(), target, compression="zstd")
            files = 1
    finally:
        if writer is not None:
            writer.close()
    return rows, files


def dataset_card(schema: pa.Schema, rows: int, since_run: str | None, sql: str | None) -> str:
    """README.md for a `datasets` folder: the YAML header `load_dataset` reads, and what the rows are."""
    what = f"rows of `{sql.strip()}`" if sql else "unique articles (`articles_unique`: one per duplicate cluster)"
    if since_run:
        what += f", loaded by runs after `{since_run}`"
    columns = "\n".join(f"- `{field.name}`: {field.type}" for field in schema)
    return (
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n"
        "    path: data/train-*.parquet\n---\n\n"
        f"# docclean export\n\n{rows:,} {what}, exported by `docclean export`.\n"
        "Column meanings: `warehouse/SCHEMA.md` in docclean.\n\n"
        'Load with `datasets.load_dataset("parquet", data_dir="<this folder>/data")` or '
        '`datasets.load_dataset("<this folder>")`.\n\n'
        f"## Columns\n\n{columns}\n"
    )


def export_dataset_folder(selection: _Batches, folder: Path, since_run: str | None, sql: str | None) -> ExportStats:
    """A folder `datasets.load_dataset(folder)` reads: `data/train-NNNNN.parquet` and a README dataset card."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("train-*.parquet"):  # a re-export replaces, never mixes with, an earlier one
        old.unlink()
    rows, files = write_parquet(selection, data, shard_rows=SHARD_ROWS)
    (folder / "README.md").write_text(dataset_card(selection.schema, rows, since_run, sql), encoding="utf-8")
    return ExportStats(folder, rows, files)
