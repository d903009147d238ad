"""Prefect settings docclean needs, applied before Prefect is imported.

Local runs use Prefect's ephemeral mode: no server to start by hand, its SQLite database under
the project (`.prefect/`), no telemetry, and a start-up timeout that survives a loaded machine.
Anything already set in the environment (e.g. `PREFECT_API_URL` for a real server) wins.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path


def project_root() -> Path:
    """The checkout docclean runs from (the folder holding pyproject.toml), else the cwd."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_UI_ENABLED": "false",
}


def apply_prefect_defaults(verbose: bool = False) -> None:
    """Fill in the environment with `DEFAULTS` and a project-level PREFECT_HOME; `verbose` shows INFO logs.

    Call before importing Prefect (it reads its settings once, at import); idempotent.
    """
    os.environ.setdefault("PREFECT_HOME", str(project_root() / ".prefect"))
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    if verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    quiet_library_logs()


def quiet_library_logs() -> None:
    """trafilatura warns for every page it gives up on; `transforms.html` falls back for those pages.

    The application's choice, not the library's: called by the CLI and by each batch task (worker
    processes and Dask workers configure their own logging).
    """
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
