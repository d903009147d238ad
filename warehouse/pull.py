"""A lake on object storage (`--lake s3://bucket/lake`): the Delta tables `warehouse.publish`
writes there, worked on through a local copy that is a plain docclean lake.

Before each command the copy is made to match the target (`pull_lake`): every table's files
the target's latest version lists are downloaded (their names carry their mtime, which the copy
gets back), and the copy's files it does not list are deleted. Runs then commit to the copy as
to any lake, and publish to the target with the versions last pulled as the expected ones, so a
writer on another host that published meanwhile is never overwritten (`PublishConflict`).

`<copy>/remote.json` records the target and the versions the copy last matched; when the
target has not moved since, a pull downloads nothing and keeps what the copy committed after
(a run whose publish failed is published by the next). When it has moved, the copy takes the
target's state: runs committed here but never published are dropped, and their inputs, no
longer in `input_files`, are read again by the next run. Nothing is lost or doubled.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from docclean.warehouse.catalog import build_catalog
from docclean.warehouse.lake import Lake
from docclean.warehouse.publish import (
    PublishConflict,
    PublishTarget,
    files_of,
    open_table,
    published_versions,
)
from docclean.warehouse.schemas import TABLES

STATE_FILE = "remote.json"
_PUBLISHED = re.compile(r"^_delta_files/(?P<stem>[^/]+)\.(?P<mtime>\d+)\.parquet$")
_DOWNLOAD_THREADS = 8


@dataclass(frozen=True)
class Pulled:
    """What a pull did: whether the target had moved, and the files it changed in the copy."""

    moved: bool
    downloaded: int
    deleted: int


def pull_lake(lake: Lake, target: PublishTarget) -> Pulled:
    """Make `lake` (the local copy, under its writer lock) match the target's latest versions."""
    versions = published_versions(target)
    if last_versions(lake, target) == versions:
        return Pulled(False, 0, 0)
    lake.create()
    downloaded = deleted = 0
    for table in TABLES:
        got, dropped = _pull_table(lake, target, table)
        downloaded, deleted = downloaded + got, deleted + dropped
    build_catalog(lake)
    record_versions(lake, target, versions)
    return Pulled(True, downloaded, deleted)


def last_versions(lake: Lake, target: PublishTarget) -> dict[str, int | None] | None:
    """The target's versions the copy last matched (pulled or published); None if it never did."""
    try:
        state = json.loads((lake.root / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("target") != target.location:
        return None
    return state.get("versions")


def record_versions(lake: Lake, target: PublishTarget, versions: dict[str, int | None]) -> None:
    """Remember that the copy matches the target at `versions` (written aside, then renamed)."""
    path = lake.root / STATE_FILE
    tmp = path.with_name(f".{STATE_FILE}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps({"target": target.location, "versions": versions}, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _pull_table(lake: Lake, target: PublishTarget, table: str) -> tuple[int, int]:
    """Download the table's listed files the copy lacks, delete the copy's others."""
    location = target.table_location(table)
    wanted = {}  # the copy's file name -> (the target's path, size, mtime in ns)
    for name, size in files_of(open_table(location, target.storage_options)).items():
        match = _PUBLISHED.match(name)
        if match is None:
            raise PublishConflict(f"{location} lists {name}: not a table docclean published; give another prefix")
        wanted[f"{match['stem']}.parquet"] = (name, size, int(match["mtime"]))
    folder = lake.table_dir(table)
    stale = [p for p in folder.glob("*.parquet") if _signature(p) != wanted.get(p.name, (None,))[1:]]
    for path in stale:
        path.unlink()
    have = {p.name for p in folder.glob("*.parquet")}
    missing = [(name, *wanted[name]) for name in wanted if name not in have]
    if missing:
        aside = lake.root / "_staging" / "pull"  # outside every table folder, as all of the lake's writes
        aside.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(min(_DOWNLOAD_THREADS, len(missing))) as pool:
            list(pool.map(lambda item: _download(target, table, folder, aside, *item), missing))
    return len(missing), len(stale)


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _download(
    target: PublishTarget, table: str, folder: Path, aside: Path, name: str, remote: str, size: int, mtime: int
) -> None:
    """Download one file aside, give it its published mtime, then rename it into the table (a
    torn download is a size the next pull sees differ, and fetches again)."""
    from pyarrow import fs

    tmp = aside / f"{table}-{name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        fs.copy_files(target.path(table, remote), str(tmp), target.filesystem, fs.LocalFileSystem())
        if tmp.stat().st_size != size:
            raise OSError(f"{target.path(table, remote)}: {tmp.stat().st_size} bytes read, the log says {size}")
        os.utime(tmp, ns=(mtime, mtime))
        os.replace(tmp, folder / name)
    finally:
        tmp.unlink(missing_ok=True)
