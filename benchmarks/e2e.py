"""End-to-end benchmark: N seed-like documents through `docclean run`, timed, then scored for quality.

Documents are generated into a temporary folder (never into the repo): bodies are sentences from
`news-text/bbc.parquet` (`--data`, default ../shared/data from the repo root), mixed so every
document is distinct, wrapped in the boilerplate kinds the seeds carry, each synthetic site in
its own wording: a repeated headline, bylines between sections, photo credits (alone or closing
a caption) and a subscription block with a benefits list. Every name is invented.

Then the real CLI runs twice (`docclean run DIR --lake LAKE --batch-size B`): the first run is
timed (wall, CPU of the whole process tree, peak RSS of the tree sampled with psutil), the
second, on unchanged inputs, shows what a no-op run costs. Quality is read back from the lake
with DuckDB against the planted truth: the share of articles where each boilerplate kind is gone
(goal >= 99%) and the share of body sentences that survive (goal >= 99%).

    python benchmarks/e2e.py --n 10000 [100000 ...] [--batch-size 1000] [--workers 2]
    python benchmarks/e2e.py --n 2000 --profile      # also cProfile one batch via process_batch
    python benchmarks/e2e.py --n 1000000 --corpus /tmp/e2e-corpus --generate-only   # write once, reuse

Goals (issue 6): 1M documents <= 20 min wall on 2 cores, peak RSS <= 3 GB, unchanged re-run
<= 10% of the first run, quality >= 99% / >= 99%.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
DOCCLEAN = Path(sys.executable).parent / "docclean"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'‘“])")
# A whole sentence: capital or quote first, terminal punctuation last (BBC bodies break some mid-sentence).
WHOLE_SENTENCE = re.compile(r"^[A-Z\"'‘“].*[.!?][\"'’”]?$")
GOAL_WALL_1M_S = 20 * 60
GOAL_RSS_BYTES = 3 * 10**9  # the 3 GB, read as decimal gigabytes (2.79 GiB): the stricter reading
GOAL_RERUN_SHARE = 0.10
GOAL_QUALITY = 0.99

# Invented people: first and last names combined at random, none taken from the seeds.
FIRST = [
    "Mara",
    "Tobias",
    "Ilse",
    "Renata",
    "Odile",
    "Caspar",
    "Wendell",
    "Priya",
    "Joaquin",
    "Saoirse",
    "Bram",
    "Leontine",
    "Kofi",
    "Annika",
    "Dario",
]
LAST = [
    "Quillfeather",
    "Ostrander",
    "Vasquez-Lind",
    "Harrowgate",
    "Pellham",
    "Okonkwo",
    "Brightwater",
    "Duvall",
    "Marchetti",
    "Ashdown",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True, slots=True)
class Site:
    """One synthetic publisher's boilerplate wording."""

    name: str
    byline: str  # format with {name} and {date}
    date_style: str  # long | short | iso
    credit: str  # a credit line alone, format with {name}
    caption: str  # a caption that ends with a credit, format with {name}
    subscription: tuple[str, ...]  # paragraphs of the block, in order; "- " items form the list


SITES = (
    Site(
        "harbourledger",
        "Written by [{name}](#) on {date}",
        "long",
        "{name}/iStock/Getty Images Plus",
        "Crowds gather along the waterfront ahead of the announcement on Tuesday. {name}/Pool via REUTERS",
        (
            "Subscribe to the Harbour Ledger",
            "Get exclusive digital access to the coast's most independent newsroom!",
            "Every week our correspondents bring you the stories the big outlets miss.",
            "[Subscribe](#)",
            "What's Included?",
            "- 12 Issues Per Year\n- Optional Print Edition\n- Digital Edition Access\n- Exclusive Subscriber Content\n"
            "- Cancel anytime.",
        ),
    ),
    Site(
        "northerncourier",
        "By [{name}](#) | {date}",
        "short",
        "Photo: {name}/AFP",
        "Officials leave the meeting in the capital on Monday. {name}/AFP via Getty Images",
        (
            "Sign up for the Courier Morning Briefing",
            "Get the day's top stories delivered to your inbox before breakfast.",
            "Enter your email address",
            "[Sign up](#)",
            "- Unlimited access to all articles\n- Ad-free reading on every device\n- Audio provided for all articles\n"
            "- 30-day money-back guarantee",
        ),
    ),
    Site(
        "valleyobserver",
        "Story by [{name}](#) — {date}",
        "long",
        "Image credit: {name}/Shutterstock",
        "A view of the site where the new plant will be built. (Photo: {name}/Alamy)",
        (
            "Become a member of the Valley Observer",
            "Independent local reporting depends on readers like you.",
            "Members help us keep every story free to read for everyone in the valley.",
            "[Join now](#)",
            "What is included",
            "- 24 Issues Per Year\n- Digital Edition Access\n- Exclusive member events\n- Cancel any time.",
        ),
    ),
    Site(
        "meridiandaily",
        "Posted by {name} on {date}",
        "iso",
        "{name}/EPA-EFE/Shutterstock",
        "Supporters wave flags outside the hall after the vote. {name}/Pool via REUTERS",
        (
            "Subscribe today for $1 a week",
            "Try a 4-week free trial of the Meridian Daily.",
            "Our reporters are on the ground wherever the news breaks.",
            "[Start my trial](#)",
            "Already a subscriber? Log in",
            "- Unlimited access to every article\n- Premium archive access\n- Cancel anytime",
        ),
    ),
)


