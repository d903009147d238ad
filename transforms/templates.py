"""Site templates learned from the corpus: lines that recur on many pages of one site.

A crawler flattens whole pages, so every page of a site carries the same navigation, share
buttons, sign-in links and footer. No pattern list knows every site's furniture, but the
corpus does: a line that appears on a large share of a site's pages is template, not article.
Counts are document frequencies (each key once per page), so a line an author repeats inside
one article, or a paragraph two articles of the site happen to share, is not taken for template.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from docclean.transforms.lines import Line, LineDocument
from docclean.transforms.normalize import paragraph_key, prepare_text
from docclean.transforms.ruleset import Rule

# Digits vary on template lines that are otherwise fixed ("17 captures", "© 2024", "3 comments"),
# so they are folded into one symbol; an article line is rarely identical but for its numbers.
_DIGITS = re.compile(r"\d+")


def template_key(text: str) -> str:
    """Key of a rendered line: case-folded words, punctuation ignored, digit runs folded.

    >>> template_key("© 2024 Example News. All rights reserved.")
    'N example news all rights reserved'
    """
    return _DIGITS.sub("N", paragraph_key(text))


def line_template_key(line: Line) -> str:
    """`template_key(line.text)`, from the line's cached paragraph key."""
    return _fold_digits(line.key)


# Template lines recur on a site's pages by definition, and both passes over a batch key every
# line (`lines.py` remembers the paragraph keys the same way); bounded.
@lru_cache(maxsize=1 << 15)
def _fold_digits(key: str) -> str:
    return _DIGITS.sub("N", key)


def document_keys(doc: LineDocument) -> set[str]:
    """Distinct non-empty line keys of one parsed document."""
    keys = {line_template_key(line) for line in doc.lines if line.text}
    keys.discard("")
    return keys


@dataclass(slots=True)
class SiteProfile:
    """Document frequency of every line key over the pages of one site."""

    site: str
    n_docs: int = 0
    doc_freq: dict[str, int] = field(default_factory=dict)

    def add_document(self, doc: LineDocument) -> None:
        self.n_docs += 1
        for key in document_keys(doc):
            self.doc_freq[key] = self.doc_freq.get(key, 0) + 1

    def threshold(self, min_docs: int, min_fraction: float) -> int:
        """Pages a key must appear on to count as template: an absolute floor and a share."""
        return max(min_docs, math.ceil(min_fraction * self.n_docs))

    def template_keys(self, min_docs: int, min_fraction: float) -> frozenset[str]:
        limit = self.threshold(min_docs, min_fraction)
        return frozenset(key for key, df in self.doc_freq.items() if df >= limit)

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.site, "n_docs": self.n_docs, "doc_freq": dict(sorted(self.doc_freq.items()))}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SiteProfile:
        return cls(str(data["site"]), int(data["n_docs"]), {str(k): int(v) for k, v in data["doc_freq"].items()})


def learn_site_profile(site: str, documents: Iterable[str]) -> SiteProfile:
    """Count, over raw page texts of one site, on how many pages each line key occurs."""
    profile = SiteProfile(site)
    for text in documents:
        profile.add_document(LineDocument.parse(prepare_text(text)))
    return profile


def strip_site_template(doc: LineDocument, profile: SiteProfile, rule: Rule) -> None:
    """Remove kept lines whose key occurs on at least the rule's share of the site's pages.

    A profile of fewer than `min_profile_docs` pages says nothing (on one page every line is
    "on every page"), so it removes nothing.
    """
    limit = site_template_limit(profile, rule)
    if limit is None:
        return
    for line in doc.lines:
        if line.kept and profile.doc_freq.get(line_template_key(line), 0) >= limit:
            doc.remove(line, rule.id, rule.reason)


def site_template_limit(profile: SiteProfile, rule: Rule) -> int | None:
    """Pages a key must appear on for `strip_site_template` to remove it; None when the profile
    has too few pages (`min_profile_docs`) to remove anything."""
    if profile.n_docs < rule.param("min_profile_docs", 4):
        return None
    return profile.threshold(rule.param("min_docs", 3), rule.param("min_fraction", 0.1))
