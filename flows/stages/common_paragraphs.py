"""Common paragraphs: the stage that writes the run's final articles.

Counts paragraphs per site over canonical articles (the dedup stage's roles), decides which are
common (`transforms.common_paragraphs`), and writes each staged article file once more, its
final time: roles joined in, common paragraphs stripped. Articles whose text changed get new
signatures, so the stored `minhash` always describes the stored text; an article left with no
text becomes a reject. Loaded articles holding a paragraph that became common with this run are
given new versions without it (`restrip_loaded_articles`).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from docclean.flows.results import BatchResult, CommonParagraphs, Duplicates
from docclean.flows.rules import load_ruleset
from docclean.flows.stages.dedup import Roles
from docclean.flows.stages.paragraph_counts import (
    PARAGRAPH_KEYS,
    add_counts,
    count_paragraphs_by_site,
    counts_of,
    lake_counts,
)
from docclean.flows.stages.restrip import Stripped, Stripper, restrip_loaded_articles, staged_sources
from docclean.transforms.common_paragraphs import CommonParagraphRule, common_keys, newly_common_sites
from docclean.transforms.ruleset import RuleSet
from docclean.warehouse.lake import Lake, rows_to_table, write_parquet_atomic
from prefect import task
from prefect.cache_policies import NO_CACHE

RULE_ID = "common_paragraph"
_FINISH_THREADS = min(4, os.cpu_count() or 1)


def remove_common(
    lake: Lake, run_id: str, batches: list[BatchResult], duplicates: Duplicates, ruleset: RuleSet, *, reprocess: bool
) -> CommonParagraphs:
    """Finish the run's staged articles; returns new batch results and this stage's own files.

    The lake's counts are added unless `reprocess` (reprocessing recounts everything). Stages
    this run's counts as `paragraph_counts`. Cluster assignments stay as the dedup stage
    decided them on the text before stripping.
    """
    staged = [b for b in batches if "articles" in b.files]
    if not staged or duplicates.assignments_path is None:
        return CommonParagraphs(list(batches))
    rule = ruleset.get(RULE_ID)
    params = CommonParagraphRule.from_rule(rule)
    roles = Roles.read(duplicates.assignments_path)
    counts, site_docs = count_paragraphs_by_site(_keys_with_roles(b, roles) for b in staged)
    files: dict[str, str] = {}
    common: dict[str, set[str]] = {}
    before, docs_before = pa.table({}), {}
    if counts.num_rows:  # a new paragraph: something may be, or become, common with this run
        files["paragraph_counts"] = _stage_counts(lake, run_id, counts)
        if not reprocess:
            before, docs_before = lake_counts(lake)
        site_docs.update(docs_before)
        total = add_counts(counts, before)
        # Only paragraphs over the smallest threshold can be common: a small table to loop over.
        candidates = total.filter(pc.greater_equal(total["n_documents"], params.min_documents))
        rows = zip(*(candidates[c].to_pylist() for c in ("site", "key", "n_documents")), strict=True)
        common = common_keys(rows, site_docs, params)
    stripper = Stripper(rule.id, rule.reason, params.min_words, common, run_id)
    number = max(b.batch for b in batches) + 1  # this stage's own files: after the batches'
    finished, removals, rejects = [], [], []
    # Every batch's articles are read and written once more here, in the flow process, after the
    # batch workers have gone: threads overlap Parquet's reading, compressing and fsync (which
    # release the GIL) across batches. The batches are independent; results come in order.
    with ThreadPoolExecutor(max_workers=_FINISH_THREADS) as threads:
        for result, batch_removals, batch_rejects in threads.map(lambda b: _finish_batch(b, roles, stripper), batches):
            finished.append(result)
            removals += batch_removals
            rejects += batch_rejects
    stage = lake.staging_dir(run_id)
    files |= _write_tables(stage, number, {"removals": removals, "rejects": rejects})
    restripped = None
    if newly := newly_common_sites(common, counts_of(before, common), docs_before, params):
        # Sources this run loads a version of: an older one must not be re-emitted beside it.
        staged_files = [b.files[t] for b in finished for t in ("articles", "rejects") if t in b.files]
        replaced = staged_sources(staged_files) | {row["source_id"] for row in rejects}
        restripped = restrip_loaded_articles(lake, number + 1, replaced, stripper, set(newly))
    return CommonParagraphs(finished, files, restripped)


def _with_roles(path: str, roles: Roles, columns: list[str] | None = None) -> pa.Table:
    """A staged article file with the dedup stage's cluster, role and similarity filled in."""
    table = pq.read_table(path, columns=columns or ["doc_id", "site", "text"])
    decided = roles.of(table["doc_id"])
    for name in decided.column_names:
        column = decided[name]
        if name in table.column_names:
            table = table.set_column(table.schema.get_field_index(name), name, column)
        else:
            table = table.append_column(name, column)
    return table


