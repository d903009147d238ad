"""What a write error means for a lake's folder, said as what to do."""

from __future__ import annotations

import errno
from pathlib import Path

# What an OSError (or DuckDB's IOException, which carries only text) means for a lake's folder.
_FULL = ({errno.ENOSPC, errno.EDQUOT}, ("No space left on device", "Disk quota exceeded"))
_READ_ONLY = ({errno.EROFS, errno.EACCES, errno.EPERM}, ("Read-only file system", "Permission denied"))


def cannot_write(exc: BaseException, root: Path) -> str | None:
    """One line saying what to do when `exc` means `root` cannot be written (disk full, read-only
    folder or file system, no permission); None for any other error."""
    code, text = getattr(exc, "errno", None), str(exc).splitlines()[0] if str(exc) else ""
    if code in _FULL[0] or any(marker in text for marker in _FULL[1]):
        return f"the disk holding {root} is full ({text}): free some space and try again"
    if code in _READ_ONLY[0] or any(marker in text for marker in _READ_ONLY[1]):
        return (
            f"{root} cannot be written ({text}): make it writable, or work on a writable copy "
            "(`cp -r` it and pass --lake COPY)"
        )
    return None
