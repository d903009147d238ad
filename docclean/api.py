"""The Python API: clean one document in memory, or run the flow.

`clean_text` and `clean_html` go through `docclean.transforms.document.clean_source`, the same
per-document path the flow, `report` and `explain` take, with no Prefect, no server and no lake.
What only a run over many documents can do is not done here: site templates learned across a
site's pages, near-duplicate clustering, common paragraphs across articles.

`run` runs the `clean-documents` flow; it imports Prefect when called, not before.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from docclean.flows.rules import load_ruleset
from docclean.transforms.document import clean_source
from docclean.transforms.limits import MAX_HTML_DEPTH
from docclean.transforms.models import Removal, SourceDocument
from docclean.transforms.rejects import Reject
from docclean.transforms.ruleset import RuleSet, default_ruleset

if TYPE_CHECKING:
    from docclean.flows.results import RunSummary

Rules = RuleSet | str | os.PathLike[str] | None


class DocumentRejected(ValueError):
    """The document cannot be cleaned (empty, not text, nested too deep...): `reason` is a code of
    the reject registry (`docclean.transforms.rejects`, `warehouse/SCHEMA.md`), `detail` says why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True, slots=True)
class Document:
    """A clean document: body text, metadata, and every removed span with its rule id and reason.

    `removals[i].start`/`end` index the prepared text (decoded, Unicode-repaired, normalised);
    None for HTML the extractor dropped before there was text.
    """

    text: str
    title: str | None
    subtitle: str | None
    authors: list[str]
    published_at: datetime | None
    language: str | None
    site: str | None
    url: str | None
    removals: list[Removal]
    author_orgs: list[str]  # agencies, newsrooms and teams the byline named (people are in `authors`)
    published_utc_offset: int | None  # minutes east of UTC the page gave for `published_at`
    published_date_only: bool  # only a day was known: `published_at`'s midnight is not a time
    text_layout: str  # how the input was laid out: markdown, wrapped, wet, plain or html

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def rule_ids(self) -> list[str]:
        """Distinct rule ids that removed something, in first-seen order."""
        return list(dict.fromkeys(r.rule_id for r in self.removals))


def load_rules(folder: str | os.PathLike[str] | None = None) -> RuleSet:
    """The packaged rules with your `*.toml` rule files in `folder` laid over them (same id replaces).

    Load once and pass the result as `rules=` when cleaning many documents (~30 ms a parse).
    """
    return load_ruleset(str(folder) if folder is not None else None)


def clean_text(
    text: str | bytes,
    url: str | None = None,
    *,
    title: str | None = None,
    site: str | None = None,
    authors: Sequence[str] = (),
    published_at: str | datetime | None = None,
    language: str | None = None,
    markdown: bool = False,
    rules: Rules = None,
) -> Document:
    """Clean a flattened page (plain text, or markdown with `markdown=True`) as `docclean run` would.

    `url` or `site` name the page's site; `title`, `authors`, `published_at`, `language` are what
    you already know (they win over what cleaning finds). `rules`: a RuleSet (`load_rules`) or a
    folder of rule files. Raises `DocumentRejected` with a reason code for input that cannot be
    cleaned (e.g. `empty`).
    """
    meta = _meta(url, title, site, authors, published_at, language)
    return _clean(text, "markdown" if markdown else "text", meta, rules, MAX_HTML_DEPTH)


def clean_html(
    html: str | bytes,
    url: str | None = None,
    *,
    title: str | None = None,
    site: str | None = None,
    authors: Sequence[str] = (),
    published_at: str | datetime | None = None,
    language: str | None = None,
    rules: Rules = None,
    max_html_depth: int = MAX_HTML_DEPTH,
) -> Document:
    """Extract an HTML page's article and clean it as `docclean run` would (bytes: charset from the page)."""
    meta = _meta(url, title, site, authors, published_at, language)
    return _clean(html, "html", meta, rules, max_html_depth)


def run(
    inputs: Sequence[str | os.PathLike[str]] | None = None, lake: str | os.PathLike[str] | None = None, **options: Any
) -> RunSummary:
    """Run the `clean-documents` flow on `inputs` into `lake` and return its `RunSummary`.

    `options` are the flow's parameters (`docclean.flows.flow.clean_documents`): batch_size, site,
    site_from_folder, rules_dir, rescan, reprocess, limits and thresholds. Prefect runs against
    a temporary local server unless PREFECT_API_URL names one; imported only here.
    """
    from docclean.flows.settings import apply_prefect_defaults

    apply_prefect_defaults()
    from docclean.flows.server import launched_server, shared_api
    from docclean.warehouse.locations import input_location, uri_scheme

    # Object-store URIs stay URIs (never resolved into a local folder named `s3:`); paths absolute.
    located = [input_location(p) for p in inputs] if inputs else []
    paths = [p if uri_scheme(p) else str(Path(p).resolve()) for p in located] or None
    with launched_server() as server:  # starts up while the flow is imported
        from docclean.flows.flow import clean_documents

        with shared_api(server):
            return clean_documents(inputs=paths, lake=str(lake) if lake is not None else None, **options)


def _meta(
    url: str | None,
    title: str | None,
    site: str | None,
    authors: Sequence[str],
    published_at: str | datetime | None,
    language: str | None,
) -> dict[str, Any]:
    if isinstance(authors, str):
        authors = [authors]
    given = {
        "url": url,
        "title": title,
        "site": site,
        "authors": list(authors),
        "published_at": published_at.isoformat() if isinstance(published_at, datetime) else published_at,
        "language": language,
    }
    return {key: value for key, value in given.items() if value}


def _ruleset(rules: Rules) -> RuleSet:
    if rules is None:
        return default_ruleset()
    return rules if isinstance(rules, RuleSet) else load_rules(rules)


def _clean(
    data: str | bytes,
    input_format: Literal["text", "markdown", "html"],
    meta: dict[str, Any],
    rules: Rules,
    max_html_depth: int,
) -> Document:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if isinstance(data, str):
        meta = {**meta, "charset": "utf-8"}
    source = SourceDocument(meta.get("url") or "memory:", input_format, raw, meta)
    cleaned = clean_source(source, _ruleset(rules), max_html_depth=max_html_depth)
    if isinstance(cleaned, Reject):
        raise DocumentRejected(cleaned.reason, cleaned.detail)
    doc, hints = cleaned.document, cleaned.hints
    return Document(
        text=doc.text,
        title=doc.title,
        subtitle=doc.subtitle,
        authors=list(doc.authors),
        published_at=doc.published_at,
        language=doc.language,
        site=hints.site,
        url=hints.url,
        removals=list(doc.removals),
        author_orgs=list(doc.author_orgs),
        published_utc_offset=doc.published_utc_offset,
        published_date_only=doc.published_date_only,
        text_layout=doc.text_layout,
    )
