"""The doc ids a lake already holds, as one sorted file that every batch task maps.

Each batch skips the documents the lake has. As a JSON list parsed into a set, a lake of a
million documents cost every batch task ~0.4 s and every worker ~100 MB; a sorted numpy array of
the ids, memory-mapped, costs neither: a lookup is a binary search over pages the OS shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa


def write_known_ids(path: Path, columns: Iterable[pa.ChunkedArray | pa.Array | list[str]]) -> Path:
    """Write the ids in `columns` (Arrow string columns or lists) sorted, as a .npy of bytes."""
    ids = [value for column in columns for value in _values(column) if value is not None]
    path.parent.mkdir(parents=True, exist_ok=True)
    array = np.sort(np.array(ids, dtype=bytes)) if ids else np.zeros(0, dtype="S1")
    np.save(path, array, allow_pickle=False)
    return path


def _values(column: pa.ChunkedArray | pa.Array | list[str]) -> list[str]:
    return column if isinstance(column, list) else column.to_pylist()


class KnownIds:
    """`doc_id in known`: membership in a file written by `write_known_ids`."""

    def __init__(self, path: str | Path) -> None:
        ids = np.load(path, mmap_mode="r", allow_pickle=False)
        self._ids = ids if len(ids) else np.zeros(0, dtype="S1")

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str) or not len(self._ids):
            return False
        key = doc_id.encode()
        i = int(np.searchsorted(self._ids, key))
        # The stored element is compared with the whole key: an id longer than the array's item
        # size is truncated by searchsorted's conversion but not here.
        return i < len(self._ids) and bytes(self._ids[i]) == key
