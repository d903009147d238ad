"""The `clean-documents` Prefect flow: discover -> clean batches -> mark duplicates -> load -> summary.

Tasks exchange paths and counts, never documents: a batch task reads its files from a manifest
and writes staged Parquet, so the flow's memory stays flat however large the corpus.
"""

from __future__ import annotations

import sys
import time
import uuid
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.runtime import flow_run

from flows.inputs import discover_files, drop_unchanged, input_files_table, read_manifest, write_manifest
from flows.known_ids import write_known_ids
from flows.load import (
    COUNT_KEYS,
    COUNT_LABELS,
    commit_run,
    mark_duplicates,
    merge_site_profiles,
    remember_input_files,
    strip_common_paragraphs_in_run,
    summarize,
)
from flows.readers import MAX_BYTES, MAX_DECOMPRESSED_BYTES, MAX_DOCUMENT_BYTES, MAX_HTML_DEPTH, Limits
from flows.results import BatchOptions, now_utc
from flows.rules import load_ruleset
from flows.runners import batch_runner, default_task_runner
from flows.settings import project_root
from flows.stages.clean import clean_batch
from flows.stages.learn import learn_site_templates
from transforms.minhash import MinHashConfig
from warehouse.lake import Lake, write_parquet_atomic

DEFAULT_LAKE = "warehouse/lake"
DEFAULT_INPUTS = ("seeds",)
SUMMARY_ARTIFACT_KEY = "docclean-run-summary"
# Near-duplicate thresholds on estimated Jaccard (word 3-grams): MinHashConfig's measured defaults.
DUPLICATE_THRESHOLD = MinHashConfig().duplicate_threshold
VARIANT_THRESHOLD = MinHashConfig().variant_threshold


def new_run_id() -> str:
    return f"{now_utc():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def discover_inputs(
    inputs: list[str], staging_dir: str, batch_size: int, lake_root: str, rescan: bool = False
) -> dict[str, Any]:
    """List input files, drop those already read unchanged, and write one manifest per batch.

    Returns the manifest paths, the staged `input_files` rows (path) and how many files were
    unchanged. Only a stat per file: an unchanged re-run never opens them.
    """
    files = discover_files(inputs)
    n_unchanged = 0
    if not rescan:
        files, n_unchanged = drop_unchanged(files, Lake.at(lake_root).input_file_keys())
    manifests = []
    for i in range(0, len(files), batch_size):
        path = Path(staging_dir) / "manifests" / f"b{i // batch_size:05d}.json"
        write_manifest(path, files[i : i + batch_size])
        manifests.append(str(path))
    rows = input_files_table(files)
    staged = None
    if rows.num_rows:
        run_id = Path(staging_dir).name
        rows = rows.append_column("run_id", pa.array([run_id] * rows.num_rows, pa.string()))
        target = Path(staging_dir) / "input_files" / "b00000.parquet"
        staged = str(write_parquet_atomic(rows, target, staging=Path(staging_dir), table="input_files"))
    return {"manifests": manifests, "input_files": staged, "n_unchanged_files": n_unchanged}


@task(cache_policy=NO_CACHE)
def find_duplicates(
    lake_root: str, staged_articles: list[str], staged_minhash: list[str], thresholds: dict[str, float]
) -> dict[str, int]:
    """Cluster near-duplicates among this run's articles and everything already loaded."""
    config = MinHashConfig(**thresholds)
    return mark_duplicates(Lake.at(lake_root), staged_articles, staged_minhash, config)


@task(cache_policy=NO_CACHE)
def remove_common_paragraphs(
    lake_root: str, run_id: str, batches: list[dict[str, Any]], fresh: bool, rules_dir: str | None
) -> tuple[list[dict[str, Any]], int]:
    """Take paragraphs that recur across many unrelated documents out of this run's articles."""
    ruleset = load_ruleset(rules_dir)
    n = strip_common_paragraphs_in_run(Lake.at(lake_root), run_id, batches, ruleset, fresh=fresh)
    return batches, n


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def load_lake(lake_root: str, run: dict[str, Any], batches: list[dict[str, Any]], duplicates: dict[str, int]) -> bool:
    """Commit the staged files and the run row; rebuild the DuckDB catalog."""
    return commit_run(
        Lake.at(lake_root),
        ruleset=load_ruleset(run["config"].get("rules_dir")),
        batches=batches,
        duplicates=duplicates,
        finished_at=now_utc(),
        **run,
    )


