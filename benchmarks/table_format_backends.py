"""The three table formats `table_formats.py` compares, behind one small interface.

* `DeltaFormat`: Delta Lake through the `deltalake` package (delta-rs); S3 commits use its
  conditional put (no lock service).
* `DuckLakeFormat`: DuckLake 1.5.5 (`duckdb-extension-ducklake`) with a DuckDB-file catalog;
  data files on the local disk or on S3 through `duckdb-extension-httpfs`.
* `DoccleanFormat`: docclean's own protocol. Locally it is the real `warehouse.lake.Lake`
  (staging, rename, `runs/<run_id>.parquet` last, superseded rows dropped after the commit, the
  `fcntl` writer lock). On S3 a minimal port: files written in place, then the runs row with a
  conditional PUT (`If-None-Match: *`), and the same recovery (delete files of runs with no row);
  no lock, as object storage has no `fcntl`: what two writers then do is measured.

Every format exposes the same operations on an `articles` table (warehouse/schemas.py's schema):
append a run, replace some sources' rows (a later run's new versions), leave a crashed run's
files behind, commit F already-written files at once, time travel, roll back a bad run.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from docclean.warehouse.lake import Lake, write_parquet_atomic
from docclean.warehouse.schemas import ARTICLES, RUNS

ACCESS = {"key": "bench", "secret": "bench", "region": "us-east-1"}


@dataclass(frozen=True)
class Store:
    """Where tables live: a local folder, or `s3://bucket/prefix` on an S3-compatible endpoint."""

    root: str
    endpoint: str | None = None  # http://127.0.0.1:PORT for the local S3 server

    @property
    def is_s3(self) -> bool:
        return self.root.startswith("s3://")

    def uri(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])

    def delta_options(self) -> dict[str, str] | None:
        if not self.is_s3:
            return None
        return {
            "AWS_ENDPOINT_URL": str(self.endpoint),
            "AWS_ACCESS_KEY_ID": ACCESS["key"],
            "AWS_SECRET_ACCESS_KEY": ACCESS["secret"],
            "AWS_REGION": ACCESS["region"],
            "AWS_ALLOW_HTTP": "true",
        }

    def arrow_fs(self) -> tuple[pafs.FileSystem, str]:
        """A pyarrow filesystem and the root path inside it."""
        if not self.is_s3:
            return pafs.LocalFileSystem(), self.root
        host = str(self.endpoint).split("://", 1)[1]
        fs = pafs.S3FileSystem(
            access_key=ACCESS["key"],
            secret_key=ACCESS["secret"],
            region=ACCESS["region"],
            endpoint_override=host,
            scheme="http",
            allow_bucket_creation=True,
        )
        return fs, self.root.removeprefix("s3://")

    def boto(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS["key"],
            aws_secret_access_key=ACCESS["secret"],
            region_name=ACCESS["region"],
        )


def extension_path(package: str, name: str) -> str:
    """A DuckDB extension shipped in a `duckdb-extension-*` wheel for this DuckDB version."""
    folder = resources.files(package).joinpath("extensions", f"v{duckdb.__version__}")
    return str(Path(str(folder)) / f"{name}.duckdb_extension")


def duckdb_connect(store: Store | None = None, *extensions: str) -> duckdb.DuckDBPyConnection:
    """An offline DuckDB connection with the packaged extensions loaded (and an S3 secret)."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for name in ("httpfs", *extensions):
        con.execute(f"LOAD '{extension_path(f'duckdb_extension_{name}', name)}'")
    if store is not None and store.is_s3:
        host = str(store.endpoint).split("://", 1)[1]
        con.execute(
            f"CREATE SECRET bench (TYPE s3, KEY_ID '{ACCESS['key']}', SECRET '{ACCESS['secret']}', "
            f"REGION '{ACCESS['region']}', ENDPOINT '{host}', USE_SSL false, URL_STYLE 'path')"
        )
    return con


