"""The HTML review report: built from real lakes (no Prefect), read back from its JSON payloads."""

from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from docclean.transforms.document import prepared_text
from docclean.warehouse.catalog import QueryError, run_query
from docclean.warehouse.lake import Lake
from docclean.warehouse.report import ReportStats, build_report
from docclean.warehouse.report_data import Sampling
from docclean.warehouse.report_text import Rules, place_removals, rebuild_text, span_tree

from tests.conftest import SEEDS
from tests.warehouse.conftest import load_folder

SEED_004 = "004_d555b713710f6780.txt"
BYLINE = "Written by [Angeline Tan](#) on February 7, 2023"
CREDIT = "Oleksii Liskonih/iStock/Getty Images Plus"
EVIL = '<script>document.body.dataset.pwned = "1"</script>'


class Report:
    """A built report parsed the way a browser sees it: the index and every document's JSON."""

    def __init__(self, path: Path, stats: ReportStats) -> None:
        self.html = path.read_text(encoding="utf-8")
        self.stats = stats
        self.tree = lxml.html.fromstring(self.html)
        blocks = {s.get("id"): s.text for s in self.tree.iter("script") if s.get("type") == "application/json"}
        self.index = json.loads(blocks.pop("index"))
        self.rules = [rule_id for rule_id, _reason in self.index["rules"]]
        self.docs = {p["id"]: p for p in (json.loads(text) for text in blocks.values())}

    def by_source(self, name: str) -> dict[str, Any]:
        return next(p for p in self.docs.values() if p["meta"]["source_uri"].endswith("/" + name))

    def marks(self, payload: dict[str, Any]) -> list[tuple[str, str]]:
        """(rule id, text) of every highlighted span, outermost first."""
        found: list[tuple[str, str]] = []

        def walk(nodes: list[Any]) -> str:
            text = ""
            for node in nodes:
                if isinstance(node, str):
                    text += node
                    continue
                slot = len(found)
                found.append(("", ""))
                inner = walk(node[1])
                found[slot] = (self.rules[node[0]], inner)
                text += inner
            return text

        walk(payload["orig"])
        return found


def flatten(nodes: list[Any]) -> str:
    return "".join(n if isinstance(n, str) else flatten(n[1]) for n in nodes)


def build(lake: Lake, out: Path, run_id: str | None = None) -> Report:
    return Report(out, build_report(lake, out, run_id=run_id))


@pytest.fixture(scope="module")
def seeds_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake.at(tmp_path_factory.mktemp("seeds") / "lake")
    assert load_folder(lake, SEEDS, "run-1")
    return lake


@pytest.fixture(scope="module")
def seeds_report(seeds_lake: Lake, tmp_path_factory: pytest.TempPathFactory) -> Report:
    return build(seeds_lake, tmp_path_factory.mktemp("report") / "report.html")


def test_seed_removals_are_highlighted_with_their_rule_ids(seeds_report: Report) -> None:
    doc = seeds_report.by_source(SEED_004)
    marks = seeds_report.marks(doc)
    assert ("byline", BYLINE) in marks
    assert ("image_credit", CREDIT) in marks
    blocks = [text for rule, text in marks if rule == "subscription_block"]
    assert len(blocks) == 1
    assert blocks[0].startswith("Subscribe to the New American\n\nGet exclusive digital access")
    assert "Cancel anytime" in blocks[0] or "Cancel Anytime" in blocks[0]
    assert [rule for rule, text in marks if text == BYLINE] == ["byline"] * 3


def test_seed_original_text_is_the_prepared_text_and_metadata_is_shown(seeds_report: Report) -> None:
    doc = seeds_report.by_source(SEED_004)
    assert flatten(doc["orig"]) == prepared_text((SEEDS / SEED_004).read_bytes(), "text")
    assert doc["meta"]["title"] == "China Boasts of Closer Ties With Russia After Envoy's Moscow Visit"
    assert doc["meta"]["authors"] == ["Angeline Tan"]
    assert doc["meta"]["published_at"] == "2023-02-07"
    assert doc["meta"]["language"] == "en"
    assert BYLINE not in doc["clean"] and CREDIT not in doc["clean"]
    assert doc["clean"].startswith("China said on February 4")
    assert doc["unplaced"] == []


