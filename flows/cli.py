"""`docclean`: run the cleaning flow, query the lake, explain what was removed from a document.

This module holds the typer app and the commands that run the flow (`run`, `reprocess`,
`serve`); the commands that read the lake are in `flows.cli_lake`. Prefect is imported only
inside the commands, after `apply_prefect_defaults`: it reads its settings at import.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from docclean.flows import cli_export, cli_info, cli_lake, cli_publish
from docclean.flows.cli_common import LakeOption, checked_scratch, err, input_locations, lake_at, lake_location, out
from docclean.flows.cli_summary import print_summary
from docclean.flows.server import LocalServer, launched_server, shared_api
from docclean.flows.settings import apply_prefect_defaults, default_inputs
from docclean.transforms.limits import MAX_DECOMPRESSED_BYTES, MAX_DOCUMENT_BYTES, MAX_DOCUMENT_SECONDS, MAX_HTML_DEPTH
from docclean.transforms.minhash import MinHashConfig

if TYPE_CHECKING:
    from docclean.warehouse.lake import Lake
    from prefect.task_runners import TaskRunner

DUPLICATE_THRESHOLD, VARIANT_THRESHOLD = MinHashConfig().duplicate_threshold, MinHashConfig().variant_threshold
app = typer.Typer(
    help="Clean web documents into a Parquet lake you query with DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        import docclean

        out.print(f"docclean {docclean.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Clean web documents into a Parquet lake you query with DuckDB (settings: docclean.toml, README)."""


class Runner(StrEnum):
    local = "local"
    dask = "dask"


