"""Near-duplicate benchmark: docclean's MinHash (transforms.minhash, .clusters) vs datasketch, same corpus, same run.

Corpus (built from BBC articles, streamed in batches so 1M documents never sit in memory):
  * background documents: sentences of one BBC category recombined at random (sampling whole
    articles with replacement would make every article a ~45-fold exact duplicate at 100k);
  * planted groups: an original plus 1-3 copies with 0%, 1%, 2% or 5% word edits (substitute,
    delete or insert a word), published later on another site, and with probability 0.5 a hard
    negative: a same-story rewrite keeping 20-60% of the original's sentences verbatim.
Every page belongs to one of --sites synthetic sites and carries that site's header and footer
lines (name, tagline, nav labels, sign-in/subscribe, newsletter call to action, share buttons,
related-links label, copyright, legal links; about a third of sites add an 80-150 word
about/legal footer; some show a per-page number such as "42 comments"). A copy is republished on
another site, so its raw page carries different boilerplate than its original's.
Truth: an original and its copies are one cluster; every other document is alone.

docclean runs as its pipeline does: site profiles are learned with `learn_site_profile` from up
to --profile-pages pages per site, each page's template lines are dropped (the `site_template`
rule's line filter, applied directly rather than through the full `clean_document`, for speed;
timed separately as "boilerplate strip"), then the cleaned bodies are MinHashed and clustered.
datasketch runs on the raw pages, as a pipeline without cleaning would; an ablation row runs
docclean's MinHash on the raw pages too. At <= 100k documents, --clean-sample pages also go
through the full `clean_document(text, site_profile=...)` to show its cost per 1,000 documents.

Scores pairs of documents in the same predicted cluster (precision, recall), recall per edit
rate (copy in its original's cluster; and marked `duplicate`), hard negatives clustered with
their original. datasketch runs on a sample of whole groups (--ds-sample) and its time is scaled
to --n; docclean runs on all --n documents. The BBC data stays where it is (--data).

    python benchmarks/dedup.py --n 100000 [--jobs 2] [--ds-sample 20000]
"""

from __future__ import annotations

import argparse
import itertools
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

from docclean.transforms.clean import clean_document  # noqa: E402
from docclean.transforms.clusters import DUPLICATE, canonical_rank, cluster_edges, connected_components  # noqa: E402
from docclean.transforms.minhash import MinHashConfig, band_keys, candidate_pairs, signatures, verify_pairs  # noqa: E402
from docclean.transforms.ruleset import default_ruleset  # noqa: E402
from docclean.transforms.templates import SiteProfile, learn_site_profile, template_key  # noqa: E402

BG, ORIGINAL, COPY, HARD_NEG = 0, 1, 2, 3
EDIT_RATES = (0.0, 0.01, 0.02, 0.05)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9\x80-\U0010ffff]+")


# --- corpus ----------------------------------------------------------------------------------

