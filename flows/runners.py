"""Task runners for the flow: a process pool whose workers never outlive the run, or threads.

Cleaning is pure Python (ftfy, parsing, regexes) and holds the GIL, so using every core takes
processes. Each worker process talks to the flow's Prefect API: with a real server configured
they share it, without one each would start its own temporary server (~10 s each).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator

from prefect.context import FlowRunContext
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

_PARENT_CHECK_SECONDS = 1.0


def exit_with_parent() -> None:
    """Worker initializer: end this worker when the process that started it is gone.

    A flow run that is killed (a cancelled scheduled run, Ctrl-C, SIGKILL) would otherwise leave
    its pool workers waiting forever for work, reparented to init.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="docclean-exit-with-parent", daemon=True).start()


def process_pool(workers: int) -> TaskRunner:
    """`workers` processes, or one thread when one is enough (no start-up cost to pay)."""
    workers = max(1, workers)
    if workers == 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return ProcessPoolTaskRunner(max_workers=workers, initializer=exit_with_parent)


def default_task_runner() -> TaskRunner:
    """The runner of runs that don't choose one (`docclean serve`, deployments, direct calls).

    With a Prefect server configured, as for every deployment, a process pool sized to the cores.
    Without one, two threads. Never Prefect's own default thread pool: unbounded, it would hold
    every batch in memory at once.
    """
    if os.environ.get("PREFECT_API_URL"):
        return process_pool(os.cpu_count() or 1)
    return ThreadPoolTaskRunner(max_workers=2)


@contextlib.contextmanager
def batch_runner(n_batches: int) -> Iterator[TaskRunner]:
    """The runner for the flow's `n_batches` batch tasks, inside a flow run.

    A process pool is copied, no larger than the batches need, and ended with the block: its
    workers keep what they grew while cleaning (~430 MB each at 1M documents), which would
    otherwise sit idle beside the flow while it marks duplicates and loads. One batch runs on a
    thread: a worker process pays Prefect's start-up (~10 s) for nothing to share. Threads and
    Dask clusters are the flow's own.
    """
    runner = FlowRunContext.get().task_runner
    if not isinstance(runner, ProcessPoolTaskRunner):
        yield runner
        return
    # ProcessPoolTaskRunner keeps its size private; it is what duplicate() copies.
    workers = min(getattr(runner, "_max_workers", None) or os.cpu_count() or 1, n_batches)
    pool = runner.duplicate() if workers > 1 else ThreadPoolTaskRunner(max_workers=1)
    if workers > 1:
        pool._max_workers = workers
    with pool:
        yield pool
