"""Learn site templates from one batch: per site, on how many new pages each line occurs.

The first of the two per-batch passes. It counts each site's lines on the text cleaning will
see (`transforms.document.template_text`: the same site and text `clean_source` uses), and
stages two files for the run: the batch's partial profile (JSON, merged over all batches by the
flow) and the HTML it extracted (so `clean_batch` need not extract again). Both paths come back
in a `LearnedBatch`.
"""

from __future__ import annotations

import pickle
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
from docclean.flows.budget import DocumentTimeout, time_budget
from docclean.flows.known_ids import KnownIds, write_known_ids
from docclean.flows.readers import batch_sources
from docclean.flows.results import BatchOptions, LearnedBatch
from docclean.flows.scratch import task_files
from docclean.flows.settings import quiet_library_logs
from docclean.flows.stages.profiles import partial_profile_table
from docclean.flows.stages.retry import IO_RETRIES, retry_on_io_error
from docclean.transforms.document import TemplateText, site_without_url, template_text
from docclean.transforms.html import HtmlExtraction
from docclean.transforms.lines import LineDocument
from docclean.transforms.models import SourceDocument
from docclean.transforms.normalize import prepare_text
from docclean.transforms.templates import SiteProfile
from prefect import task
from prefect.cache_policies import NO_CACHE


@dataclass(slots=True)
class Learned:
    """One batch's partial site profiles and the HTML extracted on the way, by doc_id."""

    profiles: dict[str, SiteProfile] = field(default_factory=dict)
    extractions: dict[str, HtmlExtraction] = field(default_factory=dict)
    # source ids of the documents named by an id their file gives (JSONL `id`, WARC-Record-ID):
    # another part of the same file, in another batch, may repeat one (`flows.stages.repeats`)
    named_sources: list[str] = field(default_factory=list)


# Retried on I/O errors: with --scratch a batch task reads and writes the object store.
@task(cache_policy=NO_CACHE, **IO_RETRIES, retry_condition_fn=retry_on_io_error)
def learn_site_templates(batch: int, manifest: str, known_ids_path: str, options: BatchOptions) -> LearnedBatch:
    """Count, per site, the lines of this batch's new pages; stage the partial profile (Parquet) and extractions."""
    quiet_library_logs()
    with task_files(options) as (files, options):
        sources = batch_sources(files.pull(manifest), options.limits)
        learned = learn_profiles(sources, KnownIds(files.pull(known_ids_path)), options)
        staged = stage_learned(batch, learned, Path(options.staging_dir))
        return LearnedBatch(
            batch, files.push(staged.profile_path), files.push(staged.extractions_path), files.push(staged.named_path)
        )


def learn_profiles(sources: Iterable[SourceDocument], known_doc_ids: Container[str], options: BatchOptions) -> Learned:
    """Per site, on how many of these new pages each line occurs (a partial profile)."""
    learned = Learned()
    for source in sources:
        if source.position_uri is not None:
            learned.named_sources.append(source.source_id)
        if source.skip or source.error or source.doc_id in known_doc_ids:
            continue
        _learn_one(learned, source, options)
    return learned


def _learn_one(learned: Learned, source: SourceDocument, options: BatchOptions) -> None:
    """Count one page's lines, within its time budget; a page that fails or runs out of time is
    left out (the cleaning pass meets it again and rejects it with its reason)."""
    limits = options.limits
    try:
        with time_budget(limits.max_document_seconds):
            site = site_without_url(source.source_uri, site=options.site, site_from_folder=options.site_from_folder)
            page = template_text(source, default_site=site, max_html_depth=limits.max_html_depth)
            if not isinstance(page, TemplateText):
                return
            lines = LineDocument.parse(prepare_text(page.text)) if page.site is not None else None
    except (Exception, RecursionError, DocumentTimeout):
        return
    if page.extraction is not None:
        learned.extractions[source.doc_id] = page.extraction
    if page.site is not None and lines is not None:
        learned.profiles.setdefault(page.site, SiteProfile(page.site)).add_document(lines)


def stage_learned(batch: int, learned: Learned, staging_dir: Path) -> LearnedBatch:
    """Write the partial profile (JSON) and the extractions (pickle) of one batch; None for nothing to write."""
    profile_path = extractions_path = named_path = None
    if learned.named_sources:
        named_path = str(write_known_ids(staging_dir / "named" / f"b{batch:05d}.npy", [learned.named_sources]))
    if learned.extractions:
        target = staging_dir / "extractions" / f"b{batch:05d}.pickle"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pickle.dumps(learned.extractions, protocol=pickle.HIGHEST_PROTOCOL))
        extractions_path = str(target)
    if learned.profiles:
        target = staging_dir / "profiles" / f"b{batch:05d}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(partial_profile_table(learned.profiles), target, compression="zstd")
        profile_path = str(target)
    return LearnedBatch(batch, profile_path, extractions_path, named_path)
