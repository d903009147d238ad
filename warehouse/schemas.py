"""Arrow schemas of the lake's tables: the contract downstream readers rely on.

Every column is documented in `warehouse/SCHEMA.md`; a test keeps the two in step. Timestamps
are naive (UTC, except `published_at`: the page's local time; documented there) so pandas,
polars, Spark and DuckDB read them alike.
"""

from __future__ import annotations

from enum import Enum

import pyarrow as pa

SCHEMA_VERSION = "1"

_TS = pa.timestamp("us")

ARTICLES = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("input_format", pa.string(), nullable=False),
        pa.field("site", pa.string()),
        pa.field("url", pa.string()),
        pa.field("title", pa.string()),
        pa.field("subtitle", pa.string()),
        pa.field("authors", pa.list_(pa.string()), nullable=False),
        pa.field("author_orgs", pa.list_(pa.string()), nullable=False),
        pa.field("published_at", _TS),
        pa.field("published_at_utc_offset", pa.int32()),
        pa.field("published_date_only", pa.bool_(), nullable=False),
        pa.field("language", pa.string()),
        pa.field("text_layout", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("word_count", pa.int32(), nullable=False),
        pa.field("char_count", pa.int32(), nullable=False),
        pa.field("source_chars", pa.int32(), nullable=False),
        pa.field("n_removals", pa.int32(), nullable=False),
        pa.field("raw_hash", pa.string(), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("dup_cluster_id", pa.string()),
        pa.field("dup_role", pa.string()),
        pa.field("dup_similarity", pa.float32()),
        pa.field("ruleset_version", pa.string(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("processed_at", _TS, nullable=False),
    ]
)

REMOVALS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("seq", pa.int32(), nullable=False),
        pa.field("rule_id", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("start_offset", pa.int32()),
        pa.field("end_offset", pa.int32()),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

REJECTS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("input_format", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string(), nullable=False),
        pa.field("raw_hash", pa.string()),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("rejected_at", _TS, nullable=False),
    ]
)

RUNS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("flow_run_id", pa.string()),
        pa.field("started_at", _TS, nullable=False),
        pa.field("finished_at", _TS, nullable=False),
        pa.field("inputs", pa.list_(pa.string()), nullable=False),
        pa.field("config_json", pa.string(), nullable=False),
        pa.field("config_fingerprint", pa.string(), nullable=False),
        pa.field("ruleset_version", pa.string(), nullable=False),
        pa.field("ruleset_fingerprint", pa.string(), nullable=False),
        pa.field("docclean_version", pa.string(), nullable=False),
        pa.field("n_documents", pa.int64(), nullable=False),
        pa.field("n_skipped", pa.int64(), nullable=False),
        pa.field("n_articles", pa.int64(), nullable=False),
        pa.field("n_rejects", pa.int64(), nullable=False),
        pa.field("n_removals", pa.int64(), nullable=False),
        pa.field("n_duplicates", pa.int64(), nullable=False),
        pa.field("n_variants", pa.int64(), nullable=False),
        pa.field("summary_json", pa.string(), nullable=False),
        pa.field("n_unchanged_files", pa.int64()),  # NULL in runs written before it existed
    ]
)

SOURCES = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("input_format", pa.string(), nullable=False),
        pa.field("meta_json", pa.string(), nullable=False),
        pa.field("raw", pa.binary()),
        pa.field("error_reason", pa.string()),
        pa.field("error_detail", pa.string()),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

MINHASH = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("signature", pa.binary(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

PARAGRAPH_COUNTS = pa.schema(
    [
        pa.field("site", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("n_documents", pa.int32(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

SITE_PROFILES = pa.schema(
    [
        pa.field("site", pa.string(), nullable=False),
        pa.field("n_docs", pa.int32(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("doc_freq", pa.int32(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

INPUT_FILES = pa.schema(
    [
        pa.field("file_uri", pa.string(), nullable=False),
        pa.field("size_bytes", pa.int64(), nullable=False),
        pa.field("mtime_ns", pa.int64(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)


class WriteMode(Enum):
    """How a table's rows from successive runs combine (dlt's write dispositions, for this lake).

    The lake's cleanup (`Lake.drop_superseded`, `drop_stale_site_rows`, `drop_summed_before`)
    and the catalog's views follow these; each table declares its own below.
    """

    APPEND = "append"  # every committed run's rows stay (runs, input files read)
    LATEST_PER_SOURCE = "latest_per_source"  # a document version: a later run's version of the source replaces it
    LATEST_PER_SITE = "latest_per_site"  # a run writes a site's whole set of rows; the latest run's stand
    SUMMED = "summed"  # counts added up over runs (a reprocessing run replaces them)


TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "removals": REMOVALS,
    "rejects": REJECTS,
    "sources": SOURCES,
    "minhash": MINHASH,
    "paragraph_counts": PARAGRAPH_COUNTS,
    "site_profiles": SITE_PROFILES,
    "input_files": INPUT_FILES,
    "runs": RUNS,
}

WRITE_MODES: dict[str, WriteMode] = {
    "articles": WriteMode.LATEST_PER_SOURCE,
    "removals": WriteMode.LATEST_PER_SOURCE,  # rows of their document's version (by doc_id)
    "rejects": WriteMode.LATEST_PER_SOURCE,
    "sources": WriteMode.LATEST_PER_SOURCE,
    "minhash": WriteMode.LATEST_PER_SOURCE,
    "paragraph_counts": WriteMode.SUMMED,
    "site_profiles": WriteMode.LATEST_PER_SITE,
    "input_files": WriteMode.APPEND,
    "runs": WriteMode.APPEND,
}
# The tables whose rows name a source (`source_id`): they decide which version of a source is
# current; the other LATEST_PER_SOURCE tables follow their document by doc_id.
VERSION_TABLES = ("articles", "rejects")


def tables_written(mode: WriteMode) -> tuple[str, ...]:
    """The tables written in `mode`, in TABLES order."""
    return tuple(table for table in TABLES if WRITE_MODES[table] is mode)


def with_metadata(schema: pa.Schema, table: str) -> pa.Schema:
    """The schema as written: the table name and schema version travel in the Parquet footer."""
    return schema.with_metadata(
        {b"docclean.table": table.encode(), b"docclean.schema_version": SCHEMA_VERSION.encode()}
    )
