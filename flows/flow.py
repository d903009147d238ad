"""The `clean-documents` Prefect flow: discover -> learn templates -> clean -> dedup -> common
paragraphs -> commit (with checks) -> Delta logs -> publish (optional) -> summary. One file per
stage in `flows/stages/`.

Tasks exchange paths and counts (`flows.results`), never documents: a batch task reads its
files from a manifest and writes staged Parquet, so the flow's memory stays flat however large
the corpus.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, TypeVar

from docclean.flows.publish import publish_target, short_error, working_copy
from docclean.flows.readers import (
    MAX_BYTES,
    MAX_DECOMPRESSED_BYTES,
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENT_SECONDS,
    MAX_HTML_DEPTH,
    Limits,
)
from docclean.flows.remote import is_remote
from docclean.flows.results import (
    BatchOptions,
    BatchResult,
    LearnedInputs,
    PublishOutcome,
    RunInfo,
    RunSummary,
    SiteProfiles,
    now_utc,
)
from docclean.flows.rules import load_ruleset
from docclean.flows.runners import batch_runner, default_task_runner
from docclean.flows.scratch import BatchPlan, RunScratch, remove_scratch_leftovers, scratch_location
from docclean.flows.settings import default_inputs, default_lake
from docclean.flows.stages.clean import clean_batch
from docclean.flows.stages.commit import load_lake, sync_delta_logs
from docclean.flows.stages.common_paragraphs import remove_common_paragraphs
from docclean.flows.stages.dedup import find_duplicates
from docclean.flows.stages.discover import discover_inputs, may_name_sites
from docclean.flows.stages.learn import learn_site_templates
from docclean.flows.stages.profiles import merge_learned_profiles
from docclean.flows.stages.publish import publish_run
from docclean.flows.stages.repeats import repeated_sources
from docclean.flows.stages.summary import publish_summary, run_summary
from docclean.transforms.minhash import MinHashConfig
from docclean.warehouse.lake import Lake
from docclean.warehouse.locations import RemoteLocationError, input_location
from prefect import flow, get_run_logger
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.task_runners import TaskRunner

# Near-duplicate thresholds on estimated Jaccard (word 3-grams): MinHashConfig's measured defaults.
DUPLICATE_THRESHOLD = MinHashConfig().duplicate_threshold
VARIANT_THRESHOLD = MinHashConfig().variant_threshold
T = TypeVar("T")


@flow(name="clean-documents", log_prints=False, task_runner=default_task_runner())
def clean_documents(
    inputs: list[str] | None = None,
    lake: str | None = None,
    batch_size: int = 1000,
    site: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    max_html_depth: int = MAX_HTML_DEPTH,
    max_document_seconds: float = MAX_DOCUMENT_SECONDS,
    show_progress: bool = False,
    reprocess: bool = False,
    site_from_folder: bool = False,
    rules_dir: str | None = None,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    variant_threshold: float = VARIANT_THRESHOLD,
    rescan: bool = False,
    workers: int | None = None,
    scratch: str | None = None,
    publish: str | None = None,
) -> RunSummary:
    """Clean the documents in `inputs` (files and folders) into the Parquet lake at `lake`.

    With `reprocess`, `inputs` are ignored: every document kept in the lake's `sources` table is
    cleaned again with the current rules, and its new version replaces the old one. Input files
    a committed run already read at the same size and mtime are skipped unopened, unless `rescan`.
    `workers` caps the batch worker processes below the task runner's size (`docclean serve --workers`).
    `scratch` (object storage) carries batch tasks' files for workers without the lake's disk (`flows.scratch`).
    `publish` (object storage or a folder) gets the lake's tables as Delta tables after the commit.
    """
    clock = time.monotonic()
    target, remote = _lake_of(lake, publish)
    inputs = _input_locations(inputs, reprocess)
    scratch = scratch_location(scratch, inputs, reprocess)
    if publish:
        publish_target(publish, target)  # a target it cannot publish to fails the run before any work
    rules_dir = str(Path(rules_dir).expanduser().resolve()) if rules_dir else None
    load_ruleset(rules_dir)  # a broken rule file fails the run here, before any work, saying where
    limits = Limits(max_bytes, max_decompressed_bytes, max_document_bytes, max_html_depth, max_document_seconds)
    thresholds = {"duplicate_threshold": duplicate_threshold, "variant_threshold": variant_threshold}
    config = _run_config(batch_size, site, limits, reprocess, site_from_folder, rules_dir, thresholds)
    run = RunInfo(new_run_id(), flow_run.get_id(), now_utc(), config)
    root = str(target.root)
    with target.writer_lock():
        staging = _begin_run(target, run.run_id)
        listing = (root, run.run_id, inputs, batch_size, reprocess, rescan, max_decompressed_bytes)
        discovered = _timed("inputs listed", show_progress, discover_inputs, *listing)
        options = BatchOptions(run.run_id, str(staging), site, site_from_folder, limits, None, rules_dir)
        shared = RunScratch(scratch, run.run_id, str(staging))
        # Batch workers end with this block, before duplicates are marked in this process.
        with batch_runner(min(len(discovered.manifests), workers or len(discovered.manifests))) as pool, shared:
            batches = BatchPlan.of(discovered, reprocess, shared)
            profiles, learned = learn_templates(pool, root, batches, options, reprocess, show_progress)
            options = replace(options, profiles_path=profiles.json_path if profiles else None)
            cleaned = clean_batches(pool, batches, options, learned, show_progress)
        duplicates = _timed("duplicates marked", show_progress, find_duplicates, root, run.run_id, cleaned, thresholds)
        common = (root, run.run_id, cleaned, duplicates, reprocess, rules_dir)
        final = _timed("common paragraphs found", show_progress, remove_common_paragraphs, *common)
        loaded = (root, run, discovered, profiles, cleaned, final, duplicates)
        committed = _timed("lake loaded", show_progress, load_lake, *loaded)
        # also after a run that committed nothing: catches up
        delta_sync_failures = _timed("Delta logs synced", show_progress, sync_delta_logs, root)
        published = _published(root, publish or remote, bool(remote), show_progress) if publish or remote else None
    seconds = time.monotonic() - clock
    summary = run_summary(run, root, seconds, committed, discovered, final, duplicates, delta_sync_failures)
    summary = replace(summary, published=published, lake=remote or root)
    publish_summary(summary)
    return summary


def _lake_of(lake: str | None, publish: str | None) -> tuple[Lake, str | None]:
    """The lake a run writes, and its URI when it is on object storage (then the lake written is
    its local copy, pulled to match it, and published back after the commit)."""
    if not (lake and is_remote(lake)):
        return Lake.at(lake or default_lake()), None
    if publish:
        raise RemoteLocationError(f"--publish {publish}: a lake on object storage ({lake}) publishes to itself")
    return working_copy(lake), lake.rstrip("/")


def _published(root: str, location: str, copy: bool, progress: bool) -> PublishOutcome:
    """Publish after the commit. A failure does not fail the run: its rows are in the lake, and
    `docclean publish` (or the next run) publishes them; the summary says so."""
    try:
        done = _timed("published", progress, publish_run, root, location, copy)
        return PublishOutcome(location, done.describe(), copy=copy)
    except Exception as exc:  # any failure: the commit stands, the summary tells how to publish again
        get_run_logger().warning("publishing to %s failed: %s", location, exc)
        return PublishOutcome(location, None, f"{type(exc).__name__}: {short_error(exc)}", copy=copy)


def _run_config(
    batch_size: int,
    site: str | None,
    limits: Limits,
    reprocess: bool,
    site_from_folder: bool,
    rules_dir: str | None,
    thresholds: dict[str, float],
) -> dict[str, Any]:
    """What shapes the run's output: recorded and fingerprinted in its `runs` row."""
    return {
        "batch_size": batch_size,
        "site": site,
        "limits": asdict(limits),
        "reprocess": reprocess,
        "site_from_folder": site_from_folder,
        "rules_dir": rules_dir,
        "minhash": asdict(MinHashConfig(**thresholds)),
    }


