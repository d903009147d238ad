"""Near-duplicate detection, second half: star clusters around a canonical, batch or incremental.

    verified pairs (`transforms.minhash`) -> connected components -> in each, the best-ranked
    document is canonical (earliest published, then longest, then smallest id) and every member
    at least `variant_threshold` similar to it joins it -> one `ClusterAssignment` per document

`assign_incremental` does the same for new documents against documents already clustered,
which keep their roles and cluster ids. Everything is numpy over whole batches; nothing loops
over documents in Python except the final conversion to `ClusterAssignment` records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import numpy as np
from docclean.transforms.minhash import MinHashConfig, band_keys, candidate_pairs, pair_similarity, verify_pairs

Role = Literal["canonical", "duplicate", "variant"]
ROLES: tuple[Role, ...] = ("canonical", "duplicate", "variant")
CANONICAL, DUPLICATE, VARIANT = 0, 1, 2  # role codes in `Clustering.role`

Dates = Sequence[datetime | None] | np.ndarray | None


@dataclass(frozen=True, slots=True)
class ClusterAssignment:
    """One document's place in the near-duplicate clustering. `similarity` is the estimated
    Jaccard similarity to the cluster's canonical (1.0 for the canonical itself)."""

    doc_id: str
    cluster_id: str
    role: Role
    similarity: float


@dataclass(frozen=True, slots=True)
class Clustering:
    """Array form of a clustering (what `cluster_near_duplicates` is built on): row `i`'s
    canonical is row `canonical[i]`, `role[i]` a code in `ROLES`, `similarity[i]` to canonical."""

    canonical: np.ndarray  # int64 (n,)
    role: np.ndarray  # uint8 (n,)
    similarity: np.ndarray  # float32 (n,)


@dataclass(frozen=True, slots=True)
class KnownDocuments:
    """Documents already clustered (loaded from the warehouse) for `assign_incremental`."""

    ids: Sequence[str]
    signatures: np.ndarray  # (n, num_perm) uint32, computed with the same config
    cluster_ids: Sequence[str]
    roles: Sequence[str]
    band_keys: np.ndarray | None = None  # (n, bands) uint64; recomputed from signatures if None


# --- components and ranking ------------------------------------------------------------------


def connected_components(pairs: np.ndarray, n: int) -> np.ndarray:
    """Component label of each of `n` nodes (the smallest node index in its component).

    Min-label propagation with pointer jumping, all in numpy: each round costs O(n + edges),
    and the number of rounds grows with the logarithm of the component diameter."""
    labels = np.arange(n, dtype=np.int64)
    if len(pairs) == 0:
        return labels
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        la, lb = labels[a], labels[b]
        low = np.minimum(la, lb)
        before = labels.copy()
        np.minimum.at(labels, la, low)  # hook roots onto the smaller label
        np.minimum.at(labels, lb, low)
        while True:  # pointer jumping: every node points at its root
            nxt = labels[labels]
            if np.array_equal(nxt, labels):
                break
            labels = nxt
        if np.array_equal(labels, before):
            return labels


def _epoch_micros(published_at: Dates, n: int) -> np.ndarray:
    """Publication times as int64 microseconds; unknown dates sort last."""
    last = np.iinfo(np.int64).max
    if published_at is None:
        return np.full(n, last, dtype=np.int64)
    if isinstance(published_at, np.ndarray) and np.issubdtype(published_at.dtype, np.datetime64):
        micros = published_at.astype("datetime64[us]").astype(np.int64)
        return np.where(np.isnat(published_at), last, micros)
    out = np.full(n, last, dtype=np.int64)
    for i, dt in enumerate(published_at):
        if dt is not None:
            aware = dt if dt.tzinfo else dt.replace(tzinfo=UTC)  # naive = UTC, as in the warehouse
            out[i] = int(aware.timestamp() * 1_000_000)
    return out