def test_seed_summary_counts_match_the_lake(seeds_report: Report, seeds_lake: Lake) -> None:
    n_removals = run_query(seeds_lake, "SELECT count(*) FROM removals").rows[0][0]
    stats = seeds_report.stats
    assert (stats.documents, stats.articles, stats.rejects, stats.removals) == (2, 2, 0, n_removals)
    assert stats.highlighted == n_removals and stats.mismatched == 0 and stats.unplaced == 0
    assert stats.size_bytes == len(seeds_report.html.encode())
    chart = seeds_report.tree.get_element_by_id("chart-rules")
    assert {"byline", "image_credit", "subscription_block"} <= {t.text for t in chart.iter("text")}
    assert seeds_report.tree.get_element_by_id("n-removals").text == str(n_removals)
    assert len(seeds_report.index["docs"]) == 2


def test_report_is_self_contained(seeds_report: Report) -> None:
    html = seeds_report.html
    assert "<link" not in html and "@import" not in html
    assert not [el for el in seeds_report.tree.iter("script", "img", "iframe") if el.get("src")]
    assert "http://" not in html.split("<script", 1)[0]  # nothing fetched from the head or the summary
    csp = seeds_report.tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp


def test_document_text_is_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    evil_title = "<img src=x onerror=alert(1)> Harbour Reopens"
    body = (
        f"{evil_title}\n\nThe harbour reopened on Monday after the storm passed. {EVIL} Fishing boats "
        "returned to the quay by noon, and the ferry ran </script><b>bold</b> again in the evening.\n"
    )
    (folder / "evil.txt").write_text(body)
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    report = build(lake, tmp_path / "report.html")

    # The document's markup never appears as markup: only our own <script> blocks exist.
    assert EVIL not in report.html and "<img" not in report.html and "<b>bold" not in report.html
    scripts = list(report.tree.iter("script"))
    assert len(scripts) == 3  # the index, the one document, the page's code
    assert [s.get("type") for s in scripts] == ["application/json", "application/json", None]
    # ... and the JSON carries it intact as text.
    doc = next(iter(report.docs.values()))
    assert EVIL in flatten(doc["orig"]) and "</script><b>bold</b>" in flatten(doc["orig"])
    assert EVIL in doc["clean"]
    assert report.index["docs"][0][1] == doc["meta"]["title"] == evil_title


def test_run_filter(seeds_lake: Lake, tmp_path: Path) -> None:
    lake = Lake.at(tmp_path / "lake")
    shutil.copytree(seeds_lake.root, lake.root)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "budget.md").write_text(
        "# Council Passes Budget\n\nBy Jane Doe\n\nThe council passed the annual budget after a long debate "
        "about libraries and parks.\n\nAdvertisement\n"
    )
    assert load_folder(lake, folder, "run-2")

    second = build(lake, tmp_path / "run2.html", run_id="run-2")
    assert second.stats.documents == 1 and second.stats.run_id == "run-2"
    (doc,) = second.docs.values()
    assert doc["meta"]["title"] == "Council Passes Budget" and doc["meta"]["run_id"] == "run-2"
    assert {rule for rule, _ in second.marks(doc)} >= {"byline", "ad_label"}
    run2_rules = run_query(lake, "SELECT rule_id FROM removals WHERE run_id = 'run-2'").rows
    assert set(second.rules) == {rule for (rule,) in run2_rules}
    assert "run-1" not in second.tree.get_element_by_id("runs").text_content()

    everything = build(lake, tmp_path / "all.html")
    assert everything.stats.documents == 3
    assert {p["meta"]["run_id"] for p in everything.docs.values()} == {"run-1", "run-2"}

    with pytest.raises(QueryError, match="no committed run 'run-9'"):
        build_report(lake, tmp_path / "none.html", run_id="run-9")
    assert not (tmp_path / "none.html").exists()


