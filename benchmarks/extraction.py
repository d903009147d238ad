"""HTML extraction benchmark: trafilatura alone vs docclean's HTML path, same pages, same run.

    docclean = transforms.html.extract_html -> transforms.clean.clean_document

Scores main text with the shared scorer (`tools/score_extraction.py`, shingle F1 as in the
article-extraction-benchmark) on WCXB-dev (articles, and all page types) and big9, times both
systems in CPU seconds (pages/s per core), and checks title/author/date against WCXB's gold.
The data stays where it is (`--data`, default ../shared/data from the repo root); nothing is copied.

    python benchmarks/extraction.py [--limit 100] [--jobs 2] [--out /tmp/preds]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402
from charset_normalizer import from_bytes  # noqa: E402
from common import load_scorer  # noqa: E402  (benchmarks/common.py: the script folder is on sys.path)
from docclean.transforms import html as html_module  # noqa: E402
from docclean.transforms import html_metadata as metadata_module  # noqa: E402
from docclean.transforms.clean import clean_document  # noqa: E402
from docclean.transforms.dates import parse_date  # noqa: E402
from docclean.transforms.html import extract_html, parse_html  # noqa: E402
from docclean.transforms.html_blocks import block_texts, boundary_joins, glued_boundaries  # noqa: E402
from docclean.transforms.ruleset import default_ruleset  # noqa: E402
from docclean.transforms.templates import learn_site_profile  # noqa: E402


@dataclass(slots=True)
class Page:
    id: str
    html: str
    url: str | None
    truth: str
    page_type: str
    site: str | None = None  # what `docclean run` would group the page under (URL host, or big9's site)
    title: str | None = None
    author: str | None = None
    date: str | None = None


@dataclass(slots=True)
class Result:
    id: str
    texts: dict[str, str] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    glued: dict[str, list[str]] = field(default_factory=dict)  # tokens joining two blocks' words
    steps: dict[str, float] = field(default_factory=dict)  # docclean's CPU seconds by step
    meta: dict[str, dict[str, object]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# data


def decode(raw: bytes) -> str:
    """UTF-8 when it is, else charset-normalizer's guess: both systems get the same string."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("utf-8", "replace")


def load_wcxb(root: Path, limit: int | None) -> list[Page]:
    files = json.loads((root / "metadata.json").read_text("utf-8"))["files"]
    pages = []
    for path in sorted((root / "ground-truth").glob("*.json"))[:limit]:
        gold = json.loads(path.read_text("utf-8"))
        page_id = str(gold.get("file_id") or path.stem)
        truth = gold.get("ground_truth") or {}
        html = decode(gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()))
        pages.append(
            Page(
                id=page_id,
                html=html,
                url=gold.get("url"),
                truth=truth.get("main_content") or "",
                page_type=files.get(page_id, {}).get("page_type", ""),
                site=urlsplit(gold.get("url") or "").hostname,
                title=truth.get("title"),
                author=truth.get("author"),
                date=truth.get("publish_date"),
            )
        )
    return pages