def _id_order(ids: Sequence[str] | np.ndarray) -> np.ndarray:
    """Row indices in increasing id order, stable (code-point order for strings)."""
    if isinstance(ids, np.ndarray) and ids.dtype != object:
        return np.argsort(ids, kind="stable")
    # Python's sort, not numpy's: numpy would first copy the ids into a fixed-width unicode
    # array (128 bytes an id: ~130 MB at 1M); this sorts 1M ids in about half a second.
    return np.fromiter(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64, count=len(ids))


def canonical_rank(
    ids: Sequence[str] | np.ndarray,
    published_at: Dates = None,
    lengths: Sequence[int] | np.ndarray | None = None,
) -> np.ndarray:
    """Rank of each row as a canonical (0 = best): earliest published, then longest, then
    smallest id. Deterministic whatever the input order."""
    n = len(ids)
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[_id_order(ids)] = np.arange(n)
    length = np.zeros(n, dtype=np.int64) if lengths is None else np.asarray(lengths, dtype=np.int64)
    order = np.lexsort((id_rank, -length, _epoch_micros(published_at, n)))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank


# --- batch clustering ------------------------------------------------------------------------


def cluster_edges(sigs: np.ndarray, edges: np.ndarray, rank: np.ndarray, config: MinHashConfig) -> Clustering:
    """Star clusters: in each connected component of `edges`, the best-ranked row is canonical
    and every row at least `variant_threshold` similar to it joins it. Rows that reached the
    component only through a chain (A~B~C, C far from A) are clustered again among themselves,
    so a member is always measured against its own canonical."""
    n = sigs.shape[0]
    canonical = np.arange(n, dtype=np.int64)
    similarity = np.ones(n, dtype=np.float32)
    active = np.unique(edges.ravel()) if len(edges) else np.zeros(0, dtype=np.int64)
    rank_to_row = np.empty(n, dtype=np.int64)
    rank_to_row[rank] = np.arange(n)
    while active.size:
        sub = _edges_among(edges, active, n)
        labels = connected_components(sub, active.size)
        best = np.full(active.size, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, labels, rank[active])
        canon = rank_to_row[best[labels]]
        sims = pair_similarity(sigs, np.stack([active, canon], axis=1))
        accept = (canon == active) | (sims >= config.variant_threshold)
        canonical[active[accept]] = canon[accept]
        similarity[active[accept]] = np.where(canon[accept] == active[accept], 1.0, sims[accept])
        active = active[~accept]
    role = np.full(n, VARIANT, dtype=np.uint8)
    role[similarity >= config.duplicate_threshold] = DUPLICATE
    role[canonical == np.arange(n)] = CANONICAL
    return Clustering(canonical=canonical, role=role, similarity=similarity)


