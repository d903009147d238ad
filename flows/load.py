"""After cleaning: mark duplicates on the staged rows, then commit the run to the lake.

Plain Python (no Prefect), called by the flow's tasks and by tests.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from transforms.minhash import KnownDocuments, MinHashConfig, assign_incremental
from transforms.ruleset import RuleSet
from warehouse.catalog import build_catalog
from warehouse.lake import Lake, rows_to_table, write_parquet_atomic

# The run counts, in the order the CLI, the artifact and the `runs` table show them.
COUNT_KEYS = ("n_documents", "n_skipped", "n_articles", "n_rejects", "n_removals", "n_duplicates", "n_variants")
COUNT_LABELS = ("documents in", "skipped (already loaded)", "articles", "rejects", "removals", "duplicates", "variants")


def docclean_version() -> str:
    try:
        return version("docclean")
    except PackageNotFoundError:
        return "unknown"


def known_documents(lake: Lake, replaced_sources: set[str] = frozenset()) -> KnownDocuments:
    """Current articles' signatures, clusters and roles: what new documents are matched against.

    Sources this run loads a new version of are left out: a changed or reprocessed document
    must not be taken for a copy of its own old version.
    """
    articles = lake.read_table("articles", ["doc_id", "source_id", "dup_cluster_id", "dup_role"])
    keep = [source not in replaced_sources for source in articles["source_id"].to_pylist()]
    articles = articles.filter(pa.array(keep, pa.bool_())).select(["doc_id", "dup_cluster_id", "dup_role"])
    minhash = lake.read_table("minhash", ["doc_id", "signature"])
    signature_of = dict(zip(minhash["doc_id"].to_pylist(), minhash["signature"].to_pylist(), strict=True))
    ids, clusters, roles, raw = [], [], [], []
    for doc_id, cluster, role in zip(*(articles[c].to_pylist() for c in articles.column_names), strict=True):
        if doc_id in signature_of and cluster is not None:
            ids.append(doc_id)
            clusters.append(cluster)
            roles.append(role)
            raw.append(signature_of[doc_id])
    sigs = np.frombuffer(b"".join(raw), dtype="<u4").reshape(len(ids), -1) if ids else np.zeros((0, 0), np.uint32)
    return KnownDocuments(ids=ids, signatures=sigs.astype(np.uint32), cluster_ids=clusters, roles=roles)


def mark_duplicates(
    lake: Lake, staged_articles: list[str], staged_minhash: list[str], config: MinHashConfig | None = None
) -> dict[str, int]:
    """Cluster this run's articles with each other and with everything already loaded.

    Fills `dup_cluster_id`, `dup_role` and `dup_similarity` in the staged article files; returns
    how many articles became `duplicate` and `variant`. Rows are annotated, never dropped.
    """
    counts = {"duplicate": 0, "variant": 0}
    if not staged_articles:
        return counts
    config = config or MinHashConfig()
    new = pa.concat_tables(
        [pq.read_table(p, columns=["doc_id", "source_id", "published_at", "char_count"]) for p in staged_articles]
    )
    minhash = pa.concat_tables([pq.read_table(p, columns=["doc_id", "signature"]) for p in staged_minhash])
    signature_of = dict(zip(minhash["doc_id"].to_pylist(), minhash["signature"].to_pylist(), strict=True))
    ids = new["doc_id"].to_pylist()
    sigs = np.frombuffer(b"".join(signature_of[i] for i in ids), dtype="<u4").reshape(len(ids), -1)
    known = known_documents(lake, set(new["source_id"].to_pylist()))
    if not known.ids:
        known = KnownDocuments(ids=[], signatures=np.zeros((0, sigs.shape[1]), np.uint32), cluster_ids=[], roles=[])
    assignments = assign_incremental(
        known,
        ids,
        sigs.astype(np.uint32),
        config,
        published_at=new["published_at"].to_pylist(),
        lengths=new["char_count"].to_pylist(),
    )
    by_id = {a.doc_id: a for a in assignments}
    for path in staged_articles:
        table = pq.read_table(path)
        rows = [by_id[doc_id] for doc_id in table["doc_id"].to_pylist()]
        for name, values, kind in (
            ("dup_cluster_id", [a.cluster_id for a in rows], pa.string()),
            ("dup_role", [a.role for a in rows], pa.string()),
            ("dup_similarity", [round(float(a.similarity), 4) for a in rows], pa.float32()),
        ):
            table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, kind))
        write_parquet_atomic(table, Path(path), staging=Path(path).parent.parent / "tmp", table="articles")
    for assignment in assignments:
        if assignment.role in counts:
            counts[assignment.role] += 1
    return counts


def summarize(batches: list[dict[str, Any]]) -> dict[str, Any]:
    """Add up the per-batch counts."""
    totals: dict[str, Any] = {k: 0 for k in ("n_documents", "n_skipped", "n_articles", "n_rejects", "n_removals")}
    by_rule: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    records: Counter[str] = Counter()
    for batch in batches:
        for key in totals:
            totals[key] += batch[key]
        by_rule.update(batch["removals_by_rule"])
        by_reason.update(batch["rejects_by_reason"])
        records.update(batch["records_skipped"])
    totals["removals_by_rule"] = dict(by_rule.most_common())
    totals["rejects_by_reason"] = dict(by_reason.most_common())
    totals["records_skipped"] = dict(records.most_common())
    return totals


def config_fingerprint(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]


def commit_run(
    lake: Lake,
    *,
    run_id: str,
    flow_run_id: str | None,
    started_at: datetime,
    finished_at: datetime,
    inputs: list[str],
    config: dict[str, Any],
    ruleset: RuleSet,
    batches: list[dict[str, Any]],
    duplicates: dict[str, int],
) -> bool:
    """Move staged files into the lake and write the run's row; rebuild the catalog.

    A run that adds no row (everything already loaded) writes nothing, so re-running on the
    same input leaves every table, `runs` included, as it was.
    """
    totals = summarize(batches)
    staged: dict[str, list[Path]] = {}
    for batch in batches:
        for table, path in batch["files"].items():
            staged.setdefault(table, []).append(Path(path))
    if not staged:
        lake.recover()  # nothing to commit: drop the empty staging folder
        build_catalog(lake)
        return False
    row = {
        "run_id": run_id,
        "flow_run_id": flow_run_id,
        "started_at": started_at,
        "finished_at": finished_at,
        "inputs": inputs,
        "config_json": json.dumps(config, sort_keys=True),
        "config_fingerprint": config_fingerprint(config),
        "ruleset_version": ruleset.version,
        "ruleset_fingerprint": ruleset.fingerprint,
        "docclean_version": docclean_version(),
        "n_documents": totals["n_documents"],
        "n_skipped": totals["n_skipped"],
        "n_articles": totals["n_articles"],
        "n_rejects": totals["n_rejects"],
        "n_removals": totals["n_removals"],
        "n_duplicates": duplicates["duplicate"],
        "n_variants": duplicates["variant"],
        "summary_json": json.dumps(
            {key: totals[key] for key in ("removals_by_rule", "rejects_by_reason", "records_skipped")}
        ),
    }
    lake.commit(run_id, staged, rows_to_table([row], "runs"))
    lake.drop_superseded()
    build_catalog(lake)
    return True
