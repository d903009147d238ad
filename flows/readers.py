"""Read input files into source documents, with limits enforced before work.

Every problem (missing path, unsupported file, too large, corrupt gzip, broken JSONL line)
becomes a `SourceDocument` carrying an error, so the batch turns it into a reject with a
reason and the run goes on.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from docclean.flows.inputs import FORMATS, InputFile, read_manifest
from docclean.transforms.document import MAX_HTML_DEPTH
from docclean.transforms.models import SourceDocument

MAX_BYTES = 50 * 1024 * 1024
MAX_DECOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Checked before any work is spent on an input."""

    max_bytes: int = MAX_BYTES  # a file on disk
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES  # a .gz file after decompression
    max_document_bytes: int = MAX_DOCUMENT_BYTES  # one document (a file, a JSONL line, a WARC record)
    max_html_depth: int = MAX_HTML_DEPTH  # element nesting; real pages stay far below 100


def batch_sources(manifest: str, limits: Limits) -> Iterator[SourceDocument]:
    """The documents of one batch: its manifest's files, or a lake `sources` file when reprocessing."""
    if manifest.endswith(".parquet"):
        return sources_from_table(manifest)
    return sources_from_files(read_manifest(manifest), limits)


def sources_from_files(files: Iterable[InputFile], limits: Limits) -> Iterator[SourceDocument]:
    """The documents of a batch's input files, in order."""
    for item in files:
        yield from read_documents(item, limits)


def sources_from_table(path: str | Path) -> Iterator[SourceDocument]:
    """Source documents back from a lake `sources` Parquet file (for reprocessing)."""
    import pyarrow.parquet as pq

    for row in pq.read_table(path).to_pylist():
        error = (row["error_reason"], row["error_detail"]) if row["error_reason"] else None
        yield SourceDocument(
            row["source_uri"], row["input_format"], row["raw"] or b"", json.loads(row["meta_json"]), error=error
        )


def read_documents(item: InputFile, limits: Limits) -> Iterator[SourceDocument]:
    """Yield the documents in one input file (one, or one per JSONL line)."""
    if item.format == "missing":
        yield _problem(item, "not_found", f"no such file or folder: {item.path}; check the path")
        return
    if item.format == "symlink":
        yield _problem(item, "symlink", "symbolic links inside input folders are not followed; pass the target")
        return
    if item.format == "unsupported":
        supported = ", ".join(sorted(FORMATS))
        yield _problem(item, "unsupported_format", f"not a supported file type ({supported}, optionally .gz)")
        return
    if item.format == "warc":
        yield from _warc_documents(item, limits)
        return
    try:
        data = _read_bytes(item, limits)
    except _ReadError as exc:
        yield _problem(item, exc.reason, exc.detail)
        return
    if item.format == "jsonl":
        yield from _jsonl_documents(item, data, limits)
        return
    if len(data) > limits.max_document_bytes:
        yield _problem(item, "too_large", f"{len(data):,} bytes is over the {limits.max_document_bytes:,}-byte limit")
        return
    yield SourceDocument(item.uri, item.format, data)


