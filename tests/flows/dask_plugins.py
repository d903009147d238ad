"""Dask worker plugins for tests, in a module of their own so spawned workers can import them."""

from __future__ import annotations

import os
from pathlib import Path

from dask.utils import key_split
from distributed import WorkerPlugin


class KillWorkerOnce(WorkerPlugin):
    """Kill the worker process (as a lost host would vanish) when it starts executing the first
    task named `prefix` of the whole cluster; `marker` records that it happened."""

    def __init__(self, prefix: str, marker: Path) -> None:
        self.prefix, self.marker = prefix, str(marker)

    def transition(self, key: object, start: str, finish: str, **kwargs: object) -> None:
        if finish != "executing" or key_split(key) != self.prefix:
            return
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # one worker wins, once
        except FileExistsError:
            return
        os.write(fd, str(key).encode())
        os.close(fd)
        os._exit(1)
