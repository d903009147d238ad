"""Table formats for the lake (issue 20): DuckLake vs Delta Lake vs docclean's own protocol, measured.

On a generated `articles` table (warehouse/schemas.py's schema, --n rows in --runs commits), each
format (`table_format_backends.py`) goes through the same story, locally and on a local S3 server
(moto's standalone server, started here on a free port):

1. --runs appends of n/runs rows (write + commit, timed); then a run replacing 1 % of the sources
   (new versions, same source_id); then a crashed run (data files written, never committed).
2. Readers without docclean code: each engine's format-aware route where one installs offline
   (deltalake/pandas, polars, DuckDB's delta or ducklake extension), and a plain Parquet read of
   the table's folder (pandas, polars, DuckDB, Spark when pyspark + Java are there): do they see
   exactly the current rows?
3. Time travel to before the replacing run; a bad run (replacing another 1 %) rolled back.
4. Commit of --files already-written files in one transaction (the per-run commit at 1M documents:
   1,000 batches of 1,000), locally and on S3.
5. Two writers at once (two processes, --writer-runs appends each): who commits, what is lost.

    python benchmarks/table_formats.py --n 100000 --runs 5 --files 1000 --workdir /tmp/tables
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
for entry in (REPO, Path(__file__).resolve().parent):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from docclean.warehouse.schemas import ARTICLES  # noqa: E402
from table_format_backends import (  # noqa: E402
    DeltaFormat,
    DoccleanFormat,
    DuckLakeFormat,
    Store,
    clear,
    committed_doc_ids_docclean,
    duckdb_connect,
)

WORDS = [
    "the",
    "lake",
    "run",
    "commit",
    "reader",
    "writer",
    "storage",
    "table",
    "file",
    "parquet",
    "delta",
    "snapshot",
    "version",
]


def articles(first: int, n: int, run_id: str, *, source_offset: int | None = None, seed: int = 0) -> pa.Table:
    """n article rows doc{first..}; source ids from `source_offset` (default: the doc number)."""
    rng = random.Random(seed + first)
    base = first if source_offset is None else source_offset
    now = datetime(2026, 12, 1) + timedelta(seconds=first)
    texts = [" ".join(rng.choices(WORDS, k=80)) for _ in range(n)]
    cols = {
        "doc_id": [f"{run_id}-{first + i:08d}" for i in range(n)],
        "source_id": [f"src{base + i:08d}" for i in range(n)],
        "source_uri": [f"s3://crawl/{base + i:08d}.txt" for i in range(n)],
        "input_format": ["txt"] * n,
        "site": [f"site{(base + i) % 200}.example" for i in range(n)],
        "url": [f"https://site{(base + i) % 200}.example/{base + i}" for i in range(n)],
        "title": [t[:40] for t in texts],
        "subtitle": [None] * n,
        "authors": [["A. Writer"]] * n,
        "author_orgs": [[]] * n,
        "published_at": [now] * n,
        "published_at_utc_offset": [0] * n,
        "published_date_only": [False] * n,
        "language": ["en"] * n,
        "text_layout": ["flat"] * n,
        "text": texts,
        "word_count": [80] * n,
        "char_count": [len(t) for t in texts],
        "source_chars": [len(t) + 900 for t in texts],
        "n_removals": [3] * n,
        "raw_hash": [f"{rng.getrandbits(64):016x}" for _ in range(n)],
        "content_hash": [f"{rng.getrandbits(64):016x}" for _ in range(n)],
        "dup_cluster_id": [None] * n,
        "dup_role": [None] * n,
        "dup_similarity": [None] * n,
        "ruleset_version": ["bench"] * n,
        "run_id": [run_id] * n,
        "processed_at": [now] * n,
    }
    return pa.table(cols, schema=ARTICLES)


def make_format(key: str, store: Store, workdir: Path):
    if key == "delta":
        return DeltaFormat(store)
    if key == "ducklake":
        suffix = "s3" if store.is_s3 else "local"
        return DuckLakeFormat(store, workdir / f"ducklake-{suffix}-{store.root.rsplit('/', 1)[1]}.ducklake")
    return DoccleanFormat(store)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(seen: pa.Array | list, truth: Counter) -> str:
    """'ok' when `seen` is exactly the current doc_ids, else what is extra / missing."""
    got = Counter(seen.to_pylist() if hasattr(seen, "to_pylist") else seen)
    extra, missing = sum((got - truth).values()), sum((truth - got).values())
    return "ok" if not extra and not missing else f"WRONG (+{extra} / -{missing} rows)"


def load_runs(fmt, n: int, runs: int) -> tuple[list[float], int]:
    """--runs appends of n/runs rows, each timed; returns the times and the next doc number."""
    per = n // runs
    times = [timed(lambda i=i: fmt.append(articles(i * per, per, f"run{i:03d}"), f"run{i:03d}")) for i in range(runs)]
    return times, runs * per


def story(fmt, n: int, runs: int, with_spark: bool) -> dict:
    """Steps 1 and 3 of the module doc on one format; returns figures and the current truth."""
    fmt.create()
    times, next_doc = load_runs(fmt, n, runs)
    out: dict = {"append_s": statistics.median(times), "append_rows": n // runs}
    before_update = fmt.version()
    truth_before = Counter(current_ids(fmt).to_pylist())
    k = max(1, n // 100)
    out["replace_s"] = timed(lambda: fmt.replace(articles(next_doc, k, "update", source_offset=0), "update"))
    truth = Counter(current_ids(fmt).to_pylist())
    fmt.crash(articles(next_doc + k, 1000, "crashed"), "crashed")
    out["truth"] = truth
    if before_update is not None:
        out["time_travel"] = compare(fmt.doc_ids_at(before_update), truth_before)
    out["readers"] = {eng: (route, compare(read(), truth)) for eng, (route, read) in fmt.readers().items()}
    out["raw"] = raw_reads(fmt.raw_folder(), truth, with_spark)
    before_bad = fmt.version()
    bad = articles(next_doc + k + 1000, k, "bad", source_offset=k)
    fmt.replace(bad, "bad")
    out["rollback_s"] = timed(lambda: fmt.rollback("bad", before_bad))
    out["rollback"] = compare(current_ids(fmt), truth)
    return out


def current_ids(fmt) -> pa.Array:
    """The format's own idea of the current rows (docclean: its views' rule, committed runs)."""
    if isinstance(fmt, DoccleanFormat):
        return committed_doc_ids_docclean(fmt.store)
    return fmt.doc_ids_at(fmt.version())


def raw_reads(folder: str, truth: Counter, with_spark: bool) -> dict[str, str]:
    """Plain Parquet reads of the table's folder: what an engine sees knowing nothing of the format."""
    import pandas as pd
    import polars as pl

    con = duckdb_connect()
    reads = {
        "pandas": lambda: pd.read_parquet(folder, columns=["doc_id"])["doc_id"].tolist(),
        "polars": lambda: pl.scan_parquet(f"{folder}/*.parquet").select("doc_id").collect()["doc_id"].to_list(),
        "duckdb": lambda: con.sql(f"SELECT doc_id FROM read_parquet('{folder}/*.parquet')").to_arrow_table()["doc_id"],
    }
    if with_spark:
        reads["spark"] = lambda: spark_read(folder)
    out = {}
    for engine, read in reads.items():
        try:
            out[engine] = compare(read(), truth)
        except Exception as exc:
            out[engine] = f"error: {str(exc).splitlines()[0][:80]}"
    return out


