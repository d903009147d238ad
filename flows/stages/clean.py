"""Clean one batch: every new input document ends as one article row or one reject row.

The `clean_batch` task reads its batch (a manifest of input files, or a lake `sources` file when
reprocessing) and stages Parquet files of articles, removals, rejects, sources and MinHash
signatures; tests call `process_batch` directly, without Prefect.
"""

from __future__ import annotations

import json
import pickle
import traceback
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from docclean.flows.budget import DocumentTimeout, time_budget
from docclean.flows.known_ids import KnownIds
from docclean.flows.readers import batch_sources
from docclean.flows.results import BatchOptions, BatchResult, LearnedInputs, now_utc
from docclean.flows.rules import load_ruleset
from docclean.flows.scratch import task_files
from docclean.flows.settings import quiet_library_logs
from docclean.flows.stages.paragraph_counts import paragraph_key_table, stage_paragraph_keys
from docclean.flows.stages.retry import IO_RETRIES, retry_on_io_error
from docclean.transforms.common_paragraphs import CommonParagraphRule
from docclean.transforms.document import CleanedSource, clean_source, site_without_url
from docclean.transforms.html import HtmlExtraction
from docclean.transforms.language import detect_languages
from docclean.transforms.minhash import signatures as minhash_signatures
from docclean.transforms.models import SourceDocument
from docclean.transforms.rejects import Reject
from docclean.transforms.ruleset import RuleSet
from docclean.transforms.templates import SiteProfile
from docclean.warehouse.crash import crash_point
from docclean.warehouse.lake import rows_to_table, write_parquet_atomic
from docclean.warehouse.rows import Provenance, article_row, minhash_row, reject_row, removal_rows, source_row
from prefect import task
from prefect.cache_policies import NO_CACHE

Row = dict[str, Any]


# Retried on I/O errors: with --scratch a batch task reads and writes the object store.
@task(cache_policy=NO_CACHE, **IO_RETRIES, retry_condition_fn=retry_on_io_error)
def clean_batch(
    batch: int, manifest: str, known_ids_path: str, options: BatchOptions, learned: LearnedInputs | None = None
) -> BatchResult:
    """Clean one batch into staged Parquet; returns counts and staged paths.

    `learned` is what the site-learning pass left this batch: its HTML extractions and the ids an
    earlier batch already holds.
    """
    quiet_library_logs()
    learned = learned or LearnedInputs()
    with task_files(options) as (files, options):
        repeats_path = files.pull(learned.repeats_path)
        result = process_batch(
            batch,
            batch_sources(files.pull(manifest), options.limits),
            KnownIds(files.pull(known_ids_path)),
            options,
            extractions=load_extractions(files.pull(learned.extractions_path)),
            repeated=KnownIds(repeats_path) if repeats_path else frozenset(),
        )
        result.files = {table: files.push(path) for table, path in result.files.items()}
        result.paragraph_keys = files.push(result.paragraph_keys)
    return result


def load_extractions(path: str | None) -> dict[str, HtmlExtraction]:
    """HTML extractions by doc_id, as `flows.stages.learn` staged them (our own file, this run's)."""
    return pickle.loads(Path(path).read_bytes()) if path else {}


def load_profiles(path: str | None) -> dict[str, SiteProfile]:
    """The run's merged site profiles (JSON), by site."""
    if not path:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {site: SiteProfile.from_dict(profile) for site, profile in data.items()}


@dataclass(slots=True)
class BatchRows:
    """The rows one batch stages, table by table, and its counts."""

    run_id: str
    articles: list[Row] = field(default_factory=list)
    removals: list[Row] = field(default_factory=list)
    rejects: list[Row] = field(default_factory=list)
    sources: list[Row] = field(default_factory=list)
    removal_counts: Counter[str] = field(default_factory=Counter)
    reject_counts: Counter[str] = field(default_factory=Counter)
    # articles whose hints named no language: named together at the end (`name_languages`)
    unnamed: list[Row] = field(default_factory=list)

    def keep_source(self, source: SourceDocument) -> None:
        """The raw document, so the lake can clean it again without the original file."""
        origin = Provenance.of(source)
        row = source_row(origin, meta=source.meta, raw=source.data, error=source.error, run_id=self.run_id)
        self.sources.append(row)

    def reject(self, source: SourceDocument, reject: Reject) -> None:
        row = reject_row(Provenance.of(source), reject.reason, reject.detail, run_id=self.run_id, rejected_at=now_utc())
        self.rejects.append(row)
        self.reject_counts[reject.reason] += 1

    def cleaned(self, source: SourceDocument, cleaned: CleanedSource, ruleset_version: str) -> None:
        """An article, or a `no_content` reject; the removals are kept either way."""
        document = cleaned.document
        self.removals += removal_rows(source.doc_id, document.removals, self.run_id)
        self.removal_counts.update(removal.rule_id for removal in document.removals)
        if not document.text.strip():
            detail = f"nothing left after cleaning ({len(document.removals)} removals)"
            self.reject(source, Reject("no_content", detail))
            return
        row = article_row(
            Provenance.of(source),
            document,
            site=cleaned.hints.site,
            url=cleaned.hints.url,
            ruleset_version=ruleset_version,
            run_id=self.run_id,
            processed_at=now_utc(),
        )
        self.articles.append(row)
        if row["language"] is None:
            self.unnamed.append(row)

    def name_languages(self) -> None:
        """Detect the language of the articles their hints named none for, in one pass."""
        for row, language in zip(self.unnamed, detect_languages(row["text"] for row in self.unnamed), strict=True):
            row["language"] = language
        self.unnamed.clear()


