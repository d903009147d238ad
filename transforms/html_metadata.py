"""Metadata of an HTML page: title, authors, publish date, site, canonical URL, language.

    <head> meta tags and JSON-LD first (what the publisher declares), then the visible page:
    the <h1> (`transforms.html_title`), byline elements (`transforms.html_bylines`: trafilatura's
    xpaths, "By ..."/"Written by" labels), htmldate for the day (`transforms.html_dates`).

The words these readers match (byline labels, role words, meta keys, schema.org types, title
separators) are the `[words]` of `transforms/rules/bylines.toml` and `metadata.toml`, taken from
the rule set passed in (the packaged rules when none is).

Pure: works on an lxml tree that `transforms.html_parse.parse_html` made, without copying or changing
it; never raises on odd values.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from docclean.transforms.html_bylines import page_authors, publisher_keys
from docclean.transforms.html_dates import published_at
from docclean.transforms.html_page import clean, json_ld_items, ld_site_name, meta_tags
from docclean.transforms.html_title import page_title, strip_site_suffix
from docclean.transforms.html_vocabulary import metadata_vocabulary
from docclean.transforms.models import DocumentHints
from docclean.transforms.ruleset import RuleSet
from docclean.transforms.urls import site_of
from lxml.html import HtmlElement

__all__ = ["extract_metadata", "strip_site_suffix"]


def extract_metadata(tree: HtmlElement, url: str | None = None, ruleset: RuleSet | None = None) -> DocumentHints:
    """Title, authors, publish date, site, canonical URL and language from a parsed page."""
    vocabulary = metadata_vocabulary(ruleset)
    meta, citation_authors = meta_tags(tree)
    ld = list(json_ld_items(tree))
    canonical = _canonical_url(tree, meta, url)
    site = clean(meta.get("og:site_name")) or ld_site_name(ld, vocabulary) or site_of(canonical or url)
    publisher = publisher_keys(meta, ld, site, canonical or url, vocabulary)
    people, orgs = page_authors(tree, meta, citation_authors, ld, publisher, vocabulary)
    date = published_at(tree, meta, ld, (canonical, url, meta.get("og:url")), vocabulary)
    return DocumentHints(
        url=canonical,
        site=site,
        title=page_title(tree, meta, ld, site, vocabulary, site_of(canonical or url)),
        authors=people,
        author_orgs=orgs,
        published_at=date.at if date else None,
        published_utc_offset=date.utc_offset if date else None,
        published_date_only=date.date_only if date else False,
        language=_language(tree, meta),
    )


def _canonical_url(tree: HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = clean(link.get("href"))
            if href:
                return urljoin(url or "", href) if url else href
    og = meta.get("og:url")
    if og and og.startswith(("http://", "https://")):
        return og
    return url


def _language(tree: HtmlElement, meta: dict[str, str]) -> str | None:
    raw = tree.get("lang") or tree.get("xml:lang") or meta.get("og:locale") or meta.get("content-language")
    code = re.split(r"[-_]", raw.strip())[0].lower() if raw else ""
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None
