"""The end-to-end benchmark's corpus: the same seed-like documents written as .txt files, JSONL or WARC.

Bodies are sentences from `news-text/bbc.parquet`, mixed so every document is distinct, wrapped
in the boilerplate kinds the seeds carry, each synthetic site in its own wording: a repeated
headline, bylines between sections, photo credits (alone or closing a caption) and a
subscription block with a benefits list. Every name is invented. Document `key` (its number,
0..n-1) lives on a site with a host (`<site>.example`) and a URL `https://<host>/news/<key>`.

One pass over the documents feeds one writer per format, so every format holds the same texts:

- txt:   `NNNN/<host>/docNNNNNNN.txt`, 1,000 documents per NNNN folder (run with `--site-from-folder`);
- jsonl: `part-NNNNN.jsonl`, `jsonl_lines` records `{"id": key, "url": ..., "text": ...}` each;
- warc:  `part-NNNNN.warc.gz`, a warcinfo record then `warc_records` `resource` records (text/plain,
  WARC-Target-URI = the URL), one gzip member per record, as crawlers write them.

The truth Parquet is keyed by `key` (with the URL), so each format's lake joins back to it. A
format's corpus already complete under the root (same n, seed and records per file) is reused.
"""

from __future__ import annotations

import calendar
import io
import json
import random
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("txt", "jsonl", "warc")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'‘“])")
# A whole sentence: capital or quote first, terminal punctuation last (BBC bodies break some mid-sentence).
WHOLE_SENTENCE = re.compile(r"^[A-Z\"'‘“].*[.!?][\"'’”]?$")
TXT_PER_FOLDER = 1000
# How each format's articles name their document: the number in the file name, or in the URL.
_FROM_URL = "TRY_CAST(regexp_extract(url, '^https://[^/]+/news/([0-9]+)$', 1) AS BIGINT)"
KEY_SQL = {
    "txt": "TRY_CAST(regexp_extract(source_uri, '/doc([0-9]+)[.]txt$', 1) AS BIGINT)",
    "jsonl": _FROM_URL,
    "warc": _FROM_URL,
}
# Per format, what `docclean run` needs beyond the folder: txt files carry no URL, their folder is the site.
RUN_FLAGS = {"txt": ["--site-from-folder"], "jsonl": [], "warc": []}

# Invented people: first and last names combined at random, none taken from the seeds.
FIRST = ["Mara", "Tobias", "Ilse", "Renata", "Odile", "Caspar", "Wendell", "Priya", "Joaquin", "Saoirse", "Bram"]
FIRST += ["Leontine", "Kofi", "Annika", "Dario"]
LAST = ["Quillfeather", "Ostrander", "Vasquez-Lind", "Harrowgate", "Pellham", "Okonkwo", "Brightwater", "Duvall"]
LAST += ["Marchetti", "Ashdown"]
MONTHS = list(calendar.month_name)[1:]


@dataclass(frozen=True, slots=True)
class Site:
    """One synthetic publisher's boilerplate wording."""

    name: str
    byline: str  # format with {name} and {date}
    date_style: str  # long | short | iso
    credit: str  # a credit line alone, format with {name}
    caption: str  # a caption that ends with a credit, format with {name}
    subscription: tuple[str, ...]  # paragraphs of the block, in order; "- " items form the list

    @property
    def host(self) -> str:
        return f"{self.name}.example"


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
        "key": i,
        "site": site.host,
        "url": f"https://{site.host}/news/{i:07d}",
        "title": title,
        "byline": [author],
        "credit": [photographer, captioned],
        "subscription": [site.subscription[0], *items],
        "sentences": body,
    }
    return text, truth


class TxtWriter:
    """One .txt file per document: `NNNN/<host>/docNNNNNNN.txt`."""

    def __init__(self, folder: Path, per_file: int = 1) -> None:
        self.folder, self.made, self.files = folder, set(), 0

    def add(self, key: int, host: str, url: str, text: str) -> None:
        parent = self.folder / f"{key // TXT_PER_FOLDER:04d}" / host
        if parent not in self.made:
            parent.mkdir(parents=True, exist_ok=True)
            self.made.add(parent)
        (parent / f"doc{key:07d}.txt").write_bytes(text.encode())
        self.files += 1

    def close(self) -> None:
        pass


