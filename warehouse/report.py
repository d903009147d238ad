"""An HTML review report: what was removed from each document, by which rule, and why.

One self-contained file (inline CSS and JS, nothing fetched): a run summary, a filterable,
paginated list of documents, and per document its prepared text with every removed span
highlighted, its metadata, clean text and duplicate-cluster mates. Each document travels as a
compact JSON block that the page renders only when it is opened, so 10,000 documents stay a
file a browser opens. Document text only reaches the page as JSON (Jinja's `tojson` escapes
`<`, `>`, `&` and `'`) and is put into the DOM with `textContent`, never parsed as markup.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import duckdb
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from transforms.decode import DecodeError
from transforms.prepared import prepared_text
from warehouse.catalog import QueryError, connect_readonly
from warehouse.lake import Lake

ROLES = ("canonical", "duplicate", "variant", "reject")
_FETCH = 256  # rows per fetch when streaming document text and raw bytes
_MISMATCH = "its offsets do not match the rebuilt text"


@dataclass(frozen=True, slots=True)
class ReportStats:
    """What a report holds; `unplaced` spans are listed beside the text instead of highlighted."""

    path: Path
    run_id: str | None
    documents: int
    articles: int
    rejects: int
    removals: int
    highlighted: int
    unplaced: int
    mismatched: int  # spans whose offsets did not match the rebuilt text: a sign of drift worth a look
    clusters: int  # near-duplicate clusters with more than one member among the documents shown
    size_bytes: int


@dataclass(slots=True)
class _Rules:
    """Rule ids in report order (most removals first); a rule's index picks its colour."""

    ids: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_removals(cls, removals: Sequence[dict[str, Any]]) -> _Rules:
        counts = Counter(r["rule_id"] for r in removals)
        rules = cls(ids=sorted(counts, key=lambda rule: (-counts[rule], rule)))
        rules.index = {rule: i for i, rule in enumerate(rules.ids)}
        for removal in removals:
            rules.reasons.setdefault(removal["rule_id"], removal["reason"] or "")
        return rules


# Light, mutually distinct backgrounds that keep dark text readable; more rules than this get
# golden-angle hues, which stay apart however many there are.
_PALETTE = (
    "#ffb3ba", "#a9d8ff", "#ffe08a", "#b8ecb0", "#dcc2ff", "#ffcc99",
    "#a8ece6", "#f9c0e0", "#d8d89a", "#c5cfff", "#e3c8ac", "#cfd4d8",
)  # fmt: skip


def rule_colour(index: int) -> str:
    """The highlight colour of the rule at `index` in the report's rule order."""
    if index < len(_PALETTE):
        return _PALETTE[index]
    return f"hsl({index * 137.508 % 360:.0f} 80% 80%)"


def span_tree(text: str, spans: Sequence[tuple[int, int, int]]) -> list[Any]:
    """`text` as nested nodes: a string, or `[key, children]` for a span `(start, end, key)`.

    Nested spans nest; a span that runs past the end of the one it starts in is split there,
    so the nodes always form a tree that concatenates back to `text`.

    >>> span_tree("abcdef", [(1, 4, 0), (2, 3, 1), (3, 6, 2)])
    ['a', [0, ['b', [1, ['c']], [2, ['d']]]], [2, ['ef']]]
    """
    heap = [(start, -end, key) for start, end, key in spans if 0 <= start < end <= len(text)]
    heapq.heapify(heap)
    root: list[Any] = []
    stack: list[tuple[int, list[Any]]] = [(len(text), root)]
    pos = 0

    def emit(upto: int) -> None:
        nonlocal pos
        if upto > pos:
            stack[-1][1].append(text[pos:upto])
            pos = upto

    while heap:
        start, neg_end, key = heapq.heappop(heap)
        end = -neg_end
        while len(stack) > 1 and stack[-1][0] <= start:
            emit(stack[-1][0])
            stack.pop()
        emit(start)
        if end > stack[-1][0]:
            heapq.heappush(heap, (stack[-1][0], -end, key))
            end = stack[-1][0]
        children: list[Any] = []
        stack[-1][1].append([key, children])
        stack.append((end, children))
    while len(stack) > 1:
        emit(stack[-1][0])
        stack.pop()
    emit(len(text))
    return root


