"""One batch of input files -> staged Parquet files of articles, removals and rejects.

Plain Python, no Prefect: the flow's `clean_batch` task calls `process_batch`, and tests call
it directly. Each input document ends as exactly one article row or one reject row.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flows.inputs import InputFile
from flows.readers import Limits, SourceDocument, read_documents
from flows.rules import load_ruleset
from transforms.clean import clean_document
from transforms.dates import parse_date
from transforms.decode import DecodeError, decode_document
from transforms.html import HtmlExtraction, extract_html, html_nesting_depth
from transforms.lines import LineDocument
from transforms.minhash import signatures as minhash_signatures
from transforms.models import CleanDocument, DocumentHints
from transforms.normalize import prepare_text
from transforms.ruleset import RuleSet
from transforms.templates import SiteProfile
from transforms.urls import site_of
from warehouse.crash import crash_point
from warehouse.lake import rows_to_table, write_parquet_atomic


@dataclass(frozen=True, slots=True)
class BatchOptions:
    run_id: str
    staging_dir: str
    site: str | None = None
    site_from_folder: bool = False  # documents without a URL: the site is their folder's name
    limits: Limits = field(default_factory=Limits)
    profiles_path: str | None = None  # site profiles (JSON) learned for this run
    rules_dir: str | None = None  # user rule files (*.toml) laid over the packaged ones


def default_site(source: SourceDocument, options: BatchOptions) -> str | None:
    """The site of a document whose container gave no URL or site: --site, or its folder."""
    if options.site:
        return options.site
    if options.site_from_folder and source.source_uri.startswith("file:"):
        return Path(unquote(urlsplit(source.source_uri).path)).parent.name or None
    return None


def site_hint(source: SourceDocument, options: BatchOptions) -> str | None:
    """The site a text document will be filed under (HTML may still find one in its page)."""
    return hints_from_meta(source.meta, default_site(source, options)).site


def learn_profiles(
    sources: Iterable[SourceDocument], known_doc_ids: Container[str], options: BatchOptions
) -> tuple[dict, dict[str, HtmlExtraction]]:
    """Per site, on how many of this batch's new pages each line occurs (a partial profile).

    HTML pages are counted on their extracted text, the text their template lines survive in;
    the extractions are returned too (by doc_id), so the cleaning pass need not extract again.
    """
    profiles: dict[str, SiteProfile] = {}
    extractions: dict[str, HtmlExtraction] = {}
    for source in sources:
        if source.skip or source.error or source.doc_id in known_doc_ids:
            continue
        if source.format == "html":
            hints = hints_from_meta(source.meta, default_site(source, options))
            try:
                extraction = extract_source_html(source, hints, options.limits)
            except Exception:  # the cleaning pass meets it again and rejects it with its reason
                continue
            extractions[source.doc_id] = extraction
            site, text = merge_html_hints(source, hints, extraction).site, extraction.text
        elif source.format in ("text", "markdown"):
            site = site_hint(source, options)
            try:
                text = decode_document(source.data, source.format, source.meta.get("charset"))
            except DecodeError:
                continue
        else:
            continue
        if site is None:
            continue
        profiles.setdefault(site, SiteProfile(site)).add_document(LineDocument.parse(prepare_text(text)))
    return {site: profile.to_dict() for site, profile in profiles.items()}, extractions


def load_profiles(path: str | None) -> dict[str, SiteProfile]:
    if not path:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {site: SiteProfile.from_dict(profile) for site, profile in data.items()}


@dataclass(slots=True)
class BatchResult:
    """Counts and staged file paths: what a task hands back to the flow (never documents)."""

    batch: int
    n_documents: int = 0
    n_skipped: int = 0
    n_articles: int = 0
    n_rejects: int = 0
    n_removals: int = 0
    removals_by_rule: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    records_skipped: dict[str, int] = field(default_factory=dict)  # WARC records that are not documents
    files: dict[str, str] = field(default_factory=dict)  # table -> staged path

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def content_hash(text: str) -> str:
    """Hash of the normalised body: equal for texts that differ only in case and spacing."""
    return hashlib.sha256(" ".join(text.casefold().split()).encode()).hexdigest()[:32]


def hints_from_meta(meta: dict[str, Any], default_site: str | None) -> DocumentHints:
    """Metadata a container (JSONL record) supplied, normalised."""
    authors = meta.get("authors", meta.get("author", []))
    if isinstance(authors, str):
        authors = [authors]
    published = meta.get("published_at", meta.get("date"))
    url = meta.get("url") if isinstance(meta.get("url"), str) else None
    return DocumentHints(
        url=url,
        site=meta.get("site") or site_of(url) or default_site,
        title=meta.get("title") if isinstance(meta.get("title"), str) else None,
        authors=[str(a) for a in authors if a],
        published_at=parse_date(str(published)) if published else None,
        language=meta.get("language") if isinstance(meta.get("language"), str) else None,
    )


class Unusable(ValueError):
    """A readable document that cannot become an article; `reason` is the reject reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def extract_source_html(source: SourceDocument, hints: DocumentHints, limits: Limits) -> HtmlExtraction:
    """Decode an HTML document and extract its main text; raises DecodeError or Unusable."""
    text = decode_document(source.data, source.format, source.meta.get("charset"))
    if not text.strip():
        raise Unusable("empty", "the document has only whitespace")
    depth = html_nesting_depth(text, limits.max_html_depth)
    if depth > limits.max_html_depth:
        raise Unusable("too_deep", f"elements nest over {limits.max_html_depth:,} levels deep (limit)")
    return extract_html(text, url=hints.url)