def _edges_among(edges: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """The edges with both ends in `rows` (of `n` rows), renumbered as positions in `rows`."""
    local = np.full(n, -1, dtype=np.int64)
    local[rows] = np.arange(rows.size)
    sub = local[edges]
    return sub[(sub >= 0).all(axis=1)]


def cluster_arrays(
    sigs: np.ndarray,
    config: MinHashConfig,
    rank: np.ndarray,
    keys: np.ndarray | None = None,
) -> Clustering:
    """Band, find candidates, verify them and cluster; array in, arrays out (for large batches)."""
    keys = band_keys(sigs, config) if keys is None else keys
    pairs = candidate_pairs(keys, max_bucket=config.max_bucket)
    edges, _ = verify_pairs(sigs, pairs, config.variant_threshold)
    return cluster_edges(sigs, edges, rank, config)


def cluster_id_for(canonical_doc_id: str) -> str:
    """Cluster id derived from the canonical's doc id: stable across runs and re-clustering."""
    return "nd-" + hashlib.blake2b(canonical_doc_id.encode("utf-8"), digest_size=8).hexdigest()


def _assignments(
    ids: Sequence[str], clustering: Clustering, cluster_ids: dict[int, str] | None = None
) -> list[ClusterAssignment]:
    # A list, not a dict, for the ids made here: most rows are their own canonical (~100 MB less at 1M).
    made: list[str | None] = [None] * len(ids)
    out = []
    for i, (c, r, s) in enumerate(
        zip(clustering.canonical.tolist(), clustering.role.tolist(), clustering.similarity.tolist(), strict=True)
    ):
        cid = cluster_ids.get(c) if cluster_ids is not None else made[c]
        if cid is None:
            cid = cluster_id_for(str(ids[c]))
            if cluster_ids is not None:
                cluster_ids[c] = cid
            else:
                made[c] = cid
        out.append(ClusterAssignment(str(ids[i]), cid, ROLES[r], round(s, 4)))
    return out


def cluster_near_duplicates(
    ids: Sequence[str],
    sigs: np.ndarray,
    config: MinHashConfig | None = None,
    published_at: Dates = None,
    lengths: Sequence[int] | np.ndarray | None = None,
) -> list[ClusterAssignment]:
    """Cluster documents by signature; one assignment per document, in input order.

    Canonical = earliest `published_at`, then longest (`lengths`, e.g. characters), then
    smallest id. Others are `duplicate` (similarity to canonical >= duplicate_threshold) or
    `variant` (>= variant_threshold). A document with no near-duplicate is the canonical of a
    cluster of one. Cluster ids come from the canonical's doc id (`cluster_id_for`)."""
    config = config or MinHashConfig()
    if len(ids) != sigs.shape[0]:
        raise ValueError("ids and signatures differ in length")
    rank = canonical_rank(ids, published_at, lengths)
    return _assignments(ids, cluster_arrays(sigs, config, rank))


# --- incremental clustering ------------------------------------------------------------------


def assign_incremental(
    known: KnownDocuments,
    ids: Sequence[str],
    sigs: np.ndarray,
    config: MinHashConfig | None = None,
    published_at: Dates = None,
    lengths: Sequence[int] | np.ndarray | None = None,
) -> list[ClusterAssignment]:
    """Assignments for new documents, given documents already clustered.

    Known documents keep their roles and cluster ids (a canonical stays canonical even when a
    new copy claims an earlier date: ids already published downstream must not move). A new
    document joins the known cluster whose canonical it is most similar to (at least
    `variant_threshold`), directly or through another new document that joined; the rest are
    clustered among themselves as in `cluster_near_duplicates`. Pass only documents not in
    `known` (a known document passed again would become a duplicate of itself)."""
    config = config or MinHashConfig()
    if sigs.shape[0] != len(ids):
        raise ValueError("ids and signatures differ in length")
    n_old = len(known.ids)
    all_sigs, edges = _edges_to_new(known, sigs, config)
    cluster_row, sim_new = _join_known_clusters(all_sigs, edges, _known_canonical_rows(known, len(ids)), n_old, config)
    rest = np.flatnonzero(cluster_row[n_old:] < 0)  # new rows not in a known cluster
    fresh = _cluster_among_new(
        ids, sigs, _edges_among(edges, rest + n_old, cluster_row.size), rest, config, published_at, lengths
    )
    old_cluster = np.asarray(known.cluster_ids, dtype=object)
    return [
        fresh[j] or _joined(str(ids[j]), str(old_cluster[cluster_row[n_old + j]]), float(sim_new[j]), config)
        for j in range(len(ids))
    ]


def _joined(doc_id: str, cluster_id: str, similarity: float, config: MinHashConfig) -> ClusterAssignment:
    """A new document that joined a known cluster: never its canonical."""
    role: Role = "duplicate" if similarity >= config.duplicate_threshold else "variant"
    return ClusterAssignment(doc_id, cluster_id, role, round(similarity, 4))


def _edges_to_new(known: KnownDocuments, sigs: np.ndarray, config: MinHashConfig) -> tuple[np.ndarray, np.ndarray]:
    """Known and new signatures stacked (known first), and the verified pairs touching a new row."""
    n_old = len(known.ids)
    new_keys = band_keys(sigs, config)
    if n_old:
        old_keys = known.band_keys if known.band_keys is not None else band_keys(known.signatures, config)
        all_sigs, keys = np.concatenate([known.signatures, sigs]), np.concatenate([old_keys, new_keys])
    else:
        all_sigs, keys = sigs, new_keys
    pairs = candidate_pairs(keys, max_bucket=config.max_bucket)
    pairs = pairs[pairs[:, 1] >= n_old]  # only pairs touching a new document
    edges, _ = verify_pairs(all_sigs, pairs, config.variant_threshold)
    return all_sigs, edges


def _known_canonical_rows(known: KnownDocuments, n_new: int) -> np.ndarray:
    """For every row (known, then new), the row of its cluster's canonical; -1 for new rows."""
    n_old = len(known.ids)
    cluster_row = np.full(n_old + n_new, -1, dtype=np.int64)
    if n_old:
        names, which = np.unique(np.asarray(known.cluster_ids, dtype=str), return_inverse=True)
        is_canon = np.asarray(known.roles, dtype=str) == "canonical"
        canon_row = np.full(names.size, -1, dtype=np.int64)
        canon_row[which[is_canon]] = np.flatnonzero(is_canon)
        # A known cluster whose canonical was not passed in: measure against the member itself.
        cluster_row[:n_old] = np.where(canon_row[which] >= 0, canon_row[which], np.arange(n_old))
    return cluster_row


def _join_known_clusters(
    all_sigs: np.ndarray, edges: np.ndarray, cluster_row: np.ndarray, n_old: int, config: MinHashConfig
) -> tuple[np.ndarray, np.ndarray]:
    """New rows joined to known clusters: (canonical row of every row, -1 for a new row that
    joined none; each new row's similarity to its canonical). Repeats so a new copy of a new
    copy also finds the old cluster."""
    cluster_row = cluster_row.copy()
    sim_new = np.zeros(cluster_row.size - n_old, dtype=np.float32)
    a, b = edges[:, 0], edges[:, 1]
    while True:
        joined = cluster_row >= 0
        # (new row, canonical row of a joined neighbour) for each edge with exactly one side joined
        from_a, from_b = joined[a] & ~joined[b], joined[b] & ~joined[a]
        cand_new = np.concatenate([b[from_a], a[from_b]])
        cand_canon = np.concatenate([cluster_row[a[from_a]], cluster_row[b[from_b]]])
        if cand_new.size == 0:
            break
        sims = pair_similarity(all_sigs, np.stack([cand_new, cand_canon], axis=1))
        ok = sims >= config.variant_threshold
        if not ok.any():
            break
        cand_new, cand_canon, sims = cand_new[ok], cand_canon[ok], sims[ok]
        # Best cluster per new row: highest similarity, then smallest canonical row.
        order = np.lexsort((cand_canon, -sims, cand_new))
        first = np.ones(order.size, dtype=bool)
        first[1:] = cand_new[order][1:] != cand_new[order][:-1]
        pick = order[first]
        cluster_row[cand_new[pick]] = cand_canon[pick]
        sim_new[cand_new[pick] - n_old] = sims[pick]
    return cluster_row, sim_new


def _cluster_among_new(
    ids: Sequence[str],
    sigs: np.ndarray,
    edges: np.ndarray,
    rest: np.ndarray,
    config: MinHashConfig,
    published_at: Dates,
    lengths: Sequence[int] | np.ndarray | None,
) -> list[ClusterAssignment | None]:
    """Assignments of the new rows `rest` (that joined no known cluster), clustered among
    themselves over `edges` (numbered as positions in `rest`); None for every other new row."""
    fresh: list[ClusterAssignment | None] = [None] * len(ids)
    if not rest.size:
        return fresh
    sub_ids = [ids[i] for i in rest.tolist()]
    sub_len = None if lengths is None else np.asarray(lengths)[rest]
    rank = canonical_rank(sub_ids, _subset(published_at, rest), sub_len)
    clustering = cluster_edges(sigs[rest], edges, rank, config)
    for j, assignment in zip(rest.tolist(), _assignments(sub_ids, clustering), strict=True):
        fresh[j] = assignment
    return fresh


def _subset(values: Dates, rows: np.ndarray) -> Dates:
    if values is None or isinstance(values, np.ndarray):
        return None if values is None else values[rows]
    return [values[i] for i in rows.tolist()]
