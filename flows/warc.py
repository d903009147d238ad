"""WARC/WET records to source documents (warcio: streaming, any gzip), a broken record never the file.

Response, resource and WET conversion records are documents; request, metadata and other records
are counted and skipped. Problems are rejects, and reading goes on where the format allows:

- a document record with no `WARC-Target-URI`, a repeated `WARC-Record-ID` (`duplicate_id`:
  the lake could show only one of two documents with the same source), a record cut short by
  the end of the file, a record over `max_document_bytes`: that record is rejected, the next
  one is read;
- a record of a `.warc.gz` that inflates past `max_decompressed_bytes` (the `.gz` limit, per
  record: a real crawl file of a few GB streams through, a bomb record stops at the limit), or
  bytes warcio cannot parse: one reject for the rest of the file, whose earlier records stand.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from docclean.flows.inputs import InputFile
from docclean.flows.remote import is_remote, open_remote
from docclean.transforms.models import SourceDocument
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParserException

# WARC record types that carry a document; the others are counted as skipped.
_WARC_DOCUMENT_RECORDS = {"response", "resource", "conversion"}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TRUNCATED = "truncated: "  # how a record cut short by the end of the file is reported


class InflationLimit(Exception):
    """A compressed WARC file inflated past its limit."""


class _BoundedReader(DecompressingBufferedReader):
    """warcio's reader, counting what it inflates per record: a gzip bomb stops at `limit`, not at its end.

    `next_record()` restarts the count; reading and skipping one record's body counts towards it.
    """

    def __init__(self, stream: Any, limit: int) -> None:
        super().__init__(stream)
        self.limit, self.inflated = limit, 0

    def _process_read(self, data: bytes) -> None:
        compressed = self.decompressor is not None
        super()._process_read(data)
        if compressed and self.buff is not None:
            self.inflated += self.buff_size
            if self.inflated > self.limit:
                raise InflationLimit(f"a record inflates to over the {self.limit:,}-byte limit (--max-decompressed-mb)")

    def next_record(self) -> None:
        self.inflated = 0


class _Loader(ArcWarcRecordLoader):
    """warcio's record loader, tolerating a record with no target URI or a garbled HTTP status line
    (warcio raises inside its iterator, which ends the file); the record is then rejected here."""

    def load_http_headers(self, rec_type: str, uri: str | None, stream: Any, length: int | None) -> Any:
        try:
            return super().load_http_headers(rec_type, uri or "", stream, length)
        except StatusAndHeadersParserException:  # a garbled HTTP status line: the record has no HTTP headers
            return None


def warc_documents(
    item: InputFile, handle: Any, max_document_bytes: int, max_decompressed_bytes: int
) -> Iterator[SourceDocument]:
    """The documents of one open WARC file (`handle` is closed when the generator ends)."""
    iterator = ArchiveIterator(handle, arc2warc=True)
    iterator.loader = _Loader(arc2warc=True)
    iterator.reader = _BoundedReader(iterator.fh, max_decompressed_bytes)
    n_records = item.first - 1  # records before this part of the file
    seen: set[str] = set()
    truncated = False
    try:
        for record in iterator:
            iterator.reader.next_record()
            n_records += 1
            if not record.rec_type:
                yield _file_problem(
                    item, "corrupt_warc", f"record {n_records} has no WARC-Type header: not a WARC file?"
                )
                return
            document = _with_position(
                item, _record_document(item, record, n_records, seen, max_document_bytes), n_records
            )
            truncated |= document.error is not None and document.error[1].startswith(_TRUNCATED)
            yield document
    except InflationLimit as exc:
        yield _file_problem(item, "too_large", f"after {n_records} records: {exc}")
        return
    except Exception as exc:  # whatever warcio raises inside its iterator ends the file, not the batch
        yield _file_problem(item, "corrupt_warc", f"unreadable after {n_records} records: {exc}"[:500])
        return
    finally:
        handle.close()
    # warcio stops quietly at a truncated gzip member; a second pass through gzip notices.
    last_part = item.stop is None
    if (
        not truncated
        and last_part
        and item.compressed
        and not _gzip_is_complete(item, max_decompressed_bytes)
    ):
        yield _file_problem(item, "corrupt_warc", f"truncated: the file ends inside a record after {n_records} records")


def _record_document(
    item: InputFile, record: Any, number: int, seen: set[str], max_document_bytes: int
) -> SourceDocument:
    """One record as a document, a skipped record, or a reject."""
    record_id = record.rec_headers.get_header("WARC-Record-ID") or f"record-{number}"
    uri = f"{item.uri}#{record_id.strip('<>')}"
    if record.rec_type not in _WARC_DOCUMENT_RECORDS:
        return SourceDocument(uri, "warc", skip=f"warc_{record.rec_type}")
    if uri in seen:
        detail = f"record {number} repeats the WARC-Record-ID {record_id[:200]!r}; ids must be unique"
        return SourceDocument(f"{item.uri}#record-{number}", "warc", error=("duplicate_id", detail))
    seen.add(uri)
    target = record.rec_headers.get_header("WARC-Target-URI")
    if not target:
        return SourceDocument(
            uri, "warc", error=("corrupt_warc", f"{record.rec_type} record {number} has no target URI")
        )
    headers = record.http_headers if record.http_headers is not None else record.rec_headers
    content_type = (headers.get_header("Content-Type") or "").lower()
    mime = content_type.split(";")[0].strip()
    fmt = "html" if mime in _HTML_TYPES else "text" if mime.startswith("text/") else None
    meta = {"url": target}
    if "charset=" in content_type:
        meta["charset"] = content_type.split("charset=", 1)[1].split(";")[0].strip(" \"'")
    try:
        data = record.content_stream().read(max_document_bytes + 1)
    except InflationLimit:
        raise
    except Exception as exc:  # a broken chunked or content-encoded body: this record only
        return SourceDocument(
            uri, "warc", error=("corrupt_warc", f"record {number}: {type(exc).__name__}: {exc}"[:500])
        )
    if len(data) > max_document_bytes:
        detail = f"record is over the {max_document_bytes:,}-byte document limit"
        return SourceDocument(uri, fmt or "warc", error=("too_large", detail))
    missing = getattr(record.raw_stream, "limit", 0)
    if isinstance(missing, int) and missing > 0:
        detail = f"{_TRUNCATED}record {number} ends {missing:,} bytes short of its declared length"
        return SourceDocument(uri, fmt or "warc", data, meta, error=("corrupt_warc", detail))
    if fmt is None:
        detail = f"{mime or 'no content type'} is not HTML or text"
        return SourceDocument(uri, "warc", data, meta, error=("unsupported_content_type", detail))
    return SourceDocument(uri, fmt, data, {k: v for k, v in meta.items() if v})


def _with_position(item: InputFile, document: SourceDocument, number: int) -> SourceDocument:
    """A document named by its WARC-Record-ID also knows its position: the URI it takes if a record
    in another part of the file has the same id (`flows.stages.repeats`)."""
    position = f"{item.uri}#record-{number}"
    if document.skip is not None or document.source_uri == position:
        return document
    return replace(document, position_uri=position)


def _file_problem(item: InputFile, reason: str, detail: str) -> SourceDocument:
    return SourceDocument(item.part_uri, "warc", error=(reason, detail))


def _gzip_is_complete(item: InputFile, limit: int) -> bool:
    """Whether the file's last gzip member ends (read from the part's start); reads no more than
    `limit` inflated bytes."""
    total = 0
    try:
        with open_remote(item.path) if is_remote(item.path) else open(item.path, "rb") as raw:
            raw.seek(item.start)
            with gzip.open(raw, "rb") as stream:
                while chunk := stream.read(1 << 22):
                    total += len(chunk)
                    if total > limit:
                        return True  # warcio read it all within the limit: what is left is not ours to judge
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError):
        return False
    return True
