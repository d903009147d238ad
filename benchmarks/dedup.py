"""Near-duplicate benchmark: docclean's MinHash (transforms.minhash) vs datasketch, same corpus, same run.

Corpus (built from BBC articles, streamed in batches so 1M documents never sit in memory):
  * background documents: sentences of one BBC category recombined at random (sampling whole
    articles with replacement would make every article a ~45-fold exact duplicate at 100k);
  * planted groups: an original plus 1-3 copies with 0%, 1%, 2% or 5% word edits (substitute,
    delete or insert a word), published later on another site, and with probability 0.5 a hard
    negative: a same-story rewrite keeping 20-60% of the original's sentences verbatim.
Truth: an original and its copies are one cluster; every other document is alone.

Scores pairs of documents in the same predicted cluster (precision, recall), recall per edit
rate (copy in its original's cluster; and marked `duplicate`), hard negatives clustered with
their original. datasketch runs on a sample of whole groups (--ds-sample) and its time is scaled
to --n; docclean runs on all --n documents. The BBC data stays where it is (--data).

    python benchmarks/dedup.py --n 100000 [--jobs 2] [--ds-sample 20000]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from transforms.minhash import (  # noqa: E402
    DUPLICATE,
    MinHashConfig,
    band_keys,
    candidate_pairs,
    canonical_rank,
    cluster_edges,
    connected_components,
    signatures,
    verify_pairs,
)

BG, ORIGINAL, COPY, HARD_NEG = 0, 1, 2, 3
EDIT_RATES = (0.0, 0.01, 0.02, 0.05)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9\x80-\U0010ffff]+")


# --- corpus ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Plan:
    """What each document is; texts are generated from it on demand (deterministically)."""

    kind: np.ndarray  # int8: BG, ORIGINAL, COPY, HARD_NEG
    source: np.ndarray  # int64: row of the original (copies, hard negatives), else own row
    rate: np.ndarray  # float32: word-edit rate of a copy; kept fraction of a hard negative
    truth: np.ndarray  # int64: planted cluster label
    published: np.ndarray  # datetime64[s]


class Corpus:
    def __init__(self, data: Path, n: int, seed: int) -> None:
        table = pq.read_table(data, columns=["body", "category"])
        by_cat: dict[str, list[str]] = {}
        self.article_len: list[int] = []
        for body, cat in zip(table.column("body").to_pylist(), table.column("category").to_pylist(), strict=True):
            sents = [s for s in _SENTENCE.split(body.replace("\n", " ")) if s.strip()]
            by_cat.setdefault(cat, []).extend(sents)
            self.article_len.append(len(sents))
        self.pools = [by_cat[c] for c in sorted(by_cat)]
        self.vocab = sorted({w for pool in self.pools for s in pool[:2000] for w in s.split()})
        self.seed = seed
        self.plan = self._plan(n, np.random.default_rng(seed))

    def _plan(self, n: int, rng: np.random.Generator) -> Plan:
        kinds: list[int] = []
        sources: list[int] = []
        rates: list[float] = []
        # ~40% of documents are in planted groups (1 original + 2 copies + 0.5 hard negatives).
        n_groups = int(0.4 * n / 3.5)
        for _ in range(n_groups):
            if len(kinds) >= n:
                break
            o = len(kinds)
            members = [(ORIGINAL, 0.0)]
            copy_rates = rng.choice(EDIT_RATES, size=int(rng.integers(1, 4)), replace=False)
            members += [(COPY, float(r)) for r in copy_rates]
            if rng.random() < 0.5:
                members.append((HARD_NEG, float(rng.uniform(0.2, 0.6))))
            for kind, rate in members:
                kinds.append(kind)
                sources.append(o)
                rates.append(rate)
        kinds, sources, rates = kinds[:n], sources[:n], rates[:n]
        while len(kinds) < n:
            sources.append(len(kinds))
            kinds.append(BG)
            rates.append(0.0)
        kind = np.array(kinds, dtype=np.int8)
        source = np.array(sources, dtype=np.int64)
        truth = np.where(kind == COPY, source, np.arange(n))
        start = np.datetime64("2024-01-01T00:00:00", "s")
        published = start + rng.integers(0, 365 * 86400, size=n).astype("timedelta64[s]")
        later = rng.integers(3600, 3 * 86400, size=n).astype("timedelta64[s]")
        published = np.where(kind >= COPY, published[source] + later, published)
        # Shuffle so groups are spread over batches, as in a real crawl.
        perm = rng.permutation(n)
        inv = np.empty(n, dtype=np.int64)
        inv[perm] = np.arange(n)
        return Plan(
            kind=kind[perm],
            source=inv[source[perm]],
            rate=np.asarray(rates, np.float32)[perm],
            truth=inv[truth[perm]],
            published=published[perm],
        )

    def _base(self, row: int) -> list[str]:
        rnd = random.Random(self.seed * 1_000_003 + int(self.plan.source[row]))
        pool = self.pools[rnd.randrange(len(self.pools))]
        return rnd.sample(pool, rnd.choice(self.article_len))

    def text(self, row: int) -> str:
        kind = self.plan.kind[row]
        sents = self._base(row)  # a copy's or rewrite's base is its original's text
        rnd = random.Random(self.seed * 7_000_003 + row)
        if kind == HARD_NEG:
            keep = max(1, round(float(self.plan.rate[row]) * len(sents)))
            kept = set(rnd.sample(range(len(sents)), keep))
            pool = self.pools[rnd.randrange(len(self.pools))]
            sents = [s if i in kept else rnd.choice(pool) for i, s in enumerate(sents)]
        text = " ".join(sents)
        if kind == COPY and self.plan.rate[row] > 0:
            text = edit_words(text, float(self.plan.rate[row]), rnd, self.vocab)
        return text

    def batches(self, size: int, rows: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, list[str]]]:
        rows = np.arange(len(self.plan.kind)) if rows is None else rows
        for lo in range(0, rows.size, size):
            chunk = rows[lo : lo + size]
            yield chunk, [self.text(int(r)) for r in chunk]


def edit_words(text: str, rate: float, rnd: random.Random, vocab: list[str]) -> str:
    """Apply round(rate * words) single-word edits: substitute, delete or insert, 1/3 each."""
    words = text.split()
    for _ in range(max(1, round(rate * len(words)))):
        i = rnd.randrange(len(words))
        op = rnd.randrange(3)
        if op == 0:
            words[i] = rnd.choice(vocab)
        elif op == 1 and len(words) > 1:
            del words[i]
        else:
            words.insert(i, rnd.choice(vocab))
    return " ".join(words)


# --- scoring ---------------------------------------------------------------------------------


def _pairs_within(labels: np.ndarray) -> int:
    counts = np.unique(labels, return_counts=True)[1].astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def score(plan: Plan, rows: np.ndarray, cluster: np.ndarray, role: np.ndarray | None) -> dict[str, float]:
    """Pair precision/recall of `cluster` (label per row of `rows`) against planted truth."""
    local = np.full(len(plan.kind), -1, dtype=np.int64)
    local[rows] = np.arange(rows.size)
    truth = plan.truth[rows]
    predicted = _pairs_within(cluster)
    true = _pairs_within(truth)
    both = _pairs_within(cluster * (truth.max() + 1) + truth)
    out = {"precision": both / predicted if predicted else 1.0, "recall": both / true if true else 1.0}
    kind, src = plan.kind[rows], local[plan.source[rows]]
    for r in EDIT_RATES:
        sel = (kind == COPY) & np.isclose(plan.rate[rows], r) & (src >= 0)
        out[f"recall@{r:.0%}"] = float((cluster[sel] == cluster[src[sel]]).mean())
        if role is not None:
            joined = cluster[sel] == cluster[src[sel]]
            out[f"dup@{r:.0%}"] = float((joined & (role[sel] == DUPLICATE)).mean())
    hn = (kind == HARD_NEG) & (src >= 0)
    same = cluster[hn] == cluster[src[hn]]
    out["hardneg_clustered"] = int(same.sum())
    out["hardneg_duplicate"] = int((same & (role[hn] == DUPLICATE)).sum()) if role is not None else -1
    out["hardneg"] = int(hn.sum())
    return out


# --- systems ---------------------------------------------------------------------------------


def _sig_job(args: tuple[list[str], MinHashConfig]) -> tuple[np.ndarray, float]:
    """Signatures in a worker, with the worker's CPU seconds (RUSAGE_CHILDREN only counts
    children that have exited, so the pool's CPU is reported by the workers themselves)."""
    texts, config = args
    start = time.process_time()
    return signatures(texts, config), time.process_time() - start


