"""Counting paragraphs per site with numpy and Arrow, for the common-paragraph stage.

The counts the pure rule (`transforms.common_paragraphs`) decides on: per (site, paragraph key),
how many canonical articles hold it, this run's and the lake's.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from docclean.transforms.common_paragraphs import paragraph_hashes
from docclean.warehouse.lake import Lake

PARAGRAPH_KEYS = pa.schema([("doc_id", pa.string()), ("site", pa.string()), ("key", pa.uint64())])


def paragraph_key_table(articles: Iterable[Mapping[str, Any]], min_words: int) -> pa.Table:
    """One row per (article, key of a paragraph of at least `min_words` words) of the articles'
    `text`, with its `doc_id` and `site` ('' for none): made in the batch task, read by counting."""
    doc_ids, sites, keys = [], [], []
    for article in articles:
        for key in paragraph_hashes(article["text"], min_words):
            doc_ids.append(article["doc_id"])
            sites.append(article["site"] or "")
            keys.append(int(key, 16))
    return pa.table([doc_ids, sites, keys], schema=PARAGRAPH_KEYS)


def stage_paragraph_keys(keys: pa.Table, path: Path) -> str:
    """Write a batch's keys to `path` (in the run's staging folder, never loaded) by an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(keys, tmp, compression="zstd")
    os.replace(tmp, path)
    return str(path)


def count_paragraphs_by_site(batches: Iterable[tuple[pa.Table, pa.Table]]) -> tuple[pa.Table, Counter[str]]:
    """Per (site, paragraph key): how many canonical articles of these batches contain it.

    Each batch is (its articles: `doc_id`, `site`, `dup_role`; their paragraph keys: `doc_id`,
    `site`, `key`, as `paragraph_key_table` makes them). Also returns the canonical articles per
    site ('' for no site). Rows come sorted by site and key. Counted as numpy integers, not
    Python objects: at 1M articles there are ~10M (site, paragraph) pairs, which a Counter
    would hold in ~2 GB.
    """
    site_ids: dict[str, int] = {}
    site_docs: Counter[str] = Counter()
    parts: list[np.ndarray] = []
    for articles, keys in batches:
        canonical = articles.filter(pc.equal(articles["dup_role"], "canonical"))
        for item in pc.value_counts(pc.fill_null(canonical["site"], "")).to_pylist():
            site_docs[item["values"]] += item["counts"]
        keys = keys.filter(pc.is_in(keys["doc_id"], value_set=canonical["doc_id"].combine_chunks()))
        if keys.num_rows:
            parts.append(_site_key_pairs(keys, site_ids))
    pairs = np.concatenate(parts) if parts else np.empty(0, dtype=_PAIR)
    names = sorted(site_ids)
    rank = np.empty(len(names), dtype="<u4")
    rank[[site_ids[name] for name in names]] = np.arange(len(names), dtype="<u4")
    pairs["site"] = rank[pairs["site"]]  # ids in name order, so rows come sorted by site
    unique, n = np.unique(pairs, return_counts=True)
    site_column = pa.array(names, pa.string()).take(pa.array(unique["site"], pa.uint32()))
    keys = pa.array([f"{k:016x}" for k in unique["key"].tolist()], pa.string())
    return pa.table({"site": site_column, "key": keys, "n_documents": pa.array(n, pa.int32())}), site_docs


_PAIR = np.dtype([("site", "<u4"), ("key", "<u8")])


def _site_key_pairs(keys: pa.Table, site_ids: dict[str, int]) -> np.ndarray:
    """The (site id, key) pairs of a keys table; new sites get the next ids in `site_ids`."""
    sites = pc.fill_null(keys["site"], "").combine_chunks().dictionary_encode()
    local = np.array([site_ids.setdefault(site, len(site_ids)) for site in sites.dictionary.to_pylist()], "<u4")
    chunk = np.empty(keys.num_rows, dtype=_PAIR)
    chunk["site"] = local[sites.indices.to_numpy(zero_copy_only=False)]
    chunk["key"] = keys["key"].combine_chunks().to_numpy(zero_copy_only=False)
    return chunk


def lake_counts(lake: Lake) -> tuple[pa.Table, Counter[str]]:
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


def add_counts(counts: pa.Table, known: pa.Table) -> pa.Table:
    """This run's counts plus what earlier runs counted for the same (site, key)."""
    if not known.num_rows:
        return counts
    joined = counts.join(known.rename_columns(["site", "key", "known"]), keys=["site", "key"], join_type="left outer")
    total = pc.add(joined["n_documents"], pc.fill_null(joined["known"], 0))
    return pa.table({"site": joined["site"], "key": joined["key"], "n_documents": pc.cast(total, pa.int64())})


def counts_of(counts: pa.Table, sites: Iterable[str], at_least: int = 0) -> Mapping[tuple[str, str], int]:
    """(site, key) -> documents, for `sites`' rows with at least `at_least` documents."""
    if not counts.num_rows:
        return {}
    rows = counts.filter(pc.is_in(counts["site"], value_set=pa.array(sorted(sites), pa.string())))
    if at_least:
        rows = rows.filter(pc.greater_equal(rows["n_documents"], at_least))
    pairs = zip(rows["site"].to_pylist(), rows["key"].to_pylist(), strict=True)
    return dict(zip(pairs, rows["n_documents"].to_pylist(), strict=True))
