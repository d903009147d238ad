"""Counting paragraphs per site with numpy and Arrow, for the common-paragraph stage.

The counts the pure rule (`transforms.common_paragraphs`) decides on: per (site, paragraph key),
how many canonical articles hold it, this run's and the lake's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from docclean.transforms.common_paragraphs import paragraph_hashes
from docclean.warehouse.lake import Lake


def count_paragraphs_by_site(articles: Iterable[pa.Table], min_words: int) -> tuple[pa.Table, Counter[str]]:
    """Per (site, paragraph key): how many canonical articles of these tables contain it.

    The tables hold `site`, `text` and `dup_role`. Also returns the canonical articles per site
    ('' for no site). Keys are counted as numpy integers, not Python objects: at 1M articles
    there are ~10M (site, paragraph) pairs, which a Counter would hold in ~2 GB.
    """
    site_ids: dict[str, int] = {}
    site_docs: Counter[str] = Counter()
    parts: list[np.ndarray] = []
    pair = np.dtype([("site", "<u4"), ("key", "<u8")])
    for table in articles:
        sites, keys = [], []
        for site, text, role in zip(*(table[c].to_pylist() for c in ("site", "text", "dup_role")), strict=True):
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
    site_column = names.take(pa.array(unique["site"], pa.uint32())) if len(unique) else pa.array([], pa.string())
    keys = pa.array([f"{k:016x}" for k in unique["key"].tolist()], pa.string())
    return pa.table({"site": site_column, "key": keys, "n_documents": pa.array(n, pa.int32())}), site_docs


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
