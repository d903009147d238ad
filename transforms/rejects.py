"""Why an input did not become an article: every reject reason, with what it means.

Each reason here is a stable code in the lake's `rejects.reason` column (and in
`sources.error_reason` for the ones known before decoding). A test keeps this list equal to the
reasons the code emits and to the list in `warehouse/SCHEMA.md`.
"""

from __future__ import annotations

from dataclasses import dataclass

REASONS: dict[str, str] = {
    # Reading the input (flows/readers.py)
    "not_found": "the path given does not exist",
    "symlink": "a symbolic link inside an input folder: reported, not followed",
    "not_regular_file": "a FIFO, socket or device inside the inputs: never opened (reading one can block forever)",
    "unsupported_format": "not a file type docclean reads",
    "unreadable": "the file could not be opened or read (permissions, a folder, an I/O error)",
    "too_large": "a file, decompressed file, JSONL line or WARC record over its size limit",
    "corrupt_gzip": "not a complete gzip stream",
    "corrupt_warc": "a WARC file that is not one, or ends inside a record",
    "unsupported_content_type": "a WARC record whose content type is neither HTML nor text",
    "bad_json": "a JSONL line that is not a JSON object",
    "no_text_field": "a JSONL record with none of the fields that hold a document",
    "bad_field": 'a JSONL field of the wrong type (`"authors": 5`, `"site": [...]`): the detail names it',
    "duplicate_id": "a JSONL id or WARC-Record-ID already used earlier in the same file (the first one is kept)",
    # Decoding (transforms/decode.py)
    "empty": "no bytes, or only whitespace",
    "binary": "bytes of a binary format, not text",
    "undecodable": "no character encoding fits the bytes",
    "not_text": "decodes, but is not language: symbol runs, one character repeated, random bytes",
    # Cleaning (transforms/document.py, flows/stages/clean.py, flows/stages/common_paragraphs.py)
    "too_deep": "HTML whose elements nest deeper than the limit",
    "no_content": "nothing left once boilerplate was removed",
    "timeout": "cleaning one document took longer than its time budget (the max_document_seconds limit)",
    "cleaning_error": "cleaning failed with an unexpected error (a bug: the detail says where)",
}


@dataclass(frozen=True, slots=True)
class Reject:
    """A document that cannot become an article, with a registered reason and what was wrong."""

    reason: str
    detail: str

    def __post_init__(self) -> None:
        if self.reason not in REASONS:  # a typo here would put an undocumented code in the lake
            raise ValueError(f"unregistered reject reason {self.reason!r}; add it to transforms/rejects.py")