def test_rejects_are_listed_with_their_reason_and_what_was_removed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "furniture.txt").write_text("Advertisement\n\nShare this article\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    report = build(lake, tmp_path / "report.html")

    assert (report.stats.articles, report.stats.rejects) == (0, 3)
    roles = {d[0]: (d[3], d[6]) for d in report.index["docs"]}
    furniture = report.by_source("furniture.txt")
    assert roles[furniture["id"]] == ("reject", "no_content")
    assert furniture["reject"][0] == "no_content" and furniture["clean"] is None
    assert sorted(report.marks(furniture)) == [("ad_label", "Advertisement"), ("share_links", "Share this article")]
    image = report.by_source("image.txt")
    assert image["reject"][0] == "binary" and image["orig"] is None
    assert image["why"] == "it was rejected before cleaning, so no text was prepared"
    reasons = [t.text for t in report.tree.get_element_by_id("chart-rejects").iter("text")]
    assert sorted(reasons[0::2]) == ["binary", "empty", "no_content"]


def test_duplicate_cluster_members_link_to_each_other(small_lake: tuple[Lake, Path], tmp_path: Path) -> None:
    lake, _ = small_lake
    report = build(lake, tmp_path / "report.html")
    assert report.stats.clusters == 1
    original, copy = report.by_source("harbour.txt"), report.by_source("harbour_copy.txt")
    assert original["cluster"] == copy["cluster"]
    assert [m[0] for m in original["mates"]] == [copy["id"]]
    assert [m[0] for m in copy["mates"]] == [original["id"]]
    assert all(m[4] for m in original["mates"] + copy["mates"])  # both are in the report: links, not plain text
    assert {original["role"], copy["role"]} == {"canonical", "duplicate"}
    assert report.by_source("budget.md")["mates"] == []


def test_html_inputs_offsets_match_and_extractor_drops_are_listed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    paragraphs = "".join(
        f"<p>The council met on Monday {i} to discuss the harbour, the parks and the library budget for the "
        f"coming year, and residents spoke for an hour.</p>"
        for i in range(4)
    )
    (folder / "page.html").write_text(
        "<html lang='en'><head><meta charset='utf-8'><title>Council Meets | Herald</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>Council Meets</h1><p>By Jane Doe</p>{paragraphs}"
        "<p>Photo: Jane Doe/AFP</p><p>Share this article</p></article>"
        "<footer>Copyright 2024 The Herald. All rights reserved.</footer></body></html>",
        encoding="utf-8",
    )
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    report = build(lake, tmp_path / "report.html")
    assert report.stats.mismatched == 0
    (doc,) = report.docs.values()
    rows = run_query(lake, "SELECT rule_id, text, start_offset FROM removals").rows
    placed = [(rule, text) for rule, text, start in rows if start is not None]
    assert placed and sorted(report.marks(doc)) == sorted(placed)
    unplaced = [(rule, text) for rule, text, start in rows if start is None]
    assert [(report.rules[k], text) for k, text, _why in doc["unplaced"]] == unplaced


def test_span_tree_nests_and_splits_overlaps() -> None:
    assert span_tree("hello", []) == ["hello"]
    assert span_tree("abcdef", [(0, 6, 0), (2, 4, 1)]) == [[0, ["ab", [1, ["cd"]], "ef"]]]
    # partial overlap: the second span is split at the end of the first
    assert span_tree("abcdef", [(0, 3, 0), (2, 5, 1)]) == [[0, ["ab", [1, ["c"]]]], [1, ["de"]], "f"]
    rng = random.Random(7)
    text = "".join(rng.choice("ab \n") for _ in range(200))
    spans = [(s, s + rng.randint(1, 40), k) for k, s in enumerate(rng.sample(range(190), 30))]
    assert flatten(span_tree(text, spans)) == text


def test_rebuild_text_says_why_it_cannot() -> None:
    assert rebuild_text("text", "{}", b"A  line\r\n") == ("A line\n", "")
    assert rebuild_text("text", "{}", None) == (None, "the lake has no raw bytes for this document")
    assert rebuild_text("text", "{}", b"\x89PNG\r\n\x1a\n" + bytes(256)) == (None, "its bytes are not text (binary)")


def test_place_removals_checks_offsets_against_the_text() -> None:
    removals = [
        {"rule_id": "byline", "reason": "r", "text": "By Jo", "start_offset": 0, "end_offset": 5},
        {"rule_id": "byline", "reason": "r", "text": "By Al", "start_offset": 6, "end_offset": 11},
        {"rule_id": "html_boilerplate", "reason": "r", "text": "Home News", "start_offset": None, "end_offset": None},
    ]
    rules = Rules.from_removals(removals)
    spans, unplaced, mismatched = place_removals("By Jo\nBy Bo\n", removals, rules, "")
    assert spans == [(0, 5, rules.index["byline"])]
    assert mismatched == 1
    assert [(rules.ids[k], text, why) for k, text, why in unplaced] == [
        ("byline", "By Al", "its offsets do not match the rebuilt text"),
        ("html_boilerplate", "Home News", "removed before text extraction"),
    ]


WORDS = [
    "council", "harbour", "storm", "budget", "library", "parks", "residents", "ferry", "quay", "market", "school",
    "river", "bridge", "minister", "report", "court", "police", "museum", "festival", "hospital", "station",
]  # fmt: skip


def _synthetic_record(i: int, rng: random.Random) -> dict[str, Any]:
    site = f"site{i % 7}.example"
    body = "\n\n".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 45))).capitalize() + "." for _ in range(3)
    )
    extras = []
    if i % 3 == 0:
        extras.append("Photo: Jane Doe/AFP")
    if i % 5 == 0:
        extras.append("Share this article")
    text = f"Story {i} About The {rng.choice(WORDS).title()}\n\nBy Jane Doe\n\n{body}\n\n" + "\n\n".join(extras)
    return {"id": f"doc-{i}", "url": f"https://{site}/story/{i}", "text": text}


