"""What syncing the lake's Delta logs costs a run (issue 20): the sync's seconds against the run's wall.

Generates `--n` seed-like documents as JSONL (`e2e_formats.py`), then runs the flow in this
process (`docclean.run`) three times on one lake, timing every `sync_table` call inside each run:
a first run at `--batch-size` (so `n / batch-size` new files per per-batch table), an unchanged
re-run (nothing to sync), and `reprocess` (every document gets a new version: every file
replaced, the heaviest sync). Prints one line per run.

    python benchmarks/delta_sync.py --n 20000 --batch-size 20 --data ../shared/data   # 1,000 files per table
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from e2e_formats import generate, load_sentences

REPO = Path(__file__).resolve().parent.parent


@dataclass
class SyncClock:
    """Seconds spent in `sync_table` and Delta versions written, since the last `reset`."""

    seconds: float = 0.0
    versions: int = 0

    def reset(self) -> None:
        self.seconds, self.versions = 0.0, 0


def time_syncs(clock: SyncClock) -> None:
    """Wrap the flow's `sync_table` so each call adds its time to `clock`."""
    import docclean.flows.stages.commit as commit

    inner = commit.sync_table

    def timed(lake, table):
        started = time.perf_counter()
        result = inner(lake, table)
        clock.seconds += time.perf_counter() - started
        clock.versions += result.version is not None
        return result

    commit.sync_table = timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder")
    args = parser.parse_args()
    import docclean

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="delta-sync-"))
    sentences, titles = load_sentences(args.data)
    corpus = generate(args.n, workdir, ["jsonl"], sentences, titles, {"jsonl": 2000})
    folder, lake = corpus.corpora["jsonl"].folder, workdir / "lake"
    clock = SyncClock()
    time_syncs(clock)
    runs = {
        "first run": {"inputs": [str(folder)]},
        "unchanged re-run": {"inputs": [str(folder)]},
        "reprocess": {"reprocess": True},
    }
    for name, options in runs.items():
        clock.reset()
        started = time.perf_counter()
        docclean.run(lake=lake, batch_size=args.batch_size, **options)
        wall = time.perf_counter() - started
        files = len(list((lake / "articles").glob("*.parquet")))
        print(
            f"{name}: wall {wall:.1f} s, Delta sync {clock.seconds:.2f} s ({clock.seconds / wall:.1%}), "
            f"{clock.versions} versions written, {files} article files",
            flush=True,
        )
    print(f"corpus {corpus.n} documents in {folder}; lake {lake}")


if __name__ == "__main__":
    main()