def _begin_run(target: Lake, run_id: str) -> Path:
    """Ready the lake (under its lock): killed runs' scratch prefixes deleted, then `Lake.begin_run`."""
    for leftover in remove_scratch_leftovers(target.root / "_staging"):
        get_run_logger().warning("could not delete a killed run's scratch files: %s", leftover)
    return target.begin_run(run_id)


def _input_locations(inputs: list[str] | None, reprocess: bool) -> list[str]:
    """The run's input paths and object-store URIs (the default inputs when none): another URI
    is refused, never taken for a folder."""
    inputs = list(inputs) if inputs else (default_inputs() or [])
    if not inputs and not reprocess:
        raise ValueError("no inputs: name the files and folders to clean (installed docclean has no seeds/)")
    return [input_location(location) for location in inputs]


def new_run_id() -> str:
    return f"{now_utc():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def learn_templates(
    pool: TaskRunner, lake_root: str, batches: BatchPlan, options: BatchOptions, reprocess: bool, progress: bool
) -> tuple[SiteProfiles | None, dict[int, LearnedInputs]]:
    """The site-template pass over every batch, when the run may have sites: merged profiles,
    and per batch the HTML extractions and repeated ids the cleaning pass reads back."""
    if not (options.site or options.site_from_folder or reprocess or may_name_sites(batches.discovered.manifests)):
        return None, {}
    started = time.monotonic()
    sent = batches.scratch.options(options)
    futures = [pool.submit(learn_site_templates, {**task, "options": sent}) for task in batches.tasks]
    learned = []
    for done, future in enumerate(as_completed(futures), 1):
        learned.append(batches.scratch.learned_back(future.result()))
        if progress:
            _progress("site templates: batch", done, len(futures), started)
    partials = [b.profile_path for b in learned if b.profile_path]
    merge = (lake_root, options.run_id, partials, reprocess, options.rules_dir)
    profiles = _timed("site profiles merged", progress, merge_learned_profiles, *merge)
    repeats = repeated_sources(learned, options.staging_dir)
    return profiles, {b.batch: LearnedInputs(b.extractions_path, repeats.get(b.batch)) for b in learned}


