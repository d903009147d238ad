"""Whole pages flattened to markdown or text, cleaned: F1 against human ground truth, and speed.

Two sets from `--data` (never copied into the repo), each in four flattening styles
(`--styles`): `markdown` (html2text, links kept, one paragraph a line: the sets' `markdown/`)
and the `flat/` styles `h2t-links` (inline links, wrapped at 78), `h2t-plain` (no links,
wrapped at 78) and `wet` (one block a line, no markup), as crawlers and archives give them.

* big9: 9 news sites x 40 pages; site = folder name. Site profiles are learned from that
  run's pages of the site, as the flow would learn them from one crawl.
* wcxb-dev: articles only (page type from metadata.json); site = domain. Most domains have
  one page, so this set mostly measures the prose detector.

Systems, all in the same run: keep-everything (markdown reduced to text, link URLs dropped),
trafilatura on the markdown rendered to HTML, docclean pattern rules only, the prose detector
alone ("single page": no profile, as for an unknown site) and site templates plus prose.

    python benchmarks/markdown_pages.py [--data ../shared/data] [--sets big9 wcxb] [--styles markdown wet]

The metric is the shared scorer's (`tools/score_extraction.py` next to the data folder):
4-token shingles per document, precision and recall averaged over documents, F1 of the means.
Scored text is the cleaned body (the extracted title is metadata, not body). Where the
flattening itself lost the article on some pages (keep-everything recall under 0.5: big9's h2t
flats of some forbes pages hold only the Wayback banner and scripts), the templates + prose row
is printed again without them, so the cleaner's figure is not read as the flattener's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from common import load_scorer  # benchmarks/common.py (the script folder is on sys.path)
from docclean.transforms.clean import clean_document
from docclean.transforms.lines import LineDocument
from docclean.transforms.normalize import prepare_text
from docclean.transforms.templates import SiteProfile, learn_site_profile

REPO = Path(__file__).resolve().parent.parent


@dataclass(slots=True)
class Page:
    id: str
    site: str
    markdown: str


@dataclass(slots=True)
class Corpus:
    name: str
    pages: list[Page]
    truth: dict[str, str]


def read_gz(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


STYLES = ("markdown", "h2t-links", "h2t-plain", "wet")


def _style_folder(root: Path, style: str) -> tuple[Path, str]:
    """Where a set keeps its pages in `style`, and their file suffix."""
    return (root / "markdown", ".md.gz") if style == "markdown" else (root / "flat" / style, ".txt.gz")


def load_big9(data: Path, limit: int | None, scorer: ModuleType, style: str = "markdown") -> Corpus:
    root = data / "big9"
    truth_all = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    folder, suffix = _style_folder(root, style)
    pages: list[Page] = []
    for site_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = sorted(site_dir.glob(f"*{suffix}"))[:limit]
        for f in files:
            pages.append(Page(f.name.removesuffix(suffix), site_dir.name, read_gz(f)))
    truth = {p.id: truth_all[p.id]["articleBody"] for p in pages}
    return Corpus(f"big9 [{style}]", pages, truth)


def load_wcxb(data: Path, limit: int | None, scorer: ModuleType, style: str = "markdown") -> Corpus:
    root = data / "wcxb-dev"
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))["files"]
    ids = sorted(k for k, v in meta.items() if v["page_type"] == "article")[:limit]
    folder, suffix = _style_folder(root, style)
    ids = [k for k in ids if (folder / f"{k}{suffix}").exists()]
    pages = [Page(k, meta[k]["domain"], read_gz(folder / f"{k}{suffix}")) for k in ids]
    texts = scorer.load_truth_full(root / "ground-truth").texts  # the scorer's reading of the truth
    return Corpus(f"wcxb-dev articles [{style}]", pages, {k: texts[k] or "" for k in ids})


def keep_everything(page: Page) -> str:
    return LineDocument.parse(prepare_text(page.markdown)).body()


def make_trafilatura() -> Callable[[Page], str] | None:
    # markdown-it-py, not Python-Markdown: this script's own name shadows the `markdown` package.
    try:
        import trafilatura
        from markdown_it import MarkdownIt
    except ImportError:
        return None
    renderer = MarkdownIt("commonmark").enable("table")

    def run(page: Page) -> str:
        html = renderer.render(page.markdown)
        return trafilatura.extract(f"<html><body>{html}</body></html>") or ""

    return run


def rules_only(page: Page) -> str:
    return clean_document(page.markdown, detect_prose=False).text


def prose_only(page: Page) -> str:
    return clean_document(page.markdown).text


def with_profiles(pages: list[Page], detect_prose: bool) -> Callable[[Page], str]:
    """Learn each site's profile from this run's pages, then clean with it."""
    by_site: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        by_site[page.site].append(page.markdown)
    profiles: dict[str, SiteProfile] = {}

    def run(page: Page) -> str:
        if page.site not in profiles:  # learnt lazily so its cost lands in the timing
            profiles[page.site] = learn_site_profile(page.site, by_site[page.site])
        return clean_document(page.markdown, site_profile=profiles[page.site], detect_prose=detect_prose).text

    return run


# Keep-everything recall under this: the flattening itself lost the article (big9's h2t flats of
# some forbes pages hold only the Wayback banner and scripts), so no cleaner can score there.
LOST_RECALL = 0.5


def _print_without(lost: set[str], corpus: Corpus, preds: dict[str, str], scorer: ModuleType) -> None:
    """The row again on the pages whose flattened text still holds the article."""
    truth = {k: v for k, v in corpus.truth.items() if k not in lost}
    summary, _ = scorer.score_texts(truth, {k: preds[k] for k in truth}, n_boot=0)
    label = f"  without {len(lost)} lost pages"
    scores = " ".join(f"{summary[key]:6.3f}" for key in ("f1", "precision", "recall", "word_f1"))
    print(f"{label:<30} {scores}")


def run_system(fn: Callable[[Page], str], pages: list[Page]) -> tuple[dict[str, str], float]:
    start = time.perf_counter()
    out = {page.id: fn(page) for page in pages}
    return out, len(pages) / max(time.perf_counter() - start, 1e-9)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO / ".." / "shared" / "data")
    ap.add_argument("--scorer", type=Path, help="score_extraction.py (default: DATA/../tools/)")
    ap.add_argument("--sets", nargs="+", choices=["big9", "wcxb"], default=["big9", "wcxb"])
    ap.add_argument("--styles", nargs="+", choices=STYLES, default=list(STYLES), help="flattening styles")
    ap.add_argument("--limit", type=int, help="pages per site (big9) / in all (wcxb), for quick runs")
    ap.add_argument("--no-trafilatura", action="store_true")
    ap.add_argument("--dump", type=Path, help="write predictions {id: text} per system here (outside the repo)")
    args = ap.parse_args(argv)
    data = args.data.resolve()
    scorer = load_scorer(args.scorer or data.parent / "tools" / "score_extraction.py")

    systems: list[tuple[str, Callable[[list[Page]], Callable[[Page], str] | None]]] = [
        ("keep everything", lambda pages: keep_everything),
        ("trafilatura (md->html)", lambda pages: None if args.no_trafilatura else make_trafilatura()),
        ("docclean rules only", lambda pages: rules_only),
        ("docclean prose (single page)", lambda pages: prose_only),
        ("docclean templates only", lambda pages: with_profiles(pages, detect_prose=False)),
        ("docclean templates + prose", lambda pages: with_profiles(pages, detect_prose=True)),
    ]
    loaders = {"big9": load_big9, "wcxb": load_wcxb}
    for set_name, style in [(s, style) for s in args.sets for style in args.styles]:
        corpus = loaders[set_name](data, args.limit, scorer, style)
        n_sites = len({p.site for p in corpus.pages})
        print(f"\n{corpus.name}: {len(corpus.pages)} pages, {n_sites} sites")
        print(f"{'system':<30} {'F1':>6} {'prec':>6} {'recall':>6} {'wordF1':>6} {'docs/s':>8}")
        lost: set[str] = set()  # pages whose flattened text lost the article (keep-everything's recall)
        for name, factory in systems:
            fn = factory(corpus.pages)
            if fn is None:
                print(f"{name:<30} (not installed or disabled)")
                continue
            preds, rate = run_system(fn, corpus.pages)
            summary, rows = scorer.score_texts(corpus.truth, preds, n_boot=0)
            print(
                f"{name:<30} {summary['f1']:6.3f} {summary['precision']:6.3f} {summary['recall']:6.3f} "
                f"{summary['word_f1']:6.3f} {rate:8.1f}",
                flush=True,
            )
            if fn is keep_everything:
                lost = {row["id"] for row in rows if row.get("recall", 1.0) < LOST_RECALL}
            elif lost and name.endswith("templates + prose"):
                _print_without(lost, corpus, preds, scorer)
            if args.dump:
                args.dump.mkdir(parents=True, exist_ok=True)
                slug = name.split(" (")[0].replace(" ", "_").replace("+", "and")
                (args.dump / f"{set_name}-{style}-{slug}.json").write_text(json.dumps(preds), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
