"""A lake on object storage (issue 20): `docclean run INPUTS --lake s3://…` against the same run
into a local folder (the peer, same run, same inputs, same machine), on a local S3 server (moto's
standalone server, started here).

    python benchmarks/remote_lake.py /tmp/e2e-corpus/docs-100000-jsonl   # a corpus e2e.py built

Per lake: the first run's wall time (for s3, with its pull of an empty lake and its publish of
every table), the unchanged re-run (pull, nothing new, no publish), and the ratio to the local
folder. Each run is the real CLI in its own process, with a fresh cache for the s3 lake's local
copy. Then, as a host that never ran: `docclean query` (QUERIES) on the local folder and on the
bucket in place (nothing pulled: the bytes it left in its cache folder are printed), and what
a command that works on a local copy first pays to pull the whole lake (`working_copy`).
Needs the bench extra (moto[server], boto3).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from table_format_backends import ACCESS  # noqa: E402
from table_formats import start_s3  # noqa: E402

DOCCLEAN = Path(sys.executable).with_name("docclean")


QUERIES = {
    "count": "SELECT count(*) FROM articles",
    "per site": "SELECT site, count(*), avg(word_count) FROM articles GROUP BY site ORDER BY 2 DESC",
    "one article's text": "SELECT text FROM articles ORDER BY doc_id LIMIT 1",
}


def timed(args: list[str], env: dict[str, str]) -> float:
    """Seconds of one `docclean` command (its output kept out of the table; a failure stops the bench)."""
    started = time.perf_counter()
    done = subprocess.run([str(DOCCLEAN), *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"docclean {' '.join(args[:1])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def timed_run(inputs: Path, lake: str, env: dict[str, str], extra: list[str]) -> float:
    return timed(["run", str(inputs), "--lake", lake, *extra], env)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def reader_host(work: Path, env: dict[str, str], lakes: list[str]) -> None:
    """Queries as a host with no copy: the local folder (peer) and the bucket read in place."""
    reader = {**env, "DOCCLEAN_CACHE": str(work / "reader-cache")}
    print("a host that never ran: docclean query (wall seconds, process start included)")
    for name, sql in QUERIES.items():
        local, remote = (timed(["query", "--lake", lake, "--format", "csv", sql], reader) for lake in lakes)
        print(f"  {name:20} local folder {local:6.2f} s   s3 in place {remote:6.2f} s ({remote / local:4.2f}x)")
    print(f"  left on local disk by the s3 queries: {folder_bytes(work / 'reader-cache'):,} bytes")
    started = time.perf_counter()  # what `run` (and `search`, `serve`) do first on such a host
    pull_code = f"from docclean.flows.publish import working_copy; working_copy({lakes[1]!r})"
    subprocess.run([sys.executable, "-c", pull_code], env=reader, check=True)
    pull = time.perf_counter() - started
    pulled = folder_bytes(work / "reader-cache")
    print(f"  a command on a local copy (run) first pulls the lake: {pull:.2f} s, {pulled / 2**20:,.1f} MB written")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", type=Path, help="a corpus folder (benchmarks/e2e.py builds them)")
    ap.add_argument("--batch-size", type=int, default=2000)
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="docclean-remote-lake-"))
    proc, endpoint = start_s3("bench")
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS["key"],
        "AWS_SECRET_ACCESS_KEY": ACCESS["secret"],
        "AWS_REGION": ACCESS["region"],
        "AWS_EC2_METADATA_DISABLED": "true",
        "DOCCLEAN_CACHE": str(work / "cache"),
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    extra = ["--batch-size", str(args.batch_size)]
    try:
        rows = []
        for label, lake in (("local folder", str(work / "lake")), ("s3 (local moto server)", "s3://bench/lake")):
            first = timed_run(args.inputs, lake, env, extra)
            again = timed_run(args.inputs, lake, env, extra)
            rows.append((label, first, again))
        print(f"{args.inputs}: docclean run, first and unchanged re-run (wall seconds)")
        local_first, local_again = rows[0][1], rows[0][2]
        for label, first, again in rows:
            print(
                f"  {label:24} first {first:8.1f} s ({first / local_first:4.2f}x)"
                f"   re-run {again:6.1f} s ({again / local_again:4.2f}x)"
            )
        reader_host(work, env, [str(work / "lake"), "s3://bench/lake"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