def _keys_with_roles(batch: BatchResult, roles: Roles) -> tuple[pa.Table, pa.Table]:
    """A batch's articles with the dedup stage's `dup_role`, and their paragraph keys."""
    articles = _with_roles(batch.files["articles"], roles, ["doc_id", "site"])
    if batch.paragraph_keys is None:
        return articles, PARAGRAPH_KEYS.empty_table()
    return articles, pq.read_table(batch.paragraph_keys, schema=PARAGRAPH_KEYS)


def _stage_counts(lake: Lake, run_id: str, counts: pa.Table) -> str:
    path = lake.staging_dir(run_id) / "paragraph_counts" / "b00000.parquet"
    rows = counts.append_column("run_id", pa.array([run_id] * counts.num_rows, pa.string()))
    return str(write_parquet_atomic(rows, path, staging=path.parent / "tmp", table="paragraph_counts"))


def _finish_batch(
    batch: BatchResult, roles: Roles, stripper: Stripper
) -> tuple[BatchResult, list[dict[str, Any]], list[dict[str, Any]]]:
    """Write one batch's final articles (and its signatures when a text changed); new counts.

    Returns the batch's new result, and the removal and reject rows stripping made (staged by
    the caller, with every batch's, in the stage's own files: the batch's stay as written).
    """
    if "articles" not in batch.files:
        return batch, [], []
    path = Path(batch.files["articles"])
    stage = path.parent.parent
    table = _with_roles(str(path), roles, columns=pq.read_schema(path).names)
    sites = set(pc.unique(pc.fill_null(table["site"], "")).to_pylist())
    stripped = stripper.strip(table.to_pylist()) if sites & stripper.common.keys() else Stripped([])
    if not stripped.touched:
        write_parquet_atomic(table, path, staging=stage / "tmp", table="articles")
        return batch, [], []
    files = dict(batch.files)
    emptied = {row["doc_id"] for row in stripped.emptied}
    if stripped.articles:
        write_parquet_atomic(
            rows_to_table(stripped.articles, "articles"), path, staging=stage / "tmp", table="articles"
        )
    else:  # every article was only common paragraphs
        path.unlink()
        del files["articles"]
    if not _rewrite_minhash(Path(files["minhash"]), stage, stripped.signatures, emptied):
        del files["minhash"]
    n_removed, n_emptied = len(stripped.removals), len(emptied)
    by_rule = dict(batch.removals_by_rule)
    by_rule[stripper.rule_id] = by_rule.get(stripper.rule_id, 0) + n_removed
    by_reason = dict(batch.rejects_by_reason)
    if n_emptied:
        by_reason["no_content"] = by_reason.get("no_content", 0) + n_emptied
    result = replace(
        batch,
        files=files,
        n_articles=batch.n_articles - n_emptied,
        n_rejects=batch.n_rejects + n_emptied,
        n_removals=batch.n_removals + n_removed,
        removals_by_rule=by_rule,
        rejects_by_reason=by_reason,
    )
    return result, stripped.removals, stripper.rejects(stripped.emptied)


def _rewrite_minhash(path: Path, stage: Path, signatures: dict[str, bytes], emptied: set[str]) -> bool:
    """The batch's signatures with those of changed texts replaced and emptied articles gone.

    Returns whether any signature is left in the file (it is deleted otherwise).
    """
    rows = [
        {**row, "signature": signatures.get(row["doc_id"], row["signature"])}
        for row in pq.read_table(path).to_pylist()
        if row["doc_id"] not in emptied
    ]
    if rows:
        write_parquet_atomic(rows_to_table(rows, "minhash"), path, staging=stage / "tmp", table="minhash")
        return True
    path.unlink()
    return False


def _write_tables(stage: Path, number: int, tables: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Stage each non-empty table's rows as `<table>/b<number>.parquet`; table -> path."""
    files = {}
    for table, rows in tables.items():
        if rows:
            path = stage / table / f"b{number:05d}.parquet"
            write_parquet_atomic(rows_to_table(rows, table), path, staging=stage / "tmp", table=table)
            files[table] = str(path)
    return files


@task(cache_policy=NO_CACHE)
def remove_common_paragraphs(
    lake_root: str,
    run_id: str,
    batches: list[BatchResult],
    duplicates: Duplicates,
    reprocess: bool,
    rules_dir: str | None,
) -> CommonParagraphs:
    """Take paragraphs that recur across many unrelated documents of a site out of its articles."""
    lake = Lake.at(lake_root)
    return remove_common(lake, run_id, batches, duplicates, load_ruleset(rules_dir), reprocess=reprocess)
