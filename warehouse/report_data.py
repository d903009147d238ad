"""What a report shows, read from the catalog: the sample of documents, their removals and cluster
mates, the runs, and totals over every document in scope.

The sample is chosen in SQL (`select_sample`) and only its rows reach Python; the summary is SQL
aggregates over the whole lake or run, so it is complete however few documents are shown. The
per-document text and raw bytes are streamed by `warehouse.report`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import duckdb
from docclean.warehouse.report_text import Rules

ROLES = ("canonical", "duplicate", "variant", "reject")
DEFAULT_LIMIT = 500
MATES_MAX = 100  # cluster mates listed per cluster: a 10k-copy cluster must not list 10k links per document

# Every document in scope with its site (rejects have none) and its sampling key: md5 of the
# doc_id, stable across DuckDB versions, so two reports of the same lake pick the same documents.
_DOCS = (
    "SELECT doc_id, site, md5(doc_id) AS h FROM articles {where} "
    "UNION ALL SELECT doc_id, NULL, md5(doc_id) FROM rejects {where}"
)
_RANKED = "SELECT doc_id, row_number() OVER (PARTITION BY {key} ORDER BY md5(doc_id), doc_id) AS k FROM {rows}"


@dataclass(frozen=True, slots=True)
class Sampling:
    """Which documents a report shows. Without per-rule or per-site picks: the first `limit` by hash.

    With them: up to `per_rule` documents for each rule that removed something and up to
    `per_site` for each site (documents without a site count as one), each picked in hash order;
    then at most `limit` of those, every rule's and site's first pick before any second one.
    """

    limit: int | None = DEFAULT_LIMIT  # None: no limit
    per_rule: int | None = None
    per_site: int | None = None

    def describe(self) -> str:
        picks = []
        if self.per_rule is not None:
            picks.append(f"up to {self.per_rule} per rule that removed something")
        if self.per_site is not None:
            picks.append(f"up to {self.per_site} per site")
        how = " and ".join(picks) if picks else "every document"
        cap = "" if self.limit is None else f", at most {self.limit} in all"
        return f"{how}{cap}, picked in order of the md5 of their doc_id (the same lake gives the same sample)"


def where_run(run_id: str | None, *conditions: str) -> str:
    parts = (["run_id = $run_id"] if run_id else []) + list(conditions)
    return "WHERE " + " AND ".join(parts) if parts else ""


def _params(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    # DuckDB refuses named parameters a statement does not use.
    return {name: value for name, value in params.items() if f"${name}" in sql}


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, run_id: str | None, **params: Any) -> list[dict[str, Any]]:
    result = con.execute(sql, _params(sql, {"run_id": run_id, **params}))
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def source_name(uri: str) -> str:
    """A short label for a document without a title: its file name (and JSONL record)."""
    parts = urlsplit(uri)
    name = PurePosixPath(unquote(parts.path)).name or uri
    return f"{name}#{parts.fragment}" if parts.fragment else name


@dataclass(slots=True)
class ReportData:
    """The sampled documents with their removals and mates, the rules, runs and the full summary."""

    docs: list[dict[str, Any]]
    removals: dict[str, list[dict[str, Any]]]
    rules: Rules
    mates: dict[str, list[dict[str, Any]]]
    runs: list[dict[str, Any]]
    summary: dict[str, Any]


def select_sample(con: duckdb.DuckDBPyConnection, run_id: str | None, sampling: Sampling) -> list[str]:
    """The doc_ids a report shows, chosen in SQL; only they come back."""
    docs = _DOCS.format(where=where_run(run_id))
    picks = []
    if sampling.per_rule is not None:
        pairs = f"(SELECT DISTINCT rule_id, doc_id FROM removals {where_run(run_id)})"
        picks.append(f"SELECT doc_id, k FROM ({_RANKED.format(key='rule_id', rows=pairs)}) WHERE k <= $per_rule")
    if sampling.per_site is not None:
        picks.append(f"SELECT doc_id, k FROM ({_RANKED.format(key='site', rows='docs')}) WHERE k <= $per_site")
    if picks:
        chosen = f"SELECT doc_id, min(k) AS k FROM ({' UNION ALL '.join(picks)}) GROUP BY doc_id"
        sql = (
            f"WITH docs AS ({docs}), chosen AS ({chosen}) "
            "SELECT doc_id FROM docs JOIN chosen USING (doc_id) ORDER BY k, h, doc_id"
        )
    else:
        sql = f"WITH docs AS ({docs}) SELECT doc_id FROM docs ORDER BY h, doc_id"
    if sampling.limit is not None:
        sql += " LIMIT $limit"
    params = {"run_id": run_id, "per_rule": sampling.per_rule, "per_site": sampling.per_site, "limit": sampling.limit}
    return [doc_id for (doc_id,) in con.execute(sql, _params(sql, params)).fetchall()]


def read_report_data(con: duckdb.DuckDBPyConnection, run_id: str | None, sampling: Sampling) -> ReportData:
    """The sampled documents (articles, then rejects), their removals and cluster mates; runs; the summary."""
    ids = select_sample(con, run_id, sampling)
    in_sample = "doc_id IN (SELECT unnest($ids))"
    articles = query_rows(
        con,
        "SELECT doc_id, 'article' AS kind, source_uri, input_format, site, url, title, subtitle, authors, "
        "published_at, language, word_count, n_removals, dup_cluster_id, dup_role, dup_similarity, run_id "
        f"FROM articles {where_run(run_id, in_sample)} "
        "ORDER BY site NULLS LAST, published_at DESC NULLS LAST, title, doc_id",
        run_id,
        ids=ids,
    )
    rejects = query_rows(
        con,
        "SELECT doc_id, 'reject' AS kind, source_uri, input_format, reason, detail, run_id "
        f"FROM rejects {where_run(run_id, in_sample)} ORDER BY reason, source_uri, doc_id",
        run_id,
        ids=ids,
    )
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for removal in query_rows(
        con,
        "SELECT doc_id, seq, rule_id, reason, text, start_offset, end_offset "
        f"FROM removals {where_run(run_id, in_sample)} ORDER BY doc_id, seq",
        run_id,
        ids=ids,
    ):
        by_doc[removal["doc_id"]].append(removal)
    # Cluster mates come from the whole lake: a run's document may duplicate an older one.
    mates: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in query_rows(
        con,
        "SELECT * EXCLUDE (k) FROM (SELECT dup_cluster_id, doc_id, dup_role, dup_similarity, title, source_uri, "
        "row_number() OVER (PARTITION BY dup_cluster_id ORDER BY dup_role <> 'canonical', dup_similarity DESC, "
        "doc_id) AS k FROM articles WHERE dup_cluster_id IN (SELECT dup_cluster_id FROM articles WHERE "
        f"{in_sample}) AND dup_cluster_id IN ({_MULTI})) WHERE k <= {MATES_MAX} ORDER BY dup_cluster_id, k",
        None,
        ids=ids,
    ):
        mates[member["dup_cluster_id"]].append(member)
    runs = query_rows(
        con,
        "SELECT run_id, started_at, finished_at, n_documents, n_skipped, n_articles, n_rejects, n_removals, "
        f"ruleset_version FROM runs {where_run(run_id)} ORDER BY finished_at DESC, run_id DESC LIMIT 20",
        run_id,
    )
    docs = articles + rejects
    rules, summary = summarize(con, run_id)
    summary["shown"] = len(docs)
    summary["sampling"] = sampling.describe()
    summary["sites"] = sorted({d["site"] for d in articles if d.get("site")})
    return ReportData(docs, dict(by_doc), rules, dict(mates), runs, summary)


_MULTI = "SELECT dup_cluster_id FROM articles GROUP BY dup_cluster_id HAVING count(*) > 1"


def index_entry(doc: dict[str, Any], removals: Sequence[dict[str, Any]], rules: Rules) -> list[Any]:
    """One row of the document list: [doc_id, label, site, role, rule indexes, removals, reject reason]."""
    role = "reject" if doc["kind"] == "reject" else doc.get("dup_role") or "canonical"
    label = doc.get("title") or source_name(doc["source_uri"])
    rule_keys = sorted({rules.index[r["rule_id"]] for r in removals})
    return [doc["doc_id"], label, doc.get("site") or "", role, rule_keys, len(removals), doc.get("reason") or ""]


def summarize(con: duckdb.DuckDBPyConnection, run_id: str | None) -> tuple[Rules, dict[str, Any]]:
    """The rules in report order and the run summary: SQL aggregates over every document in scope."""
    where = where_run(run_id)
    by_rule = query_rows(
        con,
        "SELECT rule_id, min(reason) AS reason, count(*) AS n, count(DISTINCT doc_id) AS documents, "
        f"coalesce(sum(length(text)), 0) AS chars FROM removals {where} GROUP BY rule_id",
        run_id,
    )
    rules = Rules.from_counts([(r["rule_id"], r["reason"] or "", r["n"]) for r in by_rule])
    order = {r["rule_id"]: r for r in by_rule}
    rule_rows = [{"key": rules.index[rule], "reason": rules.reasons[rule], **order[rule]} for rule in rules.ids]
    reasons = [
        (r["reason"], r["n"])
        for r in query_rows(
            con, f"SELECT reason, count(*) AS n FROM rejects {where} GROUP BY reason ORDER BY n DESC, reason", run_id
        )
    ]
    roles = {
        r["role"]: r["n"]
        for r in query_rows(
            con,
            f"SELECT coalesce(dup_role, 'canonical') AS role, count(*) AS n FROM articles {where} GROUP BY 1",
            run_id,
        )
    }
    (totals,) = query_rows(
        con,
        f"SELECT (SELECT count(*) FROM articles {where}) AS articles, "
        f"(SELECT count(*) FROM rejects {where}) AS rejects, "
        f"(SELECT count(*) FROM removals {where}) AS removals, (SELECT count(DISTINCT dup_cluster_id) FROM articles "
        f"{where_run(run_id, f'dup_cluster_id IN ({_MULTI})')}) AS clusters",
        run_id,
    )
    summary = {
        "documents": totals["articles"] + totals["rejects"],
        **totals,
        "roles": {role: roles.get(role, 0) for role in ROLES[:3]},
        "rules": rule_rows,
        "rules_max": max((r["n"] for r in rule_rows), default=1),
        "reasons": reasons,
        "reasons_max": max((n for _, n in reasons), default=1),
    }
    return rules, summary
