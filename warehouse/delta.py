"""A Delta Lake log over each table folder, so engines read the current rows without docclean code.

docclean's own protocol (`warehouse.lake`) still decides which files are current: those of
committed runs, after the clean-ups that follow each commit. After a writer has changed them,
`sync_table` makes `<lake>/<table>/_delta_log/` list the same files, in one Delta version per
table that changed (adds and removes; nothing is written when the log already agrees).

The log names each file by a hard link, `<table>/_delta_files/<file stem>.<inode>.parquet`, not
by the file itself: the clean-ups replace files in place (an atomic rename) or delete them, and a
version naming `<table>/<file>` would then read other bytes, or fail, until the next sync (after
a crash, until the next run). A link keeps the bytes a version lists for as long as the latest
version lists them, with no copy; the inode in the name tells a replaced file from the one
linked before it. Links the latest version no longer lists are deleted after its commit (as
`vacuum` with no retention), so only the latest version reads. Folders starting with `_` are
skipped by the table's Parquet globs and by pyarrow, pandas and Spark, so no reader sees a row twice.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.parquet as pq
from docclean.warehouse.crash import crash_point
from docclean.warehouse.lake import Lake, run_id_of
from docclean.warehouse.schemas import TABLES

if TYPE_CHECKING:
    from deltalake.transaction import AddAction, RemoveAction

DELTA_FILES = "_delta_files"  # the hard links the log names, inside each table folder
# os.link's errors on a file system that has no hard links (or refuses them to this user).
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV, errno.ENOSYS})
# `deltalake` (0.1 s to import) is imported where it is used: the batch worker processes import
# this module through the flow's stages and never sync.


@dataclass(frozen=True)
class TableSync:
    """One table's sync: the Delta version it wrote (None: the log already agreed) and the files
    added to and removed from the log."""

    table: str
    version: int | None
    added: int
    removed: int


def current_files(lake: Lake, table: str) -> list[Path]:
    """The table's files docclean's views read: those of committed runs (all of `runs`)."""
    if table == "runs":
        return lake.files(table)
    committed = lake.committed_run_ids()
    return [path for path in lake.files(table) if run_id_of(path) in committed]


def link_name(path: Path) -> str:
    """The log's path (relative to the table folder) for the file now at `path`."""
    return f"{DELTA_FILES}/{path.stem}.{path.stat().st_ino}.parquet"


def sync_table(lake: Lake, table: str) -> TableSync:
    """Make the table's Delta log list exactly its current files; call under the writer lock."""
    from deltalake import DeltaTable

    folder = lake.table_dir(table)
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {link_name(path): path for path in current_files(lake, table)}
    listed = listed_files(str(folder))
    known = listed or {}
    added = [name for name in wanted if name not in known]
    removed = sorted(set(known) - set(wanted))
    version = None
    if added or removed or listed is None:
        for name in added:
            _link(wanted[name], folder / name)
        actions = [*(add_action(folder / name, name) for name in added), *remove_actions(known, removed)]
        new_table(str(folder), table, actions, create=listed is None)
        version = DeltaTable(str(folder)).version()
        crash_point("syncing")
    _prune(folder / DELTA_FILES, keep=set(wanted))
    return TableSync(table, version, len(added), len(removed))


def sync_lake(lake: Lake) -> list[TableSync]:
    """Sync every table's log (one version per changed table); the first error stops it."""
    return [sync_table(lake, table) for table in TABLES]


def listed_files(location: str, options: dict[str, str] | None = None) -> dict[str, int] | None:
    """Path -> size of each file the latest version at `location` lists; None when there is no
    Delta table there yet. `options`: deltalake's storage options."""
    from deltalake import DeltaTable

    if not DeltaTable.is_deltatable(location, storage_options=options):
        return None
    actions = DeltaTable(location, storage_options=options).get_add_actions(flatten=True)
    paths, sizes = actions.column("path").to_pylist(), actions.column("size_bytes").to_pylist()
    return dict(zip(paths, sizes, strict=True))


def _link(source: Path, link: Path) -> None:
    """Hard-link `source` at `link`, replacing a leftover of that name that is another file (a
    copied lake's link can carry an inode number that a copied table file now has).

    Where the file system has no hard links (some network and FUSE mounts), `link` is a copy:
    the same guarantee for twice the bytes of the current files.
    """
    if link.exists() and _same_file(source, link):
        return
    link.parent.mkdir(exist_ok=True)
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        shutil.copy2(source, tmp)  # keeps the mtime `_same_file` compares
    os.replace(tmp, link)


def _same_file(source: Path, link: Path) -> bool:
    """Whether `link` holds `source`: its hard link, or a copy made by `_link` (table files are never
    rewritten in place, so size and mtime tell a copy of this file from a leftover)."""
    if os.path.samefile(source, link):
        return True
    a, b = source.stat(), link.stat()
    return (a.st_size, a.st_mtime_ns) == (b.st_size, b.st_mtime_ns)


def add_action(path: Path, name: str) -> AddAction:
    """The Delta add action naming the file at `path` as `name` (relative to the table folder)."""
    from deltalake.transaction import AddAction

    stat = path.stat()
    stats = json.dumps({"numRecords": pq.ParquetFile(path).metadata.num_rows})
    return AddAction(name, stat.st_size, {}, stat.st_mtime_ns // 1_000_000, True, stats)


def remove_actions(listed: dict[str, int], names: list[str]) -> list[RemoveAction]:
    from deltalake.transaction import RemoveAction

    now = int(time.time() * 1000)
    return [RemoveAction(name, True, now, listed[name]) for name in names]


def new_table(
    location: str,
    table: str,
    actions: list[AddAction | RemoveAction],
    *,
    create: bool,
    options: dict[str, str] | None = None,
) -> None:
    """One Delta version holding `actions` at `location` (the first one creates the table with its schema)."""
    from deltalake import DeltaTable, Schema
    from deltalake.transaction import create_table_with_add_actions

    if create:
        schema = Schema.from_arrow(TABLES[table])
        create_table_with_add_actions(location, schema, actions, mode="error", name=table, storage_options=options)
    else:
        delta = DeltaTable(location, storage_options=options)
        delta.create_write_transaction(actions, mode="append", schema=TABLES[table])


def _prune(links: Path, keep: set[str]) -> None:
    """Delete the links the latest version does not list (superseded, or left by a crashed sync)."""
    if not links.is_dir():
        return
    for path in links.iterdir():
        if f"{DELTA_FILES}/{path.name}" not in keep:
            path.unlink(missing_ok=True)
