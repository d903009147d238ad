"""Publish: after a run (`run --publish URI`) or on demand (`docclean publish URI`), the lake's
tables as Delta tables on object storage or in another folder (`warehouse.publish`); and a lake
on object storage (`--lake s3://…`), worked on through a local copy pulled from those tables
(`warehouse.pull`). No Prefect here: the flow's task is `flows.stages.publish`."""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from docclean.flows.remote import is_remote, remote_path
from docclean.warehouse.lake import Lake
from docclean.warehouse.locations import RemoteLocationError, local_path
from docclean.warehouse.publish import PublishTarget, TablePublish, publish_lake
from docclean.warehouse.pull import last_versions, pull_lake, record_versions

CACHE_ENV = "DOCCLEAN_CACHE"  # where local copies of lakes on object storage live
NO_CACHE = "none"  # DOCCLEAN_CACHE=none: each process's copies are temporary folders
_temporary_copies: dict[str, Path] = {}
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


def publish_target(location: str, lake: Lake | None = None, what: str = "publish target") -> PublishTarget:
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
            f"{what} {location}: give the store's endpoint and options in the environment "
            "(AWS_ENDPOINT_URL, AWS_REGION...), not in the URI"
        )
    filesystem, root = remote_path(location)
    _check_reachable(location, filesystem, root, what)
    scheme = parts.scheme.lower()
    delta_uri = f"{_DELTA_SCHEMES.get(scheme, scheme)}://{parts.netloc}{parts.path}".rstrip("/")
    return PublishTarget(delta_uri, filesystem, root, _storage_options(scheme))


def _check_reachable(location: str, filesystem: object, root: str, what: str) -> None:
    """Fail before a run's work, not after its commit: the bucket (container) must be there."""
    from pyarrow import ArrowException, fs

    bucket = root.split("/", 1)[0]
    try:
        info = filesystem.get_file_info(bucket)  # type: ignore[attr-defined]
    except (OSError, ArrowException) as exc:  # Google's client raises a bare ArrowException
        raise RemoteLocationError(f"{what} {location}: cannot reach it ({short_error(exc)})") from None
    if info.type != fs.FileType.Directory:
        raise RemoteLocationError(
            f"{what} {location}: no bucket {bucket!r} there, or these credentials cannot see it: create it, "
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


def copy_root(uri: str) -> Path:
    """Where the local copy of the lake at `uri` lives: `$DOCCLEAN_CACHE/lakes/<hash>` (default
    `~/.cache/docclean`). It can be deleted at any time; the next command pulls it again. With
    `DOCCLEAN_CACHE=none`, a temporary folder this process deletes when it exits (every command
    then pulls the whole lake: nothing is kept on local disk between commands)."""
    key = uri.rstrip("/")
    base = os.environ.get(CACHE_ENV)
    if base and base.strip().lower() == NO_CACHE:
        if key not in _temporary_copies:
            if not _temporary_copies:
                atexit.register(remove_temporary_copies)
            _temporary_copies[key] = Path(tempfile.mkdtemp(prefix="docclean-lake-"))
        return _temporary_copies[key]
    folder = Path(base or Path.home() / ".cache" / "docclean").expanduser()
    return folder / "lakes" / hashlib.sha256(key.encode()).hexdigest()[:16]


def remove_temporary_copies() -> None:
    """Delete this process's temporary copies (`DOCCLEAN_CACHE=none`); run at exit."""
    while _temporary_copies:
        shutil.rmtree(_temporary_copies.popitem()[1], ignore_errors=True)


def working_copy(uri: str) -> Lake:
    """The local copy of the lake on object storage at `uri`, pulled to match it (`warehouse.pull`)."""
    target = publish_target(uri, what="lake")
    lake = Lake.at(copy_root(uri))
    lake.root.mkdir(parents=True, exist_ok=True)
    with lake.writer_lock():
        pull_lake(lake, target)
    return lake


def publish_copy(lake: Lake, uri: str) -> Published:
    """Publish a run committed in the local copy back to its lake at `uri`: refused if another
    writer published there since the copy last matched it (`PublishConflict`)."""
    target = publish_target(uri, what="lake")
    tables = publish_lake(lake, target, expected=last_versions(lake, target) or {})
    record_versions(lake, target, {t.table: t.version for t in tables})
    return Published.of(uri, tables)
