"""After cleaning: mark duplicates on the staged rows, then commit the run to the lake.

Plain Python (no Prefect), called by the flow's tasks and by tests.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.clusters import KnownDocuments, assign_incremental
from transforms.common_paragraphs import paragraph_hashes, strip_common_paragraphs
from transforms.minhash import MinHashConfig
from transforms.ruleset import RuleSet
from transforms.templates import SiteProfile, merge_profiles
from warehouse.catalog import build_catalog
from warehouse.lake import Lake, rows_to_table, run_id_of, write_parquet_atomic
from warehouse.rows import content_hash

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
    sigs = signature_matrix(staged_minhash, new["doc_id"])
    known = known_documents(lake, set(pc.unique(new["source_id"]).to_pylist()))
    if not known.ids:
        known = KnownDocuments(ids=[], signatures=np.zeros((0, sigs.shape[1]), np.uint32), cluster_ids=[], roles=[])
    assignments = assign_incremental(
        known,
        new["doc_id"].to_pylist(),
        sigs,
        config,
        published_at=new["published_at"].to_numpy(),  # datetime64, NaT for unknown: no 1M datetime objects
        lengths=new["char_count"].to_numpy(),
    )
    del new, sigs
    start = 0  # assignments come in the order of the rows read above: file by file
    for path in staged_articles:
        table = pq.read_table(path)
        rows = assignments[start : start + table.num_rows]
        start += table.num_rows
        if [a.doc_id for a in rows] != table["doc_id"].to_pylist():
            raise RuntimeError(f"{path} changed while its duplicates were being marked")
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


def remember_input_files(staged_input_files: str | None, batches: list[dict[str, Any]]) -> str | None:
    """Keep, in the staged `input_files`, only files none of whose documents became a reject.

    A rejected file must be read again next time even if it did not change: its permissions may
    have been fixed, or the run given a larger limit. Returns the staged path, or None when no
    file is left to remember.
    """
    if not staged_input_files:
        return None
    rejected: set[str] = set()
    for batch in batches:
        if "rejects" in batch["files"]:
            uris = pq.read_table(batch["files"]["rejects"], columns=["source_uri"])["source_uri"].to_pylist()
            rejected.update(uri.split("#", 1)[0] for uri in uris)  # a JSONL line or WARC record: its file
    if not rejected:
        return staged_input_files
    rows = pq.read_table(staged_input_files)
    rows = rows.filter(pc.invert(pc.is_in(rows["file_uri"], value_set=pa.array(sorted(rejected), pa.string()))))
    if not rows.num_rows:
        Path(staged_input_files).unlink()
        return None
    path = Path(staged_input_files)
    write_parquet_atomic(rows, path, staging=path.parent / "tmp", table="input_files")
    return staged_input_files


def signature_matrix(staged_minhash: list[str], doc_ids: pa.ChunkedArray) -> np.ndarray:
    """The MinHash signatures of `doc_ids`, in that order, as one uint32 matrix.

    Read straight from the Parquet buffers: at 1M documents, a Python bytes object per signature
    (and a dict to find them) cost ~1.5 GB more than the 512 MB matrix itself.
    """
    total = sum(pq.ParquetFile(path).metadata.num_rows for path in staged_minhash)
    ids: list[pa.ChunkedArray] = []
    matrix = np.zeros((0, 0), np.uint32)
    start = 0
    for path in staged_minhash:
        table = pq.read_table(path, columns=["doc_id", "signature"])
        if not table.num_rows:
            continue
        column = table["signature"].combine_chunks()
        width = len(column[0].as_py())  # bytes per signature
        if not matrix.size:
            matrix = np.empty((total, width // 4), np.uint32)
        fixed = pc.cast(column, pa.binary(width))
        count, offset = len(fixed) * width // 4, fixed.offset * width
        block = np.frombuffer(fixed.buffers()[1], dtype="<u4", count=count, offset=offset)
        matrix[start : start + len(fixed)] = block.reshape(len(fixed), width // 4)
        start += len(fixed)
        ids.append(table["doc_id"])
    if not ids:
        return matrix
    order = pc.index_in(doc_ids, value_set=pa.chunked_array([c for t in ids for c in t.chunks]).combine_chunks())
    if order.null_count:
        raise RuntimeError("an article has no MinHash signature in this run's staged files")
    order = order.to_numpy()
    if np.array_equal(order, np.arange(len(order))):
        return matrix
    return matrix[order]


def strip_common_paragraphs_in_run(
    lake: Lake, run_id: str, batches: list[dict[str, Any]], ruleset: RuleSet, *, fresh: bool = False
) -> int:
    """Remove paragraphs that recur across many unrelated documents of a site from this run's articles.

    Counts paragraphs per site over canonical articles only (one per near-duplicate cluster),
    adding the lake's counts unless `fresh` (reprocessing recounts everything). A paragraph is
    common on a site when it is in at least max(min_documents, min_fraction x the site's
    canonical articles) of them: a disclaimer or bio, not a quote many outlets happened to use.
    Stages this run's counts as `paragraph_counts`; records each removal; an article left with
    no text becomes a reject. Updates the batches in place; returns paragraphs removed.
    """
    rule = ruleset.get("common_paragraph")
    min_docs, min_words = rule.param("min_documents", 5), rule.param("min_words", 7)
    min_fraction = rule.param("min_fraction", 0.01)
    staged = [b for b in batches if "articles" in b["files"]]
    counts, site_docs = count_paragraphs_by_site([b["files"]["articles"] for b in staged], min_words)
    if not counts.num_rows:  # no new paragraph: nothing can be, or become, common with this run
        return 0
    path = lake.staging_dir(run_id) / "paragraph_counts" / "b00000.parquet"
    rows = counts.append_column("run_id", pa.array([run_id] * counts.num_rows, pa.string()))
    write_parquet_atomic(rows, path, staging=path.parent / "tmp", table="paragraph_counts")
    batches[0]["files"]["paragraph_counts"] = str(path)
    lake_counts, lake_docs = (pa.table({}), Counter()) if fresh else _lake_counts(lake)
    if lake_counts.num_rows:
        counts = _add_counts(counts, lake_counts)
    site_docs.update(lake_docs)
    # Only paragraphs over the smallest threshold can be common: a small table to loop over.
    candidates = counts.filter(pc.greater_equal(counts["n_documents"], min_docs))
    common: dict[str, set[str]] = {}
    for site, key, n in zip(*(candidates[c].to_pylist() for c in ("site", "key", "n_documents")), strict=True):
        if n >= max(min_docs, math.ceil(min_fraction * site_docs[site])):
            common.setdefault(site, set()).add(key)
    if not common:
        return 0
    n_removed = sum(_strip_batch(run_id, batch, common, min_words, rule) for batch in staged)
    newly = _newly_common(common, lake_counts, lake_docs, min_docs, min_fraction)
    if newly:
        restripped = restrip_loaded_articles(lake, run_id, batches, common, set(newly), min_words, rule)
        if restripped is not None:
            batches.append(restripped)
            n_removed += restripped["n_removals"]
    return n_removed


def count_paragraphs_by_site(article_files: list[str], min_words: int) -> tuple[pa.Table, Counter[str]]:
    """Per (site, paragraph key): how many canonical articles of these files contain it.

    Also the canonical articles per site. Keys are counted as numpy integers, not Python
    objects: at 1M articles there are ~10M (site, paragraph) pairs, which a Counter would hold
    in ~2 GB.
    """
    site_ids: dict[str, int] = {}
    site_docs: Counter[str] = Counter()
    parts: list[np.ndarray] = []
    pair = np.dtype([("site", "<u4"), ("key", "<u8")])
    for path in article_files:
        table = pq.read_table(path, columns=["site", "text", "dup_role"])
        sites, keys = [], []
        for site, text, role in zip(*(table[c].to_pylist() for c in table.column_names), strict=True):
            if role != "canonical":
                continue
            site = site or ""
            site_docs[site] += 1
            sid = site_ids.setdefault(site, len(site_ids))
            for key in paragraph_hashes(text, min_words):
                sites.append(sid)
                keys.append(int(key, 16))
        chunk = np.empty(len(keys), dtype=pair)
        chunk["site"], chunk["key"] = sites, keys
        parts.append(chunk)
    pairs = np.concatenate(parts) if parts else np.empty(0, dtype=pair)
    unique, n = np.unique(pairs, return_counts=True)
    names = pa.array(list(site_ids), pa.string())
    return (
        pa.table(
            {
                "site": names.take(pa.array(unique["site"], pa.uint32())) if len(unique) else pa.array([], pa.string()),
                "key": pa.array([f"{k:016x}" for k in unique["key"].tolist()], pa.string()),
                "n_documents": pa.array(n, pa.int32()),
            }
        ),
        site_docs,
    )


def _lake_counts(lake: Lake) -> tuple[pa.Table, Counter[str]]:
    """What earlier runs counted: per (site, key) documents, and canonical articles per site."""
    known = lake.read_table("paragraph_counts", ["site", "key", "n_documents"])
    known = (
        known.group_by(["site", "key"])
        .aggregate([("n_documents", "sum")])
        .rename_columns(["site", "key", "n_documents"])
    )
    loaded = lake.read_table("articles", ["site", "dup_role"])
    loaded = loaded.filter(pc.equal(loaded["dup_role"], "canonical"))
    docs: Counter[str] = Counter()
    for item in pc.value_counts(pc.fill_null(loaded["site"], "")).to_pylist():
        docs[item["values"]] += item["counts"]
    return known, docs


def _add_counts(counts: pa.Table, known: pa.Table) -> pa.Table:
    """This run's counts plus what earlier runs counted for the same (site, key)."""
    joined = counts.join(known.rename_columns(["site", "key", "known"]), keys=["site", "key"], join_type="left outer")
    total = pc.add(joined["n_documents"], pc.fill_null(joined["known"], 0))
    return pa.table({"site": joined["site"], "key": joined["key"], "n_documents": pc.cast(total, pa.int64())})


