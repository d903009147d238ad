"""`docclean export`: unique articles (or a SQL selection) to JSONL, Parquet or a `datasets` folder, streaming."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer
from docclean.flows.cli_common import LakeOption, err, lake_to_read, reported


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    parquet = "parquet"
    hf = "hf"


def export(
    out: Annotated[
        Path,
        typer.Argument(
            help="Where to write: a .jsonl/.parquet file, a folder for --format hf; `-` for JSONL on stdout."
        ),
    ],
    lake: LakeOption = None,
    output: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="jsonl, parquet, or hf (a Hugging Face `datasets` folder). Default: from OUT's suffix.",
        ),
    ] = None,
    sql: Annotated[
        str | None, typer.Option(help="Export this SELECT instead of the unique articles (any view of `query`).")
    ] = None,
    since_run: Annotated[
        str | None,
        typer.Option(help="Only rows loaded by runs that finished after RUN_ID (incremental exports)."),
    ] = None,
) -> None:
    """Write the lake's unique articles (one per duplicate cluster), or a SQL selection, to a file.

    Rows stream from DuckDB in Arrow batches: memory holds one batch whatever the size. With
    --since-run, the rows loaded after that run only: keep the last run id (`docclean info`) and
    pass it next time.
    """
    from docclean.warehouse.catalog import QueryError
    from docclean.warehouse.export import export_dataset_folder, record_batches, write_jsonl, write_parquet

    kind = output or _format_of(out)
    target = lake_to_read(lake)
    with reported(QueryError):
        selection = record_batches(target, sql, since_run)
        if kind is ExportFormat.jsonl:
            with _text_out(out) as handle:
                rows, files = write_jsonl(selection, handle), 1
        elif kind is ExportFormat.parquet:
            with _replaced(out) as partial:
                rows, files = write_parquet(selection, partial)
        else:
            stats = export_dataset_folder(selection, out, since_run, sql)
            rows, files = stats.rows, stats.files
    where = "stdout" if str(out) == "-" else str(out)
    err.print(f"exported {rows:,} rows to {where} ({kind.value}, {files} file{'s' if files != 1 else ''})")


def _format_of(out: Path) -> ExportFormat:
    name = out.name.lower()
    if str(out) == "-" or name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        return ExportFormat.jsonl
    if name.endswith(".parquet"):
        return ExportFormat.parquet
    if not out.suffix:
        return ExportFormat.hf
    err.print(f"[red]error:[/] cannot tell the format from {out.name!r}: pass --format jsonl|parquet|hf")
    raise typer.Exit(2)


@contextlib.contextmanager
def _replaced(out: Path) -> Iterator[Path]:
    """A temporary file beside `out` that replaces it once written: a failed export leaves no torn file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        yield partial
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


@contextlib.contextmanager
def _text_out(out: Path) -> Iterator[IO[str]]:
    if str(out) == "-":
        yield sys.stdout
        return
    with _replaced(out) as partial:
        if out.name.endswith(".gz"):
            import gzip

            with gzip.open(partial, "wt", encoding="utf-8") as handle:
                yield handle
        else:
            with open(partial, "w", encoding="utf-8") as handle:
                yield handle


def stream_jsonl(lake: Path | None, sql: str) -> int:
    """`query --format jsonl`: the rows of one SELECT, a JSON object a line, streamed to stdout."""
    from docclean.warehouse.export import record_batches, write_jsonl

    return write_jsonl(record_batches(lake_to_read(lake), sql), sys.stdout)
