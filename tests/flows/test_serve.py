"""`docclean serve`: a real local Prefect server + runner, a scheduled run into a lake, a clean stop.

One subprocess serves the flow every 5 s with its own Prefect home (a fresh database, ~10 s to
start). The test waits for a completed run of the deployment (Prefect API) and its row in the
lake, sends SIGTERM, and checks that every process it started is gone, the port is free and the
deployment is left paused, with no schedule and no unfinished run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from docclean.flows.serve import DEPLOYMENT_NAME
from docclean.flows.server import free_port

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.flow
RUN_TIMEOUT = 75.0


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, session id), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                found[int(entry.name)] = (int(fields[1]), int(fields[4]))
    return found


def _tree(root: int) -> set[int]:
    procs = _processes()
    tree, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, (ppid, _) in procs.items() if ppid in frontier} - tree
        tree |= frontier
    return tree


def _lake_runs(lake: Path) -> list[dict]:
    files = sorted(str(f) for f in (lake / "runs").glob("*.parquet"))
    if not files:
        return []
    return ds.dataset(files, format="parquet").to_table(columns=["flow_run_id", "inputs"]).to_pylist()


def _completed_runs(port: int) -> list[dict]:
    """Completed flow runs of the deployment, from the served Prefect API."""
    query = {
        "deployments": {"name": {"any_": [DEPLOYMENT_NAME]}},
        "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/flow_runs/filter",
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)
    except OSError:
        return []  # the server is still starting


def _deployment(port: int) -> dict:
    url = f"http://127.0.0.1:{port}/api/deployments/name/clean-documents/{DEPLOYMENT_NAME}"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def _port_free(port: int) -> bool:
    """Nothing listening: a new server could bind it (closed connections in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="process checks read /proc")
def test_scheduled_run_happens_and_sigterm_leaves_nothing_behind(tmp_path: Path) -> None:
    inputs, lake, home = tmp_path / "in", tmp_path / "lake", tmp_path / "prefect-home"
    shutil.copytree(SEEDS, inputs)
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        # Fast enough to see a run within the test: scheduler loop and runner polling every 2 s.
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    env.pop("PREFECT_API_URL", None)  # serve must start its own server
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "docclean.flows.cli", "serve", "--interval", "5", str(inputs), "--lake", str(lake)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*command, "--port", str(port), "--batch-size", "2", "--no-ui", "--workers", "1", "--site-from-folder"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started: set[int] = set()
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while not _completed_runs(port) and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            started |= _tree(proc.pid)
            time.sleep(0.5)
        completed = _completed_runs(port)
        assert completed, f"no scheduled run completed in {RUN_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}"
        assert completed[0]["parameters"]["lake"] == str(lake)
        runs = _lake_runs(lake)
        assert {r["flow_run_id"] for r in runs} & {c["id"] for c in completed}
        assert runs[0]["inputs"] == [str(inputs)]
        started |= _tree(proc.pid)
        assert len(started) >= 2, "expected the serve process and its Prefect server"
        assert not _port_free(port)
        # One run at a time: a run due while the last still holds the lake waits for it.
        assert _deployment(port)["global_concurrency_limit"]["limit"] == 1
        # Each finished run prints one line: its counts, duration and lake.
        deadline = time.monotonic() + 15
        while "finished in" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        finished = [line for line in log.read_text().splitlines() if "finished in" in line]
        assert finished and f"lake {lake}" in finished[0], log.read_text()[-3000:]
        assert "2 documents -> 2 articles, 0 rejects" in finished[0]

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=45) == 0, log.read_text()[-3000:]
    finally:
        if proc.poll() is None:  # the test failed: do not leave the tree behind
            for pid in _tree(proc.pid):
                os.kill(pid, signal.SIGKILL)
            proc.wait()

    output = log.read_text()
    assert f"Prefect UI: http://127.0.0.1:{port}" in output
    assert "paused, its schedules deleted" in output
    alive = _processes()
    assert not started & alive.keys(), f"left behind: {started & alive.keys()}"
    assert not [pid for pid, (_, sid) in alive.items() if sid in started], "a process of its sessions survives"
    assert _port_free(port)

    db = sqlite3.connect(home / "prefect.db")
    try:
        (deployment_id, paused), *_ = db.execute("SELECT id, paused FROM deployment WHERE name = ?", [DEPLOYMENT_NAME])
        assert paused
        assert db.execute("SELECT count(*) FROM deployment_schedule").fetchone() == (0,)
        states = {
            state for (state,) in db.execute("SELECT state_type FROM flow_run WHERE deployment_id = ?", [deployment_id])
        }
        assert "COMPLETED" in states
        # Nothing left to start or stuck mid-run: the stop cancelled what it interrupted.
        assert not states & {"SCHEDULED", "PENDING", "RUNNING", "CANCELLING"}
    finally:
        db.close()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="process checks read /proc")
