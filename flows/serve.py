"""`docclean serve`: run `clean-documents` on a schedule, with a local Prefect server if needed, plus a runner.

Prefect only schedules against a real API server (the ephemeral one refuses), so without
`PREFECT_API_URL` this starts one (`flows.server.LocalServer`) on a free localhost port, points
itself at it, and serves the flow as the deployment `docclean-scheduled`. Ctrl-C or SIGTERM stops
the runner, pauses the deployment and deletes its schedules (a killed `serve` otherwise leaves
them active), ends any flow run still going, and stops the server it started.

Imports Prefect: import this module after `flows.settings.apply_prefect_defaults()` (the CLI does).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from docclean.flows.server import LocalServer, api_at, configured_api_url, descendants
from docclean.flows.settings import apply_prefect_defaults, default_lake
from docclean.warehouse.locations import uri_scheme
from prefect.runner import Runner

DEPLOYMENT_NAME = "docclean-scheduled"
REPORT_POLL_SECONDS = 2.0
FLOW_NAME = "clean-documents"


def say(message: str) -> None:
    """Progress for the person at the terminal (stderr, like `docclean run`)."""
    print(f"docclean serve: {message}", file=sys.stderr, flush=True)


def end_processes(pids: list[int], timeout: float = 10.0) -> None:
    """SIGTERM, wait, then SIGKILL: for flow runs the runner did not end itself."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = [pid for pid in pids if _alive(pid)]
        for pid in alive:
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [pid for pid in alive if _alive(pid)]
        if not alive:
            return


def _alive(pid: int) -> bool:
    with suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap our own children, or they stay as zombies
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class _Stopper:
    """Ctrl-C and SIGTERM both stop serving cleanly.

    While the event loop runs, a signal cancels its main task (asyncio's own clean path); before
    that, it raises KeyboardInterrupt. Prefect's SIGTERM handler instead stops the runner from
    inside the handler and exits, which can leave the deployment's schedule active; and a
    background job may start with SIGINT ignored, so asyncio's SIGINT handling is not relied on.
    """

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[Any] | None = None

    def __call__(self, _signum: int, _frame: Any) -> None:
        if self.loop is not None and self.task is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.task.cancel)
        else:
            raise KeyboardInterrupt

    def attach(self) -> None:
        """Called from inside the loop's main task."""
        self.loop, self.task = asyncio.get_running_loop(), asyncio.current_task()

    def detach(self) -> None:
        self.loop = self.task = None


@contextmanager
def _signals_ignored() -> Iterator[None]:
    """Let cleanup finish even if a second Ctrl-C or SIGTERM arrives."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _flow_parameters(inputs: list[str] | None, lake: str, flow_params: dict[str, Any]) -> dict[str, Any]:
    """Absolute paths: the runner starts each flow run in a subprocess that may not share our cwd."""
    return {
        "inputs": [p if uri_scheme(p) else str(Path(p).expanduser().resolve()) for p in inputs] if inputs else None,
        "lake": str(Path(lake).expanduser().resolve()) if lake else str(default_lake()),
        **flow_params,
    }


class _StoppableRunner(Runner):
    """Prefect's runner, whose SIGTERM handler is ours (`_Stopper`).

    `Runner.start` installs `handle_sigterm` as the SIGTERM handler; Prefect's own stops the
    runner from inside the handler and exits, which can leave the deployment's schedule active.
    """

    def __init__(self, *, on_sigterm: Callable[[int, Any], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_sigterm = on_sigterm

    def handle_sigterm(self, signum: int, frame: Any) -> None:
        self.on_sigterm(signum, frame)


def finished_line(flow_run: Any, lake: str) -> str:
    """One line for a finished scheduled run: counts from the lake's `runs` row (by flow run id), duration, lake."""
    seconds = f"{flow_run.total_run_time.total_seconds():.1f} s" if flow_run.total_run_time else "?"
    state = flow_run.state_type.value.lower() if flow_run.state_type else "finished"
    if state != "completed":
        message = (flow_run.state.message or "").splitlines()[0] if flow_run.state else ""
        return f"flow run {flow_run.name} {state} after {seconds}: {message or 'see the Prefect UI'}; lake {lake}"
    row = _lake_run_row(lake, str(flow_run.id))
    if row is None:
        return f"flow run {flow_run.name} finished in {seconds}: nothing new, no rows written; lake {lake}"
    return (
        f"run {row['run_id']} finished in {seconds}: {row['n_documents']:,} documents -> {row['n_articles']:,} "
        f"articles, {row['n_rejects']:,} rejects, {row['n_removals']:,} removed spans, "
        f"{row['n_duplicates']:,} duplicates; lake {lake}"
    )


def _lake_run_row(lake: str, flow_run_id: str) -> dict[str, Any] | None:
    import pyarrow.dataset as ds

    files = sorted(str(p) for p in (Path(lake) / "runs").glob("*.parquet"))
    if not files:
        return None
    columns = ["run_id", "flow_run_id", "n_documents", "n_articles", "n_rejects", "n_removals", "n_duplicates"]
    table = ds.dataset(files, format="parquet").to_table(columns=columns, filter=ds.field("flow_run_id") == flow_run_id)
    return table.to_pylist()[0] if table.num_rows else None


