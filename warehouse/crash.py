"""Crash points: let tests kill a real run at a chosen step (SIGKILL, nothing gets to clean up).

`DOCCLEAN_CRASH_AT=<name>` in the environment makes `crash_point(<name>)` kill the process. The
names are listed in CRASH_POINTS; the crash-safety test runs `docclean run` once per name.
"""

from __future__ import annotations

import os
import signal

CRASH_POINTS = (
    "cleaning",  # inside a batch, after the first document
    "writing",  # a Parquet file fully written under its temporary name, not yet renamed
    "committing",  # some of a run's files moved into the lake, its runs row not yet written
    "superseding",  # a committed run's replaced rows half cleaned up
    "cataloging",  # the new catalog written to its temporary file, not yet renamed
)


def crash_point(name: str) -> None:
    if os.environ.get("DOCCLEAN_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
