"""Batches of documents, not files: where a JSONL file's lines and a WARC file's records start.

A batch task should get about `batch_size` documents whatever the files look like: a thousand
one-page files fan in to one batch, a 50,000-line JSONL file or a 10,000-record WARC file fans
out to many. Discovery scans each JSONL and WARC file once for the byte offsets where its
documents start (newlines: numpy over 16 MB chunks; WARC records: headers of an uncompressed
file, gzip members of a `.warc.gz`, one record each as crawlers write them), then cuts the stream
of documents into batches of at most `batch_size` documents and `batch_bytes` bytes. A part of a
file is the file with a range: `start`/`stop` offsets (into the inflated stream for JSONL, the
file for WARC) and the number (line or record) of its first document, so identities and
messages are the same as when the file is read whole.

A file that cannot be scanned (unreadable, a `.warc.gz` in one gzip stream, past a limit) is one
unsplit part, read as before; it counts as a whole batch when it may hold many documents.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO

import numpy as np
from docclean.flows.inputs import InputFile
from docclean.flows.readers import open_input

CHUNK = 16 << 20
_PIECE = 64 << 10  # what the gzip member scan gives zlib at a time
# Documents of a batch are held together until the batch's Parquet is written: bound their bytes.
BATCH_BYTES = 256 << 20
_CONTENT_LENGTH = re.compile(rb"\r?\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_MULTI_DOCUMENT = {"jsonl", "warc"}


@dataclass(frozen=True, slots=True)
class Positions:
    """Where a file's documents start (byte offsets) and their numbers (line or record)."""

    offsets: np.ndarray  # int64, ascending
    numbers: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.offsets)


def plan_batches(
    files: Sequence[InputFile], batch_size: int, max_decompressed_bytes: int, batch_bytes: int = BATCH_BYTES
) -> list[list[InputFile]]:
    """The run's batches: files and parts of files, in order, at most `batch_size` documents and
    (but for a single document) `batch_bytes` bytes each."""
    planner = _Planner(batch_size, batch_bytes)
    for item in files:
        positions = scan_positions(item, max_decompressed_bytes) if item.format in _MULTI_DOCUMENT else None
        if positions is None or not len(positions):
            planner.add_whole(item)
        else:
            planner.add_parts(item, positions)
    return planner.done()


class _Planner:
    """Fills batches in order, cutting a multi-document file where a batch is full."""

    def __init__(self, batch_size: int, batch_bytes: int) -> None:
        self.batch_size, self.batch_bytes = batch_size, batch_bytes
        self.batches: list[list[InputFile]] = []
        self.current: list[InputFile] = []
        self.docs = self.bytes = 0

    def add_whole(self, item: InputFile) -> None:
        # An unscanned JSONL or WARC file may hold many documents: it makes a batch of its own.
        docs = self.batch_size if item.format in _MULTI_DOCUMENT else 1
        self._add(item, docs, item.size or 0)

    def add_parts(self, item: InputFile, positions: Positions) -> None:
        offsets, total = positions.offsets, len(positions)
        inflated = item.format == "jsonl" and item.compressed  # offsets into the inflated stream
        end = item.size if item.size is not None and not inflated else int(offsets[-1]) + 1
        ends = np.append(offsets[1:], max(end, int(offsets[-1])))  # where each document ends
        i = 0
        while i < total:
            room_docs = self.batch_size - self.docs
            room_bytes = self.batch_bytes - self.bytes
            fits = int(np.searchsorted(ends, offsets[i] + room_bytes, side="right"))
            j = min(i + room_docs, total, fits)
            if self.current and j < total and self._fits_empty(offsets, i, end):
                self._flush()  # what is left of the file fits one batch: not split for nothing
                continue
            if j <= i:
                if self.current:
                    self._flush()
                    continue
                j = i + 1  # one document larger than a batch's bytes still goes somewhere
            start = int(offsets[i]) if i else 0
            stop = int(offsets[j]) if j < total else None
            part = replace(item, start=start, stop=stop, first=int(positions.numbers[i]) if i else 1, count=j - i)
            self._add(part, j - i, int(ends[j - 1]) - start)
            i = j

    def _fits_empty(self, offsets: np.ndarray, i: int, end: int) -> bool:
        return len(offsets) - i <= self.batch_size and end - int(offsets[i]) <= self.batch_bytes

    def _add(self, item: InputFile, docs: int, size: int) -> None:
        if self.current and (self.docs + docs > self.batch_size or self.bytes + size > self.batch_bytes):
            self._flush()
        self.current.append(item)
        self.docs += docs
        self.bytes += size

    def _flush(self) -> None:
        self.batches.append(self.current)
        self.current, self.docs, self.bytes = [], 0, 0

    def done(self) -> list[list[InputFile]]:
        if self.current:
            self._flush()
        return self.batches


