"""The one way docclean starts a local Prefect API server, and points itself and its children at an API.

`docclean run` needs one when it starts worker processes: without a configured server, each
worker would start its own temporary one (~10 s and ~200 MB each). `docclean serve` needs one
because Prefect only schedules against a real server (the ephemeral one refuses). Both use
`LocalServer`: `prefect server start` on a free localhost port, in its own session so it can be
stopped as a group. Import Prefect only after `flows.settings.apply_prefect_defaults()`.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

SERVER_STARTUP_TIMEOUT = 120.0  # seconds; a first start migrates a fresh database
SERVER_STOP_TIMEOUT = 15.0


# What makes a server log worth keeping after a clean stop (uvicorn's and Prefect's log levels).
_LOG_NEWS = re.compile(r"\b(?:WARNING|ERROR|CRITICAL)\b|Traceback")


class ServerStartError(RuntimeError):
    """The local Prefect server did not come up."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


def configured_api_url() -> str | None:
    """The Prefect API the environment names (PREFECT_API_URL), if any: then no local server is started."""
    return os.environ.get("PREFECT_API_URL") or None


class LocalServer:
    """A `prefect server start` subprocess in its own session, so it can be stopped as a group.

    `ui` serves Prefect's web UI beside the API; `services` runs the server's background services
    (the scheduler among them: `serve` needs them, a single `run` does not). Its log goes to
    `PREFECT_HOME/server-PORT.log`. Use as a context manager, or `start()` then `stop()`.
    """

    def __init__(
        self, port: int | None = None, host: str = "127.0.0.1", *, ui: bool = True, services: bool = True
    ) -> None:
        self.host, self.port = host, port or free_port(host)
        self.ui, self.services = ui, services
        self.proc: subprocess.Popen[bytes] | None = None
        self.healthy = False  # answered once; a server that never did keeps its log for the error
        self.log_path = Path(os.environ["PREFECT_HOME"]) / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", self.host, "--port", str(self.port)]
        command.append("--ui" if self.ui else "--no-ui")
        if not self.services:
            command.append("--no-services")
        return command

    def start(self, timeout: float = SERVER_STARTUP_TIMEOUT) -> None:
        """Start the server and wait until `/api/health` answers; on any failure, leave nothing running."""
        self.launch()
        self.wait_healthy(timeout)

    def launch(self) -> None:
        """Start the server process without waiting for it: `wait_healthy` does that."""
        if port_in_use(self.port, self.host):
            raise ServerStartError(f"port {self.port} on {self.host} is already in use; choose another with --port")
        env = dict(os.environ)
        env.pop("PREFECT_API_URL", None)  # the server is the API; it must not look for another
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as out:
            # start_new_session: Ctrl-C in the terminal reaches only us; we stop the server in order.
            self.proc = subprocess.Popen(
                self.command(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )

    def wait_healthy(self, timeout: float = SERVER_STARTUP_TIMEOUT) -> None:
        """Wait until the launched server answers `/api/health`; on a timeout or Ctrl-C, stop it."""
        try:
            self._wait_healthy(timeout)
        except BaseException:  # a timeout, or Ctrl-C while waiting
            self.stop()
            raise

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
                    self.healthy = True
                    return
            time.sleep(0.1)
        raise ServerStartError(
            f"prefect server on {self.url} was not healthy after {timeout:.0f} s; see {self.log_path}:\n"
            f"{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 20) -> str:
        with suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def pids(self) -> set[int]:
        """The server's processes (itself and what it started)."""
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
        self._discard_quiet_log()

    def _discard_quiet_log(self) -> None:
        """Remove the log of a server that came up and said nothing but its banner: one run a
        minute from cron would otherwise leave a file a minute. A log with a warning or an error,
        or of a server that never answered (the error names the file), stays."""
        with suppress(OSError):
            if self.healthy and not _LOG_NEWS.search(self.log_path.read_text(errors="replace")):
                self.log_path.unlink()

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@contextmanager
def api_at(api_url: str) -> Iterator[str]:
    """Make this process and the processes it starts use the Prefect API at `api_url`.

    Child processes (pool workers, flow-run subprocesses) read PREFECT_API_URL from their
    environment; this process read its Prefect settings at import, so it gets them as
    temporary settings, and its global settings are re-read too: threads do not inherit the
    temporary ones, and the process pool's thread that forwards its workers' events and logs
    would otherwise start a second, temporary Prefect server of its own and send them there.
    All are restored on exit.
    """
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    refresh_global_settings_context()
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield api_url
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
        refresh_global_settings_context()


@contextmanager
def launched_server() -> Iterator[LocalServer | None]:
    """The `LocalServer` a later `shared_api(server)` will use, launched now without waiting:
    its start-up (~4.5 s, mostly Prefect importing its server) then runs beside the caller's own
    (`docclean run` imports Prefect and the flow meanwhile). None when PREFECT_API_URL names a server.
    Stopped when the block ends. Call `flows.settings.apply_prefect_defaults()` first."""
    if configured_api_url():
        yield None
        return
    server = LocalServer(ui=False, services=False)
    server.launch()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def shared_api(server: LocalServer | None = None) -> Iterator[str]:
    """One Prefect API for this process and every worker process it starts; yields its URL.

    The configured one (PREFECT_API_URL) if any; else `server` (from `launched_server`) once it
    answers, or a `LocalServer` without UI or background services started for the block only.
    Its last logs are sent before the block ends.
    """
    configured = configured_api_url()
    if configured:
        with api_at(configured):
            yield configured
        return
    if server is None:
        with launched_server() as started, shared_api(started) as api_url:
            yield api_url
        return
    server.wait_healthy()
    with api_at(server.api_url):
        try:
            yield server.api_url
        finally:
            from prefect.logging.handlers import APILogWorker

            APILogWorker.drain_all(timeout=5)  # send the run's last logs before the server goes


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