@dataclass(slots=True)
class Timing:
    wall: float = 0.0
    cpu: float = 0.0

    def add(self, fn: Callable[[], object]) -> object:
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        self.wall += time.perf_counter() - w
        self.cpu += time.process_time() - c
        return out


def run_docclean(corpus: Corpus, config: MinHashConfig, jobs: int, batch: int) -> dict[str, object]:
    plan = corpus.plan
    n = len(plan.kind)
    sigs = np.empty((n, config.num_perm), dtype=np.uint32)
    lengths = np.empty(n, dtype=np.int64)
    t_sig, t_gen = Timing(), Timing()
    pool = ProcessPoolExecutor(jobs) if jobs > 1 else None
    batches = corpus.batches(batch)
    while True:
        item = t_gen.add(lambda: next(batches, None))
        if item is None:
            break
        rows, texts = item
        lengths[rows] = [len(t) for t in texts]
        if pool is None:
            sigs[rows] = t_sig.add(lambda texts=texts: signatures(texts, config))
        else:
            step = -(-len(texts) // jobs)
            parts = [(texts[i : i + step], config) for i in range(0, len(texts), step)]
            done = t_sig.add(lambda parts=parts: list(pool.map(_sig_job, parts)))
            sigs[rows] = np.concatenate([d[0] for d in done])
            t_sig.cpu += sum(d[1] for d in done)
    if pool is not None:
        pool.shutdown()
    t_lsh, t_clu = Timing(), Timing()
    ids = np.arange(n)
    rank = canonical_rank(ids, plan.published, lengths)

    def lsh() -> np.ndarray:
        keys = band_keys(sigs, config)
        cands = candidate_pairs(keys, max_bucket=config.max_bucket)
        del keys
        return cands

    cands = t_lsh.add(lsh)
    edges = t_clu.add(lambda: verify_pairs(sigs, cands, config.variant_threshold)[0])
    clustering = t_clu.add(lambda: cluster_edges(sigs, edges, rank, config))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "sigs": sigs,
        "lengths": lengths,
        "rank": rank,
        "clustering": clustering,
        "candidates": len(cands),
        "edges": len(edges),
        "t_sig": t_sig,
        "t_lsh": t_lsh,
        "t_clu": t_clu,
        "t_gen": t_gen,
        "peak_mb": peak_mb,
        "child_mb": child_mb,
    }