def merge_html_hints(source: SourceDocument, hints: DocumentHints, extraction: HtmlExtraction) -> DocumentHints:
    """What the container said wins over what the page says."""
    url = hints.url or extraction.hints.url
    return DocumentHints(
        url=url,
        # The host before og:site_name, so sites group the same way for every input format.
        site=source.meta.get("site") or site_of(url) or hints.site or extraction.hints.site,
        title=hints.title or extraction.hints.title,
        authors=hints.authors or extraction.hints.authors,
        published_at=hints.published_at or extraction.hints.published_at,
        language=hints.language or extraction.hints.language,
    )


def clean_source(
    source: SourceDocument,
    ruleset: RuleSet,
    default_site: str | None,
    limits: Limits | None = None,
    profiles: dict[str, SiteProfile] | None = None,
    extraction: HtmlExtraction | None = None,
) -> tuple[CleanDocument, DocumentHints]:
    """Decode and clean one readable document; raises DecodeError or Unusable with the reason.

    `extraction` is an HTML document's extraction made earlier (by the site-learning pass).
    """
    limits = limits or Limits()
    hints = hints_from_meta(source.meta, default_site)
    if source.format == "html":
        extraction = extraction or extract_source_html(source, hints, limits)
        merged = merge_html_hints(source, hints, extraction)
        # The extractor already kept only the article: the one-page prose detector would cut real
        # lists and short paragraphs from it (benchmarks/extraction.py: recall 0.937 -> 0.927).
        # The site's template lines (menus, footers the extractor let through) still go.
        cleaned = clean_document(
            extraction.text,
            hints=merged,
            ruleset=ruleset,
            prior_removals=extraction.removals,
            site_profile=(profiles or {}).get(merged.site or ""),
            detect_prose=False,
            record_syntax=False,  # the markdown is the extractor's, not the page's
        )
        return cleaned, merged
    text = decode_document(source.data, source.format, source.meta.get("charset"))
    if not text.strip():
        raise Unusable("empty", "the document has only whitespace")
    profile = (profiles or {}).get(hints.site or "")
    return clean_document(text, hints=hints, ruleset=ruleset, site_profile=profile), hints


