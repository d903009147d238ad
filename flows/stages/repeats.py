"""Ids repeated across the parts of one file: the first occurrence is the document, a later one a
`duplicate_id` reject under its position (line or record), as when the file is read whole.

A JSONL or WARC file cut into parts (`flows.splits`) is read by several batch tasks, and each
reader only sees its own part's ids. The learning pass stages, per batch, the source ids of the
documents named by an id their file gives; this step finds, per batch, those already named in
an earlier batch, and the cleaning pass rejects them. Batches are in file order, so "earlier"
means earlier in the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from docclean.flows.known_ids import write_known_ids
from docclean.flows.results import LearnedBatch


def repeated_sources(learned: list[LearnedBatch], staging_dir: str) -> dict[int, str]:
    """Per batch, a file of the source ids an earlier batch already holds (only batches with some)."""
    named = [(batch.batch, np.load(batch.named_path)) for batch in learned if batch.named_path]
    if len(named) < 2:
        return {}
    ids = np.concatenate([array for _, array in named])
    batches = np.concatenate([np.full(len(array), number) for number, array in named])
    order = np.lexsort((batches, ids))  # by id, then batch
    ids, batches = ids[order], batches[order]
    first = np.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    first_batch = np.maximum.accumulate(np.where(first, np.arange(len(ids)), 0))
    later = batches > batches[first_batch]
    repeats: dict[int, str] = {}
    for number in np.unique(batches[later]):
        values = [value.decode() for value in ids[later & (batches == number)]]
        path = Path(staging_dir) / "repeats" / f"b{int(number):05d}.npy"
        repeats[int(number)] = str(write_known_ids(path, [values]))
    return repeats
