"""What the flow's stages hand each other: paths and counts, as typed records (never documents).

Tasks return these; Prefect moves them between processes (or Dask workers) by pickling, so
they hold only strings, numbers and small dicts of counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from docclean.flows.readers import Limits

# The run counts, in the order the CLI, the artifact and the `runs` table show them.
COUNT_KEYS = ("n_documents", "n_skipped", "n_articles", "n_rejects", "n_removals", "n_duplicates", "n_variants")
COUNT_LABELS = ("documents in", "skipped (already loaded)", "articles", "rejects", "removals", "duplicates", "variants")


def now_utc() -> datetime:
    """The time the records (and the lake's timestamps) use: UTC, naive."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """The run's settings every batch task needs."""

    run_id: str
    staging_dir: str
    site: str | None = None
    site_from_folder: bool = False  # documents without a URL: the site is their folder's name
    limits: Limits = field(default_factory=Limits)
    profiles_path: str | None = None  # site profiles (JSON) learned for this run
    rules_dir: str | None = None  # user rule files (*.toml) laid over the packaged ones


@dataclass(frozen=True, slots=True)
class RunInfo:
    """Who the run is and what it was asked: what the `runs` row records besides counts."""

    run_id: str
    flow_run_id: str | None
    started_at: datetime
    config: dict[str, Any]  # the flow's parameters that shape the output (fingerprinted)


@dataclass(frozen=True, slots=True)
class Discovered:
    """The run's input, as one manifest (a JSON list of files) per batch."""

    manifests: list[str]
    input_files: str | None  # staged `input_files` rows of the files listed
    n_unchanged_files: int = 0
    inputs: list[str] = field(default_factory=list)  # what the run read (the lake's sources when reprocessing)
    known_ids_path: str = ""  # doc ids already in the lake (flows.known_ids), for the batches to skip


@dataclass(frozen=True, slots=True)
class SiteProfiles:
    """Site profiles merged from the learning pass (and the lake's, unless reprocessing)."""

    json_path: str  # what the cleaning tasks read
    rows_path: str | None  # staged `site_profiles` rows of the sites this run saw


@dataclass(frozen=True, slots=True)
class LearnedBatch:
    """One batch's site-template pass: its partial profile and the HTML it extracted."""

    batch: int
    profile_path: str | None = (
        None  # per site, how many of the batch's pages hold each line (Parquet: `PARTIAL_PROFILE`)
    )
    extractions_path: str | None = None  # HTML extracted once, read back by the cleaning task
    named_path: str | None = None  # source ids named by their file's ids (`flows.stages.repeats`)


@dataclass(frozen=True, slots=True)
class LearnedInputs:
    """What the learning pass leaves one batch's cleaning task besides the run's profiles."""

    extractions_path: str | None = None  # HTML already extracted (`LearnedBatch`)
    repeats_path: str | None = None  # source ids an earlier batch holds (`flows.stages.repeats`)


@dataclass(slots=True)
class BatchResult:
    """Counts and staged file paths of one batch (or of one corpus-level step's new versions)."""

    batch: int
    n_documents: int = 0
    n_skipped: int = 0
    n_articles: int = 0
    n_rejects: int = 0
    n_removals: int = 0
    removals_by_rule: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    records_skipped: dict[str, int] = field(default_factory=dict)  # WARC records that are not documents
    files: dict[str, str] = field(default_factory=dict)  # table -> staged path
    # Staged beside the tables, never loaded: each article's paragraph keys, hashed where the
    # batch ran so that counting them (`flows.stages.paragraph_counts`) reads no text.
    paragraph_keys: str | None = None


@dataclass(frozen=True, slots=True)
class DuplicateCounts:
    duplicate: int = 0
    variant: int = 0


@dataclass(frozen=True, slots=True)
class Duplicates:
    """The dedup stage's decision, staged beside (not inside) the batches' article files."""

    assignments_path: str | None  # doc_id -> dup_cluster_id, dup_role, dup_similarity
    counts: DuplicateCounts = field(default_factory=DuplicateCounts)


@dataclass(frozen=True, slots=True)
class Restripped:
    """Loaded articles given new versions in this run, without a paragraph that became common."""

    files: dict[str, str]  # table -> staged path (articles, removals, sources, minhash, rejects)
    n_articles: int  # loaded articles that got a new version
    n_rejected: int  # of those, the ones left empty: now rejects (no_content)
    removals_by_rule: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CommonParagraphs:
    """The run's final staged articles: roles joined, common paragraphs stripped, signatures redone."""

    batches: list[BatchResult]  # the cleaning results with final files and counts (new values)
    files: dict[str, str] = field(default_factory=dict)  # this stage's removals, rejects, paragraph_counts
    restripped: Restripped | None = None


@dataclass(slots=True)
class RunCounts:
    """The run's counts, added up over its batches."""

    n_documents: int = 0
    n_skipped: int = 0
    n_articles: int = 0
    n_rejects: int = 0
    n_removals: int = 0
    n_restripped: int = 0  # loaded articles given a new version without a paragraph now common
    n_restripped_rejected: int = 0  # of those, the ones left empty (now rejects)
    removals_by_rule: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    records_skipped: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, batches: Iterable[BatchResult], restripped: Restripped | None = None) -> RunCounts:
        """Added up; re-stripped loaded articles add their removals, not documents or articles."""
        counts = cls()
        by_rule: Counter[str] = Counter()
        by_reason: Counter[str] = Counter()
        records: Counter[str] = Counter()
        for batch in batches:
            counts.n_documents += batch.n_documents
            counts.n_skipped += batch.n_skipped
            counts.n_articles += batch.n_articles
            counts.n_rejects += batch.n_rejects
            counts.n_removals += batch.n_removals
            by_rule.update(batch.removals_by_rule)
            by_reason.update(batch.rejects_by_reason)
            records.update(batch.records_skipped)
        if restripped is not None:
            counts.n_removals += sum(restripped.removals_by_rule.values())
            by_rule.update(restripped.removals_by_rule)
            counts.n_restripped, counts.n_restripped_rejected = restripped.n_articles, restripped.n_rejected
        counts.removals_by_rule = dict(by_rule.most_common())
        counts.rejects_by_reason = dict(by_reason.most_common())
        counts.records_skipped = dict(records.most_common())
        return counts


@dataclass(frozen=True)
class PublishOutcome:
    """A run's publish (`--publish`): what it did, or the error that stopped it."""

    location: str
    done: str | None  # e.g. "s3://b/lake: 2 tables updated, 14 files uploaded (3.1 MB), 2 deleted"
    error: str | None = None
    copy: bool = False  # the run's lake is at `location` (on object storage): its local copy was published


@dataclass(slots=True)
class RunSummary:
    """What a run did: the flow's return value, the CLI's table, the Prefect artifact."""

    run_id: str
    flow_run_id: str | None
    committed: bool  # False: nothing new, no rows written
    lake: str
    seconds: float
    counts: RunCounts
    n_duplicates: int = 0
    n_variants: int = 0
    n_unchanged_files: int = 0
    n_without_site: int = 0  # articles with no URL and no --site: no site templates learned for them
    # Tables whose Delta log could not be synced ("table: error"); caught up by the next run.
    delta_sync_failures: list[str] = field(default_factory=list)
    published: PublishOutcome | None = None  # with --publish

    def count(self, key: str) -> int:
        """One of COUNT_KEYS."""
        return getattr(self, key) if key in ("n_duplicates", "n_variants") else getattr(self.counts, key)
