# TEMPORARY adapter: replaced by the real stage on merge
"""The site-template learning pass of one batch (wraps `flows.batch.learn_profiles` meanwhile)."""

from __future__ import annotations

import json
import pickle
from dataclasses import fields
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows import batch as legacy
from flows.inputs import read_manifest
from flows.known_ids import KnownIds
from flows.results import BatchOptions, LearnedBatch


def legacy_inputs(manifest: str, known_ids_path: str, options: BatchOptions):
    """The batch's documents, the ids already loaded, and the options in `flows.batch`'s type."""
    legacy_options = legacy.BatchOptions(**{f.name: getattr(options, f.name) for f in fields(options)})
    if manifest.endswith(".parquet"):  # reprocessing: a `sources` file of the lake
        sources = legacy.sources_from_table(manifest)
    else:
        sources = legacy.sources_from_files(read_manifest(manifest), options.limits)
    return sources, KnownIds(known_ids_path), legacy_options


@task(cache_policy=NO_CACHE)
def learn_site_templates(batch: int, manifest: str, known_ids_path: str, options: BatchOptions) -> LearnedBatch:
    """Count, per site, the lines of this batch's new pages; keep the HTML it extracted."""
    sources, known, legacy_options = legacy_inputs(manifest, known_ids_path, options)
    partial, extractions = legacy.learn_profiles(sources, known, legacy_options)
    extractions_path = None
    if extractions:
        cache = Path(options.staging_dir) / "extractions" / f"b{batch:05d}.pickle"
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(extractions, protocol=pickle.HIGHEST_PROTOCOL))
        extractions_path = str(cache)
    profile_path = None
    if partial:
        path = Path(options.staging_dir) / "profiles" / f"b{batch:05d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(partial), encoding="utf-8")
        profile_path = str(path)
    return LearnedBatch(batch, profile_path, extractions_path)
