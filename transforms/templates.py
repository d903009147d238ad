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
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
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

    def pruned(self, min_df: int = 2) -> SiteProfile:
        """A copy without keys seen on fewer than `min_df` pages (article lines), to persist.

        Pruning loses exactness for later merges only for keys below `min_df` in both parts.
        """
        kept = {key: df for key, df in self.doc_freq.items() if df >= min_df}
        return SiteProfile(self.site, self.n_docs, kept)

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.site, "n_docs": self.n_docs, "doc_freq": dict(sorted(self.doc_freq.items()))}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SiteProfile:
        return cls(str(data["site"]), int(data["n_docs"]), {str(k): int(v) for k, v in data["doc_freq"].items()})

    def rows(self) -> Iterator[dict[str, Any]]:
        """One row per key: the shape of the `site_profiles` lake table."""
        for key, df in sorted(self.doc_freq.items()):
            yield {"site": self.site, "n_docs": self.n_docs, "key": key, "doc_freq": df}

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> SiteProfile:
        """Inverse of `rows`; every row must name the same site (and page count)."""
        profile: SiteProfile | None = None
        for row in rows:
            if profile is None:
                profile = cls(str(row["site"]), int(row["n_docs"]))
            elif row["site"] != profile.site:
                raise ValueError(f"rows of two sites: {profile.site!r} and {row['site']!r}")
            profile.doc_freq[str(row["key"])] = int(row["doc_freq"])
        if profile is None:
            raise ValueError("no rows: a profile needs at least its site")
        return profile


def learn_site_profile(site: str, documents: Iterable[str]) -> SiteProfile:
    """Count, over raw page texts of one site, on how many pages each line key occurs."""
    profile = SiteProfile(site)
    for text in documents:
        profile.add_document(LineDocument.parse(prepare_text(text)))
    return profile


def merge_profiles(a: SiteProfile, b: SiteProfile) -> SiteProfile:
    """Profile of the union of two disjoint page sets of the same site."""
    if a.site != b.site:
        raise ValueError(f"cannot merge profiles of different sites: {a.site!r} and {b.site!r}")
    freq = Counter(a.doc_freq)
    freq.update(b.doc_freq)
    return SiteProfile(a.site, a.n_docs + b.n_docs, dict(freq))


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


def template_profile(profile: SiteProfile, rule: Rule) -> SiteProfile:
    """What `strip_site_template` reads of `profile` under `rule`: the page count and only the
    keys it would remove (at or above the limit). The same removals from a far smaller profile:
    most keys of a site are article lines seen on one or two pages.
    """
    limit = site_template_limit(profile, rule)
    kept = {} if limit is None else {key: df for key, df in profile.doc_freq.items() if df >= limit}
    return SiteProfile(profile.site, profile.n_docs, kept)
