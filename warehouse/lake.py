"""The lake on disk: table folders, atomic writes, run commits, recovery and the writer lock.

Layout under the lake root:

    articles/<run_id>-b<batch>.parquet   removals/…   rejects/…   runs/<run_id>.parquet
    docclean.duckdb                      catalog of views over the Parquet files
    _staging/<run_id>/                   a run's files before commit (outside every table glob)
    .lock                                held by the one process writing to this lake

A run becomes visible by writing its `runs/<run_id>.parquet` last: views only show rows whose
`run_id` is in `runs`, and the next writer deletes table files of runs that never committed.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from docclean.warehouse.crash import crash_point
from docclean.warehouse.locations import local_path
from docclean.warehouse.schemas import TABLES, VERSION_TABLES, WriteMode, tables_written
from docclean.warehouse.writes import write_parquet_atomic

# Document versions: a later run's version of a source replaces these rows (see WRITE_MODES).
DATA_TABLES = tables_written(WriteMode.LATEST_PER_SOURCE)
# Every table whose files belong to one run (uncommitted ones are deleted by recover()).
RUN_TABLES = tuple(table for table in TABLES if table != "runs")
CATALOG_NAME = "docclean.duckdb"


# Lake roots whose write lock this context holds (`Lake.writer_lock`).
_HELD: contextvars.ContextVar[frozenset[Path]] = contextvars.ContextVar("docclean_held_locks", default=frozenset())


class LakeBusyError(RuntimeError):
    """Another docclean process is writing to this lake."""


@dataclass(frozen=True)
class Lake:
    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> Lake:
        return cls(local_path(root, "lake").resolve())

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def staging_dir(self, run_id: str) -> Path:
        return self.root / "_staging" / run_id

    @property
    def catalog_path(self) -> Path:
        return self.root / CATALOG_NAME

    @property
    def location(self) -> str:
        """Where the lake is, for messages (a `RemoteLake` gives its URI)."""
        return str(self.root)

    def files(self, table: str) -> list[Path]:
        folder = self.table_dir(table)
        return sorted(folder.glob("*.parquet")) if folder.is_dir() else []

    def create(self) -> None:
        for table in TABLES:
            self.table_dir(table).mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the lake's write lock, or fail at once with a message naming the holder.

        Re-entrant within one context (not across threads or processes): `docclean run` takes it
        before Prefect starts, and the flow it then calls takes it again without refusing itself.
        """
        if self.root in _HELD.get():
            yield
            return
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / ".lock"
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                raise LakeBusyError(
                    f"another docclean run is writing to {self.root} ({holder}); "
                    "wait for it to finish, or use another --lake"
                ) from exc
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}\n")
            handle.flush()
            token = _HELD.set(_HELD.get() | {self.root})
            try:
                yield
            finally:
                _HELD.reset(token)
                handle.seek(0)
                handle.truncate()
                fcntl.flock(handle, fcntl.LOCK_UN)

    def begin_run(self, run_id: str) -> Path:
        """Ready the lake for a run (under the writer lock): tables made, crashed runs' leftovers
        removed, superseded rows and the counts a reprocess replaced that a crashed cleanup left
        dropped. Returns the run's staging folder."""
        self.create()
        self.recover()
        self.drop_superseded()
        if (recount := self.last_recount()) is not None:  # finish what a crashed reprocess left
            self.drop_summed_before(recount)
        staging = self.staging_dir(run_id)
        staging.mkdir(parents=True)
        return staging

    def committed_run_ids(self) -> set[str]:
        return set(self.read_column("runs", "run_id", committed_only=False))

    def run_order(self) -> dict[str, int]:
        """Committed runs numbered in commit order (finish time, then id)."""
        files = self.files("runs")
        if not files:
            return {}
        data = ds.dataset([str(f) for f in files], format="parquet").to_table(columns=["run_id", "finished_at"])
        ordered = sorted(zip(data["finished_at"].to_pylist(), data["run_id"].to_pylist(), strict=True))
        return {run_id: i for i, (_, run_id) in enumerate(ordered)}

    def read_table(self, table: str, columns: list[str], *, committed_only: bool = True) -> pa.Table:
        """Columns of a table's committed rows (pyarrow only: no DuckDB lock is taken)."""
        files = self.files(table)
        if not files:
            return TABLES[table].empty_table().select(columns)
        wanted = columns if "run_id" in columns or not committed_only else [*columns, "run_id"]
        data = ds.dataset([str(f) for f in files], format="parquet").to_table(columns=wanted)
        if committed_only and table != "runs":
            committed = pa.array(sorted(self.committed_run_ids()), pa.string())
            data = data.filter(pc.is_in(data["run_id"], value_set=committed))
        return data.select(columns)

    def read_column(self, table: str, column: str, *, committed_only: bool = True) -> list:
        return self.read_table(table, [column], committed_only=committed_only)[column].to_pylist()

    def input_file_keys(self) -> pa.Array:
        """`file_key` of every input file a committed run has read (Arrow: compact at 1M files)."""
        data = self.read_table("input_files", ["file_uri", "size_bytes", "mtime_ns"])
        return file_keys(data["file_uri"], data["size_bytes"], data["mtime_ns"])

    def superseded(self) -> set[tuple[str, str]]:
        """(doc_id, run_id) of committed rows replaced by a later run's version of the same source.

        A source (`source_id`) changed since it was loaded, or re-cleaned by `docclean reprocess`,
        has rows in two runs; only the latest run's are current.
        """
        order = self.run_order()
        latest: dict[str, str] = {}
        rows: list[tuple[str, str, str]] = []
        for table in VERSION_TABLES:
            files = self.files(table)
            if not files:
                continue
            data = ds.dataset([str(f) for f in files], format="parquet").to_table(
                columns=["source_id", "doc_id", "run_id"]
            )
            for source_id, doc_id, run_id in zip(*(data[c].to_pylist() for c in data.column_names), strict=True):
                if run_id not in order:
                    continue
                rows.append((source_id, doc_id, run_id))
                if source_id not in latest or order[run_id] > order[latest[source_id]]:
                    latest[source_id] = run_id
        return {(doc_id, run_id) for source_id, doc_id, run_id in rows if run_id != latest[source_id]}

    def drop_superseded(self) -> int:
        """Physically remove superseded rows (views already hide them); returns rows removed.

        Each file is rewritten without those rows (or deleted when none remain), one atomic
        rename at a time; a crash halfway leaves extra rows that views hide and the next run
        removes. The version tables go last: they are what finds the stale rows again after a
        crash, so a removal or source row never outlives its document's old version there.
        """
        stale = self.superseded()
        if not stale:
            return 0
        stale_ids = pa.array(sorted({doc_id for doc_id, _ in stale}), pa.string())
        removed = 0
        for table in sorted(DATA_TABLES, key=lambda name: name in VERSION_TABLES):
            for path in self.files(table):
                ids = pq.read_table(path, columns=["doc_id", "run_id"])
                maybe = pc.is_in(ids["doc_id"], value_set=stale_ids)
                if not pc.any(maybe).as_py():
                    continue
                data = pq.read_table(path)
                keep = [
                    (doc_id, run_id) not in stale
                    for doc_id, run_id in zip(data["doc_id"].to_pylist(), data["run_id"].to_pylist(), strict=True)
                ]
                removed += keep.count(False)
                if any(keep):
                    write_parquet_atomic(
                        data.filter(pa.array(keep)), path, staging=self.root / "_staging" / "rewrite", table=table
                    )
                else:
                    path.unlink()
                crash_point("superseding")
        return removed

    def site_profile_rows(self) -> pa.Table:
        """The current profile of every site: its rows from the latest committed run that saved it."""
        return self.latest_per_site("site_profiles", ["site", "n_docs", "key", "doc_freq", "run_id"])

    def latest_per_site(self, table: str, columns: list[str]) -> pa.Table:
        """A LATEST_PER_SITE table's current rows: per site, those of the latest committed run."""
        data = self.read_table(table, columns)
        return data.filter(_is_latest(data, self._latest_runs(data))) if data.num_rows else data

    def _latest_runs(self, data: pa.Table) -> dict[str, str]:
        """Per site in `data`, the latest committed run among its rows' runs."""
        order = self.run_order()
        pairs = data.select(["site", "run_id"]).group_by(["site", "run_id"]).aggregate([])
        latest: dict[str, str] = {}
        for site, run_id in zip(pairs["site"].to_pylist(), pairs["run_id"].to_pylist(), strict=True):
            if site not in latest or order[run_id] > order[latest[site]]:
                latest[site] = run_id
        return latest

    def drop_stale_site_rows(self) -> None:
        """Remove rows of LATEST_PER_SITE tables a later run replaced (a run writes whole sites)."""
        for table in tables_written(WriteMode.LATEST_PER_SITE):
            latest = self._latest_runs(self.read_table(table, ["site", "run_id"]))
            committed = self.committed_run_ids()
            for path in self.files(table):
                if run_id_of(path) not in committed:
                    continue
                data = pq.read_table(path)
                keep = _is_latest(data, latest)
                if pc.all(keep).as_py():
                    continue
                if pc.any(keep).as_py():
                    rewrite = self.root / "_staging" / "rewrite"
                    write_parquet_atomic(data.filter(keep), path, staging=rewrite, table=table)
                else:
                    path.unlink()

    def drop_summed_before(self, run_id: str) -> None:
        """Remove SUMMED tables' rows of runs committed before `run_id`, which counted everything again."""
        order = self.run_order()
        for table in tables_written(WriteMode.SUMMED):
            for path in self.files(table):
                if order.get(run_id_of(path), -1) < order[run_id]:
                    path.unlink()
                    crash_point("recounting")

    def last_recount(self) -> str | None:
        """The last committed run that counted everything again (a reprocess), or None."""
        runs = self.read_table("runs", ["run_id", "config_json"]).to_pylist()
        recounts = [run["run_id"] for run in runs if json.loads(run["config_json"]).get("reprocess")]
        return max(recounts, key=self.run_order().__getitem__) if recounts else None

    def recover(self) -> list[Path]:
        """Delete what crashed runs left: uncommitted table files and old staging folders."""
        committed = self.committed_run_ids()
        removed: list[Path] = []
        for table in RUN_TABLES:
            for path in self.files(table):
                if run_id_of(path) not in committed:
                    path.unlink(missing_ok=True)
                    removed.append(path)
        staging = self.root / "_staging"
        if staging.is_dir():
            for leftover in staging.iterdir():
                shutil.rmtree(leftover, ignore_errors=True)
                removed.append(leftover)
        return removed

    def commit_target(self, table: str, run_id: str, staged: Path) -> Path:
        """Where `commit` moves a run's staged file of `table`."""
        return self.table_dir(table) / f"{run_id}-{staged.name}"

    def not_yet_moved(self, table: str, run_id: str, staged: list[Path]) -> list[Path]:
        """The staged files an earlier attempt of this commit (retried after an I/O error) did not
        move yet; those it moved are in the table already, invisible until the `runs` row."""
        return [path for path in staged if path.exists() or not self.commit_target(table, run_id, path).exists()]

    def commit(self, run_id: str, staged: dict[str, list[Path]], runs_row: pa.Table) -> None:
        """Move a run's staged files into place, then write its `runs` row: the commit point.

        Safe to retry after an error part-way (a full disk): files already moved stay moved.
        """
        for table, paths in staged.items():
            self.table_dir(table).mkdir(parents=True, exist_ok=True)
            for path in self.not_yet_moved(table, run_id, paths):
                os.replace(path, self.commit_target(table, run_id, path))
                crash_point("committing")
        runs_file = self.table_dir("runs") / f"{run_id}.parquet"
        write_parquet_atomic(runs_row, runs_file, staging=self.staging_dir(run_id), table="runs")
        shutil.rmtree(self.staging_dir(run_id), ignore_errors=True)


def file_keys(uris: pa.Array, sizes: pa.Array, mtimes: pa.Array) -> pa.Array:
    """One string per file, equal when path, size and modification time all are."""
    return pc.binary_join_element_wise(uris, pc.cast(sizes, pa.string()), pc.cast(mtimes, pa.string()), "\0")


def _is_latest(data: pa.Table, latest: dict[str, str]) -> pa.ChunkedArray:
    """Per row of `data`, whether its `run_id` is `latest[site]` (its site's latest run)."""
    runs = pa.array(list(latest.values()), pa.string())
    wanted = pc.take(runs, pc.index_in(data["site"], value_set=pa.array(list(latest), pa.string())))
    return pc.fill_null(pc.equal(data["run_id"], wanted), False)


def run_id_of(path: Path) -> str:
    """The run a table file belongs to, from its name `<run_id>-b<batch>.parquet`."""
    return path.stem.rsplit("-b", 1)[0]


def rows_to_table(rows: list[dict], table: str) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=TABLES[table])
