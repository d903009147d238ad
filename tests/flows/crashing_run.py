"""`python -m tests.flows.crashing_run <point> run ...`: the docclean CLI, SIGKILLed at one crash point.

Installs the audit hook `warehouse.crash.crash_point` reports to; only this test launcher does.
"""

from __future__ import annotations

import os
import signal
import sys

from docclean.warehouse.crash import AUDIT_EVENT, CRASH_POINTS, PUBLISH_CRASH_POINTS, REPROCESS_CRASH_POINTS


def kill_at(point: str) -> None:
    """Add an audit hook that kills this process (no cleanup) when the run reaches `point`."""
    known = CRASH_POINTS + REPROCESS_CRASH_POINTS + PUBLISH_CRASH_POINTS
    if point not in known:
        raise SystemExit(f"unknown crash point {point!r}; known: {', '.join(known)}")

    def hook(event: str, args: tuple) -> None:
        if event == AUDIT_EVENT and args[0] == point:
            os.kill(os.getpid(), signal.SIGKILL)

    sys.addaudithook(hook)


if __name__ == "__main__":
    kill_at(sys.argv.pop(1))
    from docclean.flows.cli import main

    main()
