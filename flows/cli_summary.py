"""What `docclean run` prints when a run ends: the counts, removals by rule, rejects by reason."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from docclean.flows.cli_common import out
from docclean.flows.settings import default_lake
from rich.table import Table


def print_summary(summary: Any) -> None:
    """`summary`: the flow's RunSummary (flows.results)."""
    from docclean.flows.results import COUNT_KEYS, COUNT_LABELS
    from docclean.flows.stages.summary import delta_sync_note, publish_note, without_site_note

    counts = summary.counts
    table = Table(*COUNT_LABELS, title=f"run {summary.run_id} ({summary.seconds} s)")
    table.add_row(*(f"{summary.count(k):,}" for k in COUNT_KEYS))
    out.print(table)
    if counts.removals_by_rule:
        rules = Table("rule", "removals", title="removed spans by rule")
        for rule, n in counts.removals_by_rule.items():
            rules.add_row(rule, str(n))
        out.print(rules)
    if counts.rejects_by_reason:
        reasons = Table("reason", "rejects", title="rejects by reason")
        for reason, n in counts.rejects_by_reason.items():
            reasons.add_row(reason, str(n))
        out.print(reasons)
    if counts.records_skipped:
        skipped = ", ".join(f"{n:,} {kind.removeprefix('warc_')}" for kind, n in counts.records_skipped.items())
        out.print(f"WARC records that are not documents, skipped: {skipped}")
    if summary.n_unchanged_files:
        out.print(
            f"{summary.n_unchanged_files:,} input files unchanged since an earlier run: not read (--rescan reads them)."
        )
    if counts.n_restripped:
        out.print(
            f"{counts.n_restripped:,} articles loaded by earlier runs held a paragraph that became common "
            "with this run: new versions without it (common_paragraph)"
            + (
                f"; {counts.n_restripped_rejected:,} of them held nothing else and are now rejects (no_content)."
                if counts.n_restripped_rejected
                else "."
            )
        )
    if not summary.committed:
        out.print("Nothing new: every document was already in the lake; no rows written.")
    if note := without_site_note(summary):
        out.print(note)
    if warning := delta_sync_note(summary):
        out.print(warning, style="yellow", markup=False)
    if note := publish_note(summary):
        out.print(note, style="yellow" if summary.published.error else None, markup=False)
    lake_option = "" if Path(summary.lake) == default_lake() else f" --lake {shlex.quote(summary.lake)}"
    out.print(
        f'Lake: {summary.lake}  ·  try: docclean query{lake_option} "select title, authors, published_at from articles"'
    )
