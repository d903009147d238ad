"""Where an input or a lake lives: a local path or an object-store URI, never a URI taken for a path.

`s3://crawl/` handed to `pathlib.Path` becomes the relative folder `s3:/crawl`: a run would
create it, find nothing, and exit 0. So every location a user gives goes through `local_path`
(lakes) or `input_location` (inputs), which turn `file://` URIs into paths, keep the object-store
URIs inputs may be, and refuse other schemes with what to do instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

# A scheme of two or more characters, so a Windows drive ("C:/data") is still a path.
_URI = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]+)://")
# Object stores inputs are read from (`flows.remote`, through pyarrow's filesystems).
REMOTE_INPUT_SCHEMES = frozenset({"s3", "gs", "gcs", "abfs", "abfss", "az"})


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


def input_location(location: str | os.PathLike[str]) -> str:
    """An input as docclean reads it: an object-store URI unchanged, anything else a local path.

    Raises RemoteLocationError for a URI of another kind (http://, ftp://...).
    """
    text = os.fspath(location)
    if uri_scheme(text) in REMOTE_INPUT_SCHEMES:
        return text
    return str(local_path(text, "input"))


def _remote_message(text: str, scheme: str, what: str) -> str:
    if scheme == "file":
        return f"{what} {text}: a file:// URI on another host; give a local path"
    if what == "lake" and scheme in REMOTE_INPUT_SCHEMES:
        return (
            f"lake {text}: a lake on object storage is worked on through a local copy: the commands take it as "
            f"`--lake {text}` (Python: `docclean.run(lake=...)`), `Lake.at` takes the copy's folder"
        )
    stores = ", ".join(f"{s}://" for s in sorted(REMOTE_INPUT_SCHEMES))
    if what == "publish target":
        return f"{what} {text}: {scheme}:// URIs are not supported; publish to a folder or to {stores}"
    return (
        f"{what} {text}: {scheme}:// URIs are not supported, docclean reads inputs from local paths and {stores} "
        "URIs: copy or mount it (e.g. `wget`, an rclone mount) and pass that folder"
    )