async def _report_finished(deployment_id: Any, lake: str) -> None:
    """Print `finished_line` once for each run of the deployment that ends (polls the API)."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    final = [StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED]
    seen: set[Any] = set()
    async with get_client() as client:
        while True:
            await asyncio.sleep(REPORT_POLL_SECONDS)
            try:
                runs = await client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
                    flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=final))),
                )
            except Exception:  # the API is busy or stopping: try again at the next poll
                continue
            for run in sorted(runs, key=lambda r: r.end_time or r.expected_start_time):
                if run.id not in seen:
                    seen.add(run.id)
                    say(finished_line(run, lake))


async def _serve(cron: str | None, interval: float | None, parameters: dict[str, Any], stopper: _Stopper) -> None:
    from docclean.flows.flow import clean_documents
    from prefect.deployments.runner import EntrypointType

    # pause_on_shutdown=False: we pause and unschedule in `deactivate`, which also runs after a crash.
    runner = _StoppableRunner(name=DEPLOYMENT_NAME, pause_on_shutdown=False, on_sigterm=stopper)
    deployment = await clean_documents.ato_deployment(
        name=DEPLOYMENT_NAME,
        cron=cron,
        interval=interval,
        parameters=parameters,
        description="docclean on a schedule (flows/serve.py)",
        tags=["docclean"],
        # A module entrypoint works from any cwd: the package is installed.
        entrypoint_type=EntrypointType.MODULE_PATH,
        # One run at a time: a run due while the last is still going waits for it (it would
        # otherwise find the lake locked and fail).
        concurrency_limit=1,
    )
    stopper.attach()
    reporter = None
    try:
        deployment_id = await runner.aadd_deployment(deployment)
        reporter = asyncio.create_task(_report_finished(deployment_id, parameters["lake"]))
        await runner.start()
    finally:
        if reporter is not None:
            reporter.cancel()
        stopper.detach()


def deactivate(deployment: str = f"{FLOW_NAME}/{DEPLOYMENT_NAME}") -> bool:
    """Pause the deployment, delete its schedules and cancel its unfinished runs: nothing stays active.

    Call once no process of ours runs the flow any more. Returns False if the API was not reachable.
    """
    from prefect import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Cancelled

    unfinished = [StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING, StateType.CANCELLING]
    try:
        with get_client(sync_client=True) as client:
            found = client.read_deployment_by_name(deployment)
            client.pause_deployment(found.id)
            for schedule in client.read_deployment_schedules(found.id):
                client.delete_deployment_schedule(found.id, schedule.id)
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[found.id])),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=unfinished))),
            )
            for run in runs:
                client.set_flow_run_state(run.id, Cancelled(message="docclean serve stopped"), force=True)
    except Exception as exc:  # best effort: the API may be gone
        say(f"could not pause {deployment}: {exc}")
        return False
    say(f"deployment {deployment} paused, its schedules deleted, {len(runs)} unfinished run(s) cancelled")
    return True


def serve_schedule(
    cron: str | None,
    inputs: list[str] | None,
    lake: str,
    *,
    interval: float | None = None,
    port: int | None = None,
    ui: bool = True,
    workers: int | None = None,
    **flow_params: Any,
) -> None:
    """Serve `clean-documents` as deployment `docclean-scheduled` on a cron (or every `interval` seconds).

    Without `PREFECT_API_URL`, starts a local Prefect server (with its UI unless `ui` is False) on
    `port` (default: a free one) and stops it on exit. `workers` caps each run's batch processes;
    `flow_params` go to the flow (e.g. batch_size, site, rules_dir). One run at a time; each
    finished run prints one line. Blocks until Ctrl-C or SIGTERM, then leaves nothing scheduled and no
    process behind.
    """
    if (cron is None) == (interval is None):
        raise ValueError("give exactly one of cron or interval")
    if interval is not None and interval <= 0:
        raise ValueError("interval must be positive")
    apply_prefect_defaults()
    parameters = _flow_parameters(inputs, lake, {**flow_params, "workers": workers} if workers else flow_params)
    configured = configured_api_url()
    server = None if configured else LocalServer(port, ui=ui)
    api_url = configured or server.api_url
    stopper = _Stopper()
    previous = {sig: signal.signal(sig, stopper) for sig in (signal.SIGINT, signal.SIGTERM)}
    served = False
    try:
        if server is not None:
            say(f"starting a local Prefect server on {server.url} ...")
            server.start()
        when = f"cron {cron!r}" if cron else f"every {interval:g} s"
        ui_url = api_url.removesuffix("/api")
        say(f"serving {FLOW_NAME}/{DEPLOYMENT_NAME} ({when}); Prefect UI: {ui_url} ; Ctrl-C to stop")
        served = True
        with api_at(api_url):  # flow-run subprocesses inherit it
            asyncio.run(_serve(cron, interval, parameters, stopper))
    except (KeyboardInterrupt, asyncio.CancelledError):
        say("stopping ...")
    finally:
        with _signals_ignored():
            _stop_serving(server, api_url if served else None)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    say("stopped; nothing left scheduled or running")


def _stop_serving(server: LocalServer | None, api_url: str | None) -> None:
    """End flow runs the runner did not end itself (e.g. one still starting up), deactivate, stop the server."""
    spared = server.pids() if server is not None else set()
    end_processes([pid for pid in descendants(os.getpid()) if pid not in spared])
    if api_url is not None:
        with api_at(api_url):
            deactivate()
    if server is not None:
        server.stop()
