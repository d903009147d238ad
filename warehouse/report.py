"""An HTML review report: what was removed from each document, by which rule, and why.

One self-contained file (inline CSS and JS, nothing fetched): a run summary, a filterable,
paginated list of documents, and per document its prepared text with every removed span
highlighted, its metadata, clean text, duplicate-cluster mates and, for HTML inputs, the page's
source (as text). Each document travels as a compact JSON block that the page renders only when it
is opened. A report shows a sample (`Sampling`: 500 documents by default, optionally per rule and
per site, chosen in SQL by hash, so the same lake gives the same bytes); its summary counts every
document. Document text only reaches the page as JSON (Jinja's `tojson` escapes
`<`, `>`, `&` and `'`) and is put into the DOM with `textContent`, never parsed as markup.

Data comes from `warehouse.report_data`, spans and rebuilt text from `warehouse.report_text`;
this module renders.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from docclean.warehouse.catalog import QueryError, connect_readonly
from docclean.warehouse.lake import Lake
from docclean.warehouse.remote_tables import RemoteLake
from docclean.warehouse.report_data import (
    ROLES,
    ReportData,
    Sampling,
    index_entry,
    read_report_data,
    source_name,
)
from docclean.warehouse.report_text import page_source, place_removals, rebuild_text, rule_colour, span_tree
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

_FETCH = 256  # rows per fetch when streaming document text and raw bytes


@dataclass(frozen=True, slots=True)
class ReportStats:
    """What a report holds; `unplaced` spans are listed beside the text instead of highlighted."""

    path: Path
    run_id: str | None
    documents: int  # in the lake (or run): the summary counts them all
    shown: int  # in the report: the sample
    articles: int
    rejects: int
    removals: int
    highlighted: int
    unplaced: int
    mismatched: int  # spans whose offsets did not match the rebuilt text: a sign of drift worth a look
    clusters: int  # near-duplicate clusters with more than one member, among the documents in scope
    size_bytes: int


def _fmt_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")


@dataclass(slots=True)
class _Counts:
    highlighted: int = 0
    unplaced: int = 0
    mismatched: int = 0


def _payload(
    doc: dict[str, Any],
    clean: str | None,
    source: tuple[str | None, str | None, bytes | None],
    data: ReportData,
    positions: dict[str, int],
    counts: _Counts,
) -> dict[str, Any]:
    """One document's JSON: metadata, original text as a span tree, unplaced spans, clean text, mates."""
    removals = data.removals.get(doc["doc_id"], [])
    if doc["kind"] == "reject" and not removals:
        # Rejected before cleaning (unreadable, empty, too deep...): no prepared text exists, and
        # rebuilding it could mean parsing exactly the pathological page the run refused.
        prepared, why = None, "it was rejected before cleaning, so no text was prepared"
    else:
        prepared, why = rebuild_text(*source)
    spans, unplaced, mismatched = place_removals(prepared, removals, data.rules, why)
    counts.highlighted += len(spans)
    counts.unplaced += len(unplaced)
    counts.mismatched += mismatched
    meta = {
        key: doc.get(key)
        for key in ("title", "subtitle", "site", "language", "url", "source_uri", "input_format", "run_id")
    }
    meta["authors"] = doc.get("authors") or []
    meta["published_at"] = _fmt_time(doc.get("published_at"))
    page, page_chars = page_source(*source)
    cluster = doc.get("dup_cluster_id")
    mates = [
        [m["doc_id"], m["dup_role"], round(m["dup_similarity"] or 0.0, 3), m["title"] or source_name(m["source_uri"]),
         m["doc_id"] in positions]
        for m in data.mates.get(cluster, [])
        if m["doc_id"] != doc["doc_id"]
    ]  # fmt: skip
    return {
        "id": doc["doc_id"],
        "kind": doc["kind"],
        "meta": meta,
        "words": doc.get("word_count"),
        "role": doc.get("dup_role"),
        "sim": None if doc.get("dup_similarity") is None else round(doc["dup_similarity"], 3),
        "cluster": cluster,
        "reject": [doc["reason"], doc["detail"]] if doc["kind"] == "reject" else None,
        "orig": None if prepared is None else span_tree(prepared, spans),
        "why": why,
        "unplaced": unplaced,
        "clean": clean,
        "mates": mates,
        "page": page,
        "pageChars": page_chars,
    }