def place_removals(
    prepared: str | None, removals: Sequence[dict[str, Any]], rules: _Rules, why_missing: str
) -> tuple[list[tuple[int, int, int]], list[list[Any]], int]:
    """Split removals into highlightable spans and `[rule, text, why]` rows for the rest.

    A span is highlighted only when `prepared[start:end]` is exactly the removed text.
    Returns (spans, unplaced, mismatched).
    """
    spans: list[tuple[int, int, int]] = []
    unplaced: list[list[Any]] = []
    mismatched = 0
    for removal in removals:
        key = rules.index[removal["rule_id"]]
        start, end = removal["start_offset"], removal["end_offset"]
        if start is None or end is None:
            unplaced.append([key, removal["text"], "removed before text extraction"])
        elif prepared is None:
            unplaced.append([key, removal["text"], why_missing])
        elif prepared[start:end] == removal["text"] and start < end:
            spans.append((start, end, key))
        else:
            mismatched += 1
            unplaced.append([key, removal["text"], _MISMATCH])
    return spans, unplaced, mismatched


def rebuild_text(input_format: str | None, meta_json: str | None, raw: bytes | None) -> tuple[str | None, str]:
    """The prepared text of a stored source, or (None, why it cannot be shown)."""
    if raw is None or input_format is None:
        return None, "the lake has no raw bytes for this document"
    try:
        return prepared_text(raw, input_format, json.loads(meta_json or "{}")), ""
    except DecodeError as exc:
        return None, f"its bytes are not text ({exc.reason})"
    except Exception as exc:  # a report must not fail on one odd document; say what happened instead
        return None, f"rebuilding the text failed: {type(exc).__name__}: {exc}"


def _where_run(run_id: str | None) -> str:
    return "WHERE run_id = $run_id" if run_id else ""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, run_id: str | None) -> list[dict[str, Any]]:
    result = con.execute(sql, {"run_id": run_id} if run_id else {})
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _fmt_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")


def _source_name(uri: str) -> str:
    """A short label for a document without a title: its file name (and JSONL record)."""
    parts = urlsplit(uri)
    name = PurePosixPath(unquote(parts.path)).name or uri
    return f"{name}#{parts.fragment}" if parts.fragment else name


@dataclass(slots=True)
class _Data:
    """Everything but the per-document text, read once: small enough for 10k documents."""

    docs: list[dict[str, Any]]
    removals: dict[str, list[dict[str, Any]]]
    rules: _Rules
    mates: dict[str, list[dict[str, Any]]]
    runs: list[dict[str, Any]]
    all_removals: list[dict[str, Any]]


def _read(con: duckdb.DuckDBPyConnection, run_id: str | None) -> _Data:
    articles = _rows(
        con,
        "SELECT doc_id, 'article' AS kind, source_uri, input_format, site, url, title, subtitle, authors, "
        "published_at, language, word_count, n_removals, dup_cluster_id, dup_role, dup_similarity, run_id "
        f"FROM articles {_where_run(run_id)} ORDER BY site NULLS LAST, published_at DESC NULLS LAST, title, doc_id",
        run_id,
    )
    rejects = _rows(
        con,
        "SELECT doc_id, 'reject' AS kind, source_uri, input_format, reason, detail, run_id "
        f"FROM rejects {_where_run(run_id)} ORDER BY reason, source_uri, doc_id",
        run_id,
    )
    removals = _rows(
        con,
        "SELECT doc_id, seq, rule_id, reason, text, start_offset, end_offset "
        f"FROM removals {_where_run(run_id)} ORDER BY doc_id, seq",
        run_id,
    )
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for removal in removals:
        by_doc[removal["doc_id"]].append(removal)
    # Cluster mates come from the whole lake: a run's document may duplicate an older one.
    members = _rows(
        con,
        "SELECT dup_cluster_id, doc_id, dup_role, dup_similarity, title, source_uri FROM articles "
        "WHERE dup_cluster_id IN (SELECT dup_cluster_id FROM articles GROUP BY ALL HAVING count(*) > 1) "
        "ORDER BY dup_cluster_id, dup_role <> 'canonical', dup_similarity DESC, doc_id",
        None,
    )
    mates: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in members:
        mates[member["dup_cluster_id"]].append(member)
    runs = _rows(
        con,
        "SELECT run_id, started_at, finished_at, n_documents, n_skipped, n_articles, n_rejects, n_removals, "
        f"ruleset_version FROM runs {_where_run(run_id)} ORDER BY finished_at DESC, run_id DESC LIMIT 20",
        run_id,
    )
    return _Data(articles + rejects, dict(by_doc), _Rules.from_removals(removals), dict(mates), runs, removals)


