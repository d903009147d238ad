"""Records shared by every stage: what goes into cleaning and what comes out.

Offsets (`Removal.start`/`end`) index the document's *prepared text*: the decoded input after
Unicode repair and normalisation (see `transforms.normalize.prepare_text`), before anything is
removed. `CleanDocument.source_chars` is its length, so a removal can always be checked to lie
inside its document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

InputFormat = Literal["text", "markdown", "html"]


@dataclass(frozen=True, slots=True)
class Removal:
    """One span taken out of a document, and the rule that took it."""

    rule_id: str
    reason: str
    text: str
    start: int | None  # None when the span never reached the prepared text (HTML dropped by the extractor)
    end: int | None


@dataclass(slots=True)
class DocumentHints:
    """Metadata known before cleaning (from HTML head, JSONL fields, WARC headers, the CLI)."""

    url: str | None = None
    site: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    language: str | None = None
    # Agencies and organisations named as the author ("dpa", "Reuters", "Redaktion"): not people.
    author_orgs: list[str] = field(default_factory=list)
    # Minutes east of UTC the page gave with `published_at`; None when it gave none.
    published_utc_offset: int | None = None
    # Only a day was known: `published_at` is its midnight, not a time.
    published_date_only: bool = False


@dataclass(slots=True)
class CleanDocument:
    """A cleaned document: body text, extracted metadata and every removal, in document order."""

    text: str
    title: str | None
    subtitle: str | None
    authors: list[str]
    published_at: datetime | None
    language: str | None
    removals: list[Removal]
    source_chars: int
    text_layout: str = "markdown"  # how the text was laid out: markdown, wrapped, wet, plain or html
    # Page metadata `transforms.document` carries over from the hints (see DocumentHints).
    author_orgs: list[str] = field(default_factory=list)
    published_utc_offset: int | None = None
    published_date_only: bool = False

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def removed_rule_ids(self) -> list[str]:
        """Distinct rule ids that removed something, in first-seen order."""
        return list(dict.fromkeys(r.rule_id for r in self.removals))


@dataclass(slots=True)
class SourceDocument:
    """One document as read: bytes (or text from JSONL) plus what its container said about it."""

    source_uri: str
    format: str
    data: bytes = b""
    meta: dict[str, Any] = field(default_factory=dict)
    error: tuple[str, str] | None = None  # (reason, detail): a reject known before decoding
    skip: str | None = None  # not a document (WARC request/metadata record): counted, not stored
    # Where it sits in its file (`<file>#L12`, `<file>#record-3`) when its URI comes from an id the
    # file gives (JSONL `id`, WARC-Record-ID): the URI it takes as a `duplicate_id` reject.
    position_uri: str | None = None
    # The ids, made on first use: a batch asks for a document's ids a dozen times (skips, rows,
    # removals), and each asked for a hash of all its bytes (~2% of cleaning). Sources are never
    # changed once read.
    _ids: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def raw_hash(self) -> str:
        if "raw" not in self._ids:
            self._ids["raw"] = hashlib.sha256(self.data).hexdigest()[:32]
        return self._ids["raw"]

    @property
    def source_id(self) -> str:
        """Stable across content changes: the lineage of one source."""
        if "source" not in self._ids:
            self._ids["source"] = hashlib.sha256(self.source_uri.encode()).hexdigest()[:32]
        return self._ids["source"]

    @property
    def doc_id(self) -> str:
        """Stable for the same source and content; a changed file gets a new one."""
        if "doc" not in self._ids:
            key = f"{self.source_uri}\0{self.raw_hash if self.error is None else self.error[0]}"
            self._ids["doc"] = hashlib.sha256(key.encode()).hexdigest()[:32]
        return self._ids["doc"]