_NAME_A = [
    "Daily",
    "Northern",
    "Evening",
    "Morning",
    "Coastal",
    "Metro",
    "Valley",
    "City",
    "National",
    "Independent",
    "Weekly",
    "Capital",
    "Harbour",
    "Highland",
    "Riverside",
    "Western",
    "Eastern",
    "Central",
    "Union",
    "Republic",
]
_NAME_B = [
    "Courier",
    "Ledger",
    "Herald",
    "Gazette",
    "Post",
    "Times",
    "Chronicle",
    "Observer",
    "Tribune",
    "Dispatch",
    "Examiner",
    "Sentinel",
    "Record",
    "Standard",
    "Journal",
    "Mirror",
    "Echo",
    "Bulletin",
    "Register",
    "Star",
]
_NAV = [
    "Home",
    "News",
    "World",
    "UK",
    "Business",
    "Politics",
    "Tech",
    "Science",
    "Health",
    "Sport",
    "Culture",
    "Opinion",
    "Travel",
    "Money",
    "Weather",
    "Video",
    "Podcasts",
    "Local",
    "Obituaries",
    "Puzzles",
]
_TAGLINES = (
    "News you can trust",
    "Independent journalism since {year}",
    "Your {region} news, first",
    "Award-winning reporting from {region}",
    "The stories that matter to {region}",
    "Reader-funded, always free",
)
_REGIONS = ("the North", "the coast", "the valley", "the city", "the region", "the county", "the capital")
_RELATED = (
    "Most read",
    "You may also like",
    "Related stories",
    "More from {name}",
    "Recommended for you",
    "Around the web",
    "Top stories",
    "Editor's picks",
)
# Words of the long "about us / legal" footers some sites carry (80-150 words).
_LEGAL = [
    "we",
    "our",
    "site",
    "content",
    "cookies",
    "personal",
    "data",
    "privacy",
    "policy",
    "terms",
    "use",
    "may",
    "be",
    "reproduced",
    "without",
    "permission",
    "registered",
    "company",
    "number",
    "office",
    "advertising",
    "partners",
    "editorial",
    "independence",
    "complaints",
    "regulated",
    "by",
    "the",
    "press",
    "standards",
    "organisation",
    "readers",
    "journalism",
    "supported",
    "subscriptions",
    "affiliate",
    "links",
    "earn",
    "commission",
    "purchases",
    "made",
    "through",
    "this",
    "page",
    "republished",
    "under",
    "licence",
    "all",
    "material",
    "copyright",
    "reserved",
    "contact",
    "newsroom",
    "tips",
    "corrections",
]


@dataclass(slots=True)
class Site:
    """One synthetic site: fixed header/footer lines and a few per-page variations."""

    name: str
    header: list[str]  # fixed lines, in page order
    footer: list[str]
    related: list[str]  # each page shows one of these labels
    counter: str | None  # a line with a per-page number ("{} comments"), or None


def make_sites(count: int, seed: int) -> list[Site]:
    rnd = random.Random(seed * 31 + 5)
    names = rnd.sample([f"The {a} {b}" for a in _NAME_A for b in _NAME_B], count)
    sites = []
    for name in names:
        year = rnd.randrange(1850, 2015)
        region = rnd.choice(_REGIONS)
        sep = rnd.choice((" · ", " | ", "  ", " / "))
        nav = sep.join(rnd.sample(_NAV, rnd.randrange(5, 10)))
        header_pool = [
            rnd.choice(_TAGLINES).format(year=year, region=region),
            nav,
            rnd.choice(("Sign in", "Log in", "My account")),
            rnd.choice(("Subscribe from £1 a week", "Subscribe", "Support us", "Become a member")),
            rnd.choice(("Search", "Menu", "Skip to content", "Advertisement")),
            f"{rnd.choice(('Edition', 'Region'))}: {region.replace('the ', '').title()}",
            rnd.choice(("Breaking news alerts", "Live updates", "Today's paper", "Newsletters")),
        ]
        header = [name, *rnd.sample(header_pool, rnd.randrange(2, 7))]  # 3-8 lines with the counter
        footer_pool = [
            rnd.choice(("Share this article", "Share this story", "Share", "Share this page")),
            sep.join(rnd.sample(("Facebook", "X", "Email", "WhatsApp", "LinkedIn", "Copy link"), 3)),
            f"Sign up to the {name.removeprefix('The ')} newsletter for the day's top stories in your inbox",
            f"© {rnd.randrange(2005, 2025)} {name}. All rights reserved.",
            sep.join(rnd.sample(("Contact us", "Privacy policy", "Cookie settings", "Terms", "Advertise"), 4)),
            rnd.choice(("Back to top", "Follow us", "Download our app", "Send us your story")),
        ]
        footer = rnd.sample(footer_pool, rnd.randrange(2, 7))
        if rnd.random() < 0.35:  # long footer: about/legal text, 80-150 words in 1-3 lines
            words = rnd.randrange(80, 151)
            cuts = sorted(rnd.sample(range(10, words - 10), rnd.randrange(0, 3)))
            bounds = [0, *cuts, words]
            for lo, hi in itertools.pairwise(bounds):
                chunk = [rnd.choice(_LEGAL) for _ in range(hi - lo)]
                footer.append(" ".join(chunk).capitalize() + ".")
        related = [r.format(name=name) for r in rnd.sample(_RELATED, 3)]
        counter = rnd.choice(("{} comments", "Updated {} minutes ago", "{} min read", None))
        sites.append(Site(name, header, footer, related, counter))
    return sites


