"""Read input files into source documents, with limits enforced before work.

Every problem (missing path, unsupported file, too large, corrupt gzip, broken JSONL line)
becomes a `SourceDocument` carrying an error, so the batch turns it into a reject with a
reason and the run goes on.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import stat
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from docclean.flows.inputs import FORMATS, InputFile, read_manifest
from docclean.flows.jsonl import Line, jsonl_documents
from docclean.flows.remote import is_remote, open_remote
from docclean.flows.warc import warc_documents
from docclean.transforms.limits import (
    MAX_BYTES,
    MAX_DECOMPRESSED_BYTES,
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENT_SECONDS,
    MAX_HTML_DEPTH,
)
from docclean.transforms.models import SourceDocument

# Object-store files read whole are fetched this far ahead of the one being cleaned.
PREFETCH_THREADS = 8
PREFETCH_FILES = 32
PREFETCH_BYTES = 64 << 20
_WHOLE_FILE_FORMATS = {"text", "markdown", "html"}


@dataclass(frozen=True, slots=True)
class Limits:
    """Checked before any work is spent on an input."""

    max_bytes: int = MAX_BYTES  # a file read whole (text, markdown, HTML); JSONL and WARC files stream
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES  # a .gz file after decompression
    max_document_bytes: int = MAX_DOCUMENT_BYTES  # one document (a file, a JSONL line, a WARC record)
    max_html_depth: int = MAX_HTML_DEPTH  # element nesting; real pages stay far below 100
    max_document_seconds: float = MAX_DOCUMENT_SECONDS  # time to clean one document (learning pass too)


def batch_sources(manifest: str, limits: Limits) -> Iterator[SourceDocument]:
    """The documents of one batch: its manifest's files, or a lake `sources` file when reprocessing."""
    if manifest.endswith(".parquet"):
        return sources_from_table(manifest)
    return sources_from_files(read_manifest(manifest), limits)


def sources_from_files(files: Iterable[InputFile], limits: Limits) -> Iterator[SourceDocument]:
    """The documents of a batch's input files, in order.

    A reader failing in a way it does not foresee (a bug, or a library's unexpected exception)
    ends that file with an `unreadable` reject, not the batch.
    """
    for item, fetched in _fetched_ahead(files, limits):
        try:
            yield from read_documents(item, limits, fetched)
        except Exception as exc:
            yield _problem(item, "unreadable", f"reading failed: {type(exc).__name__}: {exc}"[:500])


def _fetched_ahead(files: Iterable[InputFile], limits: Limits) -> Iterator[tuple[InputFile, Future | None]]:
    """The files in order, each object-store file read whole (.txt, .md, .html) already being
    fetched by a thread while earlier ones are cleaned: one GET each would otherwise stall the
    worker for a round trip per document. At most PREFETCH_FILES and PREFETCH_BYTES are ahead."""
    with ThreadPoolExecutor(max_workers=PREFETCH_THREADS) as pool:
        window: deque[tuple[InputFile, Future | None]] = deque()
        ahead = 0
        for item in files:
            fetch = is_remote(item.path) and item.format in _WHOLE_FILE_FORMATS
            window.append((item, pool.submit(_read_bytes, item, limits) if fetch else None))
            ahead += (item.size or 0) if fetch else 0
            while window and (len(window) > PREFETCH_FILES or ahead > PREFETCH_BYTES):
                done, future = window.popleft()
                ahead -= (done.size or 0) if future else 0
                yield done, future
        yield from window


def sources_from_table(path: str | Path) -> Iterator[SourceDocument]:
    """Source documents back from a lake `sources` Parquet file (for reprocessing)."""
    import pyarrow.parquet as pq

    for row in pq.read_table(path).to_pylist():
        error = (row["error_reason"], row["error_detail"]) if row["error_reason"] else None
        yield SourceDocument(
            row["source_uri"], row["input_format"], row["raw"] or b"", json.loads(row["meta_json"]), error=error
        )


def read_documents(item: InputFile, limits: Limits, fetched: Future | None = None) -> Iterator[SourceDocument]:
    """Yield the documents in one input file (one, or one per JSONL line or WARC record);
    `fetched` is its bytes already being read (`_read_bytes`), for a file read whole."""
    if item.format == "missing":
        yield _problem(item, "not_found", f"no such file or folder: {item.path}; check the path")
        return
    if item.format == "symlink":
        yield _problem(item, "symlink", "symbolic links inside input folders are not followed; pass the target")
        return
    if item.format == "special":
        yield _problem(item, "not_regular_file", "a FIFO, socket or device, not a file: not opened")
        return
    if item.format == "unsupported":
        supported = ", ".join(sorted(FORMATS))
        yield _problem(item, "unsupported_format", f"not a supported file type ({supported}, optionally .gz)")
        return
    if item.format == "warc":
        yield from _warc_file(item, limits)
        return
    if item.format == "jsonl":
        yield from _jsonl_file(item, limits)
        return
    try:
        data = fetched.result() if fetched is not None else _read_bytes(item, limits)
    except _ReadError as exc:
        yield _problem(item, exc.reason, exc.detail)
        return
    if len(data) > limits.max_document_bytes:
        yield _problem(item, "too_large", f"{len(data):,} bytes is over the {limits.max_document_bytes:,}-byte limit")
        return
    yield SourceDocument(item.uri, item.format, data)


