# TEMPORARY adapter: replaced by the real stage on merge
"""Cleaning one batch into staged Parquet (wraps `flows.batch.process_batch` meanwhile)."""

from __future__ import annotations

import pickle
from dataclasses import asdict
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows import batch as legacy
from flows.results import BatchOptions, BatchResult
from flows.stages.learn import legacy_inputs


@task(cache_policy=NO_CACHE)
def clean_batch(
    batch: int, manifest: str, known_ids_path: str, options: BatchOptions, extractions_path: str | None = None
) -> BatchResult:
    """Clean one batch into staged Parquet; returns counts and staged paths."""
    sources, known, legacy_options = legacy_inputs(manifest, known_ids_path, options)
    # Our own file, written by learn_site_templates in this run's staging folder.
    extractions = pickle.loads(Path(extractions_path).read_bytes()) if extractions_path else None
    result = legacy.process_batch(batch, sources, known, legacy_options, extractions=extractions)
    return BatchResult(**asdict(result))
