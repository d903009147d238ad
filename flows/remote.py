"""Inputs on object storage (`s3://`, `gs://`, `abfs://`, `az://`), listed and read through
pyarrow's filesystems.

pyarrow is a dependency already and its wheels carry S3, GCS and Azure clients (C++, with the
SDKs' own retries), so no fsspec plugin is needed. Credentials and endpoints come from where each
SDK looks: `AWS_ACCESS_KEY_ID`/`AWS_PROFILE`/instance roles, `AWS_ENDPOINT_URL` for an
S3-compatible server (MinIO, Ceph), `GOOGLE_APPLICATION_CREDENTIALS`, Azure's environment; options
pyarrow accepts in the URI's query (`?endpoint_override=host:9000&scheme=http`) work too.

An input's identity is its URI with the key percent-encoded, as `Path.as_uri()` spells a local
file's, so the same object always gets the same `source_uri` and document ids.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from docclean.warehouse.locations import REMOTE_INPUT_SCHEMES, RemoteLocationError, uri_scheme

# Each refill of a remote file's buffer is one ranged GET: large enough to keep requests few.
READ_BUFFER = 8 << 20
RETRY_ENV = "DOCCLEAN_STORE_RETRY_SECONDS"  # how long a store that does not answer is retried


@dataclass(frozen=True, slots=True)
class RemoteObject:
    uri: str
    size: int | None
    mtime_ns: int | None


def is_remote(location: str) -> bool:
    """Whether `location` is an object-store URI (not a local path or `file://` URI)."""
    return uri_scheme(location) in REMOTE_INPUT_SCHEMES


def remote_path(uri: str) -> tuple[object, str]:
    """pyarrow's filesystem for `uri` (one per bucket and options, cached) and the path in it."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    filesystem, base = _filesystem(scheme, parts.netloc, parts.query)
    return filesystem, base + unquote(parts.path).rstrip("/")


def _filesystem(scheme: str, netloc: str, query: str) -> tuple[object, str]:
    if scheme in ("gs", "gcs") and "retry_limit_seconds" not in query:
        # Google's client retries for 15 minutes by default: without credentials or network a
        # run would hang instead of saying what is wrong.
        limit = os.environ.get(RETRY_ENV, "30")
        query = f"{query}&retry_limit_seconds={limit}" if query else f"retry_limit_seconds={limit}"
    return _cached_filesystem(scheme, netloc, query)


def forget_filesystems() -> None:
    """Drop the cached clients: the next use reads the environment (endpoint, credentials) again."""
    _cached_filesystem.cache_clear()


@functools.lru_cache(maxsize=64)
def _cached_filesystem(scheme: str, netloc: str, query: str) -> tuple[object, str]:
    from pyarrow import fs

    if scheme == "az":  # adlfs' spelling: az://container/path, the account from the environment
        account = os.environ.get("AZURE_STORAGE_ACCOUNT_NAME")
        if not account:
            raise RemoteLocationError(
                f"az://{netloc}: set AZURE_STORAGE_ACCOUNT_NAME, or write abfs://{netloc}@ACCOUNT.dfs.core.windows.net/"
            )
        return fs.AzureFileSystem(account_name=account), netloc
    try:
        filesystem, path = fs.FileSystem.from_uri(urlunsplit((scheme, netloc, "/", query, "")))
    except (ValueError, OSError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise RemoteLocationError(f"{scheme}://{netloc}/: {exc}") from None
    return filesystem, path.rstrip("/")


def object_uri(scheme: str, netloc: str, base: str, path: str, query: str = "") -> str:
    """The URI of the object at filesystem `path` (`base` is the bucket's or container's path)."""
    key = path[len(base) :].lstrip("/")
    return urlunsplit((scheme, netloc, quote("/" + key), query, ""))


def list_objects(uri: str) -> list[RemoteObject] | None:
    """The objects at `uri`: itself if it is one, else every object under it (hidden names skipped,
    as in local folders), sorted; None when nothing is there.

    Raises RemoteLocationError when the store cannot be listed (credentials, network, no bucket).
    """
    from pyarrow import fs

    filesystem, path = remote_path(uri)
    parts = urlsplit(uri)
    scheme, netloc, query = parts.scheme.lower(), parts.netloc, parts.query
    base = _filesystem(scheme, netloc, query)[1]
    try:
        info = filesystem.get_file_info(path)
        if info.type == fs.FileType.File:
            return [RemoteObject(object_uri(scheme, netloc, base, info.path, query), info.size, info.mtime_ns)]
        if info.type != fs.FileType.Directory:
            return None
        listed = filesystem.get_file_info(fs.FileSelector(path, recursive=True, allow_not_found=True))
    except OSError as exc:
        raise RemoteLocationError(f"input {uri}: cannot list it ({exc}); check the credentials and the URI") from None
    objects = [
        RemoteObject(object_uri(scheme, netloc, base, item.path, query), item.size, item.mtime_ns)
        for item in listed
        if item.type == fs.FileType.File and not _hidden(item.path[len(path) :])
    ]
    return sorted(objects, key=lambda o: o.uri)


def _hidden(relative: str) -> bool:
    return any(part.startswith(".") for part in relative.split("/") if part)


def open_remote(uri: str, *, whole: bool = False) -> BinaryIO:
    """A buffered, seekable reader of the object at `uri` (or, with `whole`, a plain stream: one
    GET, no size lookup first, for files read once from start to end)."""
    filesystem, path = remote_path(uri)
    if whole:
        return filesystem.open_input_stream(path, compression=None)  # type: ignore[attr-defined]
    return io.BufferedReader(filesystem.open_input_file(path), READ_BUFFER)  # type: ignore[attr-defined]
