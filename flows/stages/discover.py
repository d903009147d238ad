"""Discover: what this run reads (new or changed input files, or the lake's sources), in batches."""

from __future__ import annotations

import pyarrow as pa
from docclean.flows.inputs import discover_files, drop_unchanged, input_files_table, read_manifest, write_manifest
from docclean.flows.known_ids import write_known_ids
from docclean.flows.readers import MAX_DECOMPRESSED_BYTES
from docclean.flows.results import Discovered
from docclean.flows.splits import plan_batches
from docclean.warehouse.lake import Lake, write_parquet_atomic
from prefect import task
from prefect.cache_policies import NO_CACHE


def discover(
    lake: Lake,
    run_id: str,
    inputs: list[str],
    batch_size: int,
    *,
    reprocess: bool,
    rescan: bool,
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> Discovered:
    """List input files, drop those already read unchanged, and write one manifest per batch of
    at most `batch_size` documents (JSONL and WARC files cut into parts: `flows.splits`).

    Also writes the ids the lake already holds (none when reprocessing: every document is cleaned
    again). An unchanged file is dropped after a stat, never opened; a changed JSONL or WARC file
    is scanned for where its documents start. With `reprocess`, the batches are the lake's
    `sources` files and `inputs` are ignored.
    """
    staging = lake.staging_dir(run_id)
    known = [] if reprocess else [lake.read_table(t, ["doc_id"])["doc_id"] for t in ("articles", "rejects")]
    known_ids_path = str(write_known_ids(staging / "known_ids.npy", known))
    if reprocess:
        manifests = [str(path) for path in lake.files("sources")]
        return Discovered(manifests, None, 0, [str(lake.table_dir("sources"))], known_ids_path)
    files = discover_files(inputs)
    n_unchanged = 0
    if not rescan:
        files, n_unchanged = drop_unchanged(files, lake.input_file_keys())
    manifests = []
    for number, batch in enumerate(plan_batches(files, batch_size, max_decompressed_bytes)):
        path = staging / "manifests" / f"b{number:05d}.json"
        write_manifest(path, batch)
        manifests.append(str(path))
    rows = input_files_table(files)
    staged = None
    if rows.num_rows:
        rows = rows.append_column("run_id", pa.array([run_id] * rows.num_rows, pa.string()))
        target = staging / "input_files" / "b00000.parquet"
        staged = str(write_parquet_atomic(rows, target, staging=staging, table="input_files"))
    return Discovered(manifests, staged, n_unchanged, list(inputs), known_ids_path)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def discover_inputs(
    lake_root: str,
    run_id: str,
    inputs: list[str],
    batch_size: int,
    reprocess: bool,
    rescan: bool,
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> Discovered:
    """The run's batches (manifests), its staged `input_files` rows and the ids already loaded."""
    lake = Lake.at(lake_root)
    options = {"reprocess": reprocess, "rescan": rescan, "max_decompressed_bytes": max_decompressed_bytes}
    return discover(lake, run_id, inputs, batch_size, **options)


def may_name_sites(manifests: list[str]) -> bool:
    """HTML pages, JSONL records and WARC records carry URLs, hence sites, even when the run was given none."""
    formats = {"jsonl", "html", "warc"}
    return any(f.format in formats for m in manifests if m.endswith(".json") for f in read_manifest(m))