def sample_rows(plan: Plan, target: int, seed: int) -> np.ndarray:
    """Whole planted groups (original, copies, hard negatives) plus background, ~target rows."""
    n = len(plan.kind)
    if target >= n:
        return np.arange(n)
    group = np.where(plan.kind == BG, np.arange(n), plan.source)
    rng = np.random.default_rng(seed)
    keep_groups = rng.random(n) < target / n
    return np.flatnonzero(keep_groups[group])


def run_datasketch(
    texts: list[str], k: int, thresholds: list[tuple[str, float, tuple[int, int] | None, float | None]]
) -> dict[str, object]:
    """datasketch MinHash(128) + MinHashLSH per threshold; clusters = connected components of
    (optionally verified) candidates. Returns cluster labels and timings per setting."""
    from datasketch import MinHash, MinHashLSH

    t_mh = Timing()

    def build() -> list[MinHash]:
        out = []
        for text in texts:
            words = _WORD.findall(text.lower())
            shingles = [" ".join(words[i : i + k]).encode() for i in range(max(1, len(words) - k + 1))]
            m = MinHash(num_perm=128, seed=1)
            m.update_batch(shingles)
            out.append(m)
        return out

    mhs = t_mh.add(build)
    results: dict[str, object] = {"t_minhash": t_mh}
    for name, threshold, params, verify in thresholds:
        t = Timing()

        def lsh(
            threshold: float = threshold, params: tuple[int, int] | None = params, verify: float | None = verify
        ) -> np.ndarray:
            index = MinHashLSH(threshold=threshold, num_perm=128, params=params)
            for i, m in enumerate(mhs):
                index.insert(i, m)
            pairs = []
            for i, m in enumerate(mhs):
                for j in index.query(m):
                    if j > i and (verify is None or m.jaccard(mhs[j]) >= verify):
                        pairs.append((i, j))
            arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
            return connected_components(arr, len(mhs))

        results[name] = (t.add(lsh), t)
    return results


