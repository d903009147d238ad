"""One source document to its clean text: the single path every stage and reader takes.

    container meta -> hints -> decode -> (HTML: depth check, main-text extraction, page hints
    merged under the container's) -> `clean_document`

`clean_source` cleans; `template_text` gives the site-learning pass the same site and text
cleaning will use; `prepared_text` rebuilds, from a lake's raw bytes, the text removal offsets
index. All three go through `page_text`, so they cannot drift apart. Expected outcomes (an
empty page, bytes that are not text, a page nested too deep) come back as a `Reject`, not as
an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from docclean.transforms.clean import clean_document
from docclean.transforms.dates import parse_page_date
from docclean.transforms.decode import DecodeError, decode_document, not_language
from docclean.transforms.html import HtmlExtraction, extract_html
from docclean.transforms.html_parse import html_nesting_depth
from docclean.transforms.limits import MAX_HTML_DEPTH
from docclean.transforms.models import CleanDocument, DocumentHints, SourceDocument
from docclean.transforms.normalize import prepare_text
from docclean.transforms.rejects import Reject
from docclean.transforms.ruleset import RuleSet
from docclean.transforms.templates import SiteProfile
from docclean.transforms.urls import site_of


@dataclass(frozen=True, slots=True)
class CleanedSource:
    """A cleaned document and what was known about it (the container's word over the page's)."""

    document: CleanDocument
    hints: DocumentHints


@dataclass(frozen=True, slots=True)
class PageText:
    """The text cleaning starts from, and the HTML extraction it came from (None for text)."""

    text: str
    extraction: HtmlExtraction | None = None


@dataclass(frozen=True, slots=True)
class TemplateText:
    """A page's site and the text its template lines survive in (what site learning counts)."""

    site: str | None  # None: nothing to learn for, but an HTML page's extraction is still worth keeping
    text: str
    extraction: HtmlExtraction | None = None  # an HTML page's extraction, so cleaning need not redo it


def site_without_url(source_uri: str, *, site: str | None = None, site_from_folder: bool = False) -> str | None:
    """The site of a document whose container names none: `site` (--site), or its folder's name.

    >>> site_without_url("file:///data/example.com/a.txt", site_from_folder=True)
    'example.com'
    >>> site_without_url("s3://crawl/example.org/a.txt", site_from_folder=True)
    'example.org'
    """
    if site:
        return site
    if site_from_folder and "://" in source_uri:  # a file's or an object's URI: its folder names the site
        return PurePosixPath(unquote(urlsplit(source_uri).path)).parent.name or None
    return None


def source_hints(meta: Mapping[str, Any], default_site: str | None = None) -> DocumentHints:
    """What a container (JSONL record, WARC headers) said about a document, normalised.

    >>> source_hints({"url": "https://www.Example.com/a", "author": "Ann", "date": "2024-05-01"}).site
    'example.com'
    """
    authors = meta.get("authors", meta.get("author", []))
    if isinstance(authors, str):
        authors = [authors]
    published = meta.get("published_at", meta.get("date"))
    date = parse_page_date(str(published)) if published else None
    url = meta.get("url") if isinstance(meta.get("url"), str) else None
    return DocumentHints(
        url=url,
        site=meta.get("site") or site_of(url) or default_site,
        title=meta.get("title") if isinstance(meta.get("title"), str) else None,
        authors=[str(a) for a in authors if a],
        published_at=date.at if date else None,
        language=meta.get("language") if isinstance(meta.get("language"), str) else None,
        published_utc_offset=date.utc_offset if date else None,
        published_date_only=date.date_only if date else False,
    )


def merge_html_hints(meta: Mapping[str, Any], hints: DocumentHints, extraction: HtmlExtraction) -> DocumentHints:
    """What the container said wins over what the page says."""
    url = hints.url or extraction.hints.url
    return DocumentHints(
        url=url,
        # The host before og:site_name, so sites group the same way for every input format.
        site=meta.get("site") or site_of(url) or hints.site or extraction.hints.site,
        title=hints.title or extraction.hints.title,
        authors=hints.authors or extraction.hints.authors,
        published_at=hints.published_at or extraction.hints.published_at,
        language=hints.language or extraction.hints.language,
        author_orgs=hints.author_orgs or extraction.hints.author_orgs,
        # The offset and the date-only flag go with the date they describe.
        **_date_details(hints if hints.published_at else extraction.hints),
    )


def _date_details(hints: DocumentHints) -> dict[str, Any]:
    return {"published_utc_offset": hints.published_utc_offset, "published_date_only": hints.published_date_only}


def with_page_metadata(document: CleanDocument, hints: DocumentHints) -> CleanDocument:
    """Carry the hints' organisations, UTC offset and date-only flag onto the clean document.

    The offset and flag hold only when the document's date is the hints' date; a date read from
    a text byline has no offset, and is date-only when it has no time (its midnight).
    """
    document.author_orgs = list(hints.author_orgs)
    if hints.published_at is not None and document.published_at == hints.published_at:
        document.published_utc_offset = hints.published_utc_offset
        document.published_date_only = hints.published_date_only
    elif document.published_at is not None:
        document.published_utc_offset = None
        document.published_date_only = document.published_at.time() == time(0)
    return document