_SPARK: dict = {}


def spark_session():
    """One local Spark session for the whole benchmark (started on first use; ~17 s), or None."""
    if "session" not in _SPARK:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            _SPARK["session"] = None
            return None
        start = time.perf_counter()
        builder = (
            SparkSession.builder.master("local[1]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
        _SPARK["session"] = builder.getOrCreate()
        _SPARK["session"].sparkContext.setLogLevel("ERROR")
        _SPARK["startup_s"] = time.perf_counter() - start
    return _SPARK["session"]


def spark_read(folder: str) -> list:
    spark = spark_session()
    if spark is None:
        raise RuntimeError("pyspark not installed")
    return [row[0] for row in spark.read.parquet(folder).select("doc_id").collect()]


def commit_one(fmt, repeat: int = 5) -> float:
    """Median seconds to commit one already-written file of 1,000 rows (the fixed cost per commit)."""
    return statistics.median(fmt.commit_files(articles(2 * 10**8 + i * 1000, 1000, "one"), 1) for i in range(repeat))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_s3(bucket: str) -> tuple[subprocess.Popen, str]:
    """moto's standalone S3 server on a free port, with `bucket` created; returns (process, endpoint)."""
    port = free_port()
    server = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    store = Store(f"s3://{bucket}/x", endpoint)
    for _ in range(100):
        try:
            store.boto().create_bucket(Bucket=bucket)
            return proc, endpoint
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto_server did not start (pip install 'moto[server]')")


def s3_story(fmt, n: int, runs: int, n_files: int) -> dict:
    """Commit figures on S3: appends of n/runs rows, and one commit of n_files written files."""
    clear(fmt.store)
    fmt.create()
    times, _ = load_runs(fmt, n, runs)
    small = articles(10**8, n_files * 20, "files")
    return {
        "append_s": statistics.median(times),
        "commit_files_s": fmt.commit_files(small, n_files),
        "commit_one_s": commit_one(fmt),
    }


def writer_main(args: argparse.Namespace) -> None:
    """One of two concurrent writers (a child process): --writer-runs appends, then a JSON line."""
    store = Store(args.root, args.endpoint)
    fmt = make_format(args.writer, store, Path(args.workdir))
    done, error = 0, None
    try:
        for i in range(args.writer_runs):
            run_id = f"{args.tag}{i:03d}"
            offset = (ord(args.tag) - ord("A")) * 10**6 + i * 1000  # each writer its own sources
            fmt.append(articles(offset, 1000, run_id, source_offset=offset), run_id)
            done += 1
    except Exception as exc:
        message = str(exc).splitlines()[0]
        if "Could not set lock" in message:  # DuckDB: keep the reason, not the long path before it
            message = message[message.index("Could not set lock") :]
        error = f"{type(exc).__name__}: {message[:160]}"
    print(json.dumps({"commits": done, "error": error}))


def two_writers(key: str, store: Store, workdir: Path, runs: int) -> dict:
    """Two processes appending `runs` runs of 1,000 rows each at once; rows expected vs found."""
    clear(store)
    fmt = make_format(key, store, workdir)
    fmt.create()
    if isinstance(fmt, DuckLakeFormat):
        fmt.close()  # the children open the catalog themselves
    cmd = [
        sys.executable,
        __file__,
        "--writer",
        key,
        "--root",
        store.root,
        "--workdir",
        str(workdir),
        "--writer-runs",
        str(runs),
    ] + (["--endpoint", store.endpoint] if store.endpoint else [])
    start = time.perf_counter()
    procs = [subprocess.Popen([*cmd, "--tag", tag], stdout=subprocess.PIPE, text=True) for tag in "AB"]
    results = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    wall = time.perf_counter() - start
    expected = 1000 * sum(r["commits"] for r in results)
    found = len(current_ids(fmt))
    if isinstance(fmt, DuckLakeFormat):
        fmt.close()
    return {
        "commits": [r["commits"] for r in results],
        "errors": [r["error"] for r in results if r["error"]],
        "rows_expected": expected,
        "rows_found": found,
        "wall_s": wall,
    }


KEYS = ("ducklake", "delta", "docclean")


def run_all(args: argparse.Namespace) -> dict:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="tables-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report: dict = {"n": args.n, "runs": args.runs, "files": args.files, "local": {}, "s3": {}, "writers": {}}
    for key in KEYS:
        store = Store(str(workdir / f"local-{key}"))
        clear(store)
        fmt = make_format(key, store, workdir)
        result = story(fmt, args.n, args.runs, not args.no_spark)
        small = articles(10**8, args.files * 20, "files")
        result["commit_files_s"] = fmt.commit_files(small, args.files)
        result["commit_one_s"] = commit_one(fmt)
        del result["truth"]
        report["local"][key] = result
        report["writers"][f"{key} local"] = two_writers(
            key, Store(str(workdir / f"writers-{key}")), workdir, args.writer_runs
        )
        print(f"{key} local: done", file=sys.stderr, flush=True)
    if not args.no_s3:
        run_s3(args, workdir, report)
    if _SPARK.get("session") is not None:
        report["spark_startup_s"] = _SPARK["startup_s"]
        _SPARK["session"].stop()
    return report


def run_s3(args: argparse.Namespace, workdir: Path, report: dict) -> None:
    proc, endpoint = start_s3("bench")
    try:
        for key in KEYS:
            store = Store(f"s3://bench/{key}", endpoint)
            report["s3"][key] = s3_story(make_format(key, store, workdir), args.n, args.runs, args.files)
            report["writers"][f"{key} S3"] = two_writers(
                key, Store(f"s3://bench/writers-{key}", endpoint), workdir, args.writer_runs
            )
            print(f"{key} S3: done", file=sys.stderr, flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def writers_cell(result: dict) -> str:
    line = f"commits {'+'.join(map(str, result['commits']))}, rows {result['rows_found']}/{result['rows_expected']}"
    return line + "".join(f"; {e[:90]}" for e in result["errors"])


def readers_cell(result: dict) -> str:
    return "; ".join(f"{eng} {route}: {verdict}" for eng, (route, verdict) in result["readers"].items()) or "none"


def rows(report: dict) -> list[tuple[str, list[str]]]:
    local, s3 = report["local"], report["s3"]
    per = report["n"] // report["runs"]
    table = [
        (f"append a run of {per:,} rows, local (median s)", [f"{local[k]['append_s']:.3f}" for k in KEYS]),
        ("commit 1 written file, local (median of 5, s)", [f"{local[k]['commit_one_s']:.3f}" for k in KEYS]),
        (
            f"commit {report['files']:,} written files in one run, local (s)",
            [f"{local[k]['commit_files_s']:.3f}" for k in KEYS],
        ),
        ("replace 1 % of sources (new versions), local (s)", [f"{local[k]['replace_s']:.3f}" for k in KEYS]),
    ]
    if s3:
        table += [
            (f"append a run of {per:,} rows, S3 (median s)", [f"{s3[k]['append_s']:.3f}" for k in KEYS]),
            ("commit 1 written file, S3 (median of 5, s)", [f"{s3[k]['commit_one_s']:.3f}" for k in KEYS]),
            (f"commit {report['files']:,} written files, S3 (s)", [f"{s3[k]['commit_files_s']:.3f}" for k in KEYS]),
        ]
    for where in ("local", "S3"):
        if f"delta {where}" in report["writers"]:
            table.append((f"two writers, {where}", [writers_cell(report["writers"][f"{k} {where}"]) for k in KEYS]))
    for engine in ("pandas", "polars", "duckdb"):
        table.append((f"{engine} plain Parquet read of the folder", [local[k]["raw"][engine] for k in KEYS]))
    table.append(("Spark plain Parquet read of the folder", [local[k]["raw"].get("spark", "not run") for k in KEYS]))
    table += [
        ("format-aware readers (no docclean code)", [readers_cell(local[k]) for k in KEYS]),
        ("time travel to before the replacing run", [local[k].get("time_travel", "none") for k in KEYS]),
        ("roll back a bad run: s, rows after", [f"{local[k]['rollback_s']:.3f}, {local[k]['rollback']}" for k in KEYS]),
    ]
    return table


def print_report(report: dict) -> None:
    print("| measure | " + " | ".join(KEYS) + " |")
    print("|---|" + "---|" * len(KEYS))
    for label, cells in rows(report):
        print(f"| {label} | " + " | ".join(cells) + " |")
    if "spark_startup_s" in report:
        print(f"\nSpark session start: {report['spark_startup_s']:.1f} s")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="article rows in the table")
    parser.add_argument("--runs", type=int, default=5, help="commits the rows arrive in")
    parser.add_argument("--files", type=int, default=1000, help="files committed in one run (1M docs / 1,000)")
    parser.add_argument("--writer-runs", type=int, default=5, help="appends per concurrent writer")
    parser.add_argument("--workdir", help="where tables and catalogs go (default: a new temporary folder)")
    parser.add_argument("--no-s3", action="store_true", help="skip the local S3 server runs")
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark reads")
    parser.add_argument("--out", help="also write the figures as JSON here")
    # Internal: one of the two concurrent writers.
    parser.add_argument("--writer", choices=KEYS, help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--tag", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.writer:
        writer_main(args)
        return
    start = time.perf_counter()
    report = run_all(args)
    report["wall_s"] = time.perf_counter() - start
    print_report(report)
    print(f"\nwall {report['wall_s']:.0f} s (n={args.n:,}, runs={args.runs}, files={args.files})")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    main()
