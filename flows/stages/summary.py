"""Summary: the run's RunSummary and its markdown artifact in Prefect."""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.dataset as ds
from docclean.flows.results import (
    COUNT_KEYS,
    COUNT_LABELS,
    CommonParagraphs,
    Discovered,
    Duplicates,
    RunCounts,
    RunInfo,
    RunSummary,
)
from docclean.warehouse.lake import Lake
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

SUMMARY_ARTIFACT_KEY = "docclean-run-summary"


def run_summary(
    run: RunInfo,
    lake: str,
    seconds: float,
    committed: bool,
    discovered: Discovered,
    final: CommonParagraphs,
    duplicates: Duplicates,
    delta_sync_failures: list[str] | None = None,
) -> RunSummary:
    """What the run did, added up from the stages' results."""
    return RunSummary(
        run_id=run.run_id,
        flow_run_id=run.flow_run_id,
        committed=committed,
        lake=lake,
        seconds=round(seconds, 2),
        counts=RunCounts.of(final.batches, final.restripped),
        n_duplicates=duplicates.counts.duplicate,
        n_variants=duplicates.counts.variant,
        n_unchanged_files=discovered.n_unchanged_files,
        n_without_site=articles_without_site(lake, run.run_id) if committed else 0,
        delta_sync_failures=list(delta_sync_failures or []),
    )


def articles_without_site(lake: str, run_id: str) -> int:
    """The run's articles with no site (no URL, no --site): they learn and get no site templates."""
    files = [str(p) for p in Lake.at(lake).files("articles") if p.name.startswith(f"{run_id}-")]
    if not files:
        return 0
    sites = ds.dataset(files, format="parquet").to_table(columns=["site"]).column("site")
    return int(pc.sum(pc.is_null(sites)).as_py() or 0)


def without_site_note(summary: RunSummary) -> str | None:
    """Said once per run: URL-less pages are cleaned without site templates, silently otherwise."""
    if not summary.n_without_site:
        return None
    return (
        f"{summary.n_without_site:,} articles had no URL and no site, so no site templates (menus, footers "
        "repeated across a site's pages) were learned or removed for them: name their site with --site NAME, "
        "or --site-from-folder when each folder holds one site."
    )


def delta_sync_note(summary: RunSummary) -> str | None:
    """Said when a table's Delta log could not be synced: docclean's views are right, Delta readers lag."""
    if not summary.delta_sync_failures:
        return None
    return (
        f"warning: the Delta log of {len(summary.delta_sync_failures)} table(s) could not be synced, so Delta "
        "readers (deltalake, polars, delta_scan, Spark) still see the lake before this run; docclean's own "
        "views are up to date, and the next run syncs again. " + "; ".join(summary.delta_sync_failures)
    )


def publish_note(summary: RunSummary) -> str | None:
    """Where the run published the lake's tables, or why it could not (the commit stands either way)."""
    outcome = summary.published
    if outcome is None:
        return None
    if outcome.error is None:
        return f"Published to {outcome.done}."
    if outcome.copy:
        return (
            f"warning: the run could not be written back to {outcome.location} ({outcome.error}): its rows are "
            "only in this host's copy. The next run pulls the lake again; if another writer changed it meanwhile, "
            "this run's inputs are read again then, otherwise the next run publishes this one's rows too."
        )
    return (
        f"warning: publishing to {outcome.location} failed ({outcome.error}); the run is committed in the lake. "
        f"Publish it with `docclean publish {outcome.location} --lake {summary.lake}` once the store is reachable."
    )


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]], align: tuple[str, ...]) -> list[str]:
    """A GitHub-flavoured markdown table: as many delimiter cells as header cells, or none renders."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def summary_markdown(summary: RunSummary) -> str:
    counts = summary.counts
    lines = [f"# docclean run `{summary.run_id}`", ""]
    lines += _table(COUNT_LABELS, [tuple(summary.count(k) for k in COUNT_KEYS)], ("---:",) * len(COUNT_KEYS))
    nothing_new = "" if summary.committed else " (nothing new: no rows written)"
    lines += ["", f"Lake: `{summary.lake}`{nothing_new}"]
    for note in (without_site_note(summary), delta_sync_note(summary), publish_note(summary)):
        if note:
            lines += ["", note]
    if summary.n_unchanged_files:
        lines += ["", f"{summary.n_unchanged_files} input files unchanged since an earlier run: not read."]
    if counts.n_restripped:
        rejected = (
            f"; {counts.n_restripped_rejected} of them held nothing else and are now rejects (no_content)."
            if counts.n_restripped_rejected
            else "."
        )
        lines += [
            "",
            f"{counts.n_restripped} articles loaded by earlier runs held a paragraph that became common "
            f"with this run: new versions without it{rejected}",
        ]
    sections = (
        ("Removals by rule", ("rule", "removals"), counts.removals_by_rule),
        ("Rejects by reason", ("reason", "rejects"), counts.rejects_by_reason),
        ("WARC records skipped (not documents)", ("record type", "records"), counts.records_skipped),
    )
    for title, header, by_key in sections:
        if by_key:
            rows = [(f"`{key}`", n) for key, n in by_key.items()]
            lines += ["", f"## {title}", "", *_table(header, rows, ("---", "---:"))]
    return "\n".join(lines) + "\n"


@task(cache_policy=NO_CACHE)
def publish_summary(summary: RunSummary) -> None:
    create_markdown_artifact(
        key=SUMMARY_ARTIFACT_KEY, markdown=summary_markdown(summary), description="docclean run summary"
    )
