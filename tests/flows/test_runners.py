"""Task runners: pool workers end with the process that started them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A parent that starts a spawn pool (as Prefect's ProcessPoolTaskRunner does), prints a worker's
# pid, and dies without shutting the pool down, as a killed flow run would.
PARENT = textwrap.dedent(
    """
    import multiprocessing, os, sys
    from concurrent.futures import ProcessPoolExecutor
    from docclean.flows.runners import exit_with_parent

    if __name__ == "__main__":
        initializer = exit_with_parent if sys.argv[1] == "watch" else None
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=initializer)
        print(pool.submit(os.getpid).result(), flush=True)
        os._exit(0)
    """
)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _orphan_survives(mode: str, tmp_path: Path, wait: float = 5.0) -> bool:
    script, out = tmp_path / "parent.py", tmp_path / f"{mode}.out"
    script.write_text(PARENT)
    with open(out, "w") as handle:  # a file, not a pipe: a surviving worker would hold a pipe open
        subprocess.run([sys.executable, str(script), mode], cwd=ROOT, stdout=handle, check=True, timeout=60)
    worker = int(out.read_text().strip())
    deadline = time.monotonic() + wait
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    survived = _alive(worker)
    if survived:
        os.kill(worker, 9)
    return survived


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_pool_workers_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    assert _orphan_survives("plain", tmp_path), "without the initializer the worker is orphaned"
    assert not _orphan_survives("watch", tmp_path)


def test_default_runner_uses_processes_only_with_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from docclean.flows.runners import default_task_runner
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert isinstance(default_task_runner(), ThreadPoolTaskRunner)
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    runner = default_task_runner()
    expected = ProcessPoolTaskRunner if (os.cpu_count() or 1) > 1 else ThreadPoolTaskRunner
    assert isinstance(runner, expected)


def test_batch_workers_end_before_duplicates_are_marked_and_one_batch_starts_none(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Idle pool workers keep the memory they grew cleaning; they must not outlive the batches."""
    import multiprocessing

    from docclean.flows import flow as flow_module
    from docclean.flows.runners import process_pool
    from docclean.flows.server import shared_api
    from docclean.flows.stages import dedup as dedup_module

    workers_alive: dict[str, list[int]] = {"batches": [], "duplicates": []}
    mark_duplicates, progress = dedup_module.mark_duplicates, flow_module._progress

    def spy_duplicates(*args, **kwargs):
        workers_alive["duplicates"].append(len(multiprocessing.active_children()))
        return mark_duplicates(*args, **kwargs)

    def spy_progress(*args, **kwargs):
        workers_alive["batches"].append(len(multiprocessing.active_children()))
        return progress(*args, **kwargs)

    monkeypatch.setattr(dedup_module, "mark_duplicates", spy_duplicates)
    monkeypatch.setattr(flow_module, "_progress", spy_progress)
    with shared_api():
        summary = flow_module.clean_documents.with_options(task_runner=process_pool(2))(
            inputs=[str(seeds_dir)], lake=str(tmp_path / "lake"), batch_size=1, show_progress=True
        )
        assert summary.counts.n_articles == 2
        assert max(workers_alive["batches"]) >= 1  # the spy sees pool workers while they work...
        assert workers_alive["duplicates"] == [0]  # ...and none once duplicates are marked
        # One batch: no worker process to start (each pays Prefect's start-up for nothing to share).
        workers_alive["batches"].clear()
        flow_module.clean_documents.with_options(task_runner=process_pool(2))(
            inputs=[str(seeds_dir)], lake=str(tmp_path / "one-batch"), batch_size=10, show_progress=True
        )
        assert workers_alive["batches"] == [0]


def test_a_pool_worker_keeps_one_api_client_for_all_its_task_runs() -> None:
    """Each new client loads certifi's CA bundle into an SSL context (~20 ms): a worker builds one."""
    from docclean.flows.runners import process_pool
    from docclean.flows.server import shared_api

    from tests.flows.pool_tasks import client_uses

    with shared_api():
        results = client_uses.with_options(task_runner=process_pool(2))(6)
    by_worker: dict[int, list[int]] = {}
    for pid, uses in results:
        by_worker.setdefault(pid, []).append(uses)
    assert os.getpid() not in by_worker  # the tasks ran in pool workers
    assert max(len(uses) for uses in by_worker.values()) >= 3  # 6 tasks on at most 2 workers
    for uses in by_worker.values():
        assert sorted(uses) == list(range(1, len(uses) + 1))  # one client, used once by each task


def test_batch_pool_copies_keep_their_class_and_resize_without_touching_prefect_internals() -> None:
    from docclean.flows.runners import BatchProcessPool, process_pool
    from prefect.task_runners import ThreadPoolTaskRunner

    pool = process_pool(4)
    assert isinstance(pool, BatchProcessPool) and pool.max_workers == 4
    copy = pool.duplicate()  # what Prefect calls for each flow run
    assert type(copy) is BatchProcessPool and copy.max_workers == 4 and copy is not pool
    smaller = pool.resized(2)
    assert type(smaller) is BatchProcessPool and smaller.max_workers == 2
    assert pool.max_workers == 4  # the original keeps its size
    assert isinstance(process_pool(1), ThreadPoolTaskRunner)
