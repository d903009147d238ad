"""`docclean`: run the cleaning flow, query the lake, explain what was removed from a document."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from flows.readers import MAX_DECOMPRESSED_BYTES, MAX_DOCUMENT_BYTES, MAX_HTML_DEPTH
from flows.settings import apply_prefect_defaults, project_root

app = typer.Typer(
    help="Clean web documents into a Parquet lake you query with DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Tables piped to a file or another program get room instead of rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)


@contextlib.contextmanager
def _reported(*errors: type[Exception], code: int = 1):
    """Turn the given errors into one red line and exit `code`: users get the message, not a trace."""
    try:
        yield
    except errors as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(code) from None


LakeOption = Annotated[
    Path | None,
    typer.Option("--lake", help="Lake folder (default: warehouse/lake in the project).", show_default=False),
]


class Runner(StrEnum):
    local = "local"
    dask = "dask"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _lake(lake: Path | None):
    from warehouse.lake import Lake

    return Lake.at(lake if lake is not None else project_root() / "warehouse" / "lake")


@app.command()
def run(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files and folders to clean (.txt .md .html .jsonl .warc/.wet, optionally .gz). Default: seeds/."
        ),
    ] = None,
    lake: LakeOption = None,
    site: Annotated[str | None, typer.Option(help="Site name for documents that carry no URL.")] = None,
    site_from_folder: Annotated[
        bool,
        typer.Option("--site-from-folder", help="Documents without a URL belong to the site named by their folder."),
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Input files per batch (one task each).")] = 1000,
    workers: Annotated[
        int, typer.Option(min=1, help="Parallel batch workers (processes). Default: CPU cores.")
    ] = os.cpu_count() or 1,
    max_document_mb: Annotated[
        float, typer.Option(min=0.001, help="Reject a document larger than this (MB), before reading it.")
    ] = MAX_DOCUMENT_BYTES / 2**20,
    max_decompressed_mb: Annotated[
        float, typer.Option(min=0.001, help="Stop decompressing a .gz input past this (MB): gzip bombs.")
    ] = MAX_DECOMPRESSED_BYTES / 2**20,
    max_html_depth: Annotated[int, typer.Option(min=1, help="Reject HTML nested deeper than this.")] = MAX_HTML_DEPTH,
    rules: Annotated[
        Path | None,
        typer.Option(help="Folder of your own rule files (*.toml), laid over the packaged ones: same id replaces."),
    ] = None,
    runner: Annotated[
        Runner, typer.Option(help="Where batch tasks run: local processes, or a Dask cluster (prefect-dask).")
    ] = Runner.local,
    dask_address: Annotated[
        str | None,
        typer.Option(help="Scheduler of an existing Dask cluster (tcp://HOST:PORT); default: a local cluster."),
    ] = None,
    rescan: Annotated[
        bool,
        typer.Option(
            "--rescan",
            help="Read every input file, even those an earlier run read at the same size and modification time.",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Run the `clean-documents` flow on INPUTS and print what it did.

    Files already loaded unchanged (same path, size and mtime) are skipped without being read;
    documents already loaded are never stored twice.
    """
    apply_prefect_defaults(verbose)
    target = _lake(lake)
    err.print(f"[bold]docclean[/] cleaning {', '.join(inputs or ['seeds/'])} -> {target.root}")
    task_runner = dask_task_runner(dask_address, workers) if runner is Runner.dask else local_task_runner(workers)
    _run_flow(
        target,
        task_runner,
        verbose,
        inputs=inputs,
        batch_size=batch_size,
        site=site,
        site_from_folder=site_from_folder,
        rules_dir=str(rules) if rules else None,
        max_document_bytes=int(max_document_mb * 2**20),
        max_decompressed_bytes=int(max_decompressed_mb * 2**20),
        max_html_depth=max_html_depth,
        rescan=rescan,
    )


