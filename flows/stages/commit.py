"""Commit: check the run's staged files with the lake's, move them in, write the run's row;
then sync each table's Delta log to the files the commit and its clean-ups left.

The data checks (`warehouse/sql/checks/`) run on every commit, before it: a run whose staged
rows would break one fails and the lake stays as it was.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from docclean.flows.results import (
    BatchResult,
    CommonParagraphs,
    Discovered,
    DuplicateCounts,
    Duplicates,
    RunCounts,
    RunInfo,
    SiteProfiles,
    now_utc,
)
from docclean.flows.rules import load_ruleset
from docclean.flows.stages.retry import IO_RETRIES, retry_on_io_error
from docclean.warehouse.catalog import build_catalog, check_candidate
from docclean.warehouse.delta import sync_table
from docclean.warehouse.lake import Lake, rows_to_table, write_parquet_atomic
from docclean.warehouse.schemas import TABLES
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE


def docclean_version() -> str:
    try:
        return version("docclean")
    except PackageNotFoundError:
        return "unknown"


def config_fingerprint(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]


def remember_input_files(staged_input_files: str | None, cleaned: list[BatchResult]) -> str | None:
    """Keep, in the staged `input_files`, only files none of whose documents the cleaning rejected.

    A rejected file must be read again next time even if it did not change: its permissions may
    have been fixed, or the run given a larger limit. Returns the staged path, or None when no
    file is left to remember.
    """
    if not staged_input_files or not Path(staged_input_files).exists():  # gone: a retry after it emptied
        return None
    rejected: set[str] = set()
    for batch in cleaned:
        if "rejects" in batch.files:
            uris = pq.read_table(batch.files["rejects"], columns=["source_uri"])["source_uri"].to_pylist()
            rejected.update(uri.split("#", 1)[0] for uri in uris)  # a JSONL line or WARC record: its file
    if not rejected:
        return staged_input_files
    rows = pq.read_table(staged_input_files)
    rows = rows.filter(pc.invert(pc.is_in(rows["file_uri"], value_set=pa.array(sorted(rejected), pa.string()))))
    path = Path(staged_input_files)
    if not rows.num_rows:
        path.unlink()
        return None
    write_parquet_atomic(rows, path, staging=path.parent / "tmp", table="input_files")
    return staged_input_files


def staged_tables(
    discovered: Discovered, profiles: SiteProfiles | None, cleaned: list[BatchResult], final: CommonParagraphs
) -> dict[str, list[Path]]:
    """Every file the run staged, by table; empty when the run adds no document row."""
    staged: dict[str, list[Path]] = {}
    restripped = final.restripped.files if final.restripped else {}
    for files in [*(b.files for b in final.batches), final.files, restripped]:
        for table, path in files.items():
            staged.setdefault(table, []).append(Path(path))
    if not staged:
        return staged
    # Remembered only with a run that commits rows: a run that finds nothing new writes nothing.
    if remembered := remember_input_files(discovered.input_files, cleaned):
        staged["input_files"] = [Path(remembered)]
    if profiles and profiles.rows_path and any(b.n_articles for b in cleaned):
        staged["site_profiles"] = [Path(profiles.rows_path)]
    return staged


def runs_row(
    run: RunInfo,
    discovered: Discovered,
    counts: RunCounts,
    duplicates: DuplicateCounts,
    finished_at: datetime,
) -> pa.Table:
    """The run's row in `runs`: what it read, with which rules and config, and what came out."""
    ruleset = load_ruleset(run.config.get("rules_dir"))
    row = {
        "run_id": run.run_id,
        "flow_run_id": run.flow_run_id,
        "started_at": run.started_at,
        "finished_at": finished_at,
        "inputs": discovered.inputs,
        "config_json": json.dumps(run.config, sort_keys=True),
        "config_fingerprint": config_fingerprint(run.config),
        "ruleset_version": ruleset.version,
        "ruleset_fingerprint": ruleset.fingerprint,
        "docclean_version": docclean_version(),
        "n_documents": counts.n_documents,
        "n_skipped": counts.n_skipped,
        "n_articles": counts.n_articles,
        "n_rejects": counts.n_rejects,
        "n_removals": counts.n_removals,
        "n_duplicates": duplicates.duplicate,
        "n_variants": duplicates.variant,
        "summary_json": json.dumps(
            {
                "removals_by_rule": counts.removals_by_rule,
                "rejects_by_reason": counts.rejects_by_reason,
                "records_skipped": counts.records_skipped,
            }
        ),
        "n_unchanged_files": discovered.n_unchanged_files,
    }
    return rows_to_table([row], "runs")


def commit_run(lake: Lake, run: RunInfo, staged: dict[str, list[Path]], row: pa.Table) -> bool:
    """Check, then move staged files into the lake and write the run's row; rebuild the catalog.

    A run that adds no row (everything already loaded) writes nothing, so re-running on the
    same input leaves every table, `runs` included, as it was. Raises CheckFailed (nothing
    committed; the staged files stay in `_staging/<run_id>` until the next run) when a data
    check fails on the lake as it would be.
    """
    if not staged:
        lake.recover()  # nothing to commit: drop the empty staging folder
        build_catalog(lake)
        return False
    check_candidate(lake, staged, row)
    lake.commit(run.run_id, staged, row)
    if run.config.get("reprocess"):  # reprocessing recounted every paragraph: older counts are replaced
        lake.drop_summed_before(run.run_id)
    lake.drop_superseded()
    lake.drop_stale_site_rows()
    build_catalog(lake)
    return True


@task(cache_policy=NO_CACHE, **IO_RETRIES, retry_condition_fn=retry_on_io_error)
def load_lake(
    lake_root: str,
    run: RunInfo,
    discovered: Discovered,
    profiles: SiteProfiles | None,
    cleaned: list[BatchResult],
    final: CommonParagraphs,
    duplicates: Duplicates,
) -> bool:
    """Check and commit the staged files and the run's row; rebuild the DuckDB catalog."""
    counts = RunCounts.of(final.batches, final.restripped)
    row = runs_row(run, discovered, counts, duplicates.counts, now_utc())
    return commit_run(Lake.at(lake_root), run, staged_tables(discovered, profiles, cleaned, final), row)


def delta_sync_failures(lake: Lake) -> list[str]:
    """Sync every table's Delta log; returns "table: error" for each that failed.

    A failure does not fail the run: the run is committed by then (its `runs` row is written, and
    docclean's views show it), so failing would report a run as lost whose rows are in the lake and
    that a re-run would not load again. The table's log stays at its last synced version, which
    still reads whole (its files are hard links), and the next run's sync catches it up.
    """
    failures = []
    for table in TABLES:
        try:
            sync_table(lake, table)
        except Exception as exc:  # any failure: the commit stands, the summary says which log lags
            failures.append(f"{table}: {type(exc).__name__}: {exc}")
    return failures


@task(cache_policy=NO_CACHE)
def sync_delta_logs(lake_root: str) -> list[str]:
    """Delta logs to the lake's current files (under the writer lock, once per run, after the commit)."""
    failures = delta_sync_failures(Lake.at(lake_root))
    for failure in failures:
        get_run_logger().warning("Delta log not synced, Delta readers lag until the next run: %s", failure)
    return failures