def clean_batches(
    pool: TaskRunner,
    batches: BatchPlan,
    options: BatchOptions,
    learned: dict[int, LearnedInputs],
    progress: bool,
) -> list[BatchResult]:
    """Clean every batch into staged Parquet; results in batch order, however they finished."""
    started = time.monotonic()
    sent, scratch = batches.scratch.options(options), batches.scratch
    futures = [
        pool.submit(clean_batch, {**task, "options": sent, "learned": scratch.learned_out(learned.get(task["batch"]))})
        for task in batches.tasks
    ]
    results: list[BatchResult] = []
    for future in as_completed(futures):
        results.append(scratch.cleaned_back(future.result()))
        if progress:
            _progress("batch", len(results), len(futures), started, sum(b.n_documents for b in results))
    return sorted(results, key=lambda b: b.batch)


def _timed(step: str, progress: bool, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)`, saying how long it took when `progress`: the steps between and after
    the batches count nothing as they go, and on a long run some take minutes."""
    started = time.monotonic()
    result = function(*args)
    if progress:
        print(f"  {step} in {time.monotonic() - started:,.1f} s", file=sys.stderr, flush=True)
    return result


def _progress(phase: str, done: int, total: int, started: float, docs: int | None = None) -> None:
    elapsed = time.monotonic() - started
    eta = (elapsed / done) * (total - done) if done else 0.0
    counts = f": {docs:,} documents, {docs / elapsed if elapsed else 0.0:,.0f} docs/s" if docs is not None else ""
    print(f"  {phase} {done}/{total}{counts}, ETA {eta:,.0f} s", file=sys.stderr, flush=True)