def process_batch(
    batch: int,
    sources: Iterable[SourceDocument],
    known_doc_ids: Container[str],
    options: BatchOptions,
    ruleset: RuleSet | None = None,
    extractions: dict[str, HtmlExtraction] | None = None,
    repeated: Container[str] = frozenset(),
) -> BatchResult:
    """Clean every source document not already in the lake; stage its rows as Parquet.

    Writes articles, removals, rejects and `sources` (the raw bytes and container metadata, so
    the lake can be re-cleaned without the original files). A document named by an id of its
    file that an earlier batch (`repeated`: source ids) or an earlier part in this batch holds
    is a `duplicate_id` reject under its position.
    """
    ruleset = ruleset or load_ruleset(options.rules_dir)
    profiles = load_profiles(options.profiles_path)
    extractions = extractions or {}
    result = BatchResult(batch)
    rows = BatchRows(options.run_id)
    seen: set[str] = set()
    named = _NamedSources(repeated)
    skipped_records: Counter[str] = Counter()
    for source in sources:
        if source.skip is not None:
            skipped_records[source.skip] += 1
            continue
        source = named.checked(source)
        result.n_documents += 1
        if source.doc_id in known_doc_ids or source.doc_id in seen:
            result.n_skipped += 1
            continue
        seen.add(source.doc_id)
        rows.keep_source(source)
        if source.error is not None:
            rows.reject(source, Reject(*source.error))
            continue
        outcome = _clean_guarded(source, ruleset, profiles, options, extractions.get(source.doc_id))
        if isinstance(outcome, Reject):
            rows.reject(source, outcome)
            continue
        crash_point("cleaning")
        rows.cleaned(source, outcome, ruleset.version)
    rows.name_languages()
    result.records_skipped = dict(skipped_records)
    min_words = CommonParagraphRule.from_rule(ruleset.get("common_paragraph")).min_words
    return stage_rows(rows, result, options.staging_dir, min_words)


class _NamedSources:
    """Sources named by an id their file gives, seen so far (in earlier batches: `repeated`)."""

    def __init__(self, repeated: Container[str]) -> None:
        self.repeated, self.seen = repeated, set[str]()

    def checked(self, source: SourceDocument) -> SourceDocument:
        """The source, or a `duplicate_id` reject under its position if its id came earlier."""
        if source.position_uri is None:
            return source
        key = source.source_id
        if key not in self.seen and key not in self.repeated:
            self.seen.add(key)
            return source
        detail = f"repeats the id of an earlier document in {source.source_uri}; ids must be unique in a file"
        return SourceDocument(source.position_uri, source.format, source.data, error=("duplicate_id", detail[:500]))


def _clean_guarded(
    source: SourceDocument,
    ruleset: RuleSet,
    profiles: dict[str, SiteProfile],
    options: BatchOptions,
    extraction: HtmlExtraction | None,
) -> CleanedSource | Reject:
    """`clean_source` within the document's time budget, an unexpected error turned into a reject:
    one bad document must not stop the batch."""
    limits = options.limits
    try:
        site = site_without_url(source.source_uri, site=options.site, site_from_folder=options.site_from_folder)
        with time_budget(limits.max_document_seconds):
            return clean_source(
                source,
                ruleset,
                profiles,
                default_site=site,
                max_html_depth=limits.max_html_depth,
                extraction=extraction,
                detect_lang=False,  # the batch names them all at the end (BatchRows.name_languages)
            )
    except DocumentTimeout:
        return Reject("timeout", f"cleaning took over {limits.max_document_seconds:g} s (max_document_seconds)")
    except (Exception, RecursionError) as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Reject("cleaning_error", f"{type(exc).__name__}: {exc} (at {where.name}:{where.lineno})")


def stage_rows(rows: BatchRows, result: BatchResult, staging_dir: str, min_words: int) -> BatchResult:
    """Write the batch's tables as staged Parquet (with MinHash signatures of the articles and
    the keys of their paragraphs of at least `min_words` words); count them."""
    staging = Path(staging_dir)
    # Sorted by site and date, so row-group statistics let readers skip what a filter excludes.
    rows.articles.sort(key=lambda a: (a["site"] or "", a["published_at"] or datetime.min, a["doc_id"]))
    signatures = minhash_signatures([article["text"] for article in rows.articles])
    minhash = [
        minhash_row(article["doc_id"], signature.astype("<u4").tobytes(), rows.run_id)
        for article, signature in zip(rows.articles, signatures, strict=True)
    ]
    tables = (
        ("articles", rows.articles),
        ("removals", rows.removals),
        ("rejects", rows.rejects),
        ("sources", rows.sources),
        ("minhash", minhash),
    )
    for table, table_rows in tables:
        if table_rows:
            path = staging / table / f"b{result.batch:05d}.parquet"
            write_parquet_atomic(rows_to_table(table_rows, table), path, staging=staging / "tmp", table=table)
            result.files[table] = str(path)
    keys = paragraph_key_table(rows.articles, min_words)
    if keys.num_rows:
        result.paragraph_keys = stage_paragraph_keys(keys, staging / "paragraph_keys" / f"b{result.batch:05d}.parquet")
    result.n_articles, result.n_rejects, result.n_removals = len(rows.articles), len(rows.rejects), len(rows.removals)
    result.removals_by_rule = dict(rows.removal_counts)
    result.rejects_by_reason = dict(rows.reject_counts)
    return result