def write_files(store: Store, folder: str, data: pa.Table, n_files: int, prefix: str) -> list[str]:
    """`data` split into `n_files` Parquet files under `folder` (a path inside the store's fs)."""
    fs, _ = store.arrow_fs()
    fs.create_dir(folder, recursive=True)
    step = -(-data.num_rows // n_files)
    paths = []
    for i in range(n_files):
        path = f"{folder}/{prefix}{i:05d}.parquet"
        pq.write_table(data.slice(i * step, step), path, filesystem=fs, compression="zstd")
        paths.append(path)
    return paths


@dataclass
class DeltaFormat:
    store: Store
    name: str = "Delta Lake"

    @property
    def uri(self) -> str:
        return self.store.uri("articles")

    def create(self) -> None:
        from deltalake import DeltaTable

        DeltaTable.create(self.uri, schema=ARTICLES, storage_options=self.store.delta_options())

    def table(self, version: int | None = None):
        from deltalake import DeltaTable

        return DeltaTable(self.uri, version=version, storage_options=self.store.delta_options())

    def append(self, data: pa.Table, run_id: str) -> None:
        from deltalake import write_deltalake

        write_deltalake(self.uri, data, mode="append", storage_options=self.store.delta_options())

    def replace(self, data: pa.Table, run_id: str) -> None:
        """New versions of the sources in `data`: one MERGE, one commit."""
        merger = self.table().merge(data, "t.source_id = s.source_id", source_alias="s", target_alias="t")
        merger.when_matched_update_all().when_not_matched_insert_all().execute()

    def crash(self, data: pa.Table, run_id: str) -> None:
        """A writer died after writing its data file, before its log entry."""
        write_files(self.store, self.store.arrow_fs()[1] + "/articles", data, 1, f"part-{run_id}-")

    def commit_files(self, data: pa.Table, n_files: int) -> float:
        """Files written beforehand (workers), then one commit adding them all; returns its seconds."""
        from deltalake.transaction import AddAction

        fs, root = self.store.arrow_fs()
        paths = write_files(self.store, f"{root}/articles", data, n_files, f"staged-{uuid.uuid4().hex[:8]}-")
        now = int(time.time() * 1000)
        actions = []
        for path in paths:
            size = fs.get_file_info(path).size
            rows = pq.ParquetFile(fs.open_input_file(path)).metadata.num_rows
            actions.append(AddAction(path.rsplit("/", 1)[1], size, {}, now, True, json.dumps({"numRecords": rows})))
        start = time.perf_counter()
        self.table().create_write_transaction(actions, mode="append", schema=ARTICLES)
        return time.perf_counter() - start

    def version(self) -> int:
        return self.table().version()

    def doc_ids_at(self, version: int) -> pa.Array:
        return self.table(version).to_pyarrow_table(columns=["doc_id"])["doc_id"]

    def rollback(self, run_id: str, version_before: int) -> None:
        self.table().restore(version_before)

    def raw_folder(self) -> str:
        return self.store.uri("articles")

    def readers(self) -> dict[str, tuple[str, object]]:
        """Per engine: how it reads the table without docclean code, and a callable giving doc_ids."""
        import polars as pl

        def duck() -> pa.Array:
            con = duckdb_connect(self.store, "delta")
            return con.sql(f"SELECT doc_id FROM delta_scan('{self.uri}')").to_arrow_table()["doc_id"]

        return {
            "pandas": (
                "deltalake `DeltaTable(p).to_pandas()`",
                lambda: pa.array(self.table().to_pandas(columns=["doc_id"])["doc_id"]),
            ),
            "polars": ("`pl.read_delta(p)`", lambda: pl.read_delta(self.uri, columns=["doc_id"])["doc_id"].to_arrow()),
            "duckdb": ("`delta_scan(p)` (duckdb-extension-delta)", duck),
        }


@dataclass
class DuckLakeFormat:
    store: Store
    catalog: Path
    name: str = "DuckLake"
    con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    def connect(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            self.con = duckdb_connect(self.store, "ducklake")
            data_path = self.store.uri("ducklake") + "/"
            self.con.execute(f"ATTACH 'ducklake:{self.catalog}' AS lk (DATA_PATH '{data_path}')")
        return self.con

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def create(self) -> None:
        """A new, empty table (a catalog left by an earlier benchmark run is deleted first)."""
        self.close()
        for leftover in (self.catalog, self.catalog.with_name(self.catalog.name + ".wal")):
            leftover.unlink(missing_ok=True)
        con = self.connect()
        empty = ARTICLES.empty_table()  # noqa: F841 (read by DuckDB's replacement scan)
        con.execute("CREATE TABLE lk.articles AS SELECT * FROM empty")

    def append(self, data: pa.Table, run_id: str) -> None:
        con = self.connect()
        con.register("batch", data)
        con.execute("INSERT INTO lk.articles SELECT * FROM batch")
        con.unregister("batch")

    def replace(self, data: pa.Table, run_id: str) -> None:
        """DELETE the sources' old rows and INSERT the new ones in one transaction (one snapshot)."""
        con = self.connect()
        con.register("batch", data)
        con.execute("BEGIN")
        con.execute("DELETE FROM lk.articles WHERE source_id IN (SELECT source_id FROM batch)")
        con.execute("INSERT INTO lk.articles SELECT * FROM batch")
        con.execute("COMMIT")
        con.unregister("batch")

    def crash(self, data: pa.Table, run_id: str) -> None:
        """A writer died after writing its data file, before the catalog commit."""
        folder = self.store.arrow_fs()[1] + "/ducklake/main/articles"
        write_files(self.store, folder, data, 1, f"ducklake-{run_id}-")

    def commit_files(self, data: pa.Table, n_files: int) -> float:
        """Files written beforehand, then one transaction registering them (ducklake_add_data_files)."""
        _fs, root = self.store.arrow_fs()
        paths = write_files(self.store, f"{root}/staged", data, n_files, f"staged-{uuid.uuid4().hex[:8]}-")
        uris = [f"s3://{p}" if self.store.is_s3 else p for p in paths]
        con = self.connect()
        start = time.perf_counter()
        con.execute("BEGIN")
        for uri in uris:
            con.execute("CALL ducklake_add_data_files('lk', 'articles', ?)", [uri])
        con.execute("COMMIT")
        return time.perf_counter() - start

    def version(self) -> int:
        return self.connect().sql("SELECT max(snapshot_id) FROM ducklake_snapshots('lk')").fetchall()[0][0]

    def doc_ids_at(self, version: int) -> pa.Array:
        sql = f"SELECT doc_id FROM lk.articles AT (VERSION => {int(version)})"
        return self.connect().sql(sql).to_arrow_table()["doc_id"]

    def rollback(self, run_id: str, version_before: int) -> None:
        """Delete the bad run's rows and bring back the rows it replaced, from the snapshot before it."""
        con = self.connect()
        con.execute("BEGIN")
        con.execute("DELETE FROM lk.articles WHERE run_id = ?", [run_id])
        con.execute(
            f"INSERT INTO lk.articles SELECT * FROM lk.articles AT (VERSION => {int(version_before)}) "
            "WHERE doc_id NOT IN (SELECT doc_id FROM lk.articles)"
        )
        con.execute("COMMIT")

    def raw_folder(self) -> str:
        return self.store.uri("ducklake", "main", "articles")

    def readers(self) -> dict[str, tuple[str, object]]:
        def duck() -> pa.Array:
            return self.connect().sql("SELECT doc_id FROM lk.articles").to_arrow_table()["doc_id"]

        return {"duckdb": ("`ATTACH 'ducklake:cat'` (duckdb-extension-ducklake)", duck)}


def runs_row(run_id: str, n_articles: int) -> pa.Table:
    now = datetime.now()
    row = {name: 0 for name in RUNS.names if RUNS.field(name).type == pa.int64()}
    row.update(
        run_id=run_id,
        flow_run_id=None,
        started_at=now,
        finished_at=now,
        inputs=[],
        config_json="{}",
        config_fingerprint="",
        ruleset_version="bench",
        ruleset_fingerprint="",
        docclean_version="bench",
        summary_json="{}",
        n_articles=n_articles,
    )
    return pa.Table.from_pylist([row], schema=RUNS)


@dataclass
class DoccleanFormat:
    """Locally the real Lake; on S3 a minimal port of the same protocol (see the module doc)."""

    store: Store
    name: str = "docclean protocol"

    @property
    def lake(self) -> Lake:
        return Lake(Path(self.store.root))

    def create(self) -> None:
        if not self.store.is_s3:
            self.lake.create()

    def append(self, data: pa.Table, run_id: str, n_files: int = 1) -> None:
        if self.store.is_s3:
            self.s3_begin()
            self.s3_write(data, run_id, n_files)
            self.s3_commit(run_id, data.num_rows)
            return
        lake = self.lake
        with lake.writer_lock():
            staged = self.stage(data, run_id, n_files)
            lake.commit(run_id, {"articles": staged}, runs_row(run_id, data.num_rows))
            lake.drop_superseded()

    replace = append  # a later run's rows supersede earlier ones of the same source_id

    def stage(self, data: pa.Table, run_id: str, n_files: int) -> list[Path]:
        staging = self.lake.begin_run(run_id)
        step = -(-data.num_rows // n_files)
        return [
            write_parquet_atomic(
                data.slice(i * step, step), staging / f"b{i:05d}.parquet", staging=staging, table="articles"
            )
            for i in range(n_files)
        ]

    def crash(self, data: pa.Table, run_id: str) -> None:
        """A writer died after moving its files into `articles/`, before writing its runs row."""
        if self.store.is_s3:
            self.s3_write(data, run_id, 1)
            return
        for path in self.stage(data, run_id, 1):
            os.replace(path, self.lake.commit_target("articles", run_id, path))

    def commit_files(self, data: pa.Table, n_files: int) -> float:
        run_id = f"files-{uuid.uuid4().hex[:8]}"
        if self.store.is_s3:
            self.s3_write(data, run_id, n_files)
            start = time.perf_counter()
            self.s3_commit(run_id, data.num_rows)
            return time.perf_counter() - start
        staged = self.stage(data, run_id, n_files)
        start = time.perf_counter()
        self.lake.commit(run_id, {"articles": staged}, runs_row(run_id, data.num_rows))
        return time.perf_counter() - start

    def version(self) -> None:
        return None  # no versions: superseded rows are deleted right after each commit

    def rollback(self, run_id: str, version_before: int | None) -> None:
        """All the protocol allows: forget the run (its runs row and files); what it replaced is gone."""
        (self.lake.table_dir("runs") / f"{run_id}.parquet").unlink()
        for path in self.lake.files("articles"):
            if path.name.startswith(f"{run_id}-b"):
                path.unlink()

    def raw_folder(self) -> str:
        return self.store.uri("articles")

    def readers(self) -> dict[str, tuple[str, object]]:
        return {}  # only docclean's views (or code like Lake.read_table) know which files are current

    # The S3 port: files in place, the runs row as a conditional PUT, recovery by listing.
    def s3_write(self, data: pa.Table, run_id: str, n_files: int) -> None:
        write_files(self.store, self.store.arrow_fs()[1] + "/articles", data, n_files, f"{run_id}-b")

    def s3_commit(self, run_id: str, n_articles: int) -> None:
        bucket, _, prefix = self.store.root.removeprefix("s3://").partition("/")
        body = io.BytesIO()
        pq.write_table(runs_row(run_id, n_articles), body)
        self.store.boto().put_object(
            Bucket=bucket, Key=f"{prefix}/runs/{run_id}.parquet", Body=body.getvalue(), IfNoneMatch="*"
        )

    def s3_begin(self) -> int:
        """Recovery as Lake.recover does it: delete table files of runs with no runs row."""
        fs, root = self.store.arrow_fs()
        listed = fs.get_file_info(pafs.FileSelector(root, recursive=True, allow_not_found=True))
        names = [info.path for info in listed if info.type == pafs.FileType.File]
        committed = {n.rsplit("/", 1)[1].removesuffix(".parquet") for n in names if "/runs/" in n}
        stale = [n for n in names if "/articles/" in n and n.rsplit("/", 1)[1].rsplit("-b", 1)[0] not in committed]
        for name in stale:
            fs.delete_file(name)
        return len(stale)


def committed_doc_ids_docclean(store: Store) -> pa.Array:
    """What docclean's views show (rows of committed runs): the reference for its protocol."""
    fs, root = store.arrow_fs()
    runs = pq.read_table(f"{root}/runs", filesystem=fs, columns=["run_id"])["run_id"]
    data = pq.read_table(f"{root}/articles", filesystem=fs, columns=["doc_id", "run_id"])
    return data.filter(pc.is_in(data["run_id"], value_set=runs))["doc_id"]


def clear(store: Store) -> None:
    if store.is_s3:
        fs, root = store.arrow_fs()
        fs.delete_dir_contents(root, missing_dir_ok=True)
    else:
        shutil.rmtree(store.root, ignore_errors=True)