@dataclass(slots=True)
class Generated:
    folder: Path
    truth: Path
    n: int
    bytes: int
    seconds: float


def load_sentences(data: Path) -> tuple[list[str], list[str]]:
    """Whole body sentences (6-60 words, whitespace collapsed) and titles from the BBC set."""
    table = pq.read_table(data / "news-text" / "bbc.parquet", columns=["title", "body"])
    sentences: list[str] = []
    for body in table.column("body").to_pylist():
        for paragraph in body.split("\n"):
            for sentence in SENTENCE_END.split(paragraph):
                sentence = " ".join(sentence.split())
                if 6 <= len(sentence.split()) <= 60 and WHOLE_SENTENCE.match(sentence):
                    sentences.append(sentence)
    titles = [" ".join(t.split()) for t in table.column("title").to_pylist() if t and len(t.split()) >= 3]
    return list(dict.fromkeys(sentences)), titles


def _date(rng: random.Random, style: str) -> str:
    year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
    if style == "iso":
        return f"{year}-{month:02d}-{day:02d}"
    if style == "short":
        return f"{day} {MONTHS[month - 1]} {year}"
    return f"{MONTHS[month - 1]} {day}, {year}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def make_document(i: int, rng: random.Random, sentences: list[str], titles: list[str]) -> tuple[str, dict]:
    """One seed-like page and the truth about what was planted in it."""
    site = SITES[i % len(SITES)]
    # The document number keeps headlines distinct across the corpus (a real site does not reuse one).
    title = f"{rng.choice(titles)}, report {i}"
    author, photographer, captioned = _person(rng), _person(rng), _person(rng)
    byline = site.byline.format(name=author, date=_date(rng, site.date_style))
    body = rng.sample(sentences, rng.randint(10, 22))
    cuts = sorted(rng.sample(range(1, len(body)), min(len(body) - 1, rng.randint(3, 6))))
    paragraphs = [" ".join(body[a:b]) for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]

    parts = [byline] if i % 2 else []
    parts += [title, title, site.caption.format(name=captioned)]
    for k, paragraph in enumerate(paragraphs):
        parts.append(paragraph)
        if k == len(paragraphs) // 2:
            parts.append(site.credit.format(name=photographer))
        if k in (0, len(paragraphs) - 2) and k < len(paragraphs) - 1:
            parts.append(byline)  # bylines between sections, as the seeds repeat them
    parts += list(site.subscription)
    text = "\n\n".join(parts) + "\n"
    items = [line[2:] for block in site.subscription for line in block.split("\n") if line.startswith("- ")]
    truth = {
        "site": site.name,
        "title": title,
        "byline": [author],
        "credit": [photographer, captioned],
        "subscription": [site.subscription[0], *items],
        "sentences": body,
    }
    return text, truth


def generate(n: int, root: Path, sentences: list[str], titles: list[str], seed: int = 6) -> Generated:
    """Write n documents (1,000 per subfolder) and a truth Parquet keyed by the file's URI.

    A corpus already complete under `root` (same n and seed) is reused as it is.
    """
    started = time.monotonic()
    folder, rng = root / f"docs-{n}", random.Random(seed)
    truth_path, marker = root / f"truth-{n}.parquet", root / f"docs-{n}.complete"
    if marker.exists() and marker.read_text() == f"seed {seed}\n" and truth_path.exists():
        size = sum(f.stat().st_size for f in folder.rglob("*.txt"))
        return Generated(folder, truth_path, n, size, time.monotonic() - started)
    rows: dict[str, list] = {k: [] for k in ("source_uri", "site", "title", "byline", "credit", "subscription")}
    rows["sentences"] = []
    total = 0
    for i in range(n):
        text, truth = make_document(i, rng, sentences, titles)
        path = folder / f"{i // 1000:04d}" / f"doc{i:07d}.txt"
        if i % 1000 == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path.write_bytes(data)
        total += len(data)
        rows["source_uri"].append(path.as_uri())
        for key, value in truth.items():
            rows[key].append(value)
    pq.write_table(pa.table(rows), truth_path)
    marker.write_text(f"seed {seed}\n")
    return Generated(folder, truth_path, n, total, time.monotonic() - started)


