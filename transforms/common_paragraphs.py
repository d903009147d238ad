"""Paragraphs that recur across many documents of a site (disclaimers, author bios, site footers).

The whole `common_paragraph` rule's logic, pure: how a paragraph is keyed, when counts make it
common, which sites' loaded articles must be stripped again, and how a body loses it. Counting
is done by the flow (over one copy per near-duplicate cluster, so a story syndicated fifty times
does not make its own paragraphs look like boilerplate); these functions take the counts.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from docclean.transforms.normalize import paragraph_key
from docclean.transforms.ruleset import Rule


@dataclass(frozen=True, slots=True)
class CommonParagraphRule:
    """The rule's thresholds (`[[rule]] id = "common_paragraph"` in `rules/structure.toml`)."""

    min_documents: int = 5  # a paragraph in fewer canonical articles of a site is never common
    min_fraction: float = 0.01  # ... nor in fewer than this share of them
    min_words: int = 7  # shorter paragraphs ("Read more.") are not counted at all

    @classmethod
    def from_rule(cls, rule: Rule) -> CommonParagraphRule:
        return cls(
            rule.param("min_documents", cls.min_documents),
            rule.param("min_fraction", cls.min_fraction),
            rule.param("min_words", cls.min_words),
        )

    def threshold(self, n_site_articles: int) -> int:
        """How many of a site's canonical articles a paragraph must be in to be common.

        >>> CommonParagraphRule().threshold(100), CommonParagraphRule().threshold(2000)
        (5, 20)
        """
        return max(self.min_documents, math.ceil(self.min_fraction * n_site_articles))


def common_keys(
    counts: Iterable[tuple[str, str, int]], site_articles: Mapping[str, int], rule: CommonParagraphRule
) -> dict[str, set[str]]:
    """Per site, the paragraph keys that are common: counts are (site, key, canonical articles holding it).

    >>> common_keys([("a", "k1", 6), ("a", "k2", 4)], {"a": 10}, CommonParagraphRule())
    {'a': {'k1'}}
    """
    common: dict[str, set[str]] = {}
    for site, key, n in counts:
        if n >= rule.threshold(site_articles.get(site, 0)):
            common.setdefault(site, set()).add(key)
    return common


def newly_common_sites(
    common: Mapping[str, set[str]],
    counts_before: Mapping[tuple[str, str], int],
    site_articles_before: Mapping[str, int],
    rule: CommonParagraphRule,
) -> list[str]:
    """Sites with loaded articles where a paragraph became common only with this run.

    Earlier runs left it in their articles, being under the threshold then (the same test on
    the lake's counts alone): those articles must be stripped again.

    >>> newly_common_sites({"a": {"k"}}, {("a", "k"): 3}, {"a": 10}, CommonParagraphRule())
    ['a']
    """
    sites = []
    for site, keys in common.items():
        if not site_articles_before.get(site):
            continue
        threshold = rule.threshold(site_articles_before[site])
        if any(counts_before.get((site, key), 0) < threshold for key in keys):
            sites.append(site)
    return sorted(sites)


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
