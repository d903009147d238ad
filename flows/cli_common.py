"""What every `docclean` command shares: the consoles, the `--lake` option, errors as one red line."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from docclean.flows.settings import default_lake
from rich.console import Console

if TYPE_CHECKING:
    from docclean.warehouse.lake import Lake
    from docclean.warehouse.remote_tables import RemoteLake

# Tables piped to a file or another program get room instead of rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)

LakeOption = Annotated[  # a str: typer's Path would turn "s3://lake" into the folder "s3:/lake"
    str | None,
    typer.Option(
        "--lake",
        help="Lake folder (default: warehouse/lake in a checkout, ./docclean-lake when installed), or a lake "
        "on object storage (s3://BUCKET/PREFIX, gs://, abfs://): read in place by the commands that only "
        "read (query, export, explain, info, report), worked on through a local copy by the others.",
        show_default=False,
    ),
]


def lake_at(lake: str | Path | None) -> Lake:
    """The lake at `lake`, or the default one (`flows.settings.default_lake`); for a lake on
    object storage, its local copy pulled to match it. A URI it cannot use is one red line and
    exit code 2; a store it cannot read, exit code 1."""
    from docclean.warehouse.lake import Lake
    from docclean.warehouse.locations import RemoteLocationError

    if lake is not None and is_remote_lake(lake):
        return _pulled_copy(str(lake))
    with reported(RemoteLocationError, code=2):
        return Lake.at(lake if lake is not None else default_lake())


def lake_to_read(lake: str | Path | None) -> Lake | RemoteLake:
    """`lake_at` for commands that only read the views (query, export, explain, info, report): a lake on object
    storage is read where it is, with nothing written to local disk."""
    from docclean.flows.publish import publish_target
    from docclean.warehouse.locations import RemoteLocationError
    from docclean.warehouse.remote_tables import RemoteLake

    if lake is None or not is_remote_lake(lake):
        return lake_at(lake)
    with reported(RemoteLocationError, code=2):
        return RemoteLake(publish_target(str(lake), what="lake"))


def is_remote_lake(lake: str | Path | None) -> bool:
    from docclean.flows.remote import is_remote

    return isinstance(lake, str) and is_remote(lake)


def lake_location(lake: str | Path | None, target: Lake) -> str:
    """What the flow is given as its lake: the URI of a lake on object storage, else the folder."""
    return str(lake).rstrip("/") if is_remote_lake(lake) else str(target.root)


def _pulled_copy(uri: str) -> Lake:
    from deltalake.exceptions import DeltaError
    from docclean.flows.publish import short_error, working_copy
    from docclean.warehouse.lake import LakeBusyError
    from docclean.warehouse.locations import RemoteLocationError
    from docclean.warehouse.publish import PublishConflict
    from rich.markup import escape

    with reported(RemoteLocationError, LakeBusyError, PublishConflict, code=2):
        try:
            return working_copy(uri)
        except (OSError, DeltaError) as exc:
            err.print(f"[red]error:[/] cannot read the lake at {uri}: {escape(short_error(exc))}")
            raise typer.Exit(1) from None


def input_locations(inputs: list[str]) -> list[str]:
    """The inputs as local paths (`file://` URIs converted) or object-store URIs; a URI it cannot
    read is one red line and exit code 2, before anything runs."""
    from docclean.warehouse.locations import RemoteLocationError, input_location

    with reported(RemoteLocationError, code=2):
        return [input_location(location) for location in inputs]


def checked_scratch(scratch: str | None, inputs: list[str]) -> str | None:
    """`run --scratch`, checked before anything runs (`flows.scratch.scratch_location`): exit 2 if unusable."""
    from docclean.flows.scratch import scratch_location
    from docclean.warehouse.locations import RemoteLocationError

    with reported(RemoteLocationError, code=2):
        return scratch_location(scratch, inputs, reprocess=False)


@contextlib.contextmanager
def reported(*errors: type[Exception], code: int = 1) -> Iterator[None]:
    """Turn the given errors into one red line and exit `code`: users get the message, not a trace."""
    try:
        yield
    except errors as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(code) from None
