"""Paragraphs that recur across many documents (disclaimers, author bios, site footers).

Counted over one copy per near-duplicate cluster, so a story syndicated fifty times does not
make its own paragraphs look like boilerplate. Counting and thresholds are the flow's job; these
functions only key paragraphs and take them out of a body.
"""

from __future__ import annotations

import hashlib

from transforms.normalize import paragraph_key


def paragraph_hashes(text: str, min_words: int) -> set[str]:
    """Keys of the body's paragraphs of at least `min_words` words, each once.

    >>> len(paragraph_hashes("One two three four five.\\n\\nShort one.", 5))
    1
    """
    out = set()
    for paragraph in text.split("\n\n"):
        key = paragraph_key(paragraph)
        if len(key.split()) >= min_words:
            out.add(_hash(key))
    return out


def strip_common_paragraphs(text: str, common: set[str], min_words: int) -> tuple[str, list[str]]:
    """The body without paragraphs whose key is in `common`, and the paragraphs removed.

    >>> common = paragraph_hashes("All rights reserved by the publisher, 2024.", 5)
    >>> strip_common_paragraphs("Real news here.\\n\\nAll rights reserved by the publisher, 2024.", common, 5)
    ('Real news here.', ['All rights reserved by the publisher, 2024.'])
    """
    kept, removed = [], []
    for paragraph in text.split("\n\n"):
        key = paragraph_key(paragraph)
        if len(key.split()) >= min_words and _hash(key) in common:
            removed.append(paragraph)
        else:
            kept.append(paragraph)
    return "\n\n".join(kept), removed


def _hash(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
