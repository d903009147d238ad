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
from typing import Self

from docclean.flows.server import configured_api_url
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


def start_worker() -> None:
    """Worker initializer: end with the parent (`exit_with_parent`), and hold one Prefect API
    client for every task the worker runs.

    Without a client context in the worker, Prefect's task engine builds a new client for each
    task run, and each build loads certifi's CA bundle into a new SSL context (~20 ms, several
    times a task): py-spy gave that 40 % of the engine's time per task, which was ~0.18 s of CPU
    with batches of 250. Entered here, held until the worker ends: `get_client` then returns it.
    Best effort: if the API does not answer yet, tasks make their own clients as before.
    """
    from prefect.context import SyncClientContext

    exit_with_parent()
    with contextlib.suppress(Exception):
        SyncClientContext().__enter__()  # never exited: the worker ends with the pool


class BatchProcessPool(ProcessPoolTaskRunner):
    """Prefect's process pool, with workers that end with their parent and a size others may read.

    `ProcessPoolTaskRunner` keeps its size private, and the flow needs a copy no larger than its
    batches (`resized`); `duplicate`, which Prefect calls for each flow run, keeps this class.
    """

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, initializer=start_worker)
        self.max_workers = max_workers

    def duplicate(self) -> Self:
        return self.resized(self.max_workers)

    def resized(self, max_workers: int) -> Self:
        """A new, unstarted pool like this one with `max_workers` workers."""
        copy = type(self)(max_workers)
        copy.subprocess_message_processor_factories = self.subprocess_message_processor_factories
        return copy


def process_pool(workers: int) -> TaskRunner:
    """`workers` processes, or one thread when one is enough (no start-up cost to pay)."""
    workers = max(1, workers)
    if workers == 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return BatchProcessPool(workers)


def default_task_runner() -> TaskRunner:
    """The runner of runs that don't choose one (`docclean serve`, deployments, direct calls).

    With a Prefect server configured, as for every deployment, a process pool sized to the cores.
    Without one, two threads. Never Prefect's own default thread pool: unbounded, it would hold
    every batch in memory at once.
    """
    if configured_api_url():
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
    if not isinstance(runner, BatchProcessPool):
        yield runner
        return
    workers = min(runner.max_workers, n_batches)
    with runner.resized(workers) if workers > 1 else ThreadPoolTaskRunner(max_workers=1) as pool:
        yield pool
