"""Golden test: a fixed mixed corpus gives the same lake content, whatever the code's shape.

The corpus has every input format (txt, md, html, jsonl, warc), an exact and a near duplicate,
a site whose articles share a footer (a common paragraph) and documents that must be rejects.
The lake is compared by content (articles, removals, rejects, clusters), keyed by each
document's path inside the corpus, never by file names in the lake or doc ids (they hash the
temporary folder's path). To accept a deliberate change:

    DOCCLEAN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/flows/test_golden.py

and explain the difference in the commit.
"""

from __future__ import annotations

import json
import os
import random
from io import BytesIO
from pathlib import Path

import pytest
from docclean.flows.flow import clean_documents
from docclean.warehouse.catalog import run_checks, run_query
from docclean.warehouse.lake import Lake

from tests.conftest import CASES, SEEDS

pytestmark = pytest.mark.flow
GOLDEN = CASES / "golden" / "mixed_corpus.json"

WORDS = (
    "harbour",
    "council",
    "river",
    "budget",
    "school",
    "station",
    "market",
    "bridge",
    "mayor",
    "winter",
    "rail",
    "police",
    "museum",
    "farmers",
    "election",
    "hospital",
    "library",
    "storm",
    "factory",
    "workers",
    "teachers",
    "voters",
    "court",
    "parliament",
    "village",
    "airport",
    "festival",
    "housing",
    "energy",
    "water",
    "tunnel",
    "ferry",
    "garden",
    "orchestra",
    "league",
    "minister",
    "coast",
    "tourism",
)
FOOTER = "Valley Courier is published daily by the Valley Media Group and its reporters in the region."


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 16))]
    return f"The {' '.join(words)} said on Monday."


def _article(rng: random.Random, n_paragraphs: int = 4) -> list[str]:
    return [" ".join(_sentence(rng) for _ in range(2)) for _ in range(n_paragraphs)]


def _page(title: str, body: list[str], byline: str | None = None) -> str:
    lines = [title, ""]
    if byline:
        lines += [byline, ""]
    for paragraph in body:
        lines += [paragraph, ""]
    return "\n".join(lines)


def _warc(path: Path, records: list[tuple[str, str, bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for rec_type, url, body in records:
            if rec_type == "response":
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            else:
                http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "harbour.example.com")], is_http_request=True)
            record = writer.create_warc_record(url, rec_type, payload=BytesIO(body), http_headers=http)
            # Fixed record ids and dates: the source ids (and so the golden file) must not vary.
            record.rec_headers.replace_header("WARC-Record-ID", f"<urn:uuid:00000000-0000-0000-0000-{len(url):012d}>")
            record.rec_headers.replace_header("WARC-Date", "2024-03-01T10:00:00Z")
            writer.write_record(record)