def test_report_scales_to_2000_documents(tmp_path: Path) -> None:
    rng = random.Random(2000)
    records = [_synthetic_record(i, rng) for i in range(1900)]
    # 100 near-copies: a few words changed, so duplicate clusters have several members.
    for i in range(100):
        copy = dict(records[i], id=f"copy-{i}", url=f"https://mirror.example/story/{i}")
        copy["text"] = copy["text"].replace(" the ", " a ", 1) + "\n\nAdvertisement"
        records.append(copy)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    text_bytes = sum(len(r["text"].encode()) for r in records)

    started = time.perf_counter()
    stats = build_report(lake, tmp_path / "report.html", sampling=Sampling(limit=None))
    seconds = time.perf_counter() - started
    print(
        f"\n2,000-document report: {stats.size_bytes / 1e6:.2f} MB ({stats.size_bytes / text_bytes:.2f}x the "
        f"{text_bytes / 1e6:.2f} MB of input text), built in {seconds:.2f} s; {stats.removals} removals, "
        f"{stats.clusters} duplicate clusters"
    )
    assert stats.documents == 2000 and stats.mismatched == 0
    assert stats.clusters >= 50
    # Each document is stored about twice (original and clean text) plus a few hundred bytes.
    assert stats.size_bytes < 3 * text_bytes + 2000 * 600
    report = Report(tmp_path / "report.html", stats)
    assert len(report.docs) == 2000 and len(report.index["docs"]) == 2000
    assert {d[2] for d in report.index["docs"]} >= {f"site{i}.example" for i in range(7)}