class TreeSampler(threading.Thread):
    """Peak summed RSS of a process and all its descendants, sampled every `every` seconds."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.peak_procs = pid, every, 0, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stopped.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for proc in procs:
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += proc.memory_info().rss
            if total > self.peak:
                self.peak, self.peak_procs = total, len(procs)
            self.stopped.wait(self.every)


@dataclass(slots=True)
class RunStats:
    wall: float
    cpu: float  # user + system of every descendant that was waited for
    peak_rss: int
    peak_procs: int
    output: str


def run_cli(args: list[str]) -> RunStats:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(DOCCLEAN), *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    output, _ = proc.communicate()
    wall = time.monotonic() - started
    sampler.stopped.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"docclean {' '.join(args)} failed ({proc.returncode}):\n{output[-4000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return RunStats(wall, cpu, sampler.peak, sampler.peak_procs, output)


QUALITY_SQL = """
WITH truth AS (SELECT * FROM read_parquet(?)),
joined AS (
    SELECT t.*, a.text, a.doc_id IS NOT NULL AS is_article
    FROM truth t LEFT JOIN articles a USING (source_uri)
),
per_doc AS (
    SELECT is_article,
        NOT contains(coalesce(text, ''), title) AS headline_gone,
        list_bool_and(list_transform(byline, m -> NOT contains(coalesce(text, ''), m))) AS byline_gone,
        list_bool_and(list_transform(credit, m -> NOT contains(coalesce(text, ''), m))) AS credit_gone,
        list_bool_and(list_transform(subscription, m -> NOT contains(coalesce(text, ''), m))) AS subscription_gone,
        len(sentences) AS n_sentences,
        len(list_filter(sentences, s -> contains(coalesce(text, ''), s))) AS n_kept
    FROM joined
)
SELECT count(*) AS documents,
    count(*) FILTER (WHERE is_article) AS articles,
    avg(headline_gone::INT) FILTER (WHERE is_article) AS headline,
    avg(byline_gone::INT) FILTER (WHERE is_article) AS byline,
    avg(credit_gone::INT) FILTER (WHERE is_article) AS credit,
    avg(subscription_gone::INT) FILTER (WHERE is_article) AS subscription,
    avg((headline_gone AND byline_gone AND credit_gone AND subscription_gone)::INT) FILTER (WHERE is_article)
        AS all_kinds,
    sum(n_kept) / sum(n_sentences) AS sentences_kept