def _html(title: str, body: list[str], author: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    return (
        f'<html><head><title>{title} | Harbour Times</title><meta name="author" content="{author}">'
        '<meta property="article:published_time" content="2024-02-03T08:00:00Z"></head><body>'
        '<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Copyright 2024 Harbour Times. All rights reserved.</footer></body></html>"
    )


def build_corpus(root: Path) -> None:
    """Write the mixed corpus under `root` (deterministic)."""
    rng = random.Random(20261204)
    root.mkdir(parents=True)
    for seed in sorted(SEEDS.iterdir()):
        (root / seed.name).write_bytes(seed.read_bytes())
    # An exact copy and a near copy (a few words edited, other boilerplate around it) of one story.
    story = _article(rng, 5)
    (root / "wire").mkdir()
    (root / "wire" / "story.txt").write_text(_page("Ferry Service Resumes After Storm", story, "By Mara Lind"))
    (root / "wire" / "story_copy.txt").write_text(_page("Ferry Service Resumes After Storm", story, "By Mara Lind"))
    edited = [p.replace("Monday", "Tuesday", 1) for p in story]
    (root / "wire" / "story_syndicated.md").write_text(
        "[Home](/) | [News](/news) | [Sport](/sport)\n\n"
        + _page("# Ferry Service Resumes After Storm", edited)
        + "\nShare this: [Facebook](https://facebook.com/x) [Twitter](https://twitter.com/x)\n"
    )
    # URL-less articles that end with the same footer paragraph: common once enough of them are in.
    write_valley(root, range(3), rng)
    # JSONL: metadata from the record, a broken line, an empty text.
    records = [
        {
            "id": "r1",
            "url": "https://news.example.org/a/1",
            "title": "Budget Vote Delayed Again",
            "authors": ["Ola Berg"],
            "published_at": "2024-01-05",
            "text": "\n\n".join(_article(rng, 3)),
        },
        {"id": "r2", "url": "https://news.example.org/a/2", "text": "   "},
    ]
    lines = [json.dumps(r) for r in records[:1]] + ["{not json"] + [json.dumps(r) for r in records[1:]]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n")
    # HTML with head metadata, nav and footer; a WARC with a request and a response.
    (root / "page.html").write_text(_html("Tunnel Opens To Traffic", _article(rng, 4), "Ines Vidal"))
    museum = _html("Museum Reopens", _article(rng, 3), "Tom Ek").encode()
    _warc(
        root / "crawl.warc.gz",
        [
            ("request", "https://harbour.example.com/r", b""),
            ("response", "https://harbour.example.com/story", museum),
        ],
    )
    # Rejects: empty, binary, unsupported.
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (root / "slides.pdf").write_bytes(b"%PDF-1.4 not for us")


def write_valley(root: Path, numbers: range, rng: random.Random) -> None:
    folder = root / "valley"
    folder.mkdir(exist_ok=True)
    for i in numbers:
        title = " ".join(rng.choice(WORDS).title() for _ in range(5))
        (folder / f"valley_{i}.txt").write_text(_page(title, [*_article(rng, 3), FOOTER]))


def _relative(uri: str, root: Path) -> str:
    """A source's place in the corpus: its path inside `root`, plus the record part of the URI."""
    prefix = root.as_uri() + "/"
    return uri.removeprefix(prefix) if uri.startswith(prefix) else uri


def lake_content(lake: Lake, root: Path) -> dict:
    """The lake's current rows, keyed by source, without ids, times or paths that vary per run."""
    articles = run_query(
        lake,
        "SELECT source_uri, doc_id, input_format, site, url, title, subtitle, authors, "
        "CAST(published_at AS VARCHAR), language, text, word_count, n_removals, dup_cluster_id, dup_role "
        "FROM articles ORDER BY source_uri",
    ).rows
    source_of = {row[1]: _relative(row[0], root) for row in articles}
    clusters: dict[str, list[list[str]]] = {}
    for row in articles:
        clusters.setdefault(row[13], []).append([source_of[row[1]], row[14]])
    removals = run_query(
        lake,
        "SELECT doc_id, rule_id, text, start_offset, end_offset FROM removals ORDER BY doc_id, seq",
    ).rows
    by_doc: dict[str, list] = {}
    for doc_id, rule_id, text, start, end in removals:
        if doc_id in source_of:
            by_doc.setdefault(source_of[doc_id], []).append([rule_id, text, start, end])
    rejects = run_query(lake, "SELECT source_uri, reason FROM rejects ORDER BY source_uri").rows
    # Roles are compared per cluster: which of two identical copies is canonical is decided by doc id.
    keys = (
        "input_format",
        "site",
        "url",
        "title",
        "subtitle",
        "authors",
        "published_at",
        "language",
        "text",
        "word_count",
        "n_removals",
    )
    return {
        "articles": {source_of[row[1]]: dict(zip(keys, row[2:13], strict=True)) for row in articles},
        "removals": dict(sorted(by_doc.items())),
        "rejects": sorted([_relative(uri, root), reason] for uri, reason in rejects),
        "clusters": sorted(
            [sorted(source for source, _ in members), sorted(role for _, role in members)]
            for members in clusters.values()
            if len(members) > 1
        ),
    }


def test_mixed_corpus_gives_the_golden_lake(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    build_corpus(corpus)
    lake = Lake.at(tmp_path / "lake")
    first = clean_documents(inputs=[str(corpus)], lake=str(lake.root), batch_size=4)
    # A second run: the footer becomes common, so earlier articles get new versions without it.
    write_valley(corpus, range(3, 7), random.Random(7))
    second = clean_documents(inputs=[str(corpus)], lake=str(lake.root), batch_size=4)
    assert first.committed is True and second.committed is True
    assert (second.counts.n_articles, second.counts.n_restripped) == (4, 3)
    assert set(run_checks(lake).values()) == {0}
    content = json.loads(json.dumps(lake_content(lake, corpus), default=str))
    if os.environ.get("DOCCLEAN_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert content["rejects"] == expected["rejects"]
    assert content["clusters"] == expected["clusters"]
    assert sorted(content["articles"]) == sorted(expected["articles"])
    for source, article in expected["articles"].items():
        assert content["articles"][source] == article, source
    assert content["removals"] == expected["removals"]
