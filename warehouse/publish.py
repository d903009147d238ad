"""Publish the lake's tables to object storage (or another folder) as Delta tables that Spark,
polars, pandas and DuckDB read there, on hosts that cannot see the lake's disk.

The target holds `<table>/_delta_files/` (the same immutable files the local Delta logs name,
`warehouse.delta`) and `<table>/_delta_log/`, a log of its own: one version per publish of a table
whose current files changed, written by `deltalake` with the store's atomic put-if-absent, so a
reader sees a table as of one publish or the next, never a mix. In order, per table:

1. upload the current files the target's latest version does not list, under names that carry
   their mtime (`<file stem>.<mtime ns>.parquet`: table files are replaced, never rewritten in
   place, so a replaced file gets a new name, and a copied lake that keeps mtimes is known);
2. commit one version: adds for those, removes for what the lake no longer holds;
3. delete the files that version no longer lists (as the local sync prunes its links).

A crash after 1 leaves unlisted files that the next publish lists again or deletes; a crash
after 2 leaves files 3 would have deleted, which no version lists. Publishing again is always
safe and uploads only what is missing. Each commit is made once, at the version after the one
read: a concurrent writer's version makes it fail (PublishConflict), never lands on top of it.
One lake publishes to a target: a second lake publishing to the same prefix replaces the first
one's files at its next publish, unless it passes the versions it expects (a lake on object
storage, `warehouse.pull`).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docclean.warehouse.crash import crash_point
from docclean.warehouse.delta import DELTA_FILES, add_action, current_files, remove_actions
from docclean.warehouse.lake import Lake
from docclean.warehouse.schemas import TABLES

if TYPE_CHECKING:
    from deltalake import DeltaTable

_UPLOAD_THREADS = 8  # uploads wait on the network; pyarrow's clients release the GIL
_COPY_CHUNK = 8 << 20


@dataclass(frozen=True)
class PublishTarget:
    """Where tables are published: `location` as `deltalake` opens it (an `s3://…` URI or a local
    path), and the same place as a pyarrow filesystem and the path of the root in it."""

    location: str
    filesystem: Any  # pyarrow.fs.FileSystem
    root: str
    storage_options: dict[str, str] | None = None

    def table_location(self, table: str) -> str:
        return f"{self.location.rstrip('/')}/{table}"

    def path(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])


@dataclass(frozen=True)
class TablePublish:
    """One table's publish: the target's version after it, whether this publish wrote it, and the
    files moved."""

    table: str
    version: int
    committed: bool
    uploaded: int
    uploaded_bytes: int
    deleted: int


class PublishConflict(RuntimeError):
    """The target changed while this lake was publishing to it (or since it last pulled from it)."""


def publish_lake(
    lake: Lake, target: PublishTarget, expected: Mapping[str, int | None] | None = None
) -> list[TablePublish]:
    """Publish every table (call under the lake's writer lock, so no run changes it meanwhile).

    With `expected` (table -> the target's version this lake last saw, None: no table yet), a
    target that has moved on since is refused before anything is written (PublishConflict).
    """
    if expected is not None:
        seen = published_versions(target)
        if moved := sorted(t for t in TABLES if seen.get(t) != expected.get(t)):
            raise PublishConflict(
                f"{target.location} changed since this lake last read it ({', '.join(moved)}): another writer"
            )
    # Checked again per table as it is opened: a writer that committed after the check above
    # is caught there (or by the commit itself, which never retries at a later version).
    return [publish_table(lake, target, table, expected) for table in TABLES]


def publish_table(
    lake: Lake, target: PublishTarget, table: str, expected: Mapping[str, int | None] | None = None
) -> TablePublish:
    """Make the target's table list exactly the lake's current files of `table`."""
    wanted = {published_name(path): path for path in current_files(lake, table)}
    location = target.table_location(table)
    delta = open_table(location, target.storage_options)
    if expected is not None and (None if delta is None else delta.version()) != expected.get(table):
        raise PublishConflict(f"{location} changed since this lake last read it: another writer")
    known = files_of(delta)
    missing = [name for name, path in wanted.items() if known.get(name) != path.stat().st_size]
    uploaded_bytes = _upload_all(target, table, [(wanted[name], name) for name in missing])
    crash_point("publishing")
    removed = sorted(set(known) - set(wanted))
    committed = bool(missing or removed or delta is None)
    if committed:
        adds = [add_action(wanted[name], name) for name in missing]
        _commit_once(location, table, [*adds, *remove_actions(known, removed)], delta, target.storage_options)
    deleted = _delete_unlisted(target, table, keep=set(wanted))
    version = 0 if delta is None else delta.version() + committed
    return TablePublish(table, version, committed, len(missing), uploaded_bytes, deleted)


def published_versions(target: PublishTarget) -> dict[str, int | None]:
    """Each table's latest version at the target; None where it has no table yet."""
    versions = {}
    for table in TABLES:
        delta = open_table(target.table_location(table), target.storage_options)
        versions[table] = None if delta is None else delta.version()
    return versions


def open_table(location: str, options: dict[str, str] | None) -> DeltaTable | None:
    from deltalake import DeltaTable

    if not DeltaTable.is_deltatable(location, storage_options=options):
        return None
    return DeltaTable(location, storage_options=options)


def files_of(delta: DeltaTable | None) -> dict[str, int]:
    """Path -> size of each file the table's loaded version lists."""
    if delta is None:
        return {}
    actions = delta.get_add_actions(flatten=True)
    return dict(zip(actions.column("path").to_pylist(), actions.column("size_bytes").to_pylist(), strict=True))


def _commit_once(
    location: str, table: str, actions: list, delta: DeltaTable | None, options: dict[str, str] | None
) -> None:
    """Commit `actions` as the version after the one `delta` loaded (the first version when None),
    or raise PublishConflict: no retry at a later version, whose files this publish never saw."""
    from deltalake import CommitProperties, Schema
    from deltalake.exceptions import CommitFailedError
    from deltalake.transaction import create_table_with_add_actions

    once = CommitProperties(max_commit_retries=0)
    try:
        if delta is None:
            schema = Schema.from_arrow(TABLES[table])
            create_table_with_add_actions(
                location, schema, actions, mode="error", name=table, storage_options=options, commit_properties=once
            )
        else:
            delta.create_write_transaction(actions, mode="append", schema=TABLES[table], commit_properties=once)
    except CommitFailedError as exc:
        raise PublishConflict(f"{location}: another writer committed a version while this one published") from exc


def published_name(path: Path) -> str:
    """The target's path (relative to the table folder) for the lake's file at `path`."""
    return f"{DELTA_FILES}/{path.stem}.{path.stat().st_mtime_ns}.parquet"


def _upload_all(target: PublishTarget, table: str, files: list[tuple[Path, str]]) -> int:
    if not files:
        return 0
    target.filesystem.create_dir(target.path(table, DELTA_FILES), recursive=True)  # once: a request each on S3
    with ThreadPoolExecutor(min(_UPLOAD_THREADS, len(files))) as pool:
        return sum(pool.map(lambda item: _upload(target, item[0], target.path(table, item[1])), files))


def _upload(target: PublishTarget, source: Path, destination: str) -> int:
    """Copy `source` to `destination`, visible only once whole: an object store shows an object
    when its upload completes; on a local file system it is written aside and renamed."""
    from pyarrow import fs

    local = target.filesystem.type_name == "local"
    written = f"{destination}.{uuid.uuid4().hex[:8]}.tmp" if local else destination
    with _removed_on_error(target, written) if local else contextlib.nullcontext():
        # pyarrow's own copy: large buffers, and multipart parts sent on its I/O threads
        fs.copy_files(str(source), written, fs.LocalFileSystem(), target.filesystem, chunk_size=_COPY_CHUNK)
        if local:
            target.filesystem.move(written, destination)
    return source.stat().st_size


@contextlib.contextmanager
def _removed_on_error(target: PublishTarget, path: str) -> Iterator[None]:
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            target.filesystem.delete_file(path)
        raise


def _delete_unlisted(target: PublishTarget, table: str, keep: set[str]) -> int:
    """Delete the target's table files its latest version does not list (and stray temporaries)."""
    from pyarrow import fs

    selector = fs.FileSelector(target.path(table, DELTA_FILES), recursive=False, allow_not_found=True)
    stale = [
        info.path
        for info in target.filesystem.get_file_info(selector)
        if f"{DELTA_FILES}/{os.path.basename(info.path)}" not in keep
    ]
    for path in stale:
        target.filesystem.delete_file(path)
    return len(stale)
