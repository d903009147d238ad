"""`docclean info`: what a lake holds, the way `dlt pipeline info` shows a pipeline."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer
from docclean.flows.cli_common import LakeOption, err, lake_to_read, out, reported
from rich.table import Table

if TYPE_CHECKING:
    from docclean.warehouse.lake import Lake
    from docclean.warehouse.remote_tables import RemoteLake

# Besides the tables themselves: what most readers want, one article per duplicate cluster.
EXTRA_VIEWS = ("articles_unique",)
LAST_RUN = (
    "SELECT run_id, finished_at, seconds, n_documents, n_articles, n_rejects, n_removals, n_duplicates, "
    "n_variants, removals_by_rule, rejects_by_reason FROM runs_summary ORDER BY finished_at DESC LIMIT 1"
)


@dataclass
class LakeInfo:
    lake: str
    exists: bool
    docclean_version: str
    schema_version: str
    catalog: str | None = None
    runs: int = 0
    first_run: str | None = None
    last_run: dict[str, Any] | None = None
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    bytes_on_disk: int = 0  # for a lake on object storage, the bytes its tables' files hold there
    in_place: bool = False  # a lake on object storage, read where it is


def lake_info(lake: Lake | RemoteLake) -> LakeInfo:
    """Counts from the views (current rows, as `query` sees them) and files from the folders, or,
    for a lake on object storage read in place, from its tables' latest Delta versions."""
    from docclean.warehouse.remote_tables import RemoteLake
    from docclean.warehouse.schemas import SCHEMA_VERSION, TABLES

    import docclean

    if isinstance(lake, RemoteLake):
        sizes = {table: lake.file_sizes(table) for table in TABLES}
        info = LakeInfo(lake.location, bool(sizes["runs"]), docclean.__version__, SCHEMA_VERSION)
        if not info.exists:
            return info
        info.catalog, info.in_place = f"none: read in place ({len(TABLES)} Delta tables)", True
        info.files = {table: len(files) for table, files in sizes.items()}
        info.bytes_on_disk = sum(sum(files.values()) for files in sizes.values())
        return _with_counts(info, lake)
    info = LakeInfo(str(lake.root), lake.root.is_dir(), docclean.__version__, SCHEMA_VERSION)
    if not lake.catalog_path.exists():
        return info
    info.catalog = str(lake.catalog_path)
    info.files = {table: len(lake.files(table)) for table in TABLES}
    # By inode: each file the Delta logs list is also a hard link under `<table>/_delta_files/`.
    sizes = {(st.st_dev, st.st_ino): st.st_size for st in (p.stat() for p in lake.root.rglob("*") if p.is_file())}
    info.bytes_on_disk = sum(sizes.values())
    return _with_counts(info, lake)


def _with_counts(info: LakeInfo, lake: Lake | RemoteLake) -> LakeInfo:
    """Rows per table and view, and the runs, as `query` sees them."""
    from docclean.warehouse.catalog import run_query
    from docclean.warehouse.schemas import TABLES

    names = [*TABLES, *EXTRA_VIEWS]
    counts = run_query(lake, " UNION ALL ".join(f"SELECT '{n}', count(*) FROM {n}" for n in names))
    info.rows = dict(counts.rows)
    info.runs = info.rows.get("runs", 0)
    if info.runs:
        info.first_run = run_query(lake, "SELECT min(run_id) FROM runs").rows[0][0]
        last = run_query(lake, LAST_RUN)
        row = dict(zip(last.columns, last.rows[0], strict=True))
        for key in ("removals_by_rule", "rejects_by_reason"):
            row[key] = json.loads(row[key]) if isinstance(row[key], str) else row[key]
        row["finished_at"] = row["finished_at"].isoformat(sep=" ", timespec="seconds")
        info.last_run = row
    return info


def info(
    lake: LakeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the same as one JSON object.")] = False,
) -> None:
    """Show a lake: where it is, its schema version, its runs, rows per table and the last run's summary."""
    from docclean.warehouse.catalog import QueryError
    from docclean.warehouse.remote_tables import RemoteReadError

    target = lake_to_read(lake)
    with reported(QueryError, RemoteReadError):
        found = lake_info(target)
    if as_json:
        sys.stdout.write(json.dumps(asdict(found), indent=2, default=str) + "\n")
        return
    _print_info(found)
    if not found.catalog:
        err.print(f"no lake at {found.lake} yet: `docclean run INPUT --lake {found.lake}` creates it")


def _print_info(found: LakeInfo) -> None:
    out.print(f"[bold]lake[/]            {found.lake}")
    out.print(f"docclean        {found.docclean_version}  (schema version {found.schema_version})")
    if not found.catalog:
        return
    out.print(f"catalog         {found.catalog}")
    where = "in the store " if found.in_place else "on disk      "
    out.print(f"{where}   {found.bytes_on_disk / 1e6:,.1f} MB")
    out.print(f"runs            {found.runs:,}" + (f" (first {found.first_run})" if found.first_run else ""))
    table = Table("table", "rows", "files", title="rows per table (current versions)")
    for name, n in found.rows.items():
        table.add_row(name, f"{n:,}", "" if name not in found.files else f"{found.files[name]:,}")
    out.print(table)
    last = found.last_run
    if last:
        out.print(
            f"[bold]last run[/] {last['run_id']} finished {last['finished_at']} in {last['seconds']} s: "
            f"{last['n_documents']:,} documents -> {last['n_articles']:,} articles, {last['n_rejects']:,} rejects, "
            f"{last['n_removals']:,} removed spans, {last['n_duplicates']:,} duplicates, "
            f"{last['n_variants']:,} variants"
        )
        for title, by_key in (("removals by rule", last["removals_by_rule"]), ("rejects", last["rejects_by_reason"])):
            if by_key:
                out.print(f"  {title}: " + ", ".join(f"{k} {v:,}" for k, v in by_key.items()))
