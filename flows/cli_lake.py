"""`docclean query`, `search`, `report` and `explain`: read the lake, print rows, explain a document."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from docclean.flows.cli_common import LakeOption, err, lake_at, lake_to_read, out, reported
from rich.table import Table


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"  # streamed: one JSON object a line, rows never all in memory


def query(
    sql: Annotated[
        str | None,
        typer.Argument(
            help="SQL to run (read-only); `-` reads it from stdin. Views: articles, removals, rejects, runs, "
            "articles_unique, removals_by_rule, rejects_by_reason. SQL starting with `--` needs `--` before it.",
            show_default=False,
        ),
    ] = None,
    lake: LakeOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    saved: Annotated[str | None, typer.Option("--saved", "-s", help="Run a saved query by name (see --list).")] = None,
    list_saved: Annotated[bool, typer.Option("--list", help="List the saved queries.")] = False,
) -> None:
    """Run read-only SQL, or a saved query, against the lake's DuckDB catalog."""
    from docclean.warehouse.catalog import QueryError, run_query, saved_queries

    if list_saved:
        for name, (description, _sql) in saved_queries().items():
            out.print(f"[bold]{name}[/]  {description}")
        return
    if saved is not None:
        queries = saved_queries()
        if saved not in queries:
            err.print(f"[red]error:[/] no saved query {saved!r}; saved queries: {', '.join(queries)}")
            raise typer.Exit(1)
        sql = queries[saved][1]
    elif sql == "-":
        sql = sys.stdin.read()
    if not sql:
        err.print("[red]error:[/] give SQL, `-` to read it from stdin, or --saved NAME (see --list)")
        raise typer.Exit(1)
    if output is OutputFormat.jsonl:
        from docclean.flows.cli_export import stream_jsonl

        with reported(QueryError):
            stream_jsonl(lake, sql)
        return
    with reported(QueryError):
        result = run_query(lake_to_read(lake), sql)
    _print_rows(result.columns, result.rows, output)


def search(
    terms: Annotated[str, typer.Argument(help="Words to search for in titles and text (BM25, English stemming).")],
    lake: LakeOption = None,
    limit: Annotated[int, typer.Option(min=1, help="How many articles to show.")] = 20,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
) -> None:
    """Full-text search over the lake's unique articles (index built on first use after a run)."""
    from docclean.warehouse.catalog import QueryError
    from docclean.warehouse.search import search_articles

    with reported(QueryError):
        result = search_articles(lake_at(lake), terms, limit)
    _print_rows(result.columns, result.rows, output)


def report(
    lake: LakeOption = None,
    run_id: Annotated[str | None, typer.Option("--run", help="Only documents of this run (default: all).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the HTML file.")] = Path("report.html"),
    limit: Annotated[
        int, typer.Option(min=0, help="At most this many documents in the report (0: all); the summary counts all.")
    ] = 500,
    per_rule: Annotated[
        int | None,
        typer.Option("--sample-per-rule", min=1, help="Up to N documents for each rule that removed something."),
    ] = None,
    per_site: Annotated[
        int | None, typer.Option("--sample-per-site", min=1, help="Up to N documents for each site.")
    ] = None,
) -> None:
    """Write a self-contained HTML report: what was removed from each document, by which rule, and why.

    Documents are picked by a hash of their doc_id, so the same lake and options give the same file.
    """
    from docclean.warehouse.catalog import QueryError
    from docclean.warehouse.report import build_report
    from docclean.warehouse.report_data import Sampling

    sampling = Sampling(limit=limit or None, per_rule=per_rule, per_site=per_site)
    with reported(QueryError):
        stats = build_report(lake_to_read(lake), out, run_id=run_id, sampling=sampling)
    err.print(
        f"report written to {stats.path} ({stats.shown:,} of {stats.documents:,} documents, {stats.removals:,} "
        f"removed spans in all, {stats.size_bytes / 1e6:.1f} MB): open it in a browser"
    )
    if stats.mismatched:
        err.print(
            f"[yellow]warning:[/] {stats.mismatched} removed spans could not be placed in the rebuilt text "
            "(listed beside each document)"
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _print_rows(columns: list[str], rows: list[tuple], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        data = [{c: _jsonable(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif output is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_jsonable(v) for v in row] for row in rows])
    else:
        table = Table(*columns, show_lines=False)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        out.print(table)
        err.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")


def explain(
    document: Annotated[str, typer.Argument(help="A doc_id (or its prefix), or a source path/URI.")],
    lake: LakeOption = None,
) -> None:
    """Show a document's clean text and every span removed from it, with rule id and reason."""
    from docclean.warehouse.catalog import QueryError, run_query

    target = lake_to_read(lake)
    as_uri = document
    if not document.startswith(("file:", "http:", "https:")):
        as_uri = Path(document).expanduser().resolve().as_uri()
    where = "doc_id LIKE ? || '%' OR source_uri IN (?, ?) OR source_uri LIKE '%/' || ?"
    params = [document, document, as_uri, document]
    with reported(QueryError):
        docs = run_query(
            target,
            f"SELECT doc_id, 'article' AS kind FROM articles WHERE {where} "
            f"UNION ALL SELECT doc_id, 'reject' FROM rejects WHERE {where}",
            params + params,
        )
    if not docs.rows:
        err.print(
            f"[red]error:[/] no document matches {document!r}; list them with "
            'docclean query "select doc_id, source_uri from articles"'
        )
        raise typer.Exit(1)
    if len({r[0] for r in docs.rows}) > 1:
        err.print(f"[yellow]{len(docs.rows)} documents match; showing each.[/]")
    for doc_id, kind in docs.rows:
        _explain_one(target, doc_id, kind)


def _explain_one(lake, doc_id: str, kind: str) -> None:
    from docclean.warehouse.catalog import run_query
    from rich.panel import Panel

    if kind == "article":
        meta = run_query(
            lake,
            "SELECT source_uri, title, subtitle, authors, published_at, site, language, word_count, "
            "dup_cluster_id, dup_role, text FROM articles WHERE doc_id = ?",
            [doc_id],
        )
        row = dict(zip(meta.columns, meta.rows[0], strict=True))
        out.print(f"[bold]{doc_id}[/]  {row['source_uri']}")
        for field in (
            "title",
            "subtitle",
            "authors",
            "published_at",
            "site",
            "language",
            "word_count",
            "dup_cluster_id",
            "dup_role",
        ):
            out.print(f"  {field:>14}: {_jsonable(row[field])}")
        out.print(Panel(row["text"], title="clean text", expand=False))
    else:
        meta = run_query(lake, "SELECT source_uri, reason, detail FROM rejects WHERE doc_id = ?", [doc_id])
        source_uri, reason, detail = meta.rows[0]
        out.print(f"[bold]{doc_id}[/]  {source_uri}\n  [red]rejected[/]: {reason}: {detail}")
    removals = run_query(
        lake,
        "SELECT seq, rule_id, reason, start_offset, end_offset, text FROM removals WHERE doc_id = ? ORDER BY seq",
        [doc_id],
    )
    table = Table(
        "#",
        "rule",
        "reason",
        "offsets",
        "removed text",
        title=f"{len(removals.rows)} removals",
        show_lines=True,
    )
    for seq, rule_id, reason, start, end, text in removals.rows:
        offsets = "" if start is None else f"{start}-{end}"
        table.add_row(str(seq), rule_id, reason, offsets, text if len(text) <= 400 else text[:400] + " …")
    out.print(table)
