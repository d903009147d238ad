"""Tasks for `test_runners`, importable by pool workers (spawned processes import tasks by name)."""

from __future__ import annotations

import os

from prefect import flow, task


@task
def count_client_use() -> tuple[int, int]:
    """(worker pid, how many task runs in this worker have used the API client it gets now)."""
    from prefect.client.orchestration import get_client

    client = get_client(sync_client=True)
    uses = getattr(client, "_docclean_test_uses", 0) + 1
    client._docclean_test_uses = uses  # a mark on the object: ids of freed clients can repeat
    return os.getpid(), uses


@flow
def client_uses(n_tasks: int) -> list[tuple[int, int]]:
    futures = [count_client_use.submit() for _ in range(n_tasks)]
    return [future.result() for future in futures]