@task(cache_policy=NO_CACHE)
def publish_summary(summary: dict[str, Any]) -> None:
    create_markdown_artifact(
        key=SUMMARY_ARTIFACT_KEY, markdown=summary_markdown(summary), description="docclean run summary"
    )


def _batch_parameters(batch: int, manifest: str, known_ids_path: Path, options: BatchOptions) -> dict[str, Any]:
    return {"batch": batch, "manifest": manifest, "known_ids_path": str(known_ids_path), "options": options}


def _may_name_sites(manifests: list[str]) -> bool:
    """HTML pages, JSONL records and WARC records carry URLs, hence sites, even when the run was given none."""
    formats = {"jsonl", "html", "warc"}
    return any(f.format in formats for m in manifests if m.endswith(".json") for f in read_manifest(m))


def summary_markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"# docclean run `{summary['run_id']}`",
        "",
        "| " + " | ".join(COUNT_LABELS) + " |",
        "|---:|---:|---:|---:|---:|---:|",
        "| " + " | ".join(str(summary[k]) for k in COUNT_KEYS) + " |",
        "",
        f"Lake: `{summary['lake']}`{'' if summary['committed'] else ' (nothing new: no rows written)'}",
    ]
    if summary.get("n_unchanged_files"):
        lines += ["", f"{summary['n_unchanged_files']} input files unchanged since an earlier run: not read."]
    if summary.get("n_restripped"):
        lines += [
            "",
            f"{summary['n_restripped']} articles loaded by earlier runs held a paragraph that became common "
            "with this run: new versions without it"
            + (
                f"; {summary['n_restripped_rejected']} of them held nothing else and are now rejects (no_content)."
                if summary.get("n_restripped_rejected")
                else "."
            ),
        ]
    if summary["removals_by_rule"]:
        lines += ["", "## Removals by rule", "", "| rule | removals |", "|---|---:|"]
        lines += [f"| `{rule}` | {n} |" for rule, n in summary["removals_by_rule"].items()]
    if summary["rejects_by_reason"]:
        lines += ["", "## Rejects by reason", "", "| reason | rejects |", "|---|---:|"]
        lines += [f"| `{reason}` | {n} |" for reason, n in summary["rejects_by_reason"].items()]
    if summary["records_skipped"]:
        lines += [
            "",
            "## WARC records skipped (not documents)",
            "",
            "| record type | records |",
            "|---|---:|",
        ]
        lines += [f"| `{kind}` | {n} |" for kind, n in summary["records_skipped"].items()]
    return "\n".join(lines) + "\n"


