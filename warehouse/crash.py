"""Crash points: named steps at which the crash-safety tests kill a real run (SIGKILL).

`crash_point(name)` raises the audit event `docclean.crash_point` (PEP 578, `sys.audit`). With
no audit hook installed, as in every production run, that is a no-op by construction: nothing is
read from the environment or any global, and nothing can fire. The tests start `docclean run`
through `tests/flows/crashing_run.py`, which installs a hook that kills the process when the
event names its point; each name is listed in CRASH_POINTS.
"""

from __future__ import annotations

import sys

AUDIT_EVENT = "docclean.crash_point"
CRASH_POINTS = (
    "cleaning",  # inside a batch, after the first document
    "writing",  # a Parquet file fully written under its temporary name, not yet renamed
    "committing",  # some of a run's files moved into the lake, its runs row not yet written
    "superseding",  # a committed run's replaced rows half cleaned up
    "cataloging",  # the new catalog written to its temporary file, not yet renamed
    "syncing",  # a committed run's Delta logs synced for some tables, not all; links not yet pruned
)
# Points only `docclean reprocess` reaches.
REPROCESS_CRASH_POINTS = ("recounting",)  # a reprocess committed, the counts it replaces half removed
# Points only `docclean publish` (and `run --publish`) reaches.
PUBLISH_CRASH_POINTS = ("publishing",)  # a table's files uploaded to the target, its version not yet written


def crash_point(name: str) -> None:
    """Mark a step a crash test may stop the run at (an audit event; free without a hook)."""
    sys.audit(AUDIT_EVENT, name)
