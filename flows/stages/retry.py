"""When a task is worth another try: only after an I/O error (a full disk, a dropped connection to
the object store). A failed data check or a bug fails the same way again."""

from __future__ import annotations

from typing import Any

IO_RETRIES = {"retries": 2, "retry_delay_seconds": 2}


def retry_on_io_error(_task: Any, _task_run: Any, state: Any) -> bool:
    """Prefect's `retry_condition_fn`: retry if the task failed with an OSError."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False