def _progress(phase: str, done: int, total: int, started: float, docs: int | None = None) -> None:
    elapsed = time.monotonic() - started
    eta = (elapsed / done) * (total - done) if done else 0.0
    counts = f": {docs:,} documents, {docs / elapsed if elapsed else 0.0:,.0f} docs/s" if docs is not None else ""
    print(f"  {phase} {done}/{total}{counts}, ETA {eta:,.0f} s", file=sys.stderr, flush=True)


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
    show_progress: bool = False,
    reprocess: bool = False,
    site_from_folder: bool = False,
    rules_dir: str | None = None,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    variant_threshold: float = VARIANT_THRESHOLD,
    rescan: bool = False,
) -> dict[str, Any]:
    """Clean the documents in `inputs` (files and folders) into the Parquet lake at `lake`.

    With `reprocess`, `inputs` are ignored: every document kept in the lake's `sources` table is
    cleaned again with the current rules, and its new version replaces the old one. Input files
    a committed run already read at the same size and mtime are skipped unopened, unless `rescan`.
    """
    started, clock = now_utc(), time.monotonic()
    root = project_root()
    inputs = list(inputs) if inputs else [str(root / p) for p in DEFAULT_INPUTS]
    target = Lake.at(lake or root / DEFAULT_LAKE)
    rules_dir = str(Path(rules_dir).expanduser().resolve()) if rules_dir else None
    load_ruleset(rules_dir)  # a broken rule file fails the run here, before any work, saying where
    limits = Limits(max_bytes, max_decompressed_bytes, max_document_bytes, max_html_depth)
    run_id = new_run_id()
    config = {
        "batch_size": batch_size,
        "site": site,
        "limits": asdict(limits),
        "reprocess": reprocess,
        "site_from_folder": site_from_folder,
        "rules_dir": rules_dir,
        "minhash": asdict(MinHashConfig(duplicate_threshold=duplicate_threshold, variant_threshold=variant_threshold)),
    }

    with target.writer_lock():
        target.create()
        target.recover()
        target.drop_superseded()  # finish what a crashed run's cleanup left
        staging = target.staging_dir(run_id)
        staging.mkdir(parents=True)
        known = [] if reprocess else [target.read_table(t, ["doc_id"])["doc_id"] for t in ("articles", "rejects")]
        known_ids_path = write_known_ids(staging / "known_ids.npy", known)

        discovered: dict[str, Any] = {"input_files": None}
        n_unchanged_files = 0
        if reprocess:
            inputs = [str(target.table_dir("sources"))]
            manifests = [str(path) for path in target.files("sources")]
        else:
            discovered = discover_inputs(inputs, str(staging), batch_size, str(target.root), rescan)
            manifests, n_unchanged_files = discovered["manifests"], discovered["n_unchanged_files"]
        options = BatchOptions(run_id, str(staging), site, site_from_folder, limits, rules_dir=rules_dir)
        extractions: dict[int, str | None] = {}  # batch -> the HTML its learning pass extracted
        batches: list[dict[str, Any]] = []
        # Batch workers end with this block, before duplicates are marked in this process.
        with batch_runner(len(manifests)) as pool:
            if site or site_from_folder or reprocess or _may_name_sites(manifests):
                # Site templates: a first pass counts each site's lines over this run's pages.
                phase_started = time.monotonic()
                learning = [
                    pool.submit(learn_site_templates, _batch_parameters(i, m, known_ids_path, options))
                    for i, m in enumerate(manifests)
                ]
                paths = []
                for done, future in enumerate(as_completed(learning), 1):
                    learned = future.result()
                    extractions[learned.batch] = learned.extractions_path
                    if learned.profile_path:
                        paths.append(learned.profile_path)
                    if show_progress:
                        _progress("site templates: batch", done, len(learning), phase_started)
                paths.sort()  # merged in batch order, however they finished
                options = replace(
                    options, profiles_path=merge_site_profiles(target, run_id, paths, staging, fresh=reprocess)
                )
            phase_started = time.monotonic()
            futures = [
                pool.submit(
                    clean_batch,
                    {**_batch_parameters(i, m, known_ids_path, options), "extractions_path": extractions.get(i)},
                )
                for i, m in enumerate(manifests)
            ]
            for future in as_completed(futures):
                batches.append(asdict(future.result()))
                if show_progress:
                    n_docs = sum(b["n_documents"] for b in batches)
                    _progress("batch", len(batches), len(futures), phase_started, n_docs)
        batches.sort(key=lambda b: b["batch"])
        profiles_file = staging / "site_profiles" / "b00000.parquet"
        if batches and profiles_file.exists() and any(b["n_articles"] for b in batches):
            batches[0]["files"]["site_profiles"] = str(profiles_file)
        # Remembered only with a run that commits rows: a run that finds nothing new writes nothing.
        remembered = remember_input_files(discovered["input_files"], batches)
        if remembered and any(b["files"] for b in batches):
            batches[0]["files"]["input_files"] = remembered

        staged = {t: [b["files"][t] for b in batches if t in b["files"]] for t in ("articles", "minhash")}
        thresholds = {"duplicate_threshold": duplicate_threshold, "variant_threshold": variant_threshold}
        duplicates = find_duplicates(str(target.root), staged["articles"], staged["minhash"], thresholds)
        batches, _ = remove_common_paragraphs(str(target.root), run_id, batches, reprocess, rules_dir)
        run = {
            "run_id": run_id,
            "flow_run_id": flow_run.get_id(),
            "started_at": started,
            "inputs": inputs,
            "config": config,
            "n_unchanged_files": n_unchanged_files,
        }
        committed = load_lake(str(target.root), run, batches, duplicates)

    summary = {
        "run_id": run_id,
        "flow_run_id": flow_run.get_id(),
        "committed": committed,
        "n_duplicates": duplicates["duplicate"],
        "n_variants": duplicates["variant"],
        "n_unchanged_files": n_unchanged_files,
        "lake": str(target.root),
        "seconds": round(time.monotonic() - clock, 2),
        **summarize(batches),
    }
    publish_summary(summary)
    return summary
