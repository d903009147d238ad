"""Check that every sample in ../shared/data/warc loads: per file, documents, articles, rejects, skips.

    .venv/bin/python benchmarks/ingest_warc.py [--data ../shared/data/warc]

Exits non-zero if a file crashes the reader or yields nothing. Uses the batch code directly
(no Prefect), so it measures ingest and cleaning only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docclean.flows.inputs import discover_files  # noqa: E402
from docclean.flows.readers import Limits, sources_from_files  # noqa: E402
from docclean.flows.results import BatchOptions  # noqa: E402
from docclean.flows.stages.clean import process_batch  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "warc")
    args = parser.parse_args()
    files = discover_files([str(args.data)])
    if not files:
        print(f"no files under {args.data}", file=sys.stderr)
        return 2
    failures = 0
    print(f"{'file':45} {'docs':>5} {'articles':>8} {'rejects':>7}  skipped records / reject reasons   s")
    with tempfile.TemporaryDirectory() as tmp:
        for i, item in enumerate(files):
            started = time.perf_counter()
            result = process_batch(
                i, sources_from_files([item], Limits()), set(), BatchOptions(run_id="check", staging_dir=f"{tmp}/{i}")
            )
            seconds = time.perf_counter() - started
            crashed = result.rejects_by_reason.get("corrupt_warc", 0) + result.rejects_by_reason.get(
                "cleaning_error", 0
            )
            empty = result.n_documents == 0 and not result.records_skipped
            failures += bool(crashed or empty)
            notes = Counter(result.records_skipped) + Counter(result.rejects_by_reason)
            print(
                f"{Path(item.path).name:45} {result.n_documents:5} {result.n_articles:8} {result.n_rejects:7}  "
                f"{dict(notes)}  {seconds:.2f}"
            )
    print("all files loaded" if not failures else f"{failures} file(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
