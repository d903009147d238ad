"""A report at scale: a bounded, deterministic sample of documents, a summary that counts them all,
and HTML inputs' page source shown as text."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pytest
from docclean.warehouse.catalog import run_query
from docclean.warehouse.lake import Lake
from docclean.warehouse.report import build_report
from docclean.warehouse.report_data import Sampling

from tests.warehouse.conftest import load_folder
from tests.warehouse.test_report import EVIL, Report

SITES = ("north.example", "south.example", "west.example")
TOPICS = ("harbour", "council", "library", "ferry", "museum", "bridge", "market", "school", "river", "station")


def _record(i: int) -> dict[str, str]:
    topic, other = TOPICS[i % 10], TOPICS[(i * 7 + 3) % 10]
    body = (
        f"Story {i}: the {topic} committee met on day {i} to discuss the {other}, and {i * 13 % 97} residents "
        f"spoke about plans number {i * 31} for the coming year in the {topic} hall near the {other}."
    )
    extras = ["Photo: Jane Doe/AFP"] if i % 3 == 0 else []
    extras += ["Share this article"] if i % 5 == 0 else []
    text = "\n\n".join([f"Story {i} About The {topic.title()}", "By Jane Doe", body, *extras])
    return {"id": f"doc-{i}", "url": f"https://{SITES[i % 3]}/story/{i}", "text": text}


@pytest.fixture(scope="module")
def lake60(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    root = tmp_path_factory.mktemp("sixty")
    folder = root / "in"
    folder.mkdir()
    (folder / "docs.jsonl").write_text("".join(json.dumps(_record(i)) + "\n" for i in range(60)))
    lake = Lake.at(root / "lake")
    assert load_folder(lake, folder, "run-1")
    assert run_query(lake, "SELECT count(*), count(DISTINCT site) FROM articles").rows == [(60, 3)]
    return lake


def _md5(doc_id: str) -> str:
    return hashlib.md5(doc_id.encode()).hexdigest()


def _first(groups: dict[str, list[str]], n: int) -> dict[str, set[str]]:
    return {key: set(sorted(ids, key=lambda d: (_md5(d), d))[:n]) for key, ids in groups.items()}


def _groups(lake: Lake, sql: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for key, doc_id in run_query(lake, sql).rows:
        groups[key].append(doc_id)
    return groups


def _build(lake: Lake, out: Path, sampling: Sampling) -> Report:
    return Report(out, build_report(lake, out, sampling=sampling))


def test_limit_bounds_the_documents_and_the_summary_counts_all(lake60: Lake, tmp_path: Path) -> None:
    report = _build(lake60, tmp_path / "r.html", Sampling(limit=10))
    assert (report.stats.documents, report.stats.shown) == (60, 10)
    assert len(report.docs) == 10 and len(report.index["docs"]) == 10
    n_removals = run_query(lake60, "SELECT count(*) FROM removals").rows[0][0]
    assert report.stats.removals == n_removals
    assert report.tree.get_element_by_id("n-documents").text == "60"
    assert report.tree.get_element_by_id("n-removals").text == str(n_removals)
    chart = {t.text for t in report.tree.get_element_by_id("chart-rules").iter("text")}
    assert {"byline", "image_credit", "share_links"} <= chart
    assert "20 spans in 20 documents" in report.html  # image_credit: every third of 60, whatever was sampled
    sample = report.tree.get_element_by_id("sample").text_content()
    assert sample.startswith("Showing 10 of 60 documents: every document, at most 10 in all, picked in order of")
    everything = run_query(lake60, "SELECT doc_id FROM articles").rows
    assert set(report.docs) == set(sorted((d for (d,) in everything), key=lambda d: (_md5(d), d))[:10])


def test_default_limit_and_no_limit(lake60: Lake, tmp_path: Path) -> None:
    assert Sampling().limit == 500
    assert len(_build(lake60, tmp_path / "all.html", Sampling(limit=None)).docs) == 60


def test_sample_per_rule_picks_up_to_n_documents_for_each_rule(lake60: Lake, tmp_path: Path) -> None:
    report = _build(lake60, tmp_path / "r.html", Sampling(limit=None, per_rule=3))
    by_rule = _groups(lake60, "SELECT DISTINCT rule_id, doc_id FROM removals")
    assert {"byline", "image_credit", "share_links"} <= set(by_rule)
    expected = _first(by_rule, 3)
    assert set(report.docs) == set().union(*expected.values())
    for rule, docs in by_rule.items():
        assert len(set(docs) & set(report.docs)) >= min(3, len(docs)), rule


def test_sample_per_site_picks_n_per_site_and_the_limit_takes_each_sites_first(lake60: Lake, tmp_path: Path) -> None:
    by_site = _groups(lake60, "SELECT site, doc_id FROM articles")
    report = _build(lake60, tmp_path / "r.html", Sampling(limit=None, per_site=4))
    assert set(report.docs) == set().union(*_first(by_site, 4).values())
    assert sorted(row[2] for row in report.index["docs"]) == sorted(SITES * 4)
    # A limit below the picks keeps every site's first picks before anyone's next ones.
    capped = _build(lake60, tmp_path / "capped.html", Sampling(limit=6, per_site=4))
    assert set(capped.docs) == set().union(*_first(by_site, 2).values())
    assert (capped.stats.documents, capped.stats.shown) == (60, 6)


def test_two_reports_of_the_same_lake_are_byte_identical(lake60: Lake, tmp_path: Path) -> None:
    sampling = Sampling(limit=20, per_rule=2, per_site=5)
    first, second = tmp_path / "a" / "report.html", tmp_path / "b" / "report.html"
    build_report(lake60, first, sampling=sampling)
    build_report(lake60, second, sampling=sampling)
    assert first.read_bytes() == second.read_bytes()
    assert "generated" not in first.read_text()


PAGE = (
    "<html lang='en'><head><meta charset='utf-8'><title>Council Meets | Herald</title>"
    "<script>document.body.dataset.pwned = 'head'</script></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Council Meets</h1><p>By Jane Doe</p>"
    + "".join(
        f"<p>The council met on Monday {i} to discuss the harbour, the parks and the library budget for the "
        "coming year, and residents spoke for an hour.</p>"
        for i in range(4)
    )
    + f"<p>Ferry times</p>{EVIL}<textarea></textarea></pre></article></body></html>"
)


def test_html_inputs_carry_their_page_source_as_escaped_text(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    (folder / "note.txt").write_text("Harbour Notes\n\nThe harbour reopened on Monday after the storm passed.\n")
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    report = _build(lake, tmp_path / "report.html", Sampling())

    page = next(p for p in report.docs.values() if p["meta"]["input_format"] == "html")
    assert page["page"] == PAGE and page["pageChars"] == len(PAGE)
    note = next(p for p in report.docs.values() if p["meta"]["input_format"] != "html")
    assert note["page"] is None
    # The page's markup only reaches the file inside JSON, escaped: no tag of it is markup.
    assert EVIL not in report.html and "<nav>" not in report.html and "<textarea" not in report.html
    assert [s.get("type") for s in report.tree.iter("script")] == ["application/json"] * 3 + [None]
    assert report.tree.xpath("//iframe | //nav | //textarea") == []


def test_cli_report_takes_the_limit_and_sampling_options(lake60: Lake, tmp_path: Path) -> None:
    from docclean.flows.cli import app
    from typer.testing import CliRunner

    out = tmp_path / "cli.html"
    args = ["report", "--lake", str(lake60.root), "--out", str(out), "--limit", "5", "--sample-per-site", "3"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "5 of 60 documents" in result.output
    report = Report(out, build_report(lake60, tmp_path / "api.html", sampling=Sampling(limit=5, per_site=3)))
    assert out.read_bytes() == (tmp_path / "api.html").read_bytes() and len(report.docs) == 5
    assert CliRunner().invoke(app, ["report", "--lake", str(lake60.root), "--sample-per-rule", "0"]).exit_code == 2