def load_big9(root: Path, limit: int | None) -> list[Page]:
    gold = json.loads((root / "ground-truth.json").read_text("utf-8"))
    with (root / "index.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[:limit]
    return [
        Page(
            id=row["doc_id"],
            html=decode(gzip.decompress((root / row["html"]).read_bytes())),
            url=None,
            truth=gold[row["doc_id"]]["articleBody"],
            page_type="article",
            site=row["site"],
        )
        for row in rows
    ]


# --------------------------------------------------------------------------------------------
# systems


def run_trafilatura(page: Page) -> tuple[str, dict[str, object]]:
    text = trafilatura.extract(page.html, url=page.url, include_comments=False) or ""
    return text, {}


def run_docclean(page: Page) -> tuple[str, dict[str, object]]:
    extraction = extract_html(page.html, url=page.url)
    # detect_prose=False: trafilatura has already chosen the main region; the one-page prose
    # detector is for whole-page markdown and on extracted text it removes real lists and tables.
    doc = clean_document(
        extraction.text, hints=extraction.hints, prior_removals=extraction.removals, detect_prose=False
    )
    headline = "\n\n".join(x for x in (doc.title, doc.subtitle) if x)
    # `authors` are people; agencies, newsrooms and team bylines are in `author_orgs`. Graded
    # twice: people or organisations (the gold names either), and people only.
    meta = {
        "title": doc.title,
        # clean_document leaves author_orgs to the caller (transforms.document carries them over).
        "authors": [*doc.authors, *extraction.hints.author_orgs],
        "people": doc.authors,
        "date": doc.published_at,
        "headline": headline,
        "language": extraction.hints.language,
    }
    return doc.text, {**meta, "extraction": extraction}


def apply_site_templates(pages: list[Page], results: dict[str, Result]) -> None:
    """docclean+sites: what `docclean run` does with many pages of one site.

    Learns each site's template from the extracted texts of its pages in the set, then cleans
    every page again with it (the flow's learning pass, then its cleaning pass). Its CPU is
    docclean's plus the learning pass (the profiled cleaning replaces the plain one).
    """
    by_site: dict[str, list[Page]] = {}
    for page in pages:
        by_site.setdefault(page.site or page.id, []).append(page)
    rule = default_ruleset().get("site_template")
    for site, members in by_site.items():
        started = time.process_time()
        extractions = {p.id: results[p.id].meta["docclean"]["extraction"] for p in members}
        profile = learn_site_profile(site, (e.text for e in extractions.values()))
        learning = (time.process_time() - started) / len(members)
        for page in members:
            extraction = extractions[page.id]
            doc = clean_document(
                extraction.text,
                hints=extraction.hints,
                prior_removals=extraction.removals,
                site_profile=profile if profile.n_docs >= rule.param("min_profile_docs", 4) else None,
                detect_prose=False,
            )
            result = results[page.id]
            result.texts["docclean+sites"] = doc.text
            result.cpu["docclean+sites"] = result.cpu["docclean"] + learning
            headline = "\n\n".join(x for x in (doc.title, doc.subtitle) if x)
            result.texts["docclean+sites+title"] = f"{headline}\n\n{doc.text}" if headline else doc.text


# docclean's steps, timed by wrapping the functions `extract_html` calls (module globals are
# looked up at call time); metadata's parts are timed inside "metadata".
STEPS: dict[str, float] = {}
_TIMED = [
    (html_module, "parse_html", "parse"),
    (html_module, "_main_text", "main text (trafilatura)"),
    (html_module, "_boilerplate_removals", "furniture removals"),
    (html_module, "extract_metadata", "metadata"),
    (metadata_module, "page_title", "  title"),
    (metadata_module, "page_authors", "  authors"),
    (metadata_module, "published_at", "  date (htmldate)"),
]


def _timed(function: Callable, step: str) -> Callable:
    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            STEPS[step] = STEPS.get(step, 0.0) + time.process_time() - started

    return wrapper


for _module, _name, _step in _TIMED:
    setattr(_module, _name, _timed(getattr(_module, _name), _step))
clean_document = _timed(clean_document, "cleaning")


SYSTEMS: dict[str, Callable[[Page], tuple[str, dict[str, object]]]] = {
    "trafilatura": run_trafilatura,
    "docclean": run_docclean,
}


def trafilatura_metadata(page: Page) -> dict[str, object]:
    meta = trafilatura.extract_metadata(page.html, default_url=page.url)
    if meta is None:
        return {"title": None, "authors": [], "people": [], "date": None}
    authors = [a.strip() for a in (meta.author or "").split(";") if a.strip()]
    # trafilatura does not tell people from organisations: its authors count in both rows.
    return {
        "title": meta.title,
        "authors": authors,
        "people": authors,
        "date": parse_date(meta.date) if meta.date else None,
    }


def process(page: Page) -> Result:
    """Run every system on one page; CPU time per system (so --jobs does not distort pages/s)."""
    result = Result(page.id)
    STEPS.clear()
    for name, system in SYSTEMS.items():
        start = time.process_time()
        text, meta = system(page)
        result.cpu[name] = time.process_time() - start
        result.texts[name] = text
        result.meta[name] = meta
    # big9's gold starts with the headline; docclean moves it to `title`, so score that too.
    headline = str(result.meta["docclean"].get("headline") or "")
    result.texts["docclean+title"] = (
        f"{headline}\n\n{result.texts['docclean']}" if headline else result.texts["docclean"]
    )
    result.steps = dict(STEPS)
    if page.title is not None:  # WCXB: compare metadata with trafilatura's own extractor too
        result.meta["trafilatura"] = trafilatura_metadata(page)
    tree = parse_html(page.html)  # untimed: the check, not the systems
    joins = boundary_joins(block_texts(tree)) if tree is not None else set()
    result.glued = {name: glued_boundaries(result.texts[name], joins) for name in SYSTEMS}
    return result


def run_all(pages: list[Page], jobs: int) -> dict[str, Result]:
    if jobs <= 1:
        return {page.id: process(page) for page in pages}
    with Pool(jobs) as pool:
        return {r.id: r for r in pool.imap_unordered(process, pages, chunksize=4)}


# --------------------------------------------------------------------------------------------
# scoring


# WCXB's gold straightens quotes and dashes; so does the comparison, for both systems.
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").translate(_TYPOGRAPHY).lower().split())


def title_ok(gold: str, answer: object) -> bool:
    return _norm(gold) == _norm(answer if isinstance(answer, str) else None)


def author_ok(gold: str, answer: object) -> bool:
    """Gold inside the answer, or every answered name inside the gold ("A, B, and C" vs [A, B, C])."""
    names = [_norm(a) for a in answer if _norm(a)] if isinstance(answer, list) else []
    want = _norm(gold)
    return bool(names) and (want in ", ".join(names) or all(name in want for name in names))


def date_ok(gold: str, answer: object) -> bool:
    want = parse_date(gold)
    return want is not None and answer is not None and want.date() == answer.date()  # type: ignore[attr-defined]


# column: (gold field, answer key, check)
METADATA_CHECKS: dict[str, tuple[str, str, Callable[[str, object], bool]]] = {
    "title": ("title", "title", title_ok),
    "author": ("author", "authors", author_ok),  # people or organisations
    "author people": ("author", "people", author_ok),  # strict: `authors` alone
    "date": ("date", "date", date_ok),
}


def report_text(
    scorer: ModuleType, label: str, pages: Iterable[Page], results: dict[str, Result], with_title: bool = False
) -> None:
    pages = list(pages)
    if not pages:
        return
    truth = {p.id: p.truth for p in pages}
    print(f"\n== {label}: {len(pages)} pages")
    print(f"{'system':<20} {'F1':>6} {'prec':>6} {'recall':>6} {'wordF1':>6} {'empty':>5} {'pages/s/core':>12}")
    names = [*SYSTEMS, "docclean+sites", *(["docclean+title", "docclean+sites+title"] if with_title else [])]
    for name in names:
        preds = {p.id: results[p.id].texts[name] for p in pages}
        summary, _ = scorer.score_texts(truth, preds, n_boot=0)
        cpu = sum(results[p.id].cpu.get(name.removesuffix("+title"), 0.0) for p in pages)
        print(
            f"{name:<20} {summary['f1']:>6.3f} {summary['precision']:>6.3f} {summary['recall']:>6.3f} "
            f"{summary['word_f1']:>6.3f} {summary['n_empty_pred']:>5} {len(pages) / cpu:>12.1f}"
        )


def report_steps(label: str, pages: Iterable[Page], results: dict[str, Result]) -> None:
    """Where docclean's CPU goes, and its time next to trafilatura's on the same pages."""
    pages = list(pages)
    total = sum(results[p.id].cpu["docclean"] for p in pages)
    peer = sum(results[p.id].cpu["trafilatura"] for p in pages)
    print(f"\n== docclean CPU by step, {label}: {total:.1f} s; trafilatura {peer:.1f} s")
    print(f"pages/s/core ratio docclean / trafilatura: {peer / total:.2f}x" if total else "")
    steps: dict[str, float] = {}
    for p in pages:
        for step, seconds in results[p.id].steps.items():
            steps[step] = steps.get(step, 0.0) + seconds
    for step, seconds in steps.items():
        print(f"{step:<26} {seconds:>7.1f} s {seconds / total:>6.1%}  ({seconds / peer:.2f}x trafilatura's whole time)")


def report_glued(label: str, pages: Iterable[Page], results: dict[str, Result]) -> None:
    """Output tokens that are the last word of one source block glued to the first of the next."""
    pages = list(pages)
    print(f"\n== glued block boundaries, {label}: tokens (pages) — goal 0")
    for name in SYSTEMS:
        glued = [(p.id, t) for p in pages for t in results[p.id].glued.get(name, [])]
        print(f"{name:<12} {len(glued):>5} ({len({pid for pid, _ in glued})})  {' '.join(t for _, t in glued[:8])}")


def report_metadata(label: str, pages: Iterable[Page], results: dict[str, Result]) -> None:
    """Title, author (people or organisations, then people only) and date against the gold,
    over all pages, then per language (the page's declared language, docclean's reading of it)."""
    pages = [p for p in pages if p.title is not None]
    if not pages:
        return
    print(f"\n== metadata accuracy, {label} (pages with that gold field)")
    print(f"{'system':<12} {'language':<8} " + " ".join(f"{column:>14}" for column in METADATA_CHECKS))
    by_language: dict[str, list[Page]] = {}
    for p in pages:
        by_language.setdefault(str(results[p.id].meta["docclean"].get("language") or "?"), []).append(p)
    groups = [("all", pages), *sorted(by_language.items(), key=lambda kv: -len(kv[1]))]
    for language, members in groups if len(by_language) > 1 else groups[:1]:
        for name in SYSTEMS:
            cells = [_metadata_cell(members, results, name, *check) for check in METADATA_CHECKS.values()]
            print(f"{name:<12} {language:<8} " + " ".join(f"{c:>14}" for c in cells))


def _metadata_cell(
    pages: list[Page], results: dict[str, Result], name: str, gold_field: str, answer_key: str, check: Callable
) -> str:
    graded = [
        check(gold, results[p.id].meta[name].get(answer_key))
        for p in pages
        if (gold := getattr(p, gold_field)) and str(gold).strip()
    ]
    return f"{sum(graded) / len(graded):.3f} ({len(graded):>3})" if graded else "-"


def dump(out: Path, label: str, pages: list[Page], results: dict[str, Result]) -> None:
    """Predictions as {id: text} per system, for the scorer's CLI or a diff by hand."""
    out.mkdir(parents=True, exist_ok=True)
    for name in SYSTEMS:
        preds = {p.id: results[p.id].texts[name] for p in pages}
        (out / f"{label}-{name}.json").write_text(json.dumps(preds, ensure_ascii=False, indent=0), "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--scorer", type=Path, help="score_extraction.py (default: DATA/../tools/)")
    parser.add_argument("--limit", type=int, help="first N pages of each set, for a quick run")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (CPU time is per process)")
    parser.add_argument("--sets", default="wcxb,big9", help="comma-separated: wcxb, big9")
    parser.add_argument("--out", type=Path, help="also write predictions JSON here (outside the repo)")
    args = parser.parse_args(argv)

    scorer = load_scorer(args.scorer or args.data.parent / "tools" / "score_extraction.py")
    sets = {s.strip() for s in args.sets.split(",")}
    print(f"trafilatura {trafilatura.__version__}; limit={args.limit}; jobs={args.jobs}")
    if "wcxb" in sets:
        wall = time.perf_counter()
        pages = load_wcxb(args.data / "wcxb-dev", args.limit)
        results = run_all(pages, args.jobs)
        apply_site_templates(pages, results)
        print(f"\nwcxb-dev: {len(pages)} pages in {time.perf_counter() - wall:.0f} s wall")
        articles = [p for p in pages if p.page_type == "article"]
        report_text(scorer, "wcxb-dev articles", articles, results)
        report_text(scorer, "wcxb-dev all types", pages, results)
        report_metadata("wcxb-dev articles", articles, results)
        report_metadata("wcxb-dev all types", pages, results)
        report_glued("wcxb-dev all types", pages, results)
        report_steps("wcxb-dev all types", pages, results)
        if args.out:
            dump(args.out, "wcxb", pages, results)
    if "big9" in sets:
        wall = time.perf_counter()
        pages = load_big9(args.data / "big9", args.limit)
        results = run_all(pages, args.jobs)
        apply_site_templates(pages, results)
        print(f"\nbig9: {len(pages)} pages in {time.perf_counter() - wall:.0f} s wall")
        report_text(scorer, "big9", pages, results, with_title=True)
        report_glued("big9", pages, results)
        report_steps("big9", pages, results)
        if args.out:
            dump(args.out, "big9", pages, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
