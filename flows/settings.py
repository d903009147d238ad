"""Where docclean's defaults point, and the Prefect settings it needs before Prefect is imported.

Run from a checkout (`make run`), the defaults are the checkout's: inputs `seeds/`, lake
`warehouse/lake`, Prefect's home `.prefect/`. Installed from a wheel there is no checkout: inputs
must be given (or set in docclean.toml), the lake defaults to `docclean-lake/` in the working
directory, and Prefect keeps its own home (`~/.prefect`) unless PREFECT_HOME says otherwise.

Local runs use Prefect's ephemeral mode: no server to start by hand, no telemetry, and a start-up
timeout that survives a loaded machine. Anything already set in the environment (e.g.
`PREFECT_API_URL` for a real server) wins.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

INSTALLED_LAKE = "docclean-lake"


def checkout_root() -> Path | None:
    """The source checkout docclean runs from (the folder holding its pyproject.toml), or None when installed."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() and (here / "flows" / "settings.py").exists() else None


def project_root() -> Path:
    """The checkout docclean runs from, else the working directory."""
    return checkout_root() or Path.cwd()


def default_lake() -> Path:
    """`warehouse/lake` in a checkout; `docclean-lake/` in the working directory when installed."""
    root = checkout_root()
    return root / "warehouse" / "lake" if root is not None else Path.cwd() / INSTALLED_LAKE


def default_inputs() -> list[str] | None:
    """`seeds/` in a checkout; None when installed (a run then needs its inputs named)."""
    root = checkout_root()
    return [str(root / "seeds")] if root is not None else None


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
    root = checkout_root()
    if root is not None:
        os.environ.setdefault("PREFECT_HOME", str(root / ".prefect"))
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