class _ReadError(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _problem(item: InputFile, reason: str, detail: str) -> SourceDocument:
    fmt = item.format if item.format in FORMATS.values() else "unknown"
    return SourceDocument(item.uri, fmt, error=(reason, detail))


def _read_bytes(item: InputFile, limits: Limits) -> bytes:
    try:
        size = os.stat(item.path).st_size
        if size > limits.max_bytes:
            raise _ReadError("too_large", f"{size:,} bytes on disk is over the {limits.max_bytes:,}-byte limit")
        if not item.compressed and item.format != "jsonl" and size > limits.max_document_bytes:
            raise _ReadError(
                "too_large", f"{size:,} bytes is over the {limits.max_document_bytes:,}-byte document limit"
            )
        if not item.compressed:
            with open(item.path, "rb") as handle:
                return handle.read(limits.max_bytes + 1)
        return _gunzip(item.path, limits.max_decompressed_bytes)
    except _ReadError:
        raise
    except IsADirectoryError:
        raise _ReadError("unreadable", "is a folder, not a file") from None
    except PermissionError as exc:
        raise _ReadError("unreadable", f"permission denied ({exc.strerror}); check the file's permissions") from None
    except OSError as exc:
        raise _ReadError("unreadable", f"{exc.strerror or exc}") from None


def _gunzip(path: str, limit: int) -> bytes:
    """Decompress with a hard cap, so a gzip bomb costs at most `limit` bytes of memory."""
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise _ReadError("too_large", f"decompresses to over the {limit:,}-byte limit")
                chunks.append(chunk)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise _ReadError("corrupt_gzip", f"not a complete gzip stream ({exc})") from None
    return b"".join(chunks)


_TEXT_KEYS = ("text", "markdown", "content", "body")
_META_KEYS = ("url", "title", "authors", "author", "published_at", "date", "language", "site")


def _jsonl_documents(item: InputFile, data: bytes, limits: Limits) -> Iterator[SourceDocument]:
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        uri = f"{item.uri}#L{number}"
        if len(line) > limits.max_document_bytes:
            yield SourceDocument(uri, "jsonl", error=("too_large", f"line {number} is {len(line):,} bytes"))
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield SourceDocument(uri, "jsonl", data=line, error=("bad_json", f"line {number}: {exc}"))
            continue
        if not isinstance(record, dict):
            yield SourceDocument(uri, "jsonl", data=line, error=("bad_json", f"line {number} is not an object"))
            continue
        if record.get("id") is not None:
            uri = f"{item.uri}#id={record['id']}"
        meta = {k: record[k] for k in _META_KEYS if record.get(k) not in (None, "", [])}
        if isinstance(record.get("html"), str):
            yield SourceDocument(uri, "html", record["html"].encode("utf-8"), meta)
            continue
        text = next((record[k] for k in _TEXT_KEYS if isinstance(record.get(k), str)), None)
        if text is None:
            keys = ", ".join(("html", *_TEXT_KEYS))
            yield SourceDocument(uri, "jsonl", data=line, error=("no_text_field", f"line {number} has none of: {keys}"))
            continue
        yield SourceDocument(uri, "markdown", text.encode("utf-8"), meta)


# WARC record types that carry a document; the others are counted as skipped.
_WARC_DOCUMENT_RECORDS = {"response", "resource", "conversion"}
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _warc_documents(item: InputFile, limits: Limits) -> Iterator[SourceDocument]:
    """Response, resource and WET conversion records as documents (warcio: streaming, any gzip)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        handle = open(item.path, "rb")  # noqa: SIM115 - closed in finally, after the generator ends
    except OSError as exc:
        yield _problem(item, "unreadable", f"{exc.strerror or exc}")
        return
    n_records = 0
    try:
        for record in ArchiveIterator(handle, arc2warc=True):
            n_records += 1
            record_id = record.rec_headers.get_header("WARC-Record-ID") or f"record-{n_records}"
            uri = f"{item.uri}#{record_id.strip('<>')}"
            if not record.rec_type:
                yield _problem(item, "corrupt_warc", f"record {n_records} has no WARC-Type header: not a WARC file?")
                return
            if record.rec_type not in _WARC_DOCUMENT_RECORDS:
                yield SourceDocument(uri, "warc", skip=f"warc_{record.rec_type}")
                continue
            headers = record.http_headers if record.http_headers is not None else record.rec_headers
            content_type = (headers.get_header("Content-Type") or "").lower()
            mime = content_type.split(";")[0].strip()
            fmt = "html" if mime in _HTML_TYPES else "text" if mime.startswith("text/") else None
            meta = {"url": record.rec_headers.get_header("WARC-Target-URI")}
            if "charset=" in content_type:
                meta["charset"] = content_type.split("charset=", 1)[1].split(";")[0].strip(" \"'")
            data = record.content_stream().read(limits.max_document_bytes + 1)
            if fmt is None:
                yield SourceDocument(
                    uri,
                    "warc",
                    data,
                    meta,
                    error=("unsupported_content_type", f"{mime or 'no content type'} is not HTML or text"),
                )
            elif len(data) > limits.max_document_bytes:
                yield SourceDocument(
                    uri,
                    fmt,
                    error=(
                        "too_large",
                        f"record is over the {limits.max_document_bytes:,}-byte document limit",
                    ),
                )
            else:
                yield SourceDocument(uri, fmt, data, {k: v for k, v in meta.items() if v})
    except (ArchiveLoadFailed, EOFError, OSError, zlib.error, ValueError) as exc:
        yield _problem(item, "corrupt_warc", f"unreadable after {n_records} records: {exc}")
        return
    finally:
        handle.close()
    # warcio stops quietly at a truncated gzip member; a second pass through gzip notices.
    if item.path.endswith(".gz") and not _gzip_is_complete(item.path):
        yield _problem(item, "corrupt_warc", f"truncated: the file ends inside a record after {n_records} records")


def _gzip_is_complete(path: str) -> bool:
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 22):
                pass
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError):
        return False
    return True