def page_text(
    source: SourceDocument,
    hints: DocumentHints,
    *,
    max_html_depth: int | None = MAX_HTML_DEPTH,
    extraction: HtmlExtraction | None = None,
) -> PageText | Reject:
    """Decode a document; an HTML page is reduced to its main text (or `extraction`, made earlier).

    `max_html_depth=None` skips the depth check (rebuilding text the run already accepted).
    """
    if source.format == "html" and extraction is not None:
        return PageText(extraction.text, extraction)
    try:
        text = decode_document(source.data, source.format, source.meta.get("charset"))
    except DecodeError as exc:
        return Reject(exc.reason, exc.detail)
    if not text.strip():
        return Reject("empty", "the document has only whitespace")
    if source.format != "html":
        return PageText(text)
    if max_html_depth is not None and html_nesting_depth(text, max_html_depth) > max_html_depth:
        return Reject("too_deep", f"elements nest over {max_html_depth:,} levels deep (limit)")
    extraction = extract_html(text, url=hints.url)
    return PageText(extraction.text, extraction)


def clean_source(
    source: SourceDocument,
    ruleset: RuleSet,
    profiles: Mapping[str, SiteProfile] | None = None,
    *,
    default_site: str | None = None,
    max_html_depth: int = MAX_HTML_DEPTH,
    extraction: HtmlExtraction | None = None,
    detect_lang: bool = True,
) -> CleanedSource | Reject:
    """Clean one readable document, or say why it cannot be cleaned.

    `profiles` are site templates by site: the page's site is only known once its HTML is read.
    `default_site` is the site of a document that names none (--site, its folder).
    `extraction` is an HTML page's extraction made earlier (by the site-learning pass).
    A document left with no text is still a `CleanedSource`: its removals are worth keeping.
    `detect_lang=False`: the language is the hints' or None (the caller detects it later).
    """
    hints = source_hints(source.meta, default_site)
    page = page_text(source, hints, max_html_depth=max_html_depth, extraction=extraction)
    if isinstance(page, Reject):
        return page
    profiles = profiles or {}
    if page.extraction is None:
        profile = profiles.get(hints.site or "")
        cleaned = clean_document(page.text, hints=hints, ruleset=ruleset, site_profile=profile, detect_lang=detect_lang)
        return _language_or_reject(CleanedSource(with_page_metadata(cleaned, hints), hints))
    merged = merge_html_hints(source.meta, hints, page.extraction)
    # The extractor already kept only the article: the one-page prose detector would cut real
    # lists and short paragraphs from it (benchmarks/extraction.py: recall 0.937 -> 0.927).
    # The site's template lines (menus, footers the extractor let through) still go.
    cleaned = clean_document(
        page.text,
        hints=merged,
        ruleset=ruleset,
        prior_removals=page.extraction.removals,
        site_profile=profiles.get(merged.site or ""),
        detect_prose=False,
        record_syntax=False,  # the markdown is the extractor's, not the page's
        text_layout="html",
        detect_lang=detect_lang,
    )
    return _language_or_reject(CleanedSource(with_page_metadata(cleaned, merged), merged))


def _language_or_reject(cleaned: CleanedSource) -> CleanedSource | Reject:
    """Clean text that is not language (symbol runs, one character repeated) is a `not_text` reject."""
    problem = not_language(cleaned.document.text)
    return cleaned if problem is None else Reject("not_text", problem)


def template_text(
    source: SourceDocument, *, default_site: str | None = None, max_html_depth: int = MAX_HTML_DEPTH
) -> TemplateText | Reject | None:
    """The site `clean_source` will file a document under and the text it will clean.

    None for a document in no cleanable format.
    """
    if source.format not in ("text", "markdown", "html"):
        return None
    hints = source_hints(source.meta, default_site)
    page = page_text(source, hints, max_html_depth=max_html_depth)
    if isinstance(page, Reject):
        return page
    site = hints.site if page.extraction is None else merge_html_hints(source.meta, hints, page.extraction).site
    return TemplateText(site, page.text, page.extraction)


def prepared_text(data: bytes, input_format: str, meta: Mapping[str, Any] | None = None) -> str | Reject:
    """A document's prepared text rebuilt from its raw bytes: what its removal offsets index.

    `meta` is what the container said (`sources.meta_json`): its `charset` and `url` are the
    ones cleaning used.

    >>> prepared_text("Caf\\u00e9  au   lait".encode("cp1252"), "text")
    'Café au lait'
    """
    source = SourceDocument("", input_format, data, dict(meta or {}))
    page = page_text(source, source_hints(source.meta), max_html_depth=None)
    return page if isinstance(page, Reject) else prepare_text(page.text)