@app.command()
def run(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files and folders to clean (.txt .md .html .jsonl .warc/.wet, optionally .gz), or object-store "
            "prefixes (s3://bucket/crawl/, gs://, abfs://). Default: seeds/."
        ),
    ] = None,
    lake: LakeOption = None,
    site: Annotated[str | None, typer.Option(help="Site name for documents that carry no URL.")] = None,
    site_from_folder: Annotated[
        bool,
        typer.Option("--site-from-folder", help="Documents without a URL belong to the site named by their folder."),
    ] = False,
    batch_size: Annotated[
        int,
        typer.Option(
            min=1, help="Documents per batch (one task each); big JSONL and WARC files are cut into parts to fit."
        ),
    ] = 1000,
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
    max_document_seconds: Annotated[
        float, typer.Option(min=0.1, help="Time budget to clean one document; over it, a `timeout` reject.")
    ] = MAX_DOCUMENT_SECONDS,
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
    scratch: Annotated[
        str | None,
        typer.Option(
            help="Object-store prefix (s3://BUCKET/PREFIX) where batch tasks read and stage their files, for Dask "
            "workers on hosts that do not share the lake's disk; inputs must then be object-store URIs too."
        ),
    ] = None,
    publish: cli_publish.PublishOption = None,
    rescan: Annotated[
        bool,
        typer.Option(
            "--rescan",
            help="Read every input file, even those an earlier run read at the same size and modification time.",
        ),
    ] = False,
    duplicate_threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Estimated Jaccard from which a copy is a `duplicate`.")
    ] = DUPLICATE_THRESHOLD,
    variant_threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Estimated Jaccard from which a copy is a `variant`.")
    ] = VARIANT_THRESHOLD,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Run the `clean-documents` flow on INPUTS and print what it did.

    Files already loaded unchanged (same path, size and mtime) are skipped without being read;
    documents already loaded are never stored twice.
    """
    apply_prefect_defaults(verbose)
    target = lake_at(lake)
    inputs = inputs or default_inputs()
    if not inputs:
        err.print("[red]error:[/] name the files and folders to clean (or set `inputs` in docclean.toml)")
        raise typer.Exit(2)
    inputs = input_locations(inputs)
    scratch = checked_scratch(scratch, inputs)
    publish = cli_publish.checked_publish(publish, target)
    err.print(f"[bold]docclean[/] cleaning {', '.join(inputs)} -> {lake_location(lake, target)}")
    _run_flow(
        target,
        lambda: _task_runner(runner, workers, dask_address),
        verbose,
        inputs=inputs,
        batch_size=batch_size,
        site=site,
        site_from_folder=site_from_folder,
        rules_dir=str(rules) if rules else None,
        max_document_bytes=int(max_document_mb * 2**20),
        max_decompressed_bytes=int(max_decompressed_mb * 2**20),
        max_html_depth=max_html_depth,
        max_document_seconds=max_document_seconds,
        rescan=rescan,
        scratch=scratch,
        publish=publish,
        lake=lake_location(lake, target),
        duplicate_threshold=duplicate_threshold,
        variant_threshold=variant_threshold,
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
    target = lake_at(lake)
    n_batches = len(target.files("sources"))
    if not n_batches:
        err.print(f"[red]error:[/] {target.root} has no documents to reprocess; run `docclean run` first")
        raise typer.Exit(1)
    err.print(f"[bold]docclean[/] reprocessing {target.root} ({n_batches} batches)")
    _run_flow(
        target,
        lambda: local_task_runner(workers),
        verbose,
        lake=lake_location(lake, target),
        reprocess=True,
        rules_dir=str(rules) if rules else None,
    )


@app.command()
def serve(
    ctx: typer.Context,
    inputs: Annotated[
        list[str] | None, typer.Argument(help="Files, folders and object-store prefixes (s3://...) to clean each run.")
    ] = None,
    cron: Annotated[str | None, typer.Option(help='Cron schedule, e.g. "0 * * * *" (minute granularity).')] = None,
    interval: Annotated[float | None, typer.Option(min=1, help="Run every N seconds instead of on a cron.")] = None,
    lake: LakeOption = None,
    port: Annotated[int | None, typer.Option(help="Port for the local Prefect server (default: a free one).")] = None,
    ui: Annotated[bool, typer.Option("--ui/--no-ui", help="Serve Prefect's web UI beside the local server.")] = True,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per batch (one task each).")] = 1000,
    site: Annotated[str | None, typer.Option(help="Site name for documents that carry no URL.")] = None,
    site_from_folder: Annotated[
        bool,
        typer.Option("--site-from-folder", help="Documents without a URL belong to the site named by their folder."),
    ] = False,
    rules: Annotated[
        Path | None, typer.Option(help="Folder of your own rule files (*.toml), laid over the packaged ones.")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Parallel batch workers (processes) per run. Default: CPU cores.")
    ] = os.cpu_count() or 1,
    publish: cli_publish.PublishOption = None,
) -> None:
    """Run the flow on a schedule until Ctrl-C: starts a local Prefect server if none is configured.

    One run at a time: a run due while another is still going waits for it. Each finished run
    prints one line (counts, duration, lake). For production, run a real Prefect server and
    worker instead (flows/DEPLOY.md).
    """
    from docclean.flows.config import one_schedule

    cron, interval = one_schedule(ctx, cron, interval)
    if (cron is None) == (interval is None):
        err.print("[red]error:[/] give exactly one of --cron or --interval")
        raise typer.Exit(2)
    apply_prefect_defaults()
    from docclean.flows.serve import serve_schedule

    params: dict[str, Any] = {"batch_size": batch_size, "site_from_folder": site_from_folder}
    if site:
        params["site"] = site
    if rules:
        params["rules_dir"] = str(rules.expanduser().resolve())
    if publish:
        params["publish"] = cli_publish.checked_publish(publish, lake_at(lake))
    inputs = input_locations(inputs) if inputs else None
    target = lake_location(lake, lake_at(lake))
    serve_schedule(cron, inputs, target, interval=interval, port=port, ui=ui, workers=workers, **params)


def _task_runner(runner: Runner, workers: int, dask_address: str | None) -> TaskRunner:
    """Where `run`'s batch tasks go: `--runner dask` or local processes."""
    return dask_task_runner(dask_address, workers) if runner is Runner.dask else local_task_runner(workers)