class _PartWriter:
    """Files of `per_file` documents each, `part-NNNNN<suffix>`, opened as documents arrive."""

    suffix = ""

    def __init__(self, folder: Path, per_file: int) -> None:
        self.folder, self.per_file, self.files, self.in_file = folder, per_file, 0, 0
        self.handle: io.BufferedWriter | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def _next_file(self) -> None:
        self.close()
        self.handle = open(self.folder / f"part-{self.files:05d}{self.suffix}", "wb")  # noqa: SIM115
        self.files, self.in_file = self.files + 1, 0
        self.opened()

    def opened(self) -> None:
        """A new file is open: write what starts it."""

    def add(self, key: int, host: str, url: str, text: str) -> None:
        if self.handle is None or self.in_file == self.per_file:
            self._next_file()
        self.write(key, url, text)
        self.in_file += 1

    def write(self, key: int, url: str, text: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class JsonlWriter(_PartWriter):
    suffix = ".jsonl"

    def write(self, key: int, url: str, text: str) -> None:
        line = json.dumps({"id": key, "url": url, "text": text}, ensure_ascii=False) + "\n"
        self.handle.write(line.encode())


class WarcWriter(_PartWriter):
    suffix = ".warc.gz"

    def opened(self) -> None:
        from warcio.warcwriter import WARCWriter as Writer

        self.writer = Writer(self.handle, gzip=True)
        info = {"software": "docclean benchmarks/e2e.py", "format": "WARC File Format 1.0"}
        self.writer.write_record(self.writer.create_warcinfo_record(self.handle.name, info))

    def write(self, key: int, url: str, text: str) -> None:
        data = text.encode()
        record = self.writer.create_warc_record(
            url,
            "resource",
            payload=io.BytesIO(data),
            length=len(data),
            warc_content_type="text/plain; charset=utf-8",
        )
        self.writer.write_record(record)


WRITERS = {"txt": TxtWriter, "jsonl": JsonlWriter, "warc": WarcWriter}


@dataclass(slots=True)
class Corpus:
    """One format's copy of the documents."""

    format: str
    folder: Path
    files: int
    bytes: int


@dataclass(slots=True)
class Generated:
    n: int
    truth: Path
    seconds: float
    corpora: dict[str, Corpus] = field(default_factory=dict)


def _marker(folder: Path, seed: int, per_file: int) -> tuple[Path, str]:
    return folder.with_name(folder.name + ".complete"), f"seed {seed} per_file {per_file}\n"


def _existing(folder: Path, fmt: str) -> Corpus:
    sizes = [f.stat().st_size for f in folder.rglob("*") if f.is_file()]
    return Corpus(fmt, folder, len(sizes), sum(sizes))


def generate(
    n: int,
    root: Path,
    formats: list[str],
    sentences: list[str],
    titles: list[str],
    per_file: dict[str, int],
    seed: int = 6,
) -> Generated:
    """Write the n documents in every format of `formats` missing under `root`, and the truth."""
    started = time.monotonic()
    truth = root / f"truth-{n}-seed{seed}.parquet"
    folders = {fmt: root / f"docs-{n}-{fmt}" for fmt in formats}
    todo = {}
    for fmt, folder in folders.items():
        marker, stamp = _marker(folder, seed, per_file.get(fmt, 1))
        if not (marker.exists() and marker.read_text() == stamp and truth.exists()):
            marker.unlink(missing_ok=True)
            shutil.rmtree(folder, ignore_errors=True)  # a partial corpus is written again
            todo[fmt] = WRITERS[fmt](folder, per_file.get(fmt, 1))
    if todo or not truth.exists():
        _write_all(n, seed, sentences, titles, todo, truth)
        for fmt in todo:
            marker, stamp = _marker(folders[fmt], seed, per_file.get(fmt, 1))
            marker.write_text(stamp)
    generated = Generated(n, truth, 0.0)
    generated.corpora = {fmt: _existing(folder, fmt) for fmt, folder in folders.items()}
    generated.seconds = time.monotonic() - started
    return generated


def _write_all(n: int, seed: int, sentences: list[str], titles: list[str], writers: dict, truth: Path) -> None:
    """One pass over the documents: each to every writer, its truth to the truth Parquet."""
    rng = random.Random(seed)
    rows: dict[str, list] = {}
    try:
        for i in range(n):
            text, planted = make_document(i, rng, sentences, titles)
            for writer in writers.values():
                writer.add(i, planted["site"], planted["url"], text)
            for key, value in planted.items():
                rows.setdefault(key, []).append(value)
    finally:
        for writer in writers.values():
            writer.close()
    partial = truth.with_suffix(".partial")
    pq.write_table(pa.table(rows), partial)
    partial.replace(truth)
