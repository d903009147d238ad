"""The only builders of the lake's document rows: one function per table, tied to `schemas.py`.

Every stage that writes an article, a removal, a reject, a raw source or a signature builds
its row here, so a column added to a schema is filled in one place. Rows are plain dicts in
the schema's column order (what `pyarrow.Table.from_pylist` takes).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docclean.transforms.models import CleanDocument, Removal, SourceDocument
from docclean.warehouse.schemas import ARTICLES, MINHASH, REJECTS, SOURCES


@dataclass(frozen=True, slots=True)
class Provenance:
    """Which input a row describes: the ids and the place every document table repeats."""

    doc_id: str
    source_id: str
    source_uri: str
    input_format: str | None
    raw_hash: str | None

    @classmethod
    def of(cls, source: SourceDocument) -> Provenance:
        """A source document's ids; no raw hash when no bytes were read."""
        raw_hash = source.raw_hash if source.data else None
        return cls(source.doc_id, source.source_id, source.source_uri, source.format, raw_hash)


def content_hash(text: str) -> str:
    """Hash of the normalised body: equal for texts that differ only in case and spacing.

    >>> content_hash("A  b") == content_hash("a b")
    True
    """
    return hashlib.sha256(" ".join(text.casefold().split()).encode()).hexdigest()[:32]


def article_row(
    origin: Provenance,
    document: CleanDocument,
    *,
    site: str | None,
    url: str | None,
    ruleset_version: str,
    run_id: str,
    processed_at: datetime,
) -> dict[str, Any]:
    row = {
        **_provenance(origin),
        "site": site,
        "url": url,
        "title": document.title,
        "subtitle": document.subtitle,
        "authors": document.authors,
        "author_orgs": document.author_orgs,
        "published_at": document.published_at,
        "published_at_utc_offset": document.published_utc_offset,
        "published_date_only": document.published_date_only,
        "language": document.language,
        "text_layout": document.text_layout,
        "text": document.text,
        "word_count": document.word_count,
        "char_count": len(document.text),
        "source_chars": document.source_chars,
        "n_removals": len(document.removals),
        "content_hash": content_hash(document.text),
        "dup_cluster_id": None,
        "dup_role": None,
        "dup_similarity": None,
        "ruleset_version": ruleset_version,
        "run_id": run_id,
        "processed_at": processed_at,
    }
    return _ordered(row, ARTICLES.names)


def restripped_article(row: Mapping[str, Any], text: str, n_removed: int) -> dict[str, Any]:
    """An article row with paragraphs taken out of its text afterwards; counts follow the text."""
    return {
        **row,
        "text": text,
        "word_count": len(text.split()),
        "char_count": len(text),
        "n_removals": row["n_removals"] + n_removed,
        "content_hash": content_hash(text),
    }


def removal_rows(doc_id: str, removals: Sequence[Removal], run_id: str, first_seq: int = 0) -> list[dict[str, Any]]:
    """One row per removed span, numbered from `first_seq` in document order."""
    # Written in schema order (a test holds it to REMOVALS): a page has dozens of removals, and
    # reordering each row through `_ordered` cost ~3% of a batch's cleaning.
    return [
        {
            "doc_id": doc_id,
            "seq": first_seq + i,
            "rule_id": removal.rule_id,
            "reason": removal.reason,
            "text": removal.text,
            "start_offset": removal.start,
            "end_offset": removal.end,
            "run_id": run_id,
        }
        for i, removal in enumerate(removals)
    ]


def reject_row(origin: Provenance, reason: str, detail: str, *, run_id: str, rejected_at: datetime) -> dict[str, Any]:
    row = {**_provenance(origin), "reason": reason, "detail": detail, "run_id": run_id, "rejected_at": rejected_at}
    return _ordered(row, REJECTS.names)


def source_row(
    origin: Provenance,
    *,
    meta: Mapping[str, Any],
    raw: bytes,
    error: tuple[str, str] | None,
    run_id: str,
) -> dict[str, Any]:
    """The raw document as the lake keeps it, so it can be cleaned again without the original file."""
    row = {
        **_provenance(origin),
        "meta_json": json.dumps(dict(meta), sort_keys=True, default=str),
        "raw": raw or None,
        "error_reason": error[0] if error else None,
        "error_detail": error[1] if error else None,
        "run_id": run_id,
    }
    return _ordered(row, SOURCES.names)


def minhash_row(doc_id: str, signature: bytes, run_id: str) -> dict[str, Any]:
    return _ordered({"doc_id": doc_id, "signature": signature, "run_id": run_id}, MINHASH.names)


def _provenance(origin: Provenance) -> dict[str, Any]:
    return {
        "doc_id": origin.doc_id,
        "source_id": origin.source_id,
        "source_uri": origin.source_uri,
        "input_format": origin.input_format,
        "raw_hash": origin.raw_hash,
    }


def _ordered(row: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """The row in schema order, keeping only the schema's columns; a missing column is a bug here."""
    missing = [name for name in names if name not in row]
    if missing:
        raise KeyError(f"row lacks {missing}")
    return {name: row[name] for name in names}
