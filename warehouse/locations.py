"""Where an input or a lake lives: a local path, and never a URI taken for one.

`s3://crawl/` handed to `pathlib.Path` becomes the relative folder `s3:/crawl`: a run would
create it, find nothing, and exit 0. So every location a user gives goes through `local_path`,
which turns `file://` URIs into paths and refuses other schemes with what to do instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

# A scheme of two or more characters, so a Windows drive ("C:/data") is still a path.
_URI = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]+)://")


class RemoteLocationError(ValueError):
    """A URI docclean cannot read or write yet (object storage, HTTP...)."""


def uri_scheme(location: str | os.PathLike[str]) -> str | None:
    """The URI scheme of `location` (lower case), or None for a plain path.

    >>> uri_scheme("s3://bucket/lake"), uri_scheme("data/s3:x"), uri_scheme("C:/data")
    ('s3', None, None)
    """
    match = _URI.match(os.fspath(location))
    return match["scheme"].lower() if match else None


def local_path(location: str | os.PathLike[str], what: str = "location") -> Path:
    """`location` as a local path (`~` expanded, not resolved); `file://` URIs accepted.

    Raises RemoteLocationError for any other URI, naming `what` it was ("input", "lake").
    """
    text = os.fspath(location)
    scheme = uri_scheme(text)
    if scheme is None:
        return Path(text).expanduser()
    parts = urlsplit(text)
    if scheme == "file" and parts.netloc in ("", "localhost"):
        return Path(url2pathname(parts.path))
    raise RemoteLocationError(_remote_message(text, scheme, what))


def _remote_message(text: str, scheme: str, what: str) -> str:
    if scheme == "file":
        return f"{what} {text}: a file:// URI on another host; give a local path"
    return (
        f"{what} {text}: {scheme}:// URIs are not supported yet, docclean reads inputs and writes "
        "lakes on local paths only: copy or mount it (e.g. `aws s3 sync`, `gcloud storage rsync`, an s3fs or "
        "rclone mount) and pass that folder"
    )
