"""The lake's doc ids as a sorted, memory-mapped file: exact membership, empty lakes included."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from docclean.flows.known_ids import KnownIds, write_known_ids


def test_membership_is_exact(tmp_path: Path) -> None:
    articles = pa.chunked_array([pa.array(["c" * 32, "a" * 32]), pa.array(["b" * 31 + "1"])])
    rejects = pa.chunked_array([pa.array(["0" * 32, None], pa.string())])
    known = KnownIds(write_known_ids(tmp_path / "known.npy", [articles, rejects]))
    assert len(known) == 4
    assert all(doc_id in known for doc_id in ["a" * 32, "b" * 31 + "1", "c" * 32, "0" * 32])
    # Neighbours, prefixes and extensions of a stored id are not in it.
    for absent in ["b" * 32, "a" * 31, "a" * 33, "c" * 32 + "0", "", "d" * 32]:
        assert absent not in known, absent
    assert None not in known


def test_an_empty_lake_knows_nothing(tmp_path: Path) -> None:
    known = KnownIds(write_known_ids(tmp_path / "known.npy", []))
    assert len(known) == 0 and "a" * 32 not in known