def process_batch(
    batch: int,
    sources: Iterable[SourceDocument],
    known_doc_ids: Container[str],
    options: BatchOptions,
    ruleset: RuleSet | None = None,
    extractions: dict[str, HtmlExtraction] | None = None,
) -> BatchResult:
    """Clean every source document not already in the lake; stage its rows as Parquet.

    Writes articles, removals, rejects and `sources` (the raw bytes and container metadata, so
    the lake can be re-cleaned without the original files).
    """
    ruleset = ruleset or load_ruleset(options.rules_dir)
    profiles = load_profiles(options.profiles_path)
    result = BatchResult(batch)
    articles: list[dict[str, Any]] = []
    removals: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    raw_rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    removal_counts: Counter[str] = Counter()
    reject_counts: Counter[str] = Counter()
    skipped_records: Counter[str] = Counter()

    def reject(source: SourceDocument, reason: str, detail: str) -> None:
        rejects.append(
            {
                "doc_id": source.doc_id,
                "source_id": source.source_id,
                "source_uri": source.source_uri,
                "input_format": source.format,
                "reason": reason,
                "detail": detail,
                "raw_hash": source.raw_hash if source.data else None,
                "run_id": options.run_id,
                "rejected_at": now_utc(),
            }
        )
        reject_counts[reason] += 1

    for source in sources:
        if source.skip is not None:
            skipped_records[source.skip] += 1
            continue
        result.n_documents += 1
        doc_id = source.doc_id
        if doc_id in known_doc_ids or doc_id in seen:
            result.n_skipped += 1
            continue
        seen.add(doc_id)
        raw_rows.append(source_row(source, options.run_id))
        if source.error is not None:
            reject(source, *source.error)
            continue
        try:
            cleaned, hints = clean_source(
                source,
                ruleset,
                default_site(source, options),
                options.limits,
                profiles,
                (extractions or {}).get(doc_id),
            )
        except (DecodeError, Unusable) as exc:
            reject(source, exc.reason, exc.detail)
            continue
        except Exception as exc:  # one bad document must not stop the batch
            where = traceback.extract_tb(exc.__traceback__)[-1]
            reject(source, "cleaning_error", f"{type(exc).__name__}: {exc} (at {where.name}:{where.lineno})")
            continue
        crash_point("cleaning")
        for seq, removal in enumerate(cleaned.removals):
            removals.append(
                {
                    "doc_id": doc_id,
                    "seq": seq,
                    "rule_id": removal.rule_id,
                    "reason": removal.reason,
                    "text": removal.text,
                    "start_offset": removal.start,
                    "end_offset": removal.end,
                    "run_id": options.run_id,
                }
            )
            removal_counts[removal.rule_id] += 1
        if not cleaned.text.strip():
            reject(source, "no_content", f"nothing left after cleaning ({len(cleaned.removals)} removals)")
            continue
        articles.append(
            {
                "doc_id": doc_id,
                "source_id": source.source_id,
                "source_uri": source.source_uri,
                "input_format": source.format,
                "site": hints.site,
                "url": hints.url,
                "title": cleaned.title,
                "subtitle": cleaned.subtitle,
                "authors": cleaned.authors,
                "published_at": cleaned.published_at,
                "language": cleaned.language,
                "text": cleaned.text,
                "word_count": cleaned.word_count,
                "char_count": len(cleaned.text),
                "source_chars": cleaned.source_chars,
                "n_removals": len(cleaned.removals),
                "raw_hash": source.raw_hash,
                "content_hash": content_hash(cleaned.text),
                "dup_cluster_id": None,
                "dup_role": None,
                "ruleset_version": ruleset.version,
                "run_id": options.run_id,
                "processed_at": now_utc(),
            }
        )

    staging = Path(options.staging_dir)
    # Sorted by site and date, so row-group statistics let readers skip what a filter excludes.
    articles.sort(key=lambda a: (a["site"] or "", a["published_at"] or datetime.min, a["doc_id"]))
    minhash_rows = [
        {"doc_id": article["doc_id"], "signature": signature.astype("<u4").tobytes(), "run_id": options.run_id}
        for article, signature in zip(articles, minhash_signatures([a["text"] for a in articles]), strict=True)
    ]
    tables = (
        ("articles", articles),
        ("removals", removals),
        ("rejects", rejects),
        ("sources", raw_rows),
        ("minhash", minhash_rows),
    )
    for table, rows in tables:
        if rows:
            path = staging / table / f"b{batch:05d}.parquet"
            write_parquet_atomic(rows_to_table(rows, table), path, staging=staging / "tmp", table=table)
            result.files[table] = str(path)
    result.n_articles, result.n_rejects, result.n_removals = len(articles), len(rejects), len(removals)
    result.removals_by_rule = dict(removal_counts)
    result.rejects_by_reason = dict(reject_counts)
    result.records_skipped = dict(skipped_records)
    return result


def source_row(source: SourceDocument, run_id: str) -> dict[str, Any]:
    """The raw document as kept in the lake's `sources` table."""
    return {
        "doc_id": source.doc_id,
        "source_id": source.source_id,
        "source_uri": source.source_uri,
        "input_format": source.format,
        "meta_json": json.dumps(source.meta, sort_keys=True, default=str),
        "raw": source.data if source.data else None,
        "error_reason": source.error[0] if source.error else None,
        "error_detail": source.error[1] if source.error else None,
        "run_id": run_id,
    }


def sources_from_table(path: str | Path) -> Iterator[SourceDocument]:
    """Source documents back from a `sources` Parquet file (for reprocessing)."""
    import pyarrow.parquet as pq

    for row in pq.read_table(path).to_pylist():
        error = (row["error_reason"], row["error_detail"]) if row["error_reason"] else None
        yield SourceDocument(
            row["source_uri"], row["input_format"], row["raw"] or b"", json.loads(row["meta_json"]), error=error
        )


def sources_from_files(files: list[InputFile], limits: Limits) -> Iterator[SourceDocument]:
    for item in files:
        yield from read_documents(item, limits)
