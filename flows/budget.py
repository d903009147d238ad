"""A time budget for one document: a document still being worked on after it is a `timeout` reject.

In a process's main thread (where the batch tasks run in worker processes) a real-time timer
interrupts the work: SIGALRM raises `DocumentTimeout` inside it, also inside a regex match, which
checks for signals. Elsewhere (a thread, or no `setitimer`) nothing can interrupt Python code
safely, so the budget is checked when the document is done: the outcome is the same `timeout`
reject, only later. `DocumentTimeout` is a BaseException so that no `except Exception` on the way
swallows it.
"""

from __future__ import annotations

import signal
import threading
import time
from _signal import signal as _set_handler  # what `signal.signal` wraps
from collections.abc import Iterator
from contextlib import contextmanager


class DocumentTimeout(BaseException):
    """The document's time budget ran out."""


def _raise_timeout(signum: int, frame: object) -> None:
    raise DocumentTimeout


def _can_interrupt() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise DocumentTimeout if the block runs longer than `seconds` (None or <= 0: no budget)."""
    if not seconds or seconds <= 0:
        yield
        return
    started = time.monotonic()
    if not _can_interrupt():
        yield
        if time.monotonic() - started > seconds:
            raise DocumentTimeout
        return
    # (Without `signal.signal`'s conversions of numbers to enums: 3 µs a call, four calls a
    # document in the two passes, ~1% of a batch.)
    previous = _set_handler(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _set_handler(signal.SIGALRM, previous)