@app.command()
def reprocess(
    lake: LakeOption = None,
    rules: Annotated[
        Path | None, typer.Option(help="Folder of your own rule files (*.toml), laid over the packaged ones.")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Parallel batch workers (processes). Default: CPU cores.")
    ] = os.cpu_count() or 1,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Clean every document in the lake again with the current rules, from the raw copies it keeps.

    No original files are needed. Each document's new version replaces the old one.
    """
    target = _lake(lake)
    n_batches = len(target.files("sources"))
    if not n_batches:
        err.print(f"[red]error:[/] {target.root} has no documents to reprocess; run `docclean run` first")
        raise typer.Exit(1)
    err.print(f"[bold]docclean[/] reprocessing {target.root} ({n_batches} batches)")
    _run_flow(
        target,
        local_task_runner(workers),
        verbose,
        reprocess=True,
        rules_dir=str(rules) if rules else None,
    )


def local_task_runner(workers: int):
    """Processes for CPU-bound cleaning (ftfy and parsing are pure Python).

    The flow starts no more of them than it has batches, and none for a single batch
    (`flows.runners.batch_runner`): each pays Prefect's start-up (~10 s here).
    """
    apply_prefect_defaults()
    from flows.runners import process_pool

    return process_pool(workers)


def dask_task_runner(address: str | None, workers: int):
    """Batch tasks on Dask: an existing scheduler, or a local cluster of `workers` processes."""
    apply_prefect_defaults()
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        err.print("[red]error:[/] --runner dask needs prefect-dask: pip install 'docclean[dask]'")
        raise typer.Exit(1) from None
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})


def _run_flow(target, task_runner, verbose: bool, **params: Any) -> None:
    apply_prefect_defaults(verbose)
    from flows.flow import clean_documents
    from transforms.ruleset import RuleError
    from warehouse.lake import LakeBusyError

    with _shared_prefect_api():
        try:
            summary = clean_documents.with_options(task_runner=task_runner)(
                lake=str(target.root), show_progress=True, **params
            )
        except LakeBusyError as exc:
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(2) from None
        except RuleError as exc:
            err.print(f"[red]error in your rules:[/] {exc}")
            raise typer.Exit(2) from None
    _print_summary(summary)


@contextlib.contextmanager
def _shared_prefect_api():
    """One local Prefect API for this run and every worker process it starts.

    Without a configured server, each worker process would start its own temporary one (~10 s
    and ~200 MB each); started here and named in PREFECT_API_URL, the workers use this one.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # one per process: reused if something here already started it
    started_here = not server.running
    if started_here:
        server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")))
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        yield
    finally:
        if started_here:
            from prefect.logging.handlers import APILogWorker

            APILogWorker.drain_all(timeout=5)  # send the run's last logs before the server goes
            server.stop()
        del os.environ["PREFECT_API_URL"]


def _print_summary(summary: Any) -> None:
    """`summary`: the flow's RunSummary (flows.results)."""
    from flows.results import COUNT_KEYS, COUNT_LABELS

    counts = summary.counts
    table = Table(*COUNT_LABELS, title=f"run {summary.run_id} ({summary.seconds} s)")
    table.add_row(*(f"{summary.count(k):,}" for k in COUNT_KEYS))
    out.print(table)
    if counts.removals_by_rule:
        rules = Table("rule", "removals", title="removed spans by rule")
        for rule, n in counts.removals_by_rule.items():
            rules.add_row(rule, str(n))
        out.print(rules)
    if counts.rejects_by_reason:
        reasons = Table("reason", "rejects", title="rejects by reason")
        for reason, n in counts.rejects_by_reason.items():
            reasons.add_row(reason, str(n))
        out.print(reasons)
    if counts.records_skipped:
        skipped = ", ".join(f"{n:,} {kind.removeprefix('warc_')}" for kind, n in counts.records_skipped.items())
        out.print(f"WARC records that are not documents, skipped: {skipped}")
    if summary.n_unchanged_files:
        out.print(
            f"{summary.n_unchanged_files:,} input files unchanged since an earlier run: not read (--rescan reads them)."
        )
    if counts.n_restripped:
        out.print(
            f"{counts.n_restripped:,} articles loaded by earlier runs held a paragraph that became common "
            "with this run: new versions without it (common_paragraph)"
            + (
                f"; {counts.n_restripped_rejected:,} of them held nothing else and are now rejects (no_content)."
                if counts.n_restripped_rejected
                else "."
            )
        )
    if not summary.committed:
        out.print("Nothing new: every document was already in the lake; no rows written.")
    out.print(f'Lake: {summary.lake}  ·  try: docclean query "select title, authors, published_at from articles"')


@app.command()
def serve(
    inputs: Annotated[list[str] | None, typer.Argument(help="Files and folders to clean on each run.")] = None,
    cron: Annotated[str | None, typer.Option(help='Cron schedule, e.g. "0 * * * *" (minute granularity).')] = None,
    interval: Annotated[float | None, typer.Option(min=1, help="Run every N seconds instead of on a cron.")] = None,
    lake: LakeOption = None,
    port: Annotated[int | None, typer.Option(help="Port for the local Prefect server (default: a free one).")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Input files per batch.")] = 1000,
    site: Annotated[str | None, typer.Option(help="Site name for documents that carry no URL.")] = None,
) -> None:
    """Run the flow on a schedule until Ctrl-C: starts a local Prefect server if none is configured.

    For production, run a real Prefect server and worker instead (flows/DEPLOY.md).
    """
    if (cron is None) == (interval is None):
        err.print("[red]error:[/] give exactly one of --cron or --interval")
        raise typer.Exit(2)
    apply_prefect_defaults()
    from flows.serve import serve_schedule

    params: dict[str, Any] = {"batch_size": batch_size}
    if site:
        params["site"] = site
    serve_schedule(cron, inputs or None, str(_lake(lake).root), interval=interval, port=port, **params)


@app.command()
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
    from warehouse.catalog import QueryError, run_query, saved_queries

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
    with _reported(QueryError):
        result = run_query(_lake(lake), sql)
    _print_rows(result.columns, result.rows, output)


@app.command()
def search(
    terms: Annotated[str, typer.Argument(help="Words to search for in titles and text (BM25, English stemming).")],
    lake: LakeOption = None,
    limit: Annotated[int, typer.Option(min=1, help="How many articles to show.")] = 20,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
) -> None:
    """Full-text search over the lake's unique articles (index built on first use after a run)."""
    from warehouse.catalog import QueryError
    from warehouse.search import search_articles

    with _reported(QueryError):
        result = search_articles(_lake(lake), terms, limit)
    _print_rows(result.columns, result.rows, output)


@app.command()
def report(
    lake: LakeOption = None,
    run_id: Annotated[str | None, typer.Option("--run", help="Only documents of this run (default: all).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the HTML file.")] = Path("report.html"),
) -> None:
    """Write a self-contained HTML report: what was removed from each document, by which rule, and why."""
    from warehouse.catalog import QueryError
    from warehouse.report import build_report

    with _reported(QueryError):
        stats = build_report(_lake(lake), out, run_id=run_id)
    err.print(
        f"report written to {stats.path} ({stats.documents:,} documents, {stats.removals:,} removed spans, "
        f"{stats.size_bytes / 1e6:.1f} MB): open it in a browser"
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


@app.command()
def explain(
    document: Annotated[str, typer.Argument(help="A doc_id (or its prefix), or a source path/URI.")],
    lake: LakeOption = None,
) -> None:
    """Show a document's clean text and every span removed from it, with rule id and reason."""
    from warehouse.catalog import QueryError, run_query

    target = _lake(lake)
    as_uri = document
    if not document.startswith(("file:", "http:", "https:")):
        as_uri = Path(document).expanduser().resolve().as_uri()
    where = "doc_id LIKE ? || '%' OR source_uri IN (?, ?) OR source_uri LIKE '%/' || ?"
    params = [document, document, as_uri, document]
    with _reported(QueryError):
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
    from rich.panel import Panel

    from warehouse.catalog import run_query

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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