def _index_entry(doc: dict[str, Any], removals: Sequence[dict[str, Any]], rules: _Rules) -> list[Any]:
    """One row of the document list: [doc_id, label, site, role, rule indexes, removals, reject reason]."""
    role = "reject" if doc["kind"] == "reject" else doc.get("dup_role") or "canonical"
    label = doc.get("title") or _source_name(doc["source_uri"])
    rule_keys = sorted({rules.index[r["rule_id"]] for r in removals})
    return [doc["doc_id"], label, doc.get("site") or "", role, rule_keys, len(removals), doc.get("reason") or ""]


def _summary(data: _Data) -> dict[str, Any]:
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


@dataclass(slots=True)
class _Counts:
    highlighted: int = 0
    unplaced: int = 0
    mismatched: int = 0


def _payload(
    doc: dict[str, Any],
    clean: str | None,
    source: tuple[str | None, str | None, bytes | None],
    data: _Data,
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
    cluster = doc.get("dup_cluster_id")
    mates = [
        [m["doc_id"], m["dup_role"], round(m["dup_similarity"] or 0.0, 3), m["title"] or _source_name(m["source_uri"]),
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
    }


def _payloads(
    con: duckdb.DuckDBPyConnection, data: _Data, run_id: str | None, counts: _Counts
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position, payload) per document, streamed so raw bytes and texts are never all in memory."""
    positions = {doc["doc_id"]: i for i, doc in enumerate(data.docs)}
    docs = {doc["doc_id"]: doc for doc in data.docs}
    where = _where_run(run_id)
    result = con.execute(
        f"WITH ids AS (SELECT doc_id FROM articles {where} UNION ALL SELECT doc_id FROM rejects {where}) "
        "SELECT ids.doc_id, a.text, s.input_format, s.meta_json, s.raw FROM ids "
        "LEFT JOIN articles AS a USING (doc_id) LEFT JOIN sources AS s USING (doc_id)",
        {"run_id": run_id} if run_id else {},
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
    env = Environment(loader=PackageLoader("warehouse", "templates"), autoescape=True, keep_trailing_newline=True)
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


def build_report(lake: Lake, out: Path, run_id: str | None = None) -> ReportStats:
    """Write the review report for the lake (or one committed run of it) to `out`."""
    con = connect_readonly(lake)
    try:
        if run_id is not None and not con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchall():
            raise QueryError(
                f"no committed run {run_id!r} in {lake.root}; list the runs with `docclean query --saved runs`"
            )
        data = _read(con, run_id)
        counts = _Counts()
        summary = _summary(data)
        index = {
            "rules": [[rule, data.rules.reasons[rule]] for rule in data.rules.ids],
            "docs": [_index_entry(doc, data.removals.get(doc["doc_id"], []), data.rules) for doc in data.docs],
        }
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        env = _environment()
        script, script_hash = _script(env)
        stream = env.get_template("report.html.j2").stream(
            script=script,
            script_hash=script_hash,
            lake=str(lake.root),
            run_id=run_id,
            generated_at=_fmt_time(datetime.now(UTC).replace(tzinfo=None, microsecond=0)),
            summary=summary,
            runs=data.runs,
            roles=ROLES,
            index=index,
            payloads=_payloads(con, data, run_id, counts),
        )
        stream.dump(str(tmp), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        con.close()
    return ReportStats(
        path=out,
        run_id=run_id,
        documents=summary["documents"],
        articles=summary["articles"],
        rejects=summary["rejects"],
        removals=summary["removals"],
        highlighted=counts.highlighted,
        unplaced=counts.unplaced,
        mismatched=counts.mismatched,
        clusters=summary["clusters"],
        size_bytes=out.stat().st_size,
    )