def scan_positions(item: InputFile, max_decompressed_bytes: int) -> Positions | None:
    """Where the file's documents start, or None when it cannot be split (the reader reports why)."""
    try:
        with open_input(item.path) as raw:
            if item.format == "jsonl":
                if not item.compressed:
                    return jsonl_positions(raw, None)
                with gzip.open(raw, "rb") as inflated:
                    return jsonl_positions(inflated, max_decompressed_bytes)
            if item.compressed:
                return gzip_member_positions(raw, max_decompressed_bytes)
            if item.format == "warc":
                return warc_record_positions(raw)
    except Exception:  # a scan is only a plan: the reader meets the file again and says what is wrong
        return None
    return None


def jsonl_positions(stream: BinaryIO, limit: int | None) -> Positions | None:
    """Start offsets and line numbers of the non-empty lines; None past `limit` bytes."""
    offsets: list[np.ndarray] = []
    numbers: list[np.ndarray] = []
    offset, line, line_start = 0, 1, 0
    while chunk := stream.read(CHUNK):
        newlines = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10).astype(np.int64) + offset
        if len(newlines):
            begins = np.concatenate(([line_start], newlines[:-1] + 1))
            nonempty = newlines > begins
            offsets.append(begins[nonempty])
            numbers.append(np.arange(line, line + len(newlines), dtype=np.int64)[nonempty])
            line += len(newlines)
            line_start = int(newlines[-1]) + 1
        offset += len(chunk)
        if limit is not None and offset > limit:
            return None
    if offset > line_start:  # a last line without a newline
        offsets.append(np.array([line_start], np.int64))
        numbers.append(np.array([line], np.int64))
    if not offsets:
        return Positions(np.zeros(0, np.int64), np.zeros(0, np.int64))
    return Positions(np.concatenate(offsets), np.concatenate(numbers))


def gzip_member_positions(raw: BinaryIO, limit: int) -> Positions | None:
    """Offsets of a `.warc.gz`'s gzip members when each holds one record (starts `WARC/`), else None.

    Inflates every member once (output discarded, at most 1 MB held); a member inflating past
    `limit`, a truncated member or a file in one gzip stream is not split.
    """
    try:
        offsets = list(_gzip_member_starts(raw, limit))
    except (ValueError, zlib.error):
        return None
    if len(offsets) < 2:  # one gzip stream: how many records it holds is unknown
        return None
    array = np.array(offsets, np.int64)
    return Positions(array, np.arange(1, len(array) + 1, dtype=np.int64))


def _gzip_member_starts(raw: BinaryIO, limit: int) -> Iterator[int]:
    # The inflater is fed pieces of the chunk, not the rest of it: at a member's end zlib copies
    # what it was given past that end (`unused_data`), and with 16 MB given per ~2 KB member that
    # copy was nearly all the scan's time (4.2 s CPU for a file of 10,000 records, now 0.2 s).
    chunk, base, pos = b"", 0, 0  # the chunk read, its file offset, the next member's index in it
    while True:
        if pos >= len(chunk):
            base, chunk, pos = base + len(chunk), raw.read(CHUNK), 0
            if not chunk:
                return
        yield base + pos
        inflater = zlib.decompressobj(31)
        head, inflated = b"", 0
        while not inflater.eof:
            if pos >= len(chunk):
                base, chunk, pos = base + len(chunk), raw.read(CHUNK), 0
                if not chunk:
                    raise ValueError("truncated gzip member")
            piece = memoryview(chunk)[pos : pos + _PIECE]
            out = inflater.decompress(piece, 1 << 20)
            if len(head) < 5:  # (a piece may inflate to less than the record's first bytes)
                head += out[: 5 - len(head)]
            inflated += len(out)
            if inflated > limit:
                raise ValueError("a member inflates past the limit")
            pos += len(piece) - len(inflater.unconsumed_tail) - len(inflater.unused_data)
        if not head.startswith(b"WARC/"):
            raise ValueError("a gzip member that does not start a WARC record")


def warc_record_positions(raw: BinaryIO) -> Positions | None:
    """Record offsets of an uncompressed WARC file, from its headers' Content-Length (payloads are
    skipped unread); None when a record does not parse."""
    offsets: list[int] = []
    size = raw.seek(0, 2)
    position = 0
    while position < size:
        raw.seek(position)
        head = raw.read(64 << 10)
        skipped = len(head) - len(head.lstrip(b"\r\n"))
        head = head[skipped:]
        if not head:
            break
        end = head.find(b"\r\n\r\n")
        length = _CONTENT_LENGTH.search(head, 0, end) if end > 0 else None
        if not head.startswith(b"WARC/") or length is None:
            return None
        offsets.append(position + skipped)
        position += skipped + end + 4 + int(length.group(1))
    array = np.array(offsets, np.int64)
    return Positions(array, np.arange(1, len(array) + 1, dtype=np.int64))
