"""Near-duplicate core, second half: components, canonical choice, clustering, incremental use."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import numpy as np
from docclean.transforms.clusters import (
    ClusterAssignment,
    KnownDocuments,
    assign_incremental,
    canonical_rank,
    cluster_id_for,
    cluster_near_duplicates,
    connected_components,
)
from docclean.transforms.minhash import band_keys, signatures

from tests.transforms.test_minhash import (
    CONFIG,
    FOOTBALL,
    HARBOUR,
    HARBOUR_REWRITE,
    REPO,
    VACCINE,
    edit_words,
    exact_jaccard,
)


def at(day: int) -> datetime:
    return datetime(2024, 3, 1, tzinfo=UTC) + timedelta(days=day)


def by_id(assignments: list[ClusterAssignment]) -> dict[str, ClusterAssignment]:
    return {a.doc_id: a for a in assignments}


def test_clustering_imports_no_io_library() -> None:
    code = "import sys, transforms.clusters; print([m for m in ('pyarrow', 'duckdb', 'prefect') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- components and ranking ------------------------------------------------------------------


def test_connected_components() -> None:
    pairs = np.array([[4, 5], [1, 2], [0, 1], [6, 5]])
    assert connected_components(pairs, 8).tolist() == [0, 0, 0, 3, 4, 4, 4, 7]
    assert connected_components(np.zeros((0, 2), dtype=np.int64), 3).tolist() == [0, 1, 2]
    chain = np.stack([np.arange(999), np.arange(1, 1000)], axis=1)[::-1]
    assert (connected_components(chain, 1000) == 0).all()


def test_canonical_rank_orders_by_date_then_length_then_id() -> None:
    ids = ["b", "a", "é", "B", "a2"]
    # Ids alone: code-point order, so capitals first and accented letters last.
    assert canonical_rank(ids).tolist() == [3, 1, 4, 0, 2]
    assert canonical_rank(ids, lengths=[1, 1, 1, 1, 5]).tolist() == [3, 2, 4, 1, 0]
    dates = [None, at(2), at(1), None, at(1)]
    assert canonical_rank(ids, dates, [1, 1, 1, 1, 5]).tolist() == [4, 2, 1, 3, 0]
    as_numpy = np.array([np.datetime64("NaT"), "2024-03-03", "2024-03-02", "NaT", "2024-03-02"], dtype="datetime64[us]")
    assert canonical_rank(ids, as_numpy, [1, 1, 1, 1, 5]).tolist() == [4, 2, 1, 3, 0]
    # Integer ids (the benchmark numbers its rows) rank numerically.
    assert canonical_rank(np.array([10, 9, 100])).tolist() == [1, 0, 2]


# --- clustering ------------------------------------------------------------------------------


def planted() -> tuple[list[str], list[str], list[datetime | None]]:
    docs = [
        ("harbour", HARBOUR, at(0)),
        ("harbour-copy", HARBOUR, at(1)),
        ("harbour-2pct", edit_words(HARBOUR, 0.02, 1), at(2)),
        ("harbour-5pct", edit_words(HARBOUR, 0.05, 2), at(1)),
        ("harbour-10pct", edit_words(HARBOUR, 0.10, 3), at(1)),
        ("harbour-rewrite", HARBOUR_REWRITE, at(1)),
        ("vaccine-b", VACCINE, None),
        ("vaccine-a", VACCINE, None),  # same text, no date: the smaller id is canonical
        ("vaccine-longer", VACCINE + " The trial was funded by a charity.", None),
        ("football", FOOTBALL, at(3)),
        ("football-5pct", edit_words(FOOTBALL, 0.05, 3), at(0)),  # published first: canonical
    ]
    return [d[0] for d in docs], [d[1] for d in docs], [d[2] for d in docs]


def test_cluster_planted_duplicates() -> None:
    ids, texts, published = planted()
    sigs = signatures(texts, CONFIG)
    got = by_id(cluster_near_duplicates(ids, sigs, CONFIG, published, [len(t) for t in texts]))
    assert list(got) == ids
    harbour = cluster_id_for("harbour")
    assert got["harbour"] == ClusterAssignment("harbour", harbour, "canonical", 1.0)
    assert got["harbour-copy"] == ClusterAssignment("harbour-copy", harbour, "duplicate", 1.0)
    assert got["harbour-2pct"].cluster_id == harbour and got["harbour-2pct"].role == "duplicate"
    assert 0.8 <= got["harbour-2pct"].similarity < 1.0
    # 5% edits: exact Jaccard 0.78, at the duplicate threshold; the estimate decides the role.
    assert got["harbour-5pct"].cluster_id == harbour and got["harbour-5pct"].role in {"duplicate", "variant"}
    assert abs(got["harbour-5pct"].similarity - exact_jaccard(HARBOUR, texts[3])) < 0.13
    assert got["harbour-10pct"].cluster_id == harbour and got["harbour-10pct"].role == "variant"
    assert 0.5 <= got["harbour-10pct"].similarity < 0.8
    # The hard negative is not a duplicate: here not even in the cluster.
    assert got["harbour-rewrite"] == ClusterAssignment(
        "harbour-rewrite", cluster_id_for("harbour-rewrite"), "canonical", 1.0
    )
    # Longest text wins when dates are missing; then the smallest id.
    vaccine = cluster_id_for("vaccine-longer")
    assert got["vaccine-longer"].role == "canonical" and got["vaccine-longer"].cluster_id == vaccine
    assert {got["vaccine-a"].role, got["vaccine-b"].role} == {"duplicate"}
    assert got["vaccine-a"].cluster_id == got["vaccine-b"].cluster_id == vaccine
    # Earliest publication wins over length.
    assert got["football-5pct"].role == "canonical"
    assert got["football"].cluster_id == cluster_id_for("football-5pct")
    assert got["football"].role in {"duplicate", "variant"}


def test_clustering_is_deterministic_and_order_independent() -> None:
    ids, texts, published = planted()
    lengths = [len(t) for t in texts]
    first = cluster_near_duplicates(ids, signatures(texts, CONFIG), CONFIG, published, lengths)
    assert first == cluster_near_duplicates(ids, signatures(texts, CONFIG), CONFIG, published, lengths)
    order = [7, 2, 9, 0, 10, 5, 3, 8, 1, 6, 4]
    shuffled = cluster_near_duplicates(
        [ids[i] for i in order],
        signatures([texts[i] for i in order], CONFIG),
        CONFIG,
        [published[i] for i in order],
        [lengths[i] for i in order],
    )
    assert by_id(shuffled) == by_id(first)


def test_same_length_same_date_smallest_id_is_canonical() -> None:
    got = by_id(cluster_near_duplicates(["b", "a", "c"], signatures([FOOTBALL] * 3, CONFIG), CONFIG))
    assert got["a"].role == "canonical"
    assert got["b"] == ClusterAssignment("b", cluster_id_for("a"), "duplicate", 1.0)
    assert got["c"] == ClusterAssignment("c", cluster_id_for("a"), "duplicate", 1.0)


def test_chained_member_far_from_canonical_starts_its_own_cluster() -> None:
    # Signatures built by hand so the similarities are exact: a~b 0.69, b~c 0.69, a~c 0.38.
    a = np.arange(128, dtype=np.uint32)
    b = a.copy()
    b[:40] += 1000
    c = b.copy()
    c[40:80] += 1000
    got = by_id(cluster_near_duplicates(["a", "b", "c"], np.stack([a, b, c]), CONFIG, [at(0), at(1), at(2)]))
    assert got["a"] == ClusterAssignment("a", cluster_id_for("a"), "canonical", 1.0)
    assert got["b"] == ClusterAssignment("b", cluster_id_for("a"), "variant", 0.6875)
    # c reached a's component only through b, and is too far from a: its own cluster.
    assert got["c"] == ClusterAssignment("c", cluster_id_for("c"), "canonical", 1.0)


# --- incremental -----------------------------------------------------------------------------


def test_incremental_copy_joins_old_cluster_and_old_canonical_keeps_role() -> None:
    old_ids = ["harbour", "harbour-2pct", "vaccine", "football"]
    old_texts = [HARBOUR, edit_words(HARBOUR, 0.02, 1), VACCINE, FOOTBALL]
    old_sigs = signatures(old_texts, CONFIG)
    old = cluster_near_duplicates(old_ids, old_sigs, CONFIG, [at(0), at(1), at(0), at(0)])
    known = KnownDocuments(
        ids=old_ids,
        signatures=old_sigs,
        cluster_ids=[a.cluster_id for a in old],
        roles=[a.role for a in old],
        band_keys=band_keys(old_sigs, CONFIG),
    )
    new_ids = ["harbour-syndicated", "harbour-syndicated-2", "weather", "weather-copy"]
    weather = "Heavy rain is expected across the north on Friday with local flooding possible near rivers."
    new_texts = [
        edit_words(HARBOUR, 0.01, 5),  # a copy of a loaded article, claiming an earlier date
        edit_words(edit_words(HARBOUR, 0.01, 5), 0.01, 6),
        weather,
        weather,
    ]
    got = by_id(
        assign_incremental(
            known,
            new_ids,
            signatures(new_texts, CONFIG),
            CONFIG,
            published_at=[at(-5), at(2), at(3), at(4)],
            lengths=[len(t) for t in new_texts],
        )
    )
    assert list(got) == new_ids  # only the new documents are assigned
    harbour = cluster_id_for("harbour")
    assert old[0] == ClusterAssignment("harbour", harbour, "canonical", 1.0)
    assert got["harbour-syndicated"].cluster_id == harbour
    assert got["harbour-syndicated"].role == "duplicate"  # not canonical, despite the earlier date
    assert got["harbour-syndicated"].similarity >= 0.8
    assert got["harbour-syndicated-2"].cluster_id == harbour
    assert got["harbour-syndicated-2"].role == "duplicate"
    weather_id = cluster_id_for("weather")
    assert got["weather"] == ClusterAssignment("weather", weather_id, "canonical", 1.0)
    assert got["weather-copy"] == ClusterAssignment("weather-copy", weather_id, "duplicate", 1.0)


def test_incremental_equals_batch_for_unrelated_new_documents() -> None:
    ids, texts, published = planted()
    lengths = [len(t) for t in texts]
    sigs = signatures(texts, CONFIG)
    empty = KnownDocuments(ids=[], signatures=np.zeros((0, 128), dtype=np.uint32), cluster_ids=[], roles=[])
    assert assign_incremental(empty, ids, sigs, CONFIG, published, lengths) == cluster_near_duplicates(
        ids, sigs, CONFIG, published, lengths
    )