FROM per_doc
"""

LOST_SQL = """
WITH truth AS (SELECT * FROM read_parquet(?)),
s AS (SELECT source_uri, unnest(sentences) AS sentence FROM truth)
SELECT DISTINCT s.sentence FROM s LEFT JOIN articles a USING (source_uri)
WHERE NOT contains(coalesce(a.text, ''), s.sentence)
ORDER BY hash(s.sentence)
LIMIT 8
"""


def quality(lake: Path, truth: Path) -> tuple[dict, list[str], dict]:
    import duckdb

    con = duckdb.connect(str(lake / "docclean.duckdb"), read_only=True)
    try:
        cursor = con.execute(QUALITY_SQL, [str(truth)])
        names = [d[0] for d in cursor.description]
        scores = dict(zip(names, cursor.fetchall()[0], strict=True))
        lost = [r[0] for r in con.execute(LOST_SQL, [str(truth)]).fetchall()]
        rejects = dict(con.execute("SELECT reason, count(*) FROM rejects GROUP BY 1").fetchall())
    finally:
        con.close()
    return scores, lost, rejects


def profile_batch(folder: Path, batch_size: int, top: int = 25) -> str:
    """cProfile `process_batch` on the first batch of files, in this process (no Prefect)."""
    from docclean.flows.inputs import discover_files
    from docclean.flows.readers import Limits, sources_from_files
    from docclean.flows.results import BatchOptions
    from docclean.flows.stages.clean import process_batch
    from docclean.transforms.ruleset import default_ruleset

    files = discover_files([str(folder)])[:batch_size]
    ruleset = default_ruleset()
    with tempfile.TemporaryDirectory() as staging:
        options = BatchOptions(run_id="profile", staging_dir=staging)
        profiler = cProfile.Profile()
        started = time.process_time()
        profiler.enable()
        process_batch(0, sources_from_files(files, Limits()), set(), options, ruleset)
        profiler.disable()
        cpu = time.process_time() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"process_batch on {len(files)} documents: {cpu:.2f} s CPU, {len(files) / cpu:.0f} docs/s per core\n")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _gb(n: int) -> str:
    return f"{n / 1024**3:.2f} GiB ({n / 10**9:.2f} GB)"


def bench(n: int, args: argparse.Namespace, sentences: list[str], titles: list[str], root: Path) -> dict | None:
    gen = generate(n, args.corpus or root, sentences, titles)
    print(f"\n=== n = {n:,}: generated {gen.bytes / 1e6:,.0f} MB in {gen.seconds:.1f} s into {gen.folder}", flush=True)
    if args.generate_only:
        return None
    lake = root / f"lake-{n}"
    cli = [str(gen.folder), "--lake", str(lake), "--batch-size", str(args.batch_size)]
    if args.workers:
        cli += ["--workers", str(args.workers)]
    first = run_cli(["run", *cli])
    rerun = run_cli(["run", *cli])
    scores, lost, rejects = quality(lake, gen.truth)
    rate = n / first.wall
    if args.verbose:
        print(first.output, rerun.output, sep="\n")
    print(
        f"first run:   {first.wall:8.1f} s wall  {rate:8.0f} docs/s  CPU {first.cpu:8.1f} s "
        f"({first.cpu / first.wall:.2f} cores)  peak RSS {_gb(first.peak_rss)} ({first.peak_procs} processes)\n"
        f"re-run:      {rerun.wall:8.1f} s wall  ({rerun.wall / first.wall:.1%} of first; goal <= 10%)  "
        f"CPU {rerun.cpu:.1f} s  peak RSS {_gb(rerun.peak_rss)}\n"
        f"1M estimate: {1_000_000 / rate / 60:8.1f} min at this rate (goal <= 20 min)\n"
        f"quality:     {scores['articles']:,} articles of {scores['documents']:,} documents; rejects {rejects or 0}\n"
        f"  boilerplate gone from articles: headline {scores['headline']:.2%}  byline {scores['byline']:.2%}  "
        f"credit {scores['credit']:.2%}  subscription {scores['subscription']:.2%}  all kinds {scores['all_kinds']:.2%}"
        f"  (goal >= 99%)\n"
        f"  body sentences kept: {scores['sentences_kept']:.2%} (goal >= 99%)",
        flush=True,
    )
    for sentence in lost:
        print(f"  lost e.g.: {sentence[:160]}")
    if args.profile:
        print(profile_batch(gen.folder, args.batch_size))
    if not args.keep:
        if not args.corpus:
            shutil.rmtree(gen.folder)
        shutil.rmtree(lake)
    return {
        "n": n,
        "wall_s": round(first.wall, 1),
        "docs_per_s": round(rate),
        "cpu_s": round(first.cpu, 1),
        "peak_rss_gb": round(first.peak_rss / 1024**3, 2),
        "rerun_s": round(rerun.wall, 1),
        "rerun_share": round(rerun.wall / first.wall, 3),
        "est_1m_min": round(1_000_000 / rate / 60, 1),
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in scores.items()},
        "meets_goals": (
            rerun.wall <= GOAL_RERUN_SHARE * first.wall
            and first.peak_rss <= GOAL_RSS_BYTES
            and 1_000_000 / rate <= GOAL_WALL_1M_S
            and min(scores["all_kinds"], scores["sentences_kept"]) >= GOAL_QUALITY
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--n", type=int, nargs="+", default=[10_000], help="corpus sizes to run, e.g. 10000 100000")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, help="docclean run --workers (default: its own, the CPU count)")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temporary folder)")
    parser.add_argument("--profile", action="store_true", help="also cProfile process_batch on one batch")
    parser.add_argument("--keep", action="store_true", help="keep the generated documents and lakes")
    parser.add_argument(
        "--corpus", type=Path, help="keep generated corpora here and reuse them (1M documents take minutes to write)"
    )
    parser.add_argument("--generate-only", action="store_true", help="only write the corpora (with --corpus)")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    sentences, titles = load_sentences(args.data)
    print(f"{len(sentences):,} body sentences, {len(titles):,} titles from {args.data / 'news-text' / 'bbc.parquet'}")
    print(f"cores: {os.cpu_count()}  batch size: {args.batch_size}  workers: {args.workers or 'default'}")
    root = Path(tempfile.mkdtemp(prefix="docclean-e2e-", dir=args.workdir))
    try:
        results = [r for n in args.n if (r := bench(n, args, sentences, titles, root)) is not None]
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print("\n" + json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