@dataclass(slots=True)
class Plan:
    """What each document is; texts are generated from it on demand (deterministically)."""

    kind: np.ndarray  # int8: BG, ORIGINAL, COPY, HARD_NEG
    source: np.ndarray  # int64: row of the original (copies, hard negatives), else own row
    rate: np.ndarray  # float32: word-edit rate of a copy; kept fraction of a hard negative
    truth: np.ndarray  # int64: planted cluster label
    published: np.ndarray  # datetime64[s]
    site: np.ndarray  # int32: site of the page (a copy's differs from its original's)


class Corpus:
    def __init__(self, data: Path, n: int, seed: int, n_sites: int) -> None:
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
        self.sites = make_sites(n_sites, seed)
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
        # Every page has a site; a syndicated copy is republished on another site (with that
        # site's boilerplate). Hard negatives (rewrites) land anywhere, their original's included.
        n_sites = len(self.sites)
        site = rng.integers(0, n_sites, size=n)
        site = np.where(kind == COPY, (site[source] + rng.integers(1, n_sites, size=n)) % n_sites, site)
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
            site=site[perm].astype(np.int32),
        )

    def _base(self, row: int) -> tuple[list[str], list[int]]:
        """Sentences of the story and its paragraph sizes (1-4 sentences), shared by copies."""
        rnd = random.Random(self.seed * 1_000_003 + int(self.plan.source[row]))
        pool = self.pools[rnd.randrange(len(self.pools))]
        sents = rnd.sample(pool, rnd.choice(self.article_len))
        sizes: list[int] = []
        while sum(sizes) < len(sents):
            sizes.append(rnd.randrange(1, 5))
        return sents, sizes

    def body(self, row: int) -> str:
        kind = self.plan.kind[row]
        sents, sizes = self._base(row)  # a copy's or rewrite's base is its original's text
        rnd = random.Random(self.seed * 7_000_003 + int(row))
        if kind == HARD_NEG:
            keep = max(1, round(float(self.plan.rate[row]) * len(sents)))
            kept = set(rnd.sample(range(len(sents)), keep))
            pool = self.pools[rnd.randrange(len(self.pools))]
            sents = [s if i in kept else rnd.choice(pool) for i, s in enumerate(sents)]
        paras, lo = [], 0
        for size in sizes:
            paras.append(" ".join(sents[lo : lo + size]))
            lo += size
        text = "\n\n".join(p for p in paras if p)
        if kind == COPY and self.plan.rate[row] > 0:
            text = edit_words(text, float(self.plan.rate[row]), rnd, self.vocab)
        return text

    def boilerplate(self, row: int) -> tuple[list[str], list[str]]:
        """Header and footer lines of the page at `row`, from its site (with per-page variation)."""
        site = self.sites[int(self.plan.site[row])]
        rnd = random.Random(self.seed * 5_000_011 + int(row))
        header = list(site.header)
        if site.counter is not None:
            header.append(site.counter.format(rnd.randrange(1, 400)))
        footer = [*site.footer[:1], rnd.choice(site.related), *site.footer[1:]]
        return header, footer

    def page(self, row: int) -> str:
        """The raw page: site header, article body, site footer (what a crawler flattens)."""
        header, footer = self.boilerplate(row)
        return "\n".join(header) + "\n\n" + self.body(row) + "\n\n" + "\n".join(footer)

    def batches(self, size: int, rows: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, list[str]]]:
        rows = np.arange(len(self.plan.kind)) if rows is None else rows
        for lo in range(0, rows.size, size):
            chunk = rows[lo : lo + size]
            yield chunk, [self.page(int(r)) for r in chunk]


_PARA = "\x00"  # paragraph-break token while editing words