def _payloads(
    con: duckdb.DuckDBPyConnection, data: ReportData, counts: _Counts
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position, payload) per document, streamed so raw bytes and texts are never all in memory."""
    positions = {doc["doc_id"]: i for i, doc in enumerate(data.docs)}
    docs = {doc["doc_id"]: doc for doc in data.docs}
    # In report order, so the file's bytes do not depend on how DuckDB happened to parallelise the join.
    result = con.execute(
        "WITH ids AS (SELECT unnest($ids) AS doc_id, unnest(range(len($ids))) AS pos) "
        "SELECT ids.doc_id, a.text, s.input_format, s.meta_json, s.raw FROM ids "
        "LEFT JOIN articles AS a USING (doc_id) LEFT JOIN sources AS s USING (doc_id) ORDER BY ids.pos",
        {"ids": [doc["doc_id"] for doc in data.docs]},
    )
    done: set[str] = set()
    while rows := result.fetchmany(_FETCH):
        for doc_id, clean, input_format, meta_json, raw in rows:
            if doc_id in done:  # a source row repeated in the files must not repeat a document
                continue
            done.add(doc_id)
            source = (input_format, meta_json, raw)
            yield positions[doc_id], _payload(docs[doc_id], clean, source, data, positions, counts)


def _environment() -> Environment:
    loader = PackageLoader("docclean.warehouse", "templates")
    env = Environment(loader=loader, autoescape=True, keep_trailing_newline=True)
    # Compact JSON; `tojson` still escapes <, >, & and ' so no text can close a <script> block.
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "separators": (",", ":"), "ensure_ascii": False}
    env.filters["colour"] = rule_colour
    env.filters["when"] = _fmt_time
    return env


def _script(env: Environment) -> tuple[Markup, str]:
    """The page's JavaScript and its CSP hash: the only script the page lets run."""
    assert env.loader is not None
    source = env.loader.get_source(env, "report.js")[0]
    if "</script" in source.lower():
        raise ValueError("report.js must not contain '</script'")
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return Markup(source), f"sha256-{digest}"


def build_report(
    lake: Lake | RemoteLake,
    out: Path,
    run_id: str | None = None,
    sampling: Sampling | None = None,
    generated_at: datetime | None = None,
) -> ReportStats:
    """Write the review report for the lake (or one committed run of it) to `out`.

    `sampling` picks the documents shown (default: 500 by hash); the same lake and options give the
    same bytes, and `generated_at`, when given, is printed in the header.
    """
    con = connect_readonly(lake)
    try:
        if run_id is not None and not con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchall():
            raise QueryError(
                f"no committed run {run_id!r} in {lake.location}; list the runs with `docclean query --saved runs`"
            )
        data = read_report_data(con, run_id, sampling or Sampling())
        counts = _Counts()
        summary = data.summary
        index = {
            "rules": [[rule, data.rules.reasons[rule]] for rule in data.rules.ids],
            "docs": [index_entry(doc, data.removals.get(doc["doc_id"], []), data.rules) for doc in data.docs],
        }
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        env = _environment()
        script, script_hash = _script(env)
        stream = env.get_template("report.html.j2").stream(
            script=script,
            script_hash=script_hash,
            lake=lake.location,
            run_id=run_id,
            generated_at=_fmt_time(generated_at),
            summary=summary,
            runs=data.runs,
            roles=ROLES,
            index=index,
            payloads=_payloads(con, data, counts),
        )
        stream.dump(str(tmp), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        con.close()
    return ReportStats(
        path=out,
        run_id=run_id,
        documents=summary["documents"],
        shown=summary["shown"],
        articles=summary["articles"],
        rejects=summary["rejects"],
        removals=summary["removals"],
        highlighted=counts.highlighted,
        unplaced=counts.unplaced,
        mismatched=counts.mismatched,
        clusters=summary["clusters"],
        size_bytes=out.stat().st_size,
    )
