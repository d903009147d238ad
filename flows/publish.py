"""Publish: after a run (`run --publish URI`) or on demand (`docclean publish URI`), the lake's
tables as Delta tables on object storage or in another folder (`warehouse.publish`). No Prefect
here: the `publish` command runs without it; the flow's task is `flows.stages.publish`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from docclean.flows.remote import is_remote, remote_path
from docclean.warehouse.lake import Lake
from docclean.warehouse.locations import RemoteLocationError, local_path
from docclean.warehouse.publish import PublishTarget, TablePublish, publish_lake

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# deltalake spells Google Cloud Storage gs:// only.
_DELTA_SCHEMES = {"gcs": "gs"}


@dataclass(frozen=True)
class Published:
    """What a publish did, added up over the tables."""

    location: str
    tables_updated: int
    files_uploaded: int
    bytes_uploaded: int
    files_deleted: int

    @classmethod
    def of(cls, location: str, tables: list[TablePublish]) -> Published:
        return cls(
            location,
            sum(t.committed for t in tables),
            sum(t.uploaded for t in tables),
            sum(t.uploaded_bytes for t in tables),
            sum(t.deleted for t in tables),
        )

    def describe(self) -> str:
        if not self.tables_updated:
            return f"{self.location}: already up to date"
        return (
            f"{self.location}: {self.tables_updated} tables updated, {self.files_uploaded:,} files uploaded "
            f"({self.bytes_uploaded / 2**20:,.1f} MB), {self.files_deleted:,} deleted"
        )


def publish_target(location: str, lake: Lake | None = None) -> PublishTarget:
    """Where `location` (an object-store URI, a `file://` URI or a folder) publishes to.

    Raises RemoteLocationError for other URIs, options in the URI's query (give the endpoint in
    `AWS_ENDPOINT_URL`: the Delta writer reads the environment, not pyarrow's options), and a
    folder inside `lake`.
    """
    if not is_remote(location):
        from pyarrow import fs

        folder = local_path(location, "publish target").resolve()
        if lake is not None and folder.is_relative_to(lake.root):
            raise RemoteLocationError(f"publish target {location}: a folder inside the lake; give one outside it")
        return PublishTarget(str(folder), fs.LocalFileSystem(), str(folder))
    parts = urlsplit(location)
    if parts.query:
        raise RemoteLocationError(
            f"publish target {location}: give the store's endpoint and options in the environment "
            "(AWS_ENDPOINT_URL, AWS_REGION...), not in the URI"
        )
    filesystem, root = remote_path(location)
    _check_reachable(location, filesystem, root)
    scheme = parts.scheme.lower()
    delta_uri = f"{_DELTA_SCHEMES.get(scheme, scheme)}://{parts.netloc}{parts.path}".rstrip("/")
    return PublishTarget(delta_uri, filesystem, root, _storage_options(scheme))


def _check_reachable(location: str, filesystem: object, root: str) -> None:
    """Fail before a run's work, not after its commit: the bucket (container) must be there."""
    from pyarrow import fs

    bucket = root.split("/", 1)[0]
    try:
        info = filesystem.get_file_info(bucket)  # type: ignore[attr-defined]
    except OSError as exc:
        raise RemoteLocationError(f"publish target {location}: cannot reach it ({short_error(exc)})") from None
    if info.type != fs.FileType.Directory:
        raise RemoteLocationError(
            f"publish target {location}: no bucket {bucket!r} there, or these credentials cannot see it: create it, "
            "or check the credentials and endpoint (AWS_ENDPOINT_URL for MinIO and other S3-compatible stores)"
        )


def short_error(exc: BaseException, limit: int = 300) -> str:
    """An error on one line: the object stores' clients nest causes over many lines, in colour."""
    text = " ".join(_ANSI.sub("", str(exc)).replace("↳", " ").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _storage_options(scheme: str) -> dict[str, str] | None:
    """deltalake takes credentials from the environment as pyarrow does; an `http://` endpoint
    (MinIO, a local test server) must be allowed explicitly."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or ""
    if scheme == "s3" and endpoint.startswith("http://"):
        return {"AWS_ALLOW_HTTP": "true"}
    return None


def publish(lake: Lake, location: str) -> Published:
    """Publish `lake` to `location` (call under the lake's writer lock)."""
    return Published.of(location, publish_lake(lake, publish_target(location, lake)))