# --- report ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="documents in the corpus")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared/data/news-text/bbc.parquet")
    parser.add_argument("--jobs", type=int, default=2, help="processes computing signatures")
    parser.add_argument("--batch", type=int, default=8192, help="documents generated and hashed per batch")
    parser.add_argument("--ds-sample", type=int, default=20_000, help="documents for datasketch (0: skip)")
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--shingle", type=int, default=3)
    parser.add_argument("--bands", type=int, default=25)
    parser.add_argument("--rows", type=int, default=5)
    parser.add_argument("--variant", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    config = replace(
        MinHashConfig(),
        num_perm=args.num_perm,
        shingle_size=args.shingle,
        bands=args.bands,
        rows=args.rows,
        variant_threshold=args.variant,
    )
    t0 = time.perf_counter()
    corpus = Corpus(args.data, args.n, args.seed)
    plan = corpus.plan
    counts = {
        name: int((plan.kind == k).sum())
        for k, name in ((BG, "background"), (ORIGINAL, "originals"), (COPY, "copies"), (HARD_NEG, "hard negatives"))
    }
    print(
        f"corpus: {args.n} docs ({', '.join(f'{v} {k}' for k, v in counts.items())}); "
        f"config: num_perm={config.num_perm} uint32, {config.shingle_size}-word shingles, "
        f"{config.bands}x{config.rows} bands (knee {config.knee:.2f}), "
        f"duplicate>={config.duplicate_threshold}, "
        f"variant>={config.variant_threshold}; jobs={args.jobs}"
    )

    ours = run_docclean(corpus, config, args.jobs, args.batch)
    clustering = ours["clustering"]
    all_rows = np.arange(args.n)
    rows_table: list[tuple[str, int, dict[str, float], float | None, float | None, str]] = []
    t_total = Timing(
        wall=sum(t.wall for t in (ours["t_sig"], ours["t_lsh"], ours["t_clu"])),
        cpu=sum(t.cpu for t in (ours["t_sig"], ours["t_lsh"], ours["t_clu"])),
    )
    rows_table.append(
        (
            "docclean",
            args.n,
            score(plan, all_rows, clustering.canonical, clustering.role),
            t_total.wall,
            t_total.cpu,
            "measured",
        )
    )

    if args.ds_sample:
        rows = sample_rows(plan, args.ds_sample, args.seed)
        scale = args.n / rows.size
        # Same sample through docclean's clustering (signatures reused) for a like-for-like score.
        sub = ours["sigs"][rows]
        sub_keys = band_keys(sub, config)
        sub_edges = verify_pairs(
            sub, candidate_pairs(sub_keys, max_bucket=config.max_bucket), config.variant_threshold
        )[0]
        sub_rank = canonical_rank(rows, plan.published[rows], ours["lengths"][rows])
        sub_cl = cluster_edges(sub, sub_edges, sub_rank, config)
        rows_table.append(
            (
                "docclean (sample)",
                rows.size,
                score(plan, rows, sub_cl.canonical, sub_cl.role),
                None,
                None,
                "same sample as datasketch",
            )
        )
        texts = [corpus.text(int(r)) for r in rows]
        settings = [
            ("ds t=0.8", 0.8, None, None),
            (
                f"ds knee {config.bands}x{config.rows}+verify",
                config.knee,
                (config.bands, config.rows),
                config.variant_threshold,
            ),
        ]
        ds = run_datasketch(texts, config.shingle_size, settings)
        for name, *_ in settings:
            labels, t = ds[name]
            wall, cpu = (ds["t_minhash"].wall + t.wall) * scale, (ds["t_minhash"].cpu + t.cpu) * scale
            rows_table.append(
                (
                    f"{name} ({config.shingle_size}-gram)",
                    rows.size,
                    score(plan, rows, labels, None),
                    wall,
                    cpu,
                    f"1 process; time x{scale:.1f} to {args.n}",
                )
            )
        ds5 = run_datasketch(texts, 5, [("ds t=0.8", 0.8, None, None)])
        labels, t = ds5["ds t=0.8"]
        rows_table.append(
            (
                "ds t=0.8 (5-gram, issue)",
                rows.size,
                score(plan, rows, labels, None),
                (ds5["t_minhash"].wall + t.wall) * scale,
                (ds5["t_minhash"].cpu + t.cpu) * scale,
                f"1 process; time x{scale:.1f} to {args.n}",
            )
        )

    head = (
        f"{'system':32} {'docs':>8} {'prec':>6} {'recall':>6} "
        f"{'r@0%':>5} {'r@1%':>5} {'r@2%':>5} {'r@5%':>5} "
        f"{'dup@2%':>6} {'dup@5%':>6} {'HN clu/dup/all':>15} {'wall s':>7} {'cpu s':>7}  note"
    )
    print(head)
    print("-" * len(head))
    for name, n_docs, s, wall, cpu, note in rows_table:
        dup2 = f"{s['dup@2%']:.3f}" if "dup@2%" in s else "-"
        dup5 = f"{s['dup@5%']:.3f}" if "dup@5%" in s else "-"
        hn_dup = s["hardneg_duplicate"] if s["hardneg_duplicate"] >= 0 else "-"
        print(
            f"{name:32} {n_docs:>8} {s['precision']:6.4f} {s['recall']:6.4f} {s['recall@0%']:5.3f} "
            f"{s['recall@1%']:5.3f} {s['recall@2%']:5.3f} {s['recall@5%']:5.3f} {dup2:>6} {dup5:>6} "
            f"{s['hardneg_clustered']:>4}/{hn_dup!s:>3}/{s['hardneg']:<6} "
            f"{'' if wall is None else f'{wall:7.1f}':>7} "
            f"{'' if cpu is None else f'{cpu:7.1f}':>7}  {note}"
        )
    print()
    for label, t in (
        ("signatures", ours["t_sig"]),
        ("band keys + candidates", ours["t_lsh"]),
        ("verify + cluster", ours["t_clu"]),
    ):
        print(f"docclean {label:24} wall {t.wall:7.1f} s  cpu {t.cpu:7.1f} s")
    print(
        f"docclean candidates {ours['candidates']}, verified edges {ours['edges']}; "
        f"corpus generation (not timed above) {ours['t_gen'].wall:.1f} s"
    )
    print(
        f"peak RSS: main process {ours['peak_mb']:.0f} MB "
        "(corpus batches + signatures + LSH + clustering), "
        f"largest signature worker {ours['child_mb']:.0f} MB; total run {time.perf_counter() - t0:.0f} s"
    )
    started = datetime.now(UTC) - timedelta(seconds=time.perf_counter() - t0)
    print(f"run started {started:%Y-%m-%d %H:%M} UTC on {_cpu_count()} cores")


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
