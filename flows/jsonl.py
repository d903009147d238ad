"""JSONL lines to source documents: one document per line, every field's type checked here.

A line that is not a JSON object is `bad_json`; a field of the wrong type (`"authors": 5`,
`"site": ["x"]`) makes that line a `bad_field` reject naming the field, so nothing downstream
meets a type it does not expect. Lone surrogates (`"\\ud800"`, valid JSON but not encodable
text) are replaced by U+FFFD, as a decoder does with bytes it cannot read.

Identity: a line with an `id` is `<file>#id=<id>`, one without is `<file>#L<line>`. A second
line repeating an id already used in the same file would be a second document of the same
source, of which the lake's views could show only one: it becomes a `duplicate_id` reject
(under its line's URI), and the first line with that id stays the document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from docclean.transforms.models import SourceDocument

_TEXT_KEYS = ("text", "markdown", "content", "body")
_STRING_KEYS = ("url", "title", "published_at", "date", "language", "site")
_AUTHOR_KEYS = ("authors", "author")
_SURROGATE = re.compile("[\ud800-\udfff]")


class FieldError(ValueError):
    """A field whose value has a type docclean cannot use."""

    def __init__(self, field: str, value: Any, expected: str) -> None:
        super().__init__(f"field {field!r} is {type(value).__name__}, expected {expected}")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a JSONL file, as read: cut at the document limit, its full size kept."""

    number: int
    data: bytes
    size: int


def split_lines(data: bytes, first: int = 1) -> Iterator[Line]:
    """The lines of JSONL bytes already in memory, numbered from `first`."""
    for number, line in enumerate(data.split(b"\n"), start=first):
        yield Line(number, line, len(line))


def jsonl_documents(uri: str, lines: Iterable[Line], max_document_bytes: int) -> Iterator[SourceDocument]:
    """The documents of one JSONL file's lines (`uri` is the file's)."""
    ids: dict[str, int] = {}
    for line in lines:
        if not line.data.strip():
            continue
        document = _line_document(uri, line, max_document_bytes)
        if document.position_uri is not None and document.source_uri in ids:
            doc_id = document.source_uri[len(uri) + len("#id=") :]
            first = ids[document.source_uri]
            detail = f"line {line.number} repeats the id {doc_id!r} of line {first}; ids must be unique in a file"
            document = SourceDocument(document.position_uri, "jsonl", line.data, error=("duplicate_id", detail[:500]))
        elif document.position_uri is not None:
            ids[document.source_uri] = line.number
        yield document


def _line_document(uri: str, line: Line, max_document_bytes: int) -> SourceDocument:
    number, line_uri = line.number, f"{uri}#L{line.number}"
    if line.size > max_document_bytes:
        return SourceDocument(line_uri, "jsonl", error=("too_large", f"line {number} is {line.size:,} bytes"))
    try:
        record = json.loads(line.data)
    except (ValueError, RecursionError) as exc:  # ValueError: bad JSON, bad UTF-8, 4,300+ digit ints
        detail = "nested too deep" if isinstance(exc, RecursionError) else str(exc)[:200]
        return SourceDocument(line_uri, "jsonl", data=line.data, error=("bad_json", f"line {number}: {detail}"))
    if not isinstance(record, dict):
        return SourceDocument(line_uri, "jsonl", data=line.data, error=("bad_json", f"line {number} is not an object"))
    try:
        doc_id, meta, fmt, text = parse_record(record)
    except FieldError as exc:
        return SourceDocument(line_uri, "jsonl", data=line.data, error=("bad_field", f"line {number}: {exc}"))
    source_uri, position = (line_uri, None) if doc_id is None else (f"{uri}#id={doc_id}", line_uri)
    if text is None:
        fields = ", ".join(("html", *_TEXT_KEYS))
        error = ("no_text_field", f"line {number} has none of: {fields}")
        return SourceDocument(source_uri, "jsonl", data=line.data, error=error, position_uri=position)
    return SourceDocument(source_uri, fmt, text.encode("utf-8"), meta, position_uri=position)


def parse_record(record: dict[str, Any]) -> tuple[str | None, dict[str, Any], str, str | None]:
    """(id, metadata, format, text) of one JSONL object, or FieldError naming a mistyped field.

    >>> parse_record({"id": 7, "text": "Hi", "authors": "Ann", "site": ""})
    ('7', {'authors': 'Ann'}, 'markdown', 'Hi')
    """
    doc_id = record.get("id")
    if doc_id is not None:
        if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
            raise FieldError("id", doc_id, "a string or an integer")
        doc_id = _text(str(doc_id))
    meta: dict[str, Any] = {}
    for key in _STRING_KEYS:
        value = record.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise FieldError(key, value, "a string")
        meta[key] = _text(value)
    for key in _AUTHOR_KEYS:
        authors = record.get(key)
        if authors is None or authors in ("", []):
            continue
        if isinstance(authors, str):
            meta[key] = _text(authors)
            continue
        if not isinstance(authors, list) or not all(isinstance(a, str) or a is None for a in authors):
            raise FieldError(key, authors, "a string or a list of strings")
        meta[key] = [_text(a) for a in authors if a]
    html = record.get("html")
    if html is not None:
        if not isinstance(html, str):
            raise FieldError("html", html, "a string")
        return doc_id, meta, "html", _text(html)
    for key in _TEXT_KEYS:
        value = record.get(key)
        if isinstance(value, str):
            return doc_id, meta, "markdown", _text(value)
    for key in _TEXT_KEYS:
        if record.get(key) is not None:
            raise FieldError(key, record[key], "a string")
    return doc_id, meta, "markdown", None


def _text(value: str) -> str:
    """A string with any lone surrogate (not encodable as UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)