def _warc_file(item: InputFile, limits: Limits) -> Iterator[SourceDocument]:
    """A WARC file's documents, or those of its part (a range of records, `flows.splits`)."""
    try:
        handle = open_input(item.path)
    except _ReadError as exc:
        yield _problem(item, exc.reason, exc.detail)
        return
    except OSError as exc:
        yield _problem(item, "unreadable", f"{exc.strerror or exc}")
        return
    if item.start:
        handle.seek(item.start)
    stream: Any = handle if item.stop is None else _Window(handle, item.stop - item.start)
    yield from warc_documents(item, stream, limits.max_document_bytes, limits.max_decompressed_bytes)


def _jsonl_file(item: InputFile, limits: Limits) -> Iterator[SourceDocument]:
    """A JSONL file's documents (or its part's), streamed line by line: no limit on the file's
    size, each line within the document limit (and a `.gz` within the decompressed limit)."""
    try:
        yield from jsonl_documents(item.uri, _jsonl_lines(item, limits), limits.max_document_bytes)
    except _ReadError as exc:
        yield _problem(item, exc.reason, exc.detail)


def _jsonl_lines(item: InputFile, limits: Limits) -> Iterator[Line]:
    cap = limits.max_document_bytes + 1
    try:
        with open_input(item.path) as raw, _maybe_gunzip(raw, item.compressed) as stream:
            if item.start:
                stream.seek(item.start)
            position, number = item.start, item.first
            while item.stop is None or position < item.stop:
                data = stream.readline(cap)
                if not data:
                    return
                size = len(data) + (_skip_line(stream) if len(data) == cap and not data.endswith(b"\n") else 0)
                position += size
                if item.compressed and position > limits.max_decompressed_bytes:
                    limit = limits.max_decompressed_bytes
                    raise _ReadError(
                        "too_large", f"after line {number - 1}: decompresses to over the {limit:,}-byte limit"
                    )
                yield Line(number, data.removesuffix(b"\n"), size - data.endswith(b"\n"))
                number += 1
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise _ReadError("corrupt_gzip", f"not a complete gzip stream ({exc})") from None
    except PermissionError as exc:
        raise _ReadError("unreadable", f"permission denied ({exc.strerror}); check the file's permissions") from None
    except OSError as exc:
        raise _ReadError("unreadable", f"{exc.strerror or exc}") from None


def _maybe_gunzip(raw: BinaryIO, compressed: bool) -> Any:
    return gzip.open(raw, "rb") if compressed else contextlib.nullcontext(raw)


def _skip_line(stream: BinaryIO) -> int:
    """Read past the rest of an over-long line; how many bytes that was."""
    skipped = 0
    while chunk := stream.readline(1 << 20):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


class _Window:
    """The first `length` bytes from a file's position: one part's records for warcio."""

    def __init__(self, handle: BinaryIO, length: int) -> None:
        self.handle, self.left = handle, length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data

    def tell(self) -> int:
        return self.handle.tell()

    def close(self) -> None:
        self.handle.close()


class _ReadError(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _problem(item: InputFile, reason: str, detail: str) -> SourceDocument:
    """A reject for the file (or for the rest of a part: named by its first line or record, so
    two parts' problems are two documents)."""
    fmt = item.format if item.format in FORMATS.values() else "unknown"
    return SourceDocument(item.part_uri, fmt, error=(reason, detail))


def _read_bytes(item: InputFile, limits: Limits) -> bytes:
    try:
        size = _size_of(item)
        if size > limits.max_bytes:
            raise _ReadError("too_large", f"{size:,} bytes on disk is over the {limits.max_bytes:,}-byte limit")
        if not item.compressed and size > limits.max_document_bytes:
            raise _ReadError(
                "too_large", f"{size:,} bytes is over the {limits.max_document_bytes:,}-byte document limit"
            )
        with open_input(item.path, whole=True) as handle:
            if not item.compressed:
                return handle.read(limits.max_bytes + 1)
            return _gunzip(handle, limits.max_decompressed_bytes)
    except _ReadError:
        raise
    except IsADirectoryError:
        raise _ReadError("unreadable", "is a folder, not a file") from None
    except PermissionError as exc:
        raise _ReadError("unreadable", f"permission denied ({exc.strerror}); check the file's permissions") from None
    except OSError as exc:
        raise _ReadError("unreadable", f"{exc.strerror or exc}") from None


def _size_of(item: InputFile) -> int:
    """Bytes in the file now (an object's size as listed: objects are replaced, never changed)."""
    if is_remote(item.path):
        return item.size if item.size is not None else 0
    return os.stat(item.path).st_size


def open_input(path: str, *, whole: bool = False) -> BinaryIO:
    """Open an input for reading: a local regular file (`open_regular`) or an object-store URI
    (`flows.remote`; `whole` for a file read once from start to end, in one request)."""
    return open_remote(path, whole=whole) if is_remote(path) else open_regular(path)


def open_regular(path: str) -> BinaryIO:
    """Open a regular file for reading; a FIFO, socket or device is refused without blocking on it.

    Discovery already reports those, but the file may have been replaced since it was listed.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _ReadError("unreadable", "is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise _ReadError("not_regular_file", "a FIFO, socket or device, not a file: not read")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _gunzip(raw: BinaryIO, limit: int) -> bytes:
    """Decompress with a hard cap, so a gzip bomb costs at most `limit` bytes of memory."""
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(raw, "rb") as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise _ReadError("too_large", f"decompresses to over the {limit:,}-byte limit")
                chunks.append(chunk)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise _ReadError("corrupt_gzip", f"not a complete gzip stream ({exc})") from None
    return b"".join(chunks)
