"""`docclean publish` (issue 20): what publishing a lake's tables to object storage costs, against
copying the same files there with pyarrow's multi-threaded `copy_files` (the peer, same run, same
store), on a local S3 server (moto's standalone server, started here) and a local folder.

    python benchmarks/publish.py --lake /tmp/lake-100k      # a lake `docclean run` wrote

Per store: the peer's copy of the current files; the first publish (every file, one Delta
version per table); a second, unchanged publish (lists, uploads nothing). Needs the bench extra
(moto[server], boto3).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for entry in (REPO, Path(__file__).resolve().parent):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from docclean.flows.publish import publish  # noqa: E402
from docclean.warehouse.delta import current_files  # noqa: E402
from docclean.warehouse.lake import Lake  # noqa: E402
from docclean.warehouse.schemas import TABLES  # noqa: E402
from table_format_backends import ACCESS  # noqa: E402
from table_formats import start_s3  # noqa: E402


def peer_copy(lake: Lake, filesystem, root: str) -> tuple[float, int]:
    """Seconds and bytes to copy every table's current files to `root` with pyarrow's copy_files."""
    from pyarrow import fs

    local = fs.LocalFileSystem()
    started, total = time.perf_counter(), 0
    for table in TABLES:
        folder = f"{root}/{table}"
        filesystem.create_dir(folder, recursive=True)
        for path in current_files(lake, table):
            total += path.stat().st_size
            fs.copy_files(str(path), f"{folder}/{path.name}", local, filesystem, use_threads=True)
    return time.perf_counter() - started, total


def measure(lake: Lake, uri: str, filesystem, peer_root: str) -> None:
    copy_seconds, total = peer_copy(lake, filesystem, peer_root)
    started = time.perf_counter()
    first = publish(lake, uri)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = publish(lake, uri)
    again_seconds = time.perf_counter() - started
    mb = total / 2**20
    print(f"  peer copy_files      {copy_seconds:7.2f} s  {mb:8.1f} MB  {mb / copy_seconds:7.1f} MB/s")
    print(
        f"  publish, first       {first_seconds:7.2f} s  {first.bytes_uploaded / 2**20:8.1f} MB  "
        f"{first.bytes_uploaded / 2**20 / first_seconds:7.1f} MB/s  ({first_seconds / copy_seconds:.2f}x the peer; "
        f"{first.files_uploaded:,} files, {first.tables_updated} tables)"
    )
    print(f"  publish, unchanged   {again_seconds:7.2f} s  ({again.describe()})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lake", type=Path, required=True, help="a lake written by `docclean run`")
    ap.add_argument("--stores", nargs="+", choices=["s3", "local"], default=["s3", "local"])
    args = ap.parse_args(argv)
    lake = Lake.at(args.lake)
    if not lake.committed_run_ids():
        raise SystemExit(f"{args.lake}: no committed runs; run `docclean run ... --lake {args.lake}` first")
    files = sum(len(current_files(lake, t)) for t in TABLES)
    print(f"lake {lake.root}: {files:,} current files in {len(TABLES)} tables")
    from pyarrow import fs

    if "s3" in args.stores:
        proc, endpoint = start_s3("bench")
        try:
            os.environ.update(
                AWS_ENDPOINT_URL=endpoint,
                AWS_ACCESS_KEY_ID=ACCESS["key"],
                AWS_SECRET_ACCESS_KEY=ACCESS["secret"],
                AWS_REGION=ACCESS["region"],
                AWS_EC2_METADATA_DISABLED="true",
            )
            print(f"S3 (moto at {endpoint}):")
            s3 = fs.S3FileSystem(endpoint_override=endpoint, region=ACCESS["region"])
            measure(lake, "s3://bench/published", s3, "bench/peer")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    if "local" in args.stores:
        work = Path(tempfile.mkdtemp(prefix="docclean-publish-"))
        try:
            print(f"local folder ({work}):")
            measure(lake, str(work / "published"), fs.LocalFileSystem(), str(work / "peer"))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
