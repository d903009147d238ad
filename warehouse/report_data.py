"""What a report shows, read from the catalog: documents, removals, rules, cluster mates, runs, totals.

Everything but the per-document text and raw bytes, which `warehouse.report` streams.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import duckdb
from docclean.warehouse.report_text import Rules

ROLES = ("canonical", "duplicate", "variant", "reject")


def where_run(run_id: str | None) -> str:
    return "WHERE run_id = $run_id" if run_id else ""


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, run_id: str | None) -> list[dict[str, Any]]:
    result = con.execute(sql, {"run_id": run_id} if run_id else {})
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def source_name(uri: str) -> str:
    """A short label for a document without a title: its file name (and JSONL record)."""
    parts = urlsplit(uri)
    name = PurePosixPath(unquote(parts.path)).name or uri
    return f"{name}#{parts.fragment}" if parts.fragment else name


@dataclass(slots=True)
class ReportData:
    """Everything but the per-document text, read once: small enough for 10k documents."""

    docs: list[dict[str, Any]]
    removals: dict[str, list[dict[str, Any]]]
    rules: Rules
    mates: dict[str, list[dict[str, Any]]]
    runs: list[dict[str, Any]]
    all_removals: list[dict[str, Any]]


def read_report_data(con: duckdb.DuckDBPyConnection, run_id: str | None) -> ReportData:
    """The documents (articles, then rejects), their removals, cluster mates and runs of the lake or one run."""
    articles = query_rows(
        con,
        "SELECT doc_id, 'article' AS kind, source_uri, input_format, site, url, title, subtitle, authors, "
        "published_at, language, word_count, n_removals, dup_cluster_id, dup_role, dup_similarity, run_id "
        f"FROM articles {where_run(run_id)} ORDER BY site NULLS LAST, published_at DESC NULLS LAST, title, doc_id",
        run_id,
    )
    rejects = query_rows(
        con,
        "SELECT doc_id, 'reject' AS kind, source_uri, input_format, reason, detail, run_id "
        f"FROM rejects {where_run(run_id)} ORDER BY reason, source_uri, doc_id",
        run_id,
    )
    removals = query_rows(
        con,
        "SELECT doc_id, seq, rule_id, reason, text, start_offset, end_offset "
        f"FROM removals {where_run(run_id)} ORDER BY doc_id, seq",
        run_id,
    )
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for removal in removals:
        by_doc[removal["doc_id"]].append(removal)
    # Cluster mates come from the whole lake: a run's document may duplicate an older one.
    members = query_rows(
        con,
        "SELECT dup_cluster_id, doc_id, dup_role, dup_similarity, title, source_uri FROM articles "
        "WHERE dup_cluster_id IN (SELECT dup_cluster_id FROM articles GROUP BY ALL HAVING count(*) > 1) "
        "ORDER BY dup_cluster_id, dup_role <> 'canonical', dup_similarity DESC, doc_id",
        None,
    )
    mates: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in members:
        mates[member["dup_cluster_id"]].append(member)
    runs = query_rows(
        con,
        "SELECT run_id, started_at, finished_at, n_documents, n_skipped, n_articles, n_rejects, n_removals, "
        f"ruleset_version FROM runs {where_run(run_id)} ORDER BY finished_at DESC, run_id DESC LIMIT 20",
        run_id,
    )
    return ReportData(articles + rejects, dict(by_doc), Rules.from_removals(removals), dict(mates), runs, removals)


def index_entry(doc: dict[str, Any], removals: Sequence[dict[str, Any]], rules: Rules) -> list[Any]:
    """One row of the document list: [doc_id, label, site, role, rule indexes, removals, reject reason]."""
    role = "reject" if doc["kind"] == "reject" else doc.get("dup_role") or "canonical"
    label = doc.get("title") or source_name(doc["source_uri"])
    rule_keys = sorted({rules.index[r["rule_id"]] for r in removals})
    return [doc["doc_id"], label, doc.get("site") or "", role, rule_keys, len(removals), doc.get("reason") or ""]


def summarize(data: ReportData) -> dict[str, Any]:
    articles = [d for d in data.docs if d["kind"] == "article"]
    clusters = {d["dup_cluster_id"] for d in articles if d["dup_cluster_id"] in data.mates}
    by_rule: dict[str, dict[str, Any]] = {}
    for removal in data.all_removals:
        row = by_rule.setdefault(removal["rule_id"], {"n": 0, "docs": set(), "chars": 0})
        row["n"] += 1
        row["docs"].add(removal["doc_id"])
        row["chars"] += len(removal["text"] or "")
    rules = [
        {
            "key": data.rules.index[rule],
            "rule_id": rule,
            "reason": data.rules.reasons[rule],
            "n": by_rule[rule]["n"],
            "documents": len(by_rule[rule]["docs"]),
            "chars": by_rule[rule]["chars"],
        }
        for rule in data.rules.ids
    ]
    reasons = Counter(d["reason"] for d in data.docs if d["kind"] == "reject").most_common()
    roles = Counter(d["dup_role"] or "canonical" for d in articles)
    return {
        "documents": len(data.docs),
        "articles": len(articles),
        "rejects": len(data.docs) - len(articles),
        "removals": len(data.all_removals),
        "clusters": len(clusters),
        "roles": {role: roles.get(role, 0) for role in ROLES[:3]},
        "rules": rules,
        "rules_max": max((r["n"] for r in rules), default=1),
        "reasons": reasons,
        "reasons_max": max((n for _, n in reasons), default=1),
        "sites": sorted({d["site"] for d in articles if d.get("site")}),
    }