def test_shared_api_starts_one_local_server_for_the_block_and_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `docclean run` uses: a server without UI or services, named to this process and its children."""
    from docclean.flows.server import shared_api
    from prefect.settings import PREFECT_API_URL

    def children() -> set[int]:
        return {pid for pid, (ppid, _) in _processes().items() if ppid == os.getpid()}

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    earlier = children()  # e.g. Prefect's ephemeral server, started by an earlier test
    with shared_api() as api_url:
        assert os.environ["PREFECT_API_URL"] == api_url == PREFECT_API_URL.value()
        with urllib.request.urlopen(f"{api_url}/health", timeout=5) as response:
            assert response.status == 200
        port = int(api_url.rsplit(":", 1)[1].split("/")[0])
        server_pids = set().union(*(_tree(pid) for pid in children() - earlier))
        assert server_pids
    assert "PREFECT_API_URL" not in os.environ
    assert PREFECT_API_URL.value() != api_url
    assert _port_free(port)
    assert not server_pids & _processes().keys()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="process checks read /proc")
def test_a_launched_server_starts_up_beside_the_caller_and_stops_with_its_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What `docclean run` does after taking the lake's lock: launch, import, then wait for it."""
    from docclean.flows.server import launched_server, shared_api

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with launched_server() as server:
        assert server is not None and server.proc is not None
        assert server.proc.poll() is None  # launched, not waited for
        with shared_api(server) as api_url:
            assert api_url == server.api_url
            with urllib.request.urlopen(f"{api_url}/health", timeout=5) as response:
                assert response.status == 200
        assert server.proc.poll() is None  # the launching block owns it, not `shared_api`
        pids = _tree(server.proc.pid)
    assert server.proc.poll() is not None
    assert _port_free(server.port)
    assert not pids & _processes().keys()
    assert not server.log_path.exists()  # it said nothing but its banner: no file per run left behind


def test_a_server_log_that_says_more_than_its_banner_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from docclean.flows.server import LocalServer

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    banner = "Configure Prefect to communicate with the server with: ...\n"
    for text, healthy, kept in [
        (banner, True, False),
        (banner, False, True),  # never answered: the start-up error names this file
        (banner + "12:00:01.000 | WARNING | prefect.server - database is locked\n", True, True),
        (banner + "Traceback (most recent call last):\n", True, True),
    ]:
        server = LocalServer(port=9)
        server.healthy = healthy
        server.log_path.write_text(text)
        server._discard_quiet_log()
        assert server.log_path.exists() == kept, (text, healthy)
        server.log_path.unlink(missing_ok=True)


def test_launched_server_starts_nothing_when_a_server_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    from docclean.flows.server import launched_server

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    before = {pid for pid, (ppid, _) in _processes().items() if ppid == os.getpid()}
    with launched_server() as server:
        assert server is None
        assert not {pid for pid, (ppid, _) in _processes().items() if ppid == os.getpid()} - before


def test_shared_api_uses_a_configured_server_without_starting_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from docclean.flows.server import shared_api

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    before = {pid for pid, (ppid, _) in _processes().items() if ppid == os.getpid()}
    with shared_api() as api_url:
        assert api_url == "http://127.0.0.1:9/api"
        assert not {pid for pid, (ppid, _) in _processes().items() if ppid == os.getpid()} - before
    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:9/api"


def test_api_at_reaches_threads_so_forwarded_worker_events_need_no_second_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prefect's process pool forwards its workers' events and logs from a thread of its own; a
    thread that does not see the API would start a temporary server of its own for them."""
    import threading

    from docclean.flows.server import api_at
    from prefect.context import refresh_global_settings_context
    from prefect.settings import get_current_settings

    def url_seen_by_a_new_thread() -> str | None:
        seen: list[str | None] = []
        thread = threading.Thread(target=lambda: seen.append(get_current_settings().api.url))
        thread.start()
        thread.join()
        return seen[0]

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    refresh_global_settings_context()
    before = url_seen_by_a_new_thread()
    with api_at("http://127.0.0.1:9/api") as api_url:
        assert url_seen_by_a_new_thread() == api_url
    assert url_seen_by_a_new_thread() == before != api_url


def test_finished_line_gives_counts_duration_and_lake(two_runs) -> None:
    from datetime import timedelta
    from types import SimpleNamespace

    from docclean.flows.serve import finished_line
    from prefect.client.schemas.objects import StateType

    def flow_run(flow_run_id: str, state: StateType, message: str = "") -> SimpleNamespace:
        return SimpleNamespace(
            id=flow_run_id,
            name="brave-otter",
            total_run_time=timedelta(seconds=3.25),
            state_type=state,
            state=SimpleNamespace(message=message),
        )

    lake = str(two_runs.lake)
    line = finished_line(flow_run(two_runs.second.flow_run_id, StateType.COMPLETED), lake)
    assert line.startswith(f"run {two_runs.second.run_id} finished in 3.2 s: 2 documents -> 2 articles, 0 rejects, ")
    assert line.endswith(f"duplicates; lake {lake}")
    nothing = finished_line(flow_run("not-in-the-lake", StateType.COMPLETED), lake)
    assert nothing == f"flow run brave-otter finished in 3.2 s: nothing new, no rows written; lake {lake}"
    failed = finished_line(flow_run("x", StateType.FAILED, "Flow run encountered an exception: boom\nmore"), lake)
    assert failed == f"flow run brave-otter failed after 3.2 s: Flow run encountered an exception: boom; lake {lake}"