def edit_words(text: str, rate: float, rnd: random.Random, vocab: list[str]) -> str:
    """Apply round(rate * words) single-word edits: substitute, delete or insert, 1/3 each.
    Paragraph breaks are kept (never edited)."""
    words = text.replace("\n\n", f" {_PARA} ").split()
    n_words = sum(w != _PARA for w in words)
    for _ in range(max(1, round(rate * n_words))):
        i = rnd.randrange(len(words))
        while words[i] == _PARA:
            i = rnd.randrange(len(words))
        op = rnd.randrange(3)
        if op == 0:
            words[i] = rnd.choice(vocab)
        elif op == 1 and len(words) > 1:
            del words[i]
        else:
            words.insert(i, rnd.choice(vocab))
    return " ".join(words).replace(f" {_PARA} ", "\n\n").replace(_PARA, "")


# --- boilerplate -----------------------------------------------------------------------------


def learn_profiles(corpus: Corpus, per_site: int) -> tuple[dict[int, SiteProfile], int]:
    """docclean's site profiles, each from up to `per_site` of the site's pages (the first in
    crawl order). Returns the profiles and the pages used."""
    site = corpus.plan.site
    order = np.argsort(site, kind="stable")
    starts = np.searchsorted(site[order], np.arange(len(corpus.sites) + 1))
    profiles, used = {}, 0
    for s in range(len(corpus.sites)):
        rows = order[starts[s] : starts[s + 1]][:per_site]
        profiles[s] = learn_site_profile(str(s), (corpus.page(int(r)) for r in rows))
        used += rows.size
    return profiles, used


def template_keysets(profiles: dict[int, SiteProfile]) -> dict[int, frozenset[str]]:
    """Per site, the line keys the `site_template` rule removes (as in `strip_site_template`)."""
    rule = default_ruleset().get("site_template")
    out = {}
    for s, profile in profiles.items():
        if profile.n_docs < rule.param("min_profile_docs", 4):
            out[s] = frozenset()
        else:
            out[s] = profile.template_keys(rule.param("min_docs", 3), rule.param("min_fraction", 0.1))
    return out


def strip_template_lines(text: str, keys: frozenset[str]) -> str:
    """The site_template line filter alone: drop lines whose `template_key` is template."""
    if not keys:
        return text
    return "\n".join(line for line in text.split("\n") if template_key(line) not in keys)


_KEYSETS: dict[int, frozenset[str]] = {}


def _init_worker(keysets: dict[int, frozenset[str]]) -> None:
    _KEYSETS.update(keysets)


def _strip_job(args: tuple[list[str], list[int]]) -> tuple[list[str], float]:
    texts, sites = args
    start = time.process_time()
    out = [strip_template_lines(t, _KEYSETS[s]) for t, s in zip(texts, sites, strict=True)]
    return out, time.process_time() - start


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