def _newly_common(
    common: dict[str, set[str]], known: pa.Table, known_docs: Counter[str], min_docs: int, min_fraction: float
) -> list[str]:
    """Sites with articles in the lake where a paragraph became common with this run.

    Earlier runs left it in their articles, being under the threshold then (the same test on
    the lake's counts alone).
    """
    before: dict[tuple[str, str], int] = {}
    if known.num_rows:
        wanted = pc.is_in(known["site"], value_set=pa.array(sorted(common), pa.string()))
        rows = known.filter(wanted)
        pairs = zip(rows["site"].to_pylist(), rows["key"].to_pylist(), strict=True)
        before = dict(zip(pairs, rows["n_documents"].to_pylist(), strict=True))
    sites = []
    for site, keys in common.items():
        if not known_docs.get(site):
            continue
        threshold = max(min_docs, math.ceil(min_fraction * known_docs[site]))
        if any(before.get((site, key), 0) < threshold for key in keys):
            sites.append(site)
    return sorted(sites)


def _strip_rows(
    articles: list[dict[str, Any]],
    removals: list[dict[str, Any]],
    common: dict[str, set[str]],
    min_words: int,
    rule,
    run_id: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Strip common paragraphs from article rows in place, appending a removal for each.

    Returns the articles that changed, those left with no text, and the paragraphs removed.
    """
    next_seq: Counter[str] = Counter()
    for row in removals:
        next_seq[row["doc_id"]] = max(next_seq[row["doc_id"]], row["seq"] + 1)
    changed, emptied, n_removed = [], [], 0
    for article in articles:
        text, gone = strip_common_paragraphs(article["text"], common.get(article["site"] or "", set()), min_words)
        if not gone:
            continue
        for paragraph in gone:
            removals.append(
                {
                    "doc_id": article["doc_id"],
                    "seq": next_seq[article["doc_id"]],
                    "rule_id": rule.id,
                    "reason": rule.reason,
                    "text": paragraph,
                    "start_offset": None,
                    "end_offset": None,
                    "run_id": run_id,
                }
            )
            next_seq[article["doc_id"]] += 1
        n_removed += len(gone)
        article.update(
            text=text,
            word_count=len(text.split()),
            char_count=len(text),
            n_removals=article["n_removals"] + len(gone),
            content_hash=content_hash(text),
        )
        (changed if text.strip() else emptied).append(article)
    return changed, emptied, n_removed


def _strip_batch(run_id: str, batch: dict[str, Any], common: dict[str, set[str]], min_words: int, rule) -> int:
    articles = pq.read_table(batch["files"]["articles"]).to_pylist()
    removals_path = batch["files"].get("removals")
    removals = pq.read_table(removals_path).to_pylist() if removals_path else []
    _, emptied, n_removed = _strip_rows(articles, removals, common, min_words, rule, run_id)
    if not n_removed:
        return 0
    stage = Path(batch["files"]["articles"]).parent.parent
    kept = [a for a in articles if a["text"].strip()]
    write_parquet_atomic(
        rows_to_table(kept, "articles"), Path(batch["files"]["articles"]), staging=stage / "tmp", table="articles"
    )
    removals_path = removals_path or str(stage / "removals" / f"b{batch['batch']:05d}.parquet")
    write_parquet_atomic(
        rows_to_table(removals, "removals"), Path(removals_path), staging=stage / "tmp", table="removals"
    )
    batch["files"]["removals"] = removals_path
    batch["n_removals"] += n_removed
    batch["removals_by_rule"][rule.id] = batch["removals_by_rule"].get(rule.id, 0) + n_removed
    if emptied:
        _move_to_rejects(stage, batch, emptied, run_id)
    return n_removed


def restrip_loaded_articles(
    lake: Lake,
    run_id: str,
    batches: list[dict[str, Any]],
    common: dict[str, set[str]],
    sites: set[str],
    min_words: int,
    rule,
) -> dict[str, Any] | None:
    """New versions, in this run, of loaded articles of `sites` that hold a paragraph now common.

    Without them a site's first articles would keep the footer that made it common, for good:
    each is re-emitted as the lake re-emits a changed source, its rows in every document table
    copied into this run (views and `drop_superseded` then retire the old ones), its text
    stripped and each removal recorded. Returns a pseudo-batch of staged files and counts
    (no documents in), or None when no loaded article holds one.
    """
    replaced = {s for b in batches for s in _staged_sources(b)}
    committed = lake.committed_run_ids()  # replaced versions are gone: the run began with drop_superseded
    articles = []
    for path in lake.files("articles"):
        if run_id_of(path) not in committed:
            continue
        site_column = pc.fill_null(pq.read_table(path, columns=["site"])["site"], "")  # no site: one group, ""
        if not pc.any(pc.is_in(site_column, value_set=pa.array(sorted(sites), pa.string()))).as_py():
            continue
        head = pq.read_table(path, columns=["source_id", "text"])
        # Only the rows that hold a common paragraph become Python rows (a big site has many).
        holding = [
            i
            for i, (site, source_id, text) in enumerate(
                zip(site_column.to_pylist(), head["source_id"].to_pylist(), head["text"].to_pylist(), strict=True)
            )
            if site in sites and source_id not in replaced and paragraph_hashes(text, min_words) & common[site]
        ]
        if holding:
            articles += pq.read_table(path).take(pa.array(holding, pa.int64())).to_pylist()
    if not articles:
        return None
    stale = {a["doc_id"]: a["run_id"] for a in articles}
    copies = {t: _rows_of(lake, t, stale) for t in ("removals", "sources", "minhash")}
    removals = copies["removals"]
    changed, emptied, n_removed = _strip_rows(articles, removals, common, min_words, rule, run_id)
    if not n_removed:
        return None
    touched = {a["doc_id"] for a in changed + emptied}
    number = max((b["batch"] for b in batches), default=-1) + 1
    batch: dict[str, Any] = {
        "batch": number,
        "files": {},
        "n_documents": 0,
        "n_skipped": 0,
        "n_articles": 0,
        "n_rejects": 0,
        "n_removals": n_removed,
        "n_restripped": len(touched),
        "removals_by_rule": {rule.id: n_removed},
        "rejects_by_reason": {},
        "records_skipped": {},
    }
    stage = lake.staging_dir(run_id)
    gone = {a["doc_id"] for a in emptied}
    tables = {
        "articles": [{**a, "run_id": run_id} for a in changed],
        "removals": [{**r, "run_id": run_id} for r in removals if r["doc_id"] in touched],
        "sources": [{**r, "run_id": run_id} for r in copies["sources"] if r["doc_id"] in touched],
        "minhash": [{**r, "run_id": run_id} for r in copies["minhash"] if r["doc_id"] in touched - gone],
    }
    for table, rows in tables.items():
        if rows:
            path = stage / table / f"b{number:05d}.parquet"
            write_parquet_atomic(rows_to_table(rows, table), path, staging=stage / "tmp", table=table)
            batch["files"][table] = str(path)
    if emptied:
        _move_to_rejects(stage, batch, emptied, run_id)
        # The run's counts are of its own documents; these were loaded before.
        batch.update(n_articles=0, n_rejects=0, rejects_by_reason={}, n_restripped_rejected=len(emptied))
    return batch


def _staged_sources(batch: dict[str, Any]) -> list[str]:
    """Source ids this run loads a version of (it must not re-emit an older one beside it)."""
    return [
        s
        for table in ("articles", "rejects")
        if table in batch["files"]
        for s in pq.read_table(batch["files"][table], columns=["source_id"])["source_id"].to_pylist()
    ]


def _rows_of(lake: Lake, table: str, versions: dict[str, str]) -> list[dict[str, Any]]:
    """A table's committed rows of the given document versions (doc_id -> run_id)."""
    ids = pa.array(sorted(versions), pa.string())
    out = []
    for path in lake.files(table):
        if run_id_of(path) not in versions.values():
            continue
        doc_ids = pq.read_table(path, columns=["doc_id"])["doc_id"]
        wanted = pc.is_in(doc_ids, value_set=ids)
        if pc.any(wanted).as_py():
            out += [r for r in pq.read_table(path).filter(wanted).to_pylist() if versions[r["doc_id"]] == r["run_id"]]
    return out


def _move_to_rejects(stage: Path, batch: dict[str, Any], emptied: list[dict[str, Any]], run_id: str) -> None:
    """Articles that were nothing but common paragraphs: rejects, like any document left empty."""
    path = batch["files"].get("rejects") or str(stage / "rejects" / f"b{batch['batch']:05d}.parquet")
    rejects = pq.read_table(path).to_pylist() if Path(path).exists() else []
    for article in emptied:
        rejects.append(
            {
                "doc_id": article["doc_id"],
                "source_id": article["source_id"],
                "source_uri": article["source_uri"],
                "input_format": article["input_format"],
                "reason": "no_content",
                "detail": "nothing left after removing common paragraphs",
                "raw_hash": article["raw_hash"],
                "run_id": run_id,
                "rejected_at": article["processed_at"],
            }
        )
    write_parquet_atomic(rows_to_table(rejects, "rejects"), Path(path), staging=stage / "tmp", table="rejects")
    batch["files"]["rejects"] = path
    batch["n_articles"] -= len(emptied)
    batch["n_rejects"] += len(emptied)
    batch["rejects_by_reason"]["no_content"] = batch["rejects_by_reason"].get("no_content", 0) + len(emptied)


def merge_site_profiles(
    lake: Lake, run_id: str, partial_paths: list[str], staging: Path, *, fresh: bool = False
) -> str | None:
    """Merge the batches' partial profiles with the lake's (unless `fresh`); stage the result.

    Writes `profiles.json` (what the cleaning tasks read) and, for the sites this run saw, their
    whole merged profile as `site_profiles` rows (keys on one page only are not kept).
    Returns the JSON path, or None when the run saw no page with a site.
    """
    merged: dict[str, SiteProfile] = {}
    for path in partial_paths:
        for site, data in json.loads(Path(path).read_text(encoding="utf-8")).items():
            profile = SiteProfile.from_dict(data)
            merged[site] = merge_profiles(merged[site], profile) if site in merged else profile
    if not merged:
        return None
    if not fresh:
        persisted = lake.site_profile_rows()
        by_site: dict[str, list[dict]] = {}
        for row in persisted.to_pylist():
            by_site.setdefault(row["site"], []).append(row)
        for site, rows in by_site.items():
            if site in merged:
                merged[site] = merge_profiles(SiteProfile.from_rows(rows), merged[site])
    rows = [{**row, "run_id": run_id} for profile in merged.values() for row in profile.pruned(2).rows()]
    if rows:
        target = staging / "site_profiles" / "b00000.parquet"
        write_parquet_atomic(
            rows_to_table(rows, "site_profiles"), target, staging=staging / "tmp", table="site_profiles"
        )
    out = staging / "profiles.json"
    out.write_text(json.dumps({site: p.to_dict() for site, p in merged.items()}), encoding="utf-8")
    return str(out)


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
    # Loaded articles this run gave a new version without a common paragraph (not documents in).
    totals["n_restripped"] = sum(batch.get("n_restripped", 0) for batch in batches)
    totals["n_restripped_rejected"] = sum(batch.get("n_restripped_rejected", 0) for batch in batches)
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
    n_unchanged_files: int = 0,
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
        "n_unchanged_files": n_unchanged_files,
    }
    lake.commit(run_id, staged, rows_to_table([row], "runs"))
    if config.get("reprocess"):  # reprocessing recounted every paragraph: older counts are replaced
        for path in lake.files("paragraph_counts"):
            if run_id_of(path) != run_id:
                path.unlink()
    lake.drop_superseded()
    lake.drop_stale_profiles()
    build_catalog(lake)
    return True
