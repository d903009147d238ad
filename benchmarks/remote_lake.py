"""A lake on object storage (issue 20): `docclean run INPUTS --lake s3://…` against the same run
into a local folder (the peer, same run, same inputs, same machine), on a local S3 server (moto's
standalone server, started here).

    python benchmarks/remote_lake.py /tmp/e2e-corpus/docs-100000-jsonl   # a corpus e2e.py built

Per lake: the first run's wall time (for s3, with its pull of an empty lake and its publish of
every table), the unchanged re-run (pull, nothing new, no publish), and the ratio to the local
folder. Each run is the real CLI in its own process, with a fresh cache for the s3 lake's local
copy. Needs the bench extra (moto[server], boto3).
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


def timed_run(inputs: Path, lake: str, env: dict[str, str], extra: list[str]) -> float:
    """Seconds of one `docclean run` (its output kept out of the table; a failure stops the bench)."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(DOCCLEAN), "run", str(inputs), "--lake", lake, *extra], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"docclean run --lake {lake} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


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
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