def local_task_runner(workers: int) -> TaskRunner:
    """Processes for CPU-bound cleaning (ftfy and parsing are pure Python).

    The flow starts no more of them than it has batches, and none for a single batch
    (`flows.runners.batch_runner`): each pays Prefect's start-up (~10 s here).
    """
    apply_prefect_defaults()
    from docclean.flows.runners import process_pool

    return process_pool(workers)


def dask_task_runner(address: str | None, workers: int) -> TaskRunner:
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


def _run_flow(target: Lake, task_runner: Callable[[], TaskRunner], verbose: bool, **params: Any) -> None:
    """Run `clean-documents` on `target` with one Prefect API for it and its workers; print its summary.

    The lake's lock is taken first, before Prefect starts (the flow takes it again, re-entrantly,
    for callers that start it some other way): a busy lake is refused at once. Then the local
    Prefect server (without PREFECT_API_URL) is launched, to start up while this process imports
    Prefect and the flow. A busy lake or a bad rule file is one red line and exit code 2; a full
    disk, a lake folder that cannot be written or an input bucket that cannot be listed is one
    line saying what to do, exit code 1, and the lake as it was.
    """
    from docclean.warehouse.errors import cannot_write
    from docclean.warehouse.lake import LakeBusyError
    from docclean.warehouse.locations import RemoteLocationError

    apply_prefect_defaults(verbose)
    try:
        with target.writer_lock(), launched_server() as server:
            committed_before = target.committed_run_ids()
            try:
                summary = _flow(target, task_runner(), verbose, server, **params)
            except RemoteLocationError as exc:  # an input store that cannot be listed
                err.print(f"[red]error:[/] {exc}; {_after_failure(target, committed_before)}")
                raise typer.Exit(1) from None
            except OSError as exc:
                if (hint := cannot_write(exc, target.root)) is None:
                    raise
                err.print(f"[red]error:[/] {hint}; {_after_failure(target, committed_before)}")
                raise typer.Exit(1) from None
    except LakeBusyError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    except OSError as exc:  # taking the lock: the lake's folder cannot be written at all
        if (hint := cannot_write(exc, target.root)) is None:
            raise
        err.print(f"[red]error:[/] {hint}")
        raise typer.Exit(1) from None
    print_summary(summary)
    if summary.published is not None and summary.published.error:
        raise typer.Exit(1)  # committed, but not published as asked: a scheduler should see it


def _flow(target: Lake, task_runner: TaskRunner, verbose: bool, server: LocalServer | None, **params: Any) -> Any:
    """The flow run itself (Prefect imported here, after the lock) on `server` or the configured
    API; returns its RunSummary."""
    from docclean.flows.flow import clean_documents
    from docclean.transforms.ruleset import RuleError

    with shared_api(server):
        try:
            return clean_documents.with_options(task_runner=task_runner)(
                **{"lake": str(target.root), **params}, show_progress=True
            )
        except RuleError as exc:
            err.print(f"[red]error in your rules:[/] {exc}")
            raise typer.Exit(2) from None


def _after_failure(target: Lake, committed_before: set[str]) -> str:
    """After a failed run, still under the lock: remove what it staged unless it committed; say which."""
    if target.committed_run_ids() != committed_before:
        return "the run was committed before that; run again once it is fixed to finish its clean-up"
    with contextlib.suppress(OSError):
        target.recover()
    return "this run was not committed: the lake is as it was"


# The commands that read the lake, listed after those that write it (`docclean --help` shows this order).
for _command in (cli_lake.query, cli_lake.search, cli_lake.report, cli_lake.explain, cli_info.info):
    app.command()(_command)
app.command()(cli_export.export)
app.command()(cli_publish.publish)


def main() -> None:
    """The console script: docclean.toml (or [tool.docclean]) in the working directory gives the defaults."""
    from docclean.flows.config import ConfigError, default_map, load_config
    from rich.markup import escape

    try:
        settings = load_config()
    except ConfigError as exc:
        err.print(f"[red]error in the config file:[/] {escape(str(exc))}")
        raise SystemExit(2) from None
    app(default_map=default_map(typer.main.get_command(app), settings))


if __name__ == "__main__":
    main()
