"""Parquet files written whole or not at all: a temporary file in a staging folder, then a rename.

Readers never see a torn file: the rename is atomic, and the temporary file lives outside every
table folder (DuckDB's globs would match `_x.parquet` or `.x.parquet` beside it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from docclean.warehouse.crash import crash_point
from docclean.warehouse.schemas import TABLES, with_metadata

_ROW_GROUP_ROWS = 10_000


def write_parquet_atomic(data: pa.Table, path: Path, *, staging: Path, table: str) -> Path:
    """Write `data` under a temporary name in `staging`, then rename it to `path`."""

    def write(tmp: Path, schema: pa.Schema) -> int:
        pq.write_table(
            data.cast(schema), tmp, compression="zstd", row_group_size=_ROW_GROUP_ROWS, write_statistics=True
        )
        return data.num_rows

    _write_atomic(write, path, staging=staging, table=table, keep_empty=True)
    return path


def write_batches_atomic(batches: Iterable[pa.RecordBatch], path: Path, *, staging: Path, table: str) -> Path | None:
    """`write_parquet_atomic` for rows that come batch by batch (one batch in memory at a time);
    None, and no file, when there are no rows."""

    def write(tmp: Path, schema: pa.Schema) -> int:
        rows = 0
        with pq.ParquetWriter(tmp, schema, compression="zstd", write_statistics=True) as writer:
            for batch in batches:
                writer.write_batch(batch.cast(schema), row_group_size=_ROW_GROUP_ROWS)
                rows += batch.num_rows
        return rows

    return path if _write_atomic(write, path, staging=staging, table=table, keep_empty=False) else None


def _write_atomic(
    write: Callable[[Path, pa.Schema], int], path: Path, *, staging: Path, table: str, keep_empty: bool
) -> int:
    """`write` a temporary file in `staging` with the table's schema, then rename it to `path`;
    the rows written (none: no file, unless `keep_empty`)."""
    staging.mkdir(parents=True, exist_ok=True)
    tmp = staging / f".{path.name}.{os.getpid()}.tmp"
    rows = write(tmp, with_metadata(TABLES[table], table))
    if not rows and not keep_empty:
        tmp.unlink()
        return 0
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    crash_point("writing")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, path)
    return rows