def run_docclean(
    corpus: Corpus, config: MinHashConfig, jobs: int, batch: int, keysets: dict[int, frozenset[str]]
) -> dict[str, object]:
    """Raw pages -> site-template line filter -> signatures of the cleaned bodies -> LSH ->
    clustering. Pages are generated and dropped batch by batch; only signatures are kept."""
    plan = corpus.plan
    n = len(plan.kind)
    sigs = np.empty((n, config.num_perm), dtype=np.uint32)
    lengths = np.empty(n, dtype=np.int64)
    raw_chars = 0
    t_strip, t_sig, t_gen = Timing(), Timing(), Timing()
    pool = ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(keysets,)) if jobs > 1 else None
    if pool is None:
        _init_worker(keysets)
    batches = corpus.batches(batch)
    while True:
        item = t_gen.add(lambda: next(batches, None))
        if item is None:
            break
        rows, pages = item
        raw_chars += sum(len(p) for p in pages)
        sites = plan.site[rows].tolist()
        if pool is None:
            texts = t_strip.add(lambda pages=pages, sites=sites: _strip_job((pages, sites))[0])
            sigs[rows] = t_sig.add(lambda texts=texts: signatures(texts, config))
        else:
            step = -(-len(pages) // jobs)
            parts = [(pages[i : i + step], sites[i : i + step]) for i in range(0, len(pages), step)]
            stripped = t_strip.add(lambda parts=parts: list(pool.map(_strip_job, parts)))
            texts = [t for d in stripped for t in d[0]]
            t_strip.cpu += sum(d[1] for d in stripped)
            sig_parts = [(texts[i : i + step], config) for i in range(0, len(texts), step)]
            done = t_sig.add(lambda sig_parts=sig_parts: list(pool.map(_sig_job, sig_parts)))
            sigs[rows] = np.concatenate([d[0] for d in done])
            t_sig.cpu += sum(d[1] for d in done)
        lengths[rows] = [len(t) for t in texts]
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
        "t_strip": t_strip,
        "t_sig": t_sig,
        "t_lsh": t_lsh,
        "raw_chars": raw_chars,
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
    parser.add_argument("--variant", type=float, default=MinHashConfig().variant_threshold)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sites", type=int, default=200, help="synthetic sites (each with its boilerplate)")
    parser.add_argument("--profile-pages", type=int, default=50, help="pages per site to learn its profile")
    parser.add_argument(
        "--clean-sample", type=int, default=1000, help="docs timed through full clean_document (only if n<=100k)"
    )
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
    corpus = Corpus(args.data, args.n, args.seed, args.sites)
    plan = corpus.plan
    t_prof = Timing()
    profiles, prof_pages = t_prof.add(lambda: learn_profiles(corpus, args.profile_pages))
    keysets = template_keysets(profiles)
    rule = default_ruleset().get("site_template")
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

    ours = run_docclean(corpus, config, args.jobs, args.batch, keysets)
    clustering = ours["clustering"]
    all_rows = np.arange(args.n)
    rows_table: list[tuple[str, int, dict[str, float], float | None, float | None, str]] = []
    t_total = Timing(
        wall=sum(t.wall for t in (ours["t_sig"], ours["t_lsh"], ours["t_clu"])),
        cpu=sum(t.cpu for t in (ours["t_sig"], ours["t_lsh"], ours["t_clu"])),
    )
    rows_table.append(
        (
            "docclean (cleaned bodies)",
            args.n,
            score(plan, all_rows, clustering.canonical, clustering.role),
            t_total.wall,
            t_total.cpu,
            "measured; sig+LSH+cluster (strip below)",
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
                "docclean (sample, cleaned)",
                rows.size,
                score(plan, rows, sub_cl.canonical, sub_cl.role),
                None,
                None,
                "same sample as datasketch",
            )
        )
        texts = [corpus.page(int(r)) for r in rows]  # raw pages: no cleaning before datasketch
        # docclean's MinHash without the strip, to separate the effect of cleaning from the method.
        raw_sig = signatures(texts, config)
        raw_edges = verify_pairs(
            raw_sig, candidate_pairs(band_keys(raw_sig, config), max_bucket=config.max_bucket), config.variant_threshold
        )[0]
        raw_rank = canonical_rank(rows, plan.published[rows], np.array([len(t) for t in texts]))
        raw_cl = cluster_edges(raw_sig, raw_edges, raw_rank, config)
        del raw_sig, raw_edges
        rows_table.append(
            (
                "docclean (sample, raw pages)",
                rows.size,
                score(plan, rows, raw_cl.canonical, raw_cl.role),
                None,
                None,
                "ablation: same MinHash, no strip",
            )
        )
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
                    f"{name} ({config.shingle_size}-gram, raw)",
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
                "ds t=0.8 (5-gram, raw, issue)",
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
        ("learn site profiles", t_prof),
        ("boilerplate strip", ours["t_strip"]),
        ("signatures", ours["t_sig"]),
        ("band keys + candidates", ours["t_lsh"]),
        ("verify + cluster", ours["t_clu"]),
    ):
        print(f"docclean {label:24} wall {t.wall:7.1f} s  cpu {t.cpu:7.1f} s")
    core = [ours[k] for k in ("t_sig", "t_lsh", "t_clu")]
    print(
        f"docclean signatures + LSH + clustering     wall {sum(t.wall for t in core):7.1f} s  "
        f"cpu {sum(t.cpu for t in core):7.1f} s   (+ strip: wall "
        f"{sum(t.wall for t in core) + ours['t_strip'].wall:.1f} s)"
    )
    print(
        f"strip = docclean's site_template line filter applied directly (lines split on \\n, "
        f"docclean.transforms.templates.template_key, dropped if doc freq >= SiteProfile.threshold("
        f"min_docs={rule.param('min_docs', 3)}, min_fraction={rule.param('min_fraction', 0.1)}); "
        f"profiles need >= {rule.param('min_profile_docs', 4)} pages), not the full clean_document; "
        f"profiles from {prof_pages} pages (<= {args.profile_pages}/site, {args.sites} sites, "
        f"learn_site_profile); raw {ours['raw_chars'] / 1e6:.0f} MB -> cleaned "
        f"{int(ours['lengths'].sum()) / 1e6:.0f} MB of text"
    )
    strip_report(corpus, keysets, profiles, args)
    print(
        f"docclean candidates {ours['candidates']}, verified edges {ours['edges']}; "
        f"corpus generation (not timed above) {ours['t_gen'].wall:.1f} s"
    )
    print(
        f"peak RSS: main process {ours['peak_mb']:.0f} MB "
        "(corpus batches + signatures + LSH + clustering), "
        f"largest strip/signature worker {ours['child_mb']:.0f} MB; total run {time.perf_counter() - t0:.0f} s"
    )
    started = datetime.now(UTC) - timedelta(seconds=time.perf_counter() - t0)
    print(f"run started {started:%Y-%m-%d %H:%M} UTC on {_cpu_count()} cores")


