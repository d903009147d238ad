"""Run `clean-documents` on a schedule from one command: a local Prefect server if needed, plus a runner.

Prefect only schedules against a real API server (the ephemeral one refuses), so without
`PREFECT_API_URL` this starts `prefect server start` on a free localhost port, points itself at
it, and serves the flow as the deployment `docclean-scheduled`. Ctrl-C or SIGTERM stops the
runner, pauses the deployment and deletes its schedules (a killed `serve` otherwise leaves them
active), ends any flow run still going, and stops the server it started.

    python -m flows.serve --cron "0 * * * *" INPUT ... --lake DIR
    python -m flows.serve --interval 600 INPUT ... --lake DIR
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from flows.settings import apply_prefect_defaults, project_root

DEPLOYMENT_NAME = "docclean-scheduled"
FLOW_NAME = "clean-documents"
SERVER_STARTUP_TIMEOUT = 120.0  # seconds; a first start migrates a fresh database
SERVER_STOP_TIMEOUT = 15.0


def say(message: str) -> None:
    """Progress for the person at the terminal (stderr, like `docclean run`)."""
    print(f"docclean serve: {message}", file=sys.stderr, flush=True)


class ServerStartError(RuntimeError):
    """The local Prefect server did not come up."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


class LocalServer:
    """A `prefect server start` subprocess in its own session, so it can be stopped as a group."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port or free_port(host)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = Path(os.environ["PREFECT_HOME"]) / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def start(self, timeout: float = SERVER_STARTUP_TIMEOUT) -> None:
        if port_in_use(self.port, self.host):
            raise ServerStartError(f"port {self.port} on {self.host} is already in use; choose another with --port")
        env = {**os.environ, "PREFECT_UI_ENABLED": os.environ.get("DOCCLEAN_SERVER_UI", "true")}
        env.pop("PREFECT_API_URL", None)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as out:
            # start_new_session: Ctrl-C in the terminal reaches only us; we stop the server in order.
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", self.host, "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        self._wait_healthy(timeout)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerStartError(
                    f"prefect server exited with code {self.proc.returncode} before becoming healthy; "
                    f"see {self.log_path}:\n{self._log_tail()}"
                )
            with suppress(OSError), urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
            time.sleep(0.5)
        self.stop()
        raise ServerStartError(
            f"prefect server on {self.url} was not healthy after {timeout:.0f} s; see {self.log_path}:\n"
            f"{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 20) -> str:
        with suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def pids(self) -> set[int]:
        if self.proc is None:
            return set()
        return {self.proc.pid, *descendants(self.proc.pid)}

    def stop(self, timeout: float = SERVER_STOP_TIMEOUT) -> None:
        """SIGTERM the server's process group; SIGKILL what is left after `timeout`."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        # The group may outlive its leader (a worker the server forked): make sure nothing stays.
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the command name may hold spaces and ")"
        children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


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
    root = project_root()
    return {
        "inputs": [str(Path(p).expanduser().resolve()) for p in inputs] if inputs else None,
        "lake": str(Path(lake).expanduser().resolve()) if lake else str(root / "warehouse" / "lake"),
        **flow_params,
    }


async def _serve(cron: str | None, interval: float | None, parameters: dict[str, Any], stopper: _Stopper) -> None:
    from prefect.deployments.runner import EntrypointType
    from prefect.runner import Runner

    from flows.flow import clean_documents

    # pause_on_shutdown=False: we pause and unschedule in `deactivate`, which also runs after a crash.
    runner = Runner(name=DEPLOYMENT_NAME, pause_on_shutdown=False)
    runner.handle_sigterm = stopper  # Runner.start installs this as the SIGTERM handler
    deployment = await clean_documents.ato_deployment(
        name=DEPLOYMENT_NAME,
        cron=cron,
        interval=interval,
        parameters=parameters,
        description="docclean on a schedule (flows/serve.py)",
        tags=["docclean"],
        # A module entrypoint works from any cwd: the package is installed.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    stopper.attach()
    try:
        await runner.aadd_deployment(deployment)
        await runner.start()
    finally:
        stopper.detach()


@contextmanager
def _api_settings() -> Iterator[None]:
    """Prefect reads its settings at import: make this process use PREFECT_API_URL as set now."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: os.environ["PREFECT_API_URL"]}):
        yield


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
    **flow_params: Any,
) -> None:
    """Serve `clean-documents` as deployment `docclean-scheduled` on a cron (or every `interval` seconds).

    Without `PREFECT_API_URL`, starts a local Prefect server (UI included) on `port` (default: a
    free one) and stops it on exit. `flow_params` go to the flow (e.g. batch_size, site). Blocks
    until Ctrl-C or SIGTERM, then leaves nothing scheduled and no process behind.
    """
    if (cron is None) == (interval is None):
        raise ValueError("give exactly one of cron or interval")
    if interval is not None and interval <= 0:
        raise ValueError("interval must be positive")
    apply_prefect_defaults()
    parameters = _flow_parameters(inputs, lake, flow_params)
    stopper = _Stopper()
    previous = {sig: signal.signal(sig, stopper) for sig in (signal.SIGINT, signal.SIGTERM)}
    server: LocalServer | None = None
    served = False
    try:
        if not os.environ.get("PREFECT_API_URL"):
            server = LocalServer(port)
            say(f"starting a local Prefect server on {server.url} ...")
            server.start()
            os.environ["PREFECT_API_URL"] = server.api_url  # flow-run subprocesses inherit it
        ui = server.url if server else os.environ["PREFECT_API_URL"].removesuffix("/api")
        when = f"cron {cron!r}" if cron else f"every {interval:g} s"
        say(f"serving {FLOW_NAME}/{DEPLOYMENT_NAME} ({when}); Prefect UI: {ui} ; Ctrl-C to stop")
        served = True
        with _api_settings():
            asyncio.run(_serve(cron, interval, parameters, stopper))
    except (KeyboardInterrupt, asyncio.CancelledError):
        say("stopping ...")
    finally:
        with _signals_ignored():
            spared = server.pids() if server is not None else set()
            # Flow runs the runner did not end itself (e.g. one still starting up).
            end_processes([pid for pid in descendants(os.getpid()) if pid not in spared])
            if served:
                with _api_settings():
                    deactivate()
            if server is not None:
                server.stop()
                os.environ.pop("PREFECT_API_URL", None)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    say("stopped; nothing left scheduled or running")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flows.serve", description=serve_schedule.__doc__)
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help='cron expression, e.g. "0 * * * *" (minute granularity)')
    when.add_argument("--interval", type=float, help="run every N seconds instead of on a cron")
    parser.add_argument("inputs", nargs="*", help="files and folders to clean (default: seeds/)")
    parser.add_argument("--lake", default=str(project_root() / "warehouse" / "lake"), help="lake folder")
    parser.add_argument("--port", type=int, help="port for the local Prefect server (default: a free one)")
    parser.add_argument("--batch-size", type=int, default=1000, help="input files per batch")
    parser.add_argument("--site", help="site name for documents that carry no URL")
    args = parser.parse_args(argv)
    params: dict[str, Any] = {"batch_size": args.batch_size}
    if args.site:
        params["site"] = args.site
    serve_schedule(args.cron, args.inputs or None, args.lake, interval=args.interval, port=args.port, **params)


if __name__ == "__main__":
    main()
