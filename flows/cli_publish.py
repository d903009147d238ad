"""`docclean publish` and `run --publish`: the lake's tables as Delta tables on object storage or
in another folder, for Spark, polars, pandas and DuckDB on hosts that cannot see the lake's disk."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from docclean.flows.cli_common import LakeOption, err, lake_at, out, reported

if TYPE_CHECKING:
    from docclean.warehouse.lake import Lake

PublishOption = Annotated[
    str | None,
    typer.Option(
        help="After the run, publish the lake's tables as Delta tables to this object-store prefix "
        "(s3://BUCKET/PREFIX, gs://, abfs://) or folder (see `docclean publish --help`)."
    ),
]


def checked_publish(location: str | None, lake: Lake) -> str | None:
    """`run --publish`, checked before anything runs: exit 2 if docclean cannot publish there."""
    from docclean.flows.publish import publish_target
    from docclean.warehouse.locations import RemoteLocationError

    if location is None:
        return None
    with reported(RemoteLocationError, code=2):
        publish_target(location, lake)
    return location


def publish(
    target: Annotated[
        str,
        typer.Argument(help="Object-store prefix (s3://BUCKET/PREFIX, gs://, abfs://, az://) or folder to publish to."),
    ],
    lake: LakeOption = None,
) -> None:
    """Publish the lake's tables as Delta tables to TARGET, where other hosts read them.

    Each table becomes TARGET/<table>/, a Delta table of the rows docclean's views show:
    `deltalake`, `polars.read_delta`, DuckDB's `delta_scan` (with httpfs) and Spark's Delta reader
    open it without docclean. Only files TARGET lacks are uploaded; each table changes in one
    atomic Delta commit, so readers never see half a publish. Credentials and endpoint come from
    the environment (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, GOOGLE_APPLICATION_CREDENTIALS...).
    `docclean run --publish TARGET` does this after every run.
    """
    from deltalake.exceptions import DeltaError
    from docclean.flows.publish import publish as publish_lake
    from docclean.flows.publish import short_error
    from docclean.warehouse.lake import LakeBusyError
    from docclean.warehouse.locations import RemoteLocationError
    from rich.markup import escape

    source = lake_at(lake)
    if not source.committed_run_ids():
        err.print(f"[red]error:[/] the lake at {source.root} has no runs yet: run `docclean run` first, or pass --lake")
        raise typer.Exit(2)
    with reported(LakeBusyError, RemoteLocationError, code=2), source.writer_lock():
        try:
            published = publish_lake(source, target)
        except (OSError, DeltaError) as exc:
            err.print(
                f"[red]error:[/] publishing to {target} failed: {escape(short_error(exc))}. Check the credentials and "
                "endpoint (AWS_ENDPOINT_URL for MinIO and other S3-compatible stores); publishing again uploads only "
                "what is missing"
            )
            raise typer.Exit(1) from None
    out.print(f"Published to {published.describe()}")