def strip_report(
    corpus: Corpus, keysets: dict[int, frozenset[str]], profiles: dict[int, SiteProfile], args: argparse.Namespace
) -> None:
    """How well the strip removes the planted boilerplate (sampled), and, at <= 100k documents,
    what the full `clean_document` with the site profile costs per 1,000 documents."""
    n = len(corpus.plan.kind)
    rng = np.random.default_rng(args.seed + 1)
    rows = rng.choice(n, size=min(args.clean_sample, n), replace=False)
    full = n <= 100_000 and args.clean_sample > 0
    bp_lines = body_paras = bp_words = body_words = 0
    left = {"filter": 0, "full": 0}
    lost = {"filter": 0, "full": 0}
    t_full = Timing()
    for r in rows.tolist():
        header, footer = corpus.boilerplate(r)
        bp = header + footer
        paras = corpus.body(r).split("\n\n")
        page = corpus.page(r)
        bp_lines += len(bp)
        body_paras += len(paras)
        bp_words += sum(len(x.split()) for x in bp)
        body_words += sum(len(x.split()) for x in paras)
        outs = {"filter": strip_template_lines(page, keysets[int(corpus.plan.site[r])])}
        if full:
            profile = profiles[int(corpus.plan.site[r])]
            doc = t_full.add(lambda page=page, profile=profile: clean_document(page, site_profile=profile))
            outs["full"] = "\n".join(x for x in (doc.title, doc.subtitle, doc.text) if x)
        for name, out in outs.items():
            keys = {template_key(x) for x in out.split("\n")}
            left[name] += sum(template_key(x) in keys for x in bp)
            lost[name] += sum(template_key(x) not in keys for x in paras)
    print(
        f"boilerplate: {bp_words / (bp_words + body_words):.1%} of words in {rows.size} sampled pages "
        f"({bp_lines / rows.size:.1f} lines/page); line filter left {left['filter'] / bp_lines:.2%} of "
        f"boilerplate lines, removed {lost['filter'] / body_paras:.2%} of body paragraphs"
    )
    if full:
        per_k = t_full.wall / rows.size * 1000
        print(
            f"full clean_document(text, site_profile=...) on {rows.size} sampled pages: "
            f"{per_k:.2f} s wall / {t_full.cpu / rows.size * 1000:.2f} s cpu per 1,000 docs "
            f"(1 process; ~{per_k * n / 1000 / args.jobs:.0f} s for {n} docs on {args.jobs} processes); "
            f"left {left['full'] / bp_lines:.2%} of boilerplate lines, body paragraphs not in text/title "
            f"{lost['full'] / body_paras:.2%}"
        )


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
