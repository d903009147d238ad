"""time_budget: a document over its budget is interrupted, and the process's SIGALRM handler is given back."""

from __future__ import annotations

import signal
import time

import pytest
from docclean.flows.budget import DocumentTimeout, time_budget


def test_work_over_the_budget_is_interrupted() -> None:
    started = time.monotonic()
    with pytest.raises(DocumentTimeout), time_budget(0.05):
        while True:
            pass
    assert time.monotonic() - started < 5


def test_the_previous_handler_and_no_timer_are_left_behind() -> None:
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("no alarm should be left")

    before = signal.signal(signal.SIGALRM, mine)
    try:
        with time_budget(30):
            pass
        with pytest.raises(DocumentTimeout), time_budget(0.01):
            time.sleep(1)
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, before)


def test_no_budget_is_no_timer() -> None:
    with time_budget(None), time_budget(0):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
