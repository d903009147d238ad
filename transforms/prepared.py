"""A document's prepared text rebuilt from its raw bytes: the text removal offsets index.

Mirrors how `flows.batch.clean_source` gets text to `clean_document` (charset from the
container or the HTML `<meta>`, decode, HTML main-text extraction, then `prepare_text`), so a
reader of the lake can put every removed span back in place without re-cleaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transforms.decode import decode_document
from transforms.html import extract_html
from transforms.normalize import prepare_text


def prepared_text(data: bytes, input_format: str, meta: Mapping[str, Any] | None = None) -> str:
    """The prepared text of one document; raises `DecodeError` when its bytes are not text.

    `meta` is what the container said (`sources.meta_json`): its `charset` and `url` are the
    ones cleaning used.

    >>> prepared_text("Caf\\u00e9  au   lait".encode("cp1252"), "text")
    'Café au lait'
    """
    meta = meta or {}
    text = decode_document(data, input_format, meta.get("charset"))
    if input_format == "html":
        url = meta.get("url") if isinstance(meta.get("url"), str) else None
        text = extract_html(text, url=url).text
    return prepare_text(text)
