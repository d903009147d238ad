"""The real Prefect flow (ephemeral mode) on seeds/, into a temporary lake, read back with DuckDB."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest
from docclean.flows.cli import app
from docclean.flows.flow import clean_documents
from docclean.flows.stages.summary import SUMMARY_ARTIFACT_KEY, summary_markdown
from docclean.warehouse.catalog import run_checks, run_query
from docclean.warehouse.lake import Lake
from typer.testing import CliRunner

from tests.conftest import SEEDS
from tests.warehouse.conftest import delta_rows, view_rows

pytestmark = pytest.mark.flow
TABLES = ("articles", "removals", "rejects", "runs")


def _counts(lake: Lake) -> dict[str, int]:
    return {t: run_query(lake, f"SELECT count(*) FROM {t}").rows[0][0] for t in TABLES}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lake, dict, Path]:
    root = tmp_path_factory.mktemp("flow")
    inputs = root / "inputs"
    shutil.copytree(SEEDS, inputs)
    (inputs / "copy_of_000.txt").write_bytes((SEEDS / "000_ba7b4954d5a9a1ce.txt").read_bytes())
    (inputs / "broken.jsonl").write_text('{"text": "ok"}\n{broken\n')
    lake = Lake.at(root / "lake")
    summary = clean_documents(inputs=[str(inputs)], lake=str(lake.root), batch_size=2)
    return lake, summary, inputs


def test_flow_loads_seeds_with_metadata(seeded) -> None:
    lake, summary, _ = seeded
    assert summary.committed is True
    rows = run_query(
        lake,
        "SELECT source_uri, title, authors, published_at, language, dup_role FROM articles ORDER BY source_uri",
    ).rows
    by_name = {Path(r[0]).name: r[1:] for r in rows}
    assert by_name["004_d555b713710f6780.txt"][:3] == (
        "China Boasts of Closer Ties With Russia After Envoy's Moscow Visit",
        ["Angeline Tan"],
        by_name["004_d555b713710f6780.txt"][2],
    )
    assert str(by_name["004_d555b713710f6780.txt"][2]) == "2023-02-07 00:00:00"
    assert by_name["000_ba7b4954d5a9a1ce.txt"][1:3] == ([], None)
    assert {by_name["000_ba7b4954d5a9a1ce.txt"][4], by_name["copy_of_000.txt"][4]} == {
        "canonical",
        "duplicate",
    }


def test_every_input_is_accounted_for_and_checks_pass(seeded) -> None:
    lake, summary, _ = seeded
    # 4 files: 3 text documents + a JSONL of 2 lines
    assert summary.counts.n_documents == 5
    assert summary.counts.n_articles + summary.counts.n_rejects == 5
    assert run_query(lake, "SELECT reason FROM rejects").rows == [("bad_json",)]
    assert summary.n_duplicates == 1
    assert set(run_checks(lake).values()) == {0}
    run = run_query(lake, "SELECT n_articles, n_rejects, ruleset_fingerprint FROM runs").rows
    assert run[0][:2] == (4, 1) and run[0][2]


def _delta_versions(lake: Lake) -> dict[str, int]:
    from deltalake import DeltaTable

    return {table: DeltaTable(str(lake.table_dir(table))).version() for table in TABLES}


def test_rerun_adds_no_rows(seeded) -> None:
    lake, _, inputs = seeded
    before = _counts(lake)
    versions = _delta_versions(lake)
    again = clean_documents(inputs=[str(inputs)], lake=str(lake.root), batch_size=2)
    assert again.committed is False
    # Only the JSONL file with a bad line is read again (3 documents unread); its 2 are known.
    assert again.n_unchanged_files == 3 and again.counts.n_documents == again.counts.n_skipped == 2
    assert _counts(lake) == before
    # --rescan reads them all; the documents are then recognised by content and skipped.
    rescanned = clean_documents(inputs=[str(inputs)], lake=str(lake.root), batch_size=2, rescan=True)
    assert rescanned.committed is False
    assert rescanned.n_unchanged_files == 0
    assert rescanned.counts.n_skipped == rescanned.counts.n_documents == 5
    assert _counts(lake) == before
    assert _delta_versions(lake) == versions  # and no new Delta version


def test_input_files_remember_what_was_read(seeded) -> None:
    lake, _, inputs = seeded
    rows = run_query(lake, "SELECT file_uri, size_bytes FROM input_files ORDER BY file_uri").rows
    # broken.jsonl had a reject (a bad line): it is read again next time, so not remembered.
    assert [Path(uri).name for uri, _ in rows] == sorted(p.name for p in inputs.iterdir() if p.suffix != ".jsonl")
    assert all(size == (inputs / Path(uri).name).stat().st_size for uri, size in rows)


def test_a_rejected_file_is_read_again_with_a_larger_limit(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "big.txt").write_text("The harbour reopened on Monday after a week of repairs to the pier. " * 40)
    lake = Lake.at(tmp_path / "lake")
    first = clean_documents(inputs=[str(inputs)], lake=str(lake.root), max_document_bytes=1000)
    assert first.counts.rejects_by_reason == {"too_large": 1}
    again = clean_documents(inputs=[str(inputs)], lake=str(lake.root))
    assert again.n_unchanged_files == 0 and again.counts.n_articles == 1
    assert run_query(lake, "SELECT count(*) FROM rejects").rows == [(0,)]  # the article replaced the reject


def test_a_changed_file_is_read_again_and_replaces_its_old_version(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    first = "The harbour reopened on Monday after a week of repairs to the eastern pier."
    (inputs / "a.txt").write_text(first)
    (inputs / "b.txt").write_text("The library opens a new reading room for children on Saturday morning.")
    lake = Lake.at(tmp_path / "lake")
    clean_documents(inputs=[str(inputs)], lake=str(lake.root))
    (inputs / "a.txt").write_text(first + " Ferries resume on Tuesday.")
    again = clean_documents(inputs=[str(inputs)], lake=str(lake.root))
    assert again.committed and again.n_unchanged_files == 1 and again.counts.n_documents == 1
    texts = [r[0] for r in run_query(lake, "SELECT text FROM articles ORDER BY text").rows]
    assert texts[0].endswith("Ferries resume on Tuesday.") and len(texts) == 2
    for table in ("articles", "removals", "rejects", "sources"):  # the Delta logs dropped the old version
        assert delta_rows(lake, table) == view_rows(lake, table), table
    assert run_query(lake, "SELECT n_unchanged_files FROM runs ORDER BY finished_at").rows == [(0,), (1,)]


def test_downstream_readers_see_the_same_rows_without_docclean(seeded) -> None:
    lake, _, _ = seeded
    table = ds.dataset(str(lake.root / "articles"), format="parquet").to_table()
    assert table.num_rows == _counts(lake)["articles"]
    con = duckdb.connect()
    n = con.sql(f"SELECT count(*) FROM read_parquet('{lake.root}/articles/*.parquet')").fetchone()[0]
    assert n == table.num_rows


def test_summary_artifact_is_published(seeded) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
    )

    _, summary, _ = seeded
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[SUMMARY_ARTIFACT_KEY])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[summary.flow_run_id])),
        )
    assert len(artifacts) == 1
    assert f"# docclean run `{summary.run_id}`" in artifacts[0].data
    assert "| `image_credit` | 3 |" in artifacts[0].data
    assert "| `bad_json` | 1 |" in artifacts[0].data


def test_cli_query_formats(seeded) -> None:
    lake, _, _ = seeded
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "query",
            "select title from articles order by title limit 1",
            "--lake",
            str(lake.root),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"title": "China Boasts of Closer Ties With Russia After Envoy's Moscow Visit"}
    ]
    result = runner.invoke(app, ["query", "delete from articles", "--lake", str(lake.root)])
    assert result.exit_code == 1 and "only reads" in result.output


def test_cli_explain_shows_removed_spans_with_rules(seeded) -> None:
    lake, _, inputs = seeded
    result = CliRunner().invoke(
        app,
        ["explain", str(inputs / "004_d555b713710f6780.txt"), "--lake", str(lake.root)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    for expected in (
        "Angeline Tan",
        "subscription_block",
        "image_credit",
        "Oleksii Liskonih/iStock",
        "byline",
        "clean text",
    ):
        assert expected in result.output
    missing = CliRunner().invoke(app, ["explain", "no-such-doc", "--lake", str(lake.root)])
    assert missing.exit_code == 1 and "no document matches" in missing.output


def test_cli_help_on_every_command() -> None:
    runner = CliRunner()
    for command in ([], ["run"], ["query"], ["explain"], ["search"], ["reprocess"], ["report"], ["serve"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output


def test_an_edited_copy_in_a_later_run_joins_the_old_cluster(tmp_path: Path) -> None:
    body = (
        "The harbour authority said on Monday that the storm had damaged three piers and that repairs would take "
        "most of the winter. Fishing crews were told to use the northern quay until further notice, and the ferry "
        "to the islands will run on a reduced timetable. Officials said the cost of the repairs was not yet known "
        "but that the regional government had promised to help. Local businesses said the closure would hurt trade."
    )
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "original.txt").write_text(f"Storm Damages Harbour Piers\n\nBy Jane Doe | March 3, 2021\n\n{body}\n")
    edited = body.replace("three piers", "3 piers").replace("Monday", "Tuesday")
    (second / "syndicated.md").write_text(f"# Storm damages piers\n\nShare this article\n\n{edited}\n\nAdvertisement\n")
    (second / "unrelated.txt").write_text("The library opens a new reading room for children on Saturday morning.")
    lake = tmp_path / "lake"
    clean_documents(inputs=[str(first)], lake=str(lake))
    summary = clean_documents(inputs=[str(second)], lake=str(lake))
    assert (summary.n_duplicates, summary.n_variants) == (1, 0)
    rows = run_query(
        Lake.at(lake),
        "SELECT regexp_extract(source_uri, '[^/]+$'), dup_cluster_id, dup_role, dup_similarity FROM articles",
    ).rows
    (orig, orig_cluster, orig_role, _), (synd, synd_cluster, synd_role, similarity), (other, other_cluster, *_) = (
        sorted(rows)
    )
    assert (orig, orig_role) == ("original.txt", "canonical")
    assert (synd, synd_role, synd_cluster) == ("syndicated.md", "duplicate", orig_cluster)
    assert 0.8 <= similarity < 1.0
    assert other == "unrelated.txt" and other_cluster != orig_cluster


@pytest.mark.parametrize("edit", ["small", "rewrite"])
def test_a_story_stays_in_articles_unique_when_its_canonical_file_changes(tmp_path: Path, edit: str) -> None:
    body = (
        "The harbour authority said on Monday that the storm had damaged three piers and that repairs would take "
        "most of the winter. Fishing crews were told to use the northern quay until further notice, and the ferry "
        "to the islands will run on a reduced timetable. Officials said the cost of the repairs was not yet known "
        "but that the regional government had promised to help. Local businesses said the closure would hurt trade."
    )
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "a_original.txt").write_text(f"Storm Damages Harbour Piers\n\nBy Jane Doe | March 3, 2021\n\n{body}\n")
    (inputs / "b_copy.txt").write_text(f"{body}\n")
    lake = Lake.at(tmp_path / "lake")
    clean_documents(inputs=[str(inputs)], lake=str(lake.root))
    unique = "SELECT regexp_extract(source_uri, '[^/]+$') FROM articles_unique ORDER BY 1"
    assert run_query(lake, unique).rows == [("a_original.txt",)]
    # The canonical's file changes: its new version must not leave the story without a canonical.
    changed = body.replace("Monday", "Tuesday") if edit == "small" else "The library opens a new reading room today."
    (inputs / "a_original.txt").write_text(f"Storm Damages Harbour Piers\n\n{changed}\n")
    clean_documents(inputs=[str(inputs)], lake=str(lake.root))
    expected = [("a_original.txt",)] if edit == "small" else [("a_original.txt",), ("b_copy.txt",)]
    assert run_query(lake, unique).rows == expected
    assert run_query(lake, "SELECT count(DISTINCT dup_cluster_id) FROM articles").rows == [(len(expected),)]


def test_reprocess_reproduces_a_fresh_run_without_the_original_files(seeded, tmp_path: Path) -> None:
    lake, _, inputs = seeded
    content = (
        "SELECT regexp_extract(source_uri, '[^/]+$') AS name, title, authors, published_at, text, dup_role "
        "FROM articles ORDER BY name"
    )
    fresh = Lake.at(tmp_path / "fresh")
    clean_documents(inputs=[str(inputs)], lake=str(fresh.root), batch_size=2)
    moved = tmp_path / "moved-away"
    shutil.move(str(inputs), moved)  # the originals are gone
    try:
        summary = clean_documents(lake=str(lake.root), reprocess=True)
    finally:
        shutil.move(str(moved), inputs)
    assert summary.committed and summary.counts.n_skipped == 0
    assert run_query(lake, content).rows == run_query(fresh, content).rows
    for table in ("rejects", "removals", "sources", "minhash"):
        assert _counts_of(lake, table) == _counts_of(fresh, table)
    # the old versions are gone from the files too, not just hidden by the views
    assert ds.dataset(str(lake.root / "articles"), format="parquet").count_rows() == _counts(lake)["articles"]
    for table in ("articles", "removals", "rejects", "sources", "runs"):
        assert delta_rows(lake, table) == view_rows(lake, table), table


def _counts_of(lake: Lake, table: str) -> int:
    return run_query(lake, f"SELECT count(*) FROM {table}").rows[0][0]


def test_pandas_and_polars_read_the_same_rows_as_duckdb(seeded) -> None:
    import pandas as pd
    import polars as pl

    lake, _, _ = seeded
    columns = ["doc_id", "title", "word_count", "dup_role"]
    expected = sorted(run_query(lake, f"SELECT {', '.join(columns)} FROM articles").rows, key=str)
    frame = pd.read_parquet(lake.root / "articles", columns=columns)
    frame = frame.astype(object).where(frame.notna(), None)
    assert sorted(frame.itertuples(index=False, name=None), key=str) == expected
    polars_rows = pl.read_parquet(str(lake.root / "articles" / "*.parquet"), columns=columns).rows()
    assert sorted(polars_rows, key=str) == expected


def test_each_table_folder_reads_as_a_delta_table_with_the_views_rows(seeded) -> None:
    import polars as pl
    from deltalake import DeltaTable

    lake, summary, _ = seeded
    assert summary.delta_sync_failures == []
    for table in ("articles", "removals", "rejects", "sources", "runs"):
        assert delta_rows(lake, table) == view_rows(lake, table), table
    columns = ["doc_id", "title", "word_count", "dup_role"]
    expected = sorted(run_query(lake, f"SELECT {', '.join(columns)} FROM articles").rows, key=str)
    frame = DeltaTable(str(lake.table_dir("articles"))).to_pandas(columns=columns)
    frame = frame.astype(object).where(frame.notna(), None)
    assert sorted(frame.itertuples(index=False, name=None), key=str) == expected
    assert sorted(pl.read_delta(str(lake.table_dir("articles")), columns=columns).rows(), key=str) == expected


def test_a_paragraph_in_many_unrelated_articles_is_removed_from_all_but_syndicated_copies_do_not_count(
    tmp_path: Path,
) -> None:
    disclaimer = "The views expressed in this column are the author's own and do not reflect the publisher's."
    stories = [
        "The river rose two metres overnight and the old bridge was closed to traffic until further notice.",
        "The council approved a new budget for libraries after a debate that lasted well into the evening.",
        "Researchers found a rare orchid growing on the edge of the motorway, far from its usual habitat.",
        "The football club announced a new coach, its third in two years, after a poor start to the season.",
        "A bakery on the high street will close next month after ninety years, its owners said on Friday.",
    ]
    first = tmp_path / "first"
    first.mkdir()
    for i, story in enumerate(stories[:4]):
        (first / f"story{i}.txt").write_text(f"{story}\n\n{disclaimer}\n")
    # Ten syndicated copies of one story carrying another repeated paragraph: one cluster, one count.
    wire = "Officials said the storm would reach the coast by Thursday night and urged residents to prepare."
    tagline = "This story was distributed by a wire service to its member newspapers across the region."
    for i in range(10):
        (first / f"wire{i}.txt").write_text(f"{wire}\n\n{tagline}\n")
    lake = Lake.at(tmp_path / "lake")
    clean_documents(inputs=[str(first)], lake=str(lake.root))
    rows = dict(run_query(lake, "SELECT regexp_extract(source_uri, '[^/]+$'), text FROM articles").rows)
    assert all(disclaimer in rows[f"story{i}.txt"] for i in range(4))  # 4 documents: under the threshold of 5
    assert all(tagline in rows[f"wire{i}.txt"] for i in range(10))  # 10 copies, but one canonical

    second = tmp_path / "second"
    second.mkdir()
    (second / "story4.txt").write_text(f"{stories[4]}\n\n{disclaimer}\n")
    # A changed version of story0 in the same run: its new version, not a re-stripped old one.
    changed = "The river fell again overnight and the old bridge reopened to traffic on Saturday morning."
    (first / "story0.txt").write_text(f"{changed}\n\n{disclaimer}\n")
    before = _counts(lake)
    summary = clean_documents(inputs=[str(second), str(first / "story0.txt")], lake=str(lake.root))
    # The fifth article makes the disclaimer common: taken out of it, of story0's new version,
    # and of the three articles loaded before (new versions of them, in this run).
    assert summary.counts.removals_by_rule["common_paragraph"] == 5 and summary.counts.n_restripped == 3
    assert summary.counts.n_documents == summary.counts.n_articles == 2
    assert "3 articles loaded by earlier runs held a paragraph that became common" in summary_markdown(summary)
    rows = dict(run_query(lake, "SELECT regexp_extract(source_uri, '[^/]+$'), text FROM articles").rows)
    assert [rows[f"story{i}.txt"] for i in range(5)] == [changed, *stories[1:5]]
    assert all(tagline in rows[f"wire{i}.txt"] for i in range(10))
    counts = _counts(lake)
    assert counts["articles"] == before["articles"] + 1 and counts["runs"] == before["runs"] + 1  # story4
    text, n_removals = run_query(
        lake, "SELECT text, n_removals FROM articles WHERE source_uri LIKE '%story4.txt'"
    ).rows[0]
    assert text == stories[4]
    removed = run_query(
        lake,
        "SELECT regexp_extract(a.source_uri, '[^/]+$'), r.text, r.start_offset FROM removals r "
        "JOIN articles a USING (doc_id) WHERE r.rule_id = 'common_paragraph' ORDER BY 1",
    ).rows
    assert removed == [(f"story{i}.txt", disclaimer, None) for i in range(5)] and n_removals == 1
    assert set(run_checks(lake).values()) == {0}
    # The old versions are retired like any replaced version: gone from the files, too.
    doc_ids = ds.dataset(lake.root / "articles", format="parquet").to_table(columns=["doc_id"])["doc_id"]
    assert len(doc_ids) == len(set(doc_ids.to_pylist())) == counts["articles"]
    assert clean_documents(inputs=[str(second), str(first)], lake=str(lake.root)).committed is False
    assert _counts(lake) == counts
    # Common already: a new article loses it, and no loaded article is touched again.
    (second / "story5.txt").write_text(f"Ferries resumed on Sunday after the storm.\n\n{disclaimer}\n")
    third = clean_documents(inputs=[str(second)], lake=str(lake.root))
    assert third.counts.removals_by_rule == {"common_paragraph": 1} and third.counts.n_restripped == 0
    assert run_query(lake, "SELECT count(DISTINCT run_id) FROM articles WHERE source_uri LIKE '%story%'").rows == [(2,)]


def test_a_loaded_article_that_was_only_a_newly_common_paragraph_becomes_a_reject(tmp_path: Path) -> None:
    disclaimer = "The views expressed in this column are the author's own and do not reflect the publisher's."
    stories = [
        "The river rose two metres overnight and the old bridge was closed to traffic until further notice.",
        "The council approved a new budget for libraries after a debate that lasted well into the evening.",
        "Researchers found a rare orchid growing on the edge of the motorway, far from its usual habitat.",
        "The football club announced a new coach, its third in two years, after a poor start to the season.",
        "A bakery on the high street will close next month after ninety years, its owners said on Friday.",
    ]
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for i, story in enumerate(stories[:3]):
        (first / f"story{i}.txt").write_text(f"{story}\n\n{disclaimer}\n")
    (first / "only.txt").write_text(f"{disclaimer}\n")
    lake = Lake.at(tmp_path / "lake")
    clean_documents(inputs=[str(first)], lake=str(lake.root))
    for i, story in enumerate(stories[3:], 3):
        (second / f"story{i}.txt").write_text(f"{story}\n\n{disclaimer}\n")
    summary = clean_documents(inputs=[str(second)], lake=str(lake.root))
    # The run's own counts are its two documents; the loaded one left empty is reported apart.
    assert (summary.counts.n_documents, summary.counts.n_articles, summary.counts.n_rejects) == (2, 2, 0)
    assert summary.counts.n_restripped == 4 and summary.counts.n_restripped_rejected == 1
    assert "1 of them held nothing else and are now rejects" in summary_markdown(summary)
    assert run_query(lake, "SELECT regexp_extract(source_uri, '[^/]+$'), reason FROM rejects").rows == [
        ("only.txt", "no_content")
    ]
    texts = dict(run_query(lake, "SELECT regexp_extract(source_uri, '[^/]+$'), text FROM articles").rows)
    assert texts == {f"story{i}.txt": story for i, story in enumerate(stories)}
    assert set(run_checks(lake).values()) == {0}


STORIES = [
    "The harbour board approved repairs to the north pier after a long debate on Monday evening.",
    "A new ferry service to the islands will start in June, the transport office announced.",
    "Fishermen protested outside the town hall against the proposed quota cuts for cod.",
    "The lifeboat crew rescued two kayakers caught by the tide near the lighthouse on Sunday.",
    "Local schools will plant a thousand trees along the river path this autumn, teachers said.",
    "The old customs house reopens as a museum of maritime history after three years of work.",
    "Storm damage to the sea wall will cost more than expected, engineers told the council.",
    "A bakery on the quay won a national prize for its rye bread, beating two hundred entries.",
    "Volunteers counted more than four hundred seals on the sandbanks during the annual survey.",
    "The yacht club elected its first woman commodore in its one hundred and twenty year history.",
]


def _site_page(i: int) -> str:
    return (
        "\n\n".join(
            [
                "Harbour Herald — independent reporting since 1901",
                "Weather today: sunny intervals, light winds",
                STORIES[i],
                "Tip us off: tips at harbour herald dot test",
            ]
        )
        + "\n"
    )


def test_site_templates_are_learned_per_site_persisted_and_used_for_a_single_new_page(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl1" / "harbour-herald"
    crawl.mkdir(parents=True)
    for i in range(6):
        (crawl / f"page{i}.md").write_text(_site_page(i))
    lake = Lake.at(tmp_path / "lake")
    summary = clean_documents(inputs=[str(crawl.parent)], lake=str(lake.root), site_from_folder=True)
    # per page: the two header lines (adjacent: one span) and the footer line
    assert summary.counts.removals_by_rule["site_template"] == 6 * 2
    texts = run_query(lake, "SELECT site, text FROM articles").rows
    assert {site for site, _ in texts} == {"harbour-herald"}
    assert sorted(text for _, text in texts) == sorted(STORIES[:6])
    n_docs = run_query(lake, "SELECT DISTINCT n_docs FROM site_profiles WHERE site = 'harbour-herald'").rows
    assert n_docs == [(6,)]

    later = tmp_path / "crawl2" / "harbour-herald"  # one new page of the same site, later
    later.mkdir(parents=True)
    (later / "page9.md").write_text(_site_page(9))
    clean_documents(inputs=[str(later.parent)], lake=str(lake.root), site_from_folder=True)
    text = run_query(lake, "SELECT text FROM articles WHERE source_uri LIKE '%page9.md'").rows[0][0]
    assert text == STORIES[9]
    assert run_query(lake, "SELECT DISTINCT n_docs FROM site_profiles WHERE site = 'harbour-herald'").rows == [(7,)]


PROMO = "The Harbour Herald print edition is delivered to your door before seven every morning."


def _html_page(i: int) -> str:
    # The promo sits inside the article, where the HTML extractor keeps it; only its recurrence
    # across the site's pages says it is template.
    headline = " ".join(STORIES[i].split()[:6])
    return (
        f'<html lang="en"><head><link rel="canonical" href="https://harbour-herald.test/news/{i}">'
        f"<title>{headline} | Harbour Herald</title></head><body><article><h1>{headline}</h1>"
        f"<p>{STORIES[i]}</p><p>{PROMO}</p></article></body></html>"
    )


def test_html_pages_learn_their_sites_template_from_the_extracted_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crawl = tmp_path / "crawl1"
    crawl.mkdir()
    for i in range(4):
        (crawl / f"page{i}.html").write_text(_html_page(i))
    lake = Lake.at(tmp_path / "lake")
    summary = clean_documents(inputs=[str(crawl)], lake=str(lake.root), batch_size=2, show_progress=True)
    progress = capsys.readouterr().err
    # Both passes report progress: the learning pass can be half of an HTML run.
    assert "site templates: batch 2/2, ETA 0 s" in progress and "batch 2/2: 4 documents" in progress
    # ... and so do the steps between and after the batches, with their time
    steps = ["inputs listed", "site profiles merged", "duplicates marked", "common paragraphs found", "lake loaded"]
    assert all(re.search(rf"^  {step} in [\d,.]+ s$", progress, re.MULTILINE) for step in steps), progress
    assert summary.counts.removals_by_rule["site_template"] == 4
    rows = run_query(lake, "SELECT site, text FROM articles").rows
    assert {site for site, _ in rows} == {"harbour-herald.test"}
    assert not any(PROMO in text for _, text in rows)
    assert sorted(text for _, text in rows) == sorted(STORIES[:4])
    removed = run_query(lake, "SELECT DISTINCT text FROM removals WHERE rule_id = 'site_template'").rows
    assert removed == [(PROMO,)]

    later = tmp_path / "crawl2"  # one new page of the known site, in a later run
    later.mkdir()
    (later / "page9.html").write_text(_html_page(9))
    clean_documents(inputs=[str(later)], lake=str(lake.root))
    text = run_query(lake, "SELECT text FROM articles WHERE source_uri LIKE '%page9.html'").rows[0][0]
    assert PROMO not in text and STORIES[9].split(". ")[0] in text


def test_user_rule_files_extend_and_replace_the_packaged_rules(tmp_path: Path) -> None:
    from docclean.flows.rules import load_ruleset

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "house.toml").write_text(
        '[[rule]]\nid = "house_promo"\nkind = "line"\nreason = "Our own promo line"\n'
        'patterns = ["try our crossword today!?"]\n'
    )
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("The council met on Monday to discuss the budget.\n\nTry our crossword today!\n")
    lake = Lake.at(tmp_path / "lake")
    summary = clean_documents(inputs=[str(inputs)], lake=str(lake.root), rules_dir=str(rules))
    assert summary.counts.removals_by_rule == {"house_promo": 1}
    fingerprint = run_query(lake, "SELECT ruleset_fingerprint FROM runs").rows[0][0]
    assert fingerprint == load_ruleset(str(rules)).fingerprint != load_ruleset(None).fingerprint

    (rules / "broken.toml").write_text('[[rule]]\nid = "x"\nkind = "line"\nreason = "r"\npatterns = ["(oops"]\n')
    result = CliRunner().invoke(app, ["run", str(inputs), "--lake", str(tmp_path / "lake2"), "--rules", str(rules)])
    assert result.exit_code == 2
    assert "bad regular expression" in result.output and "broken.toml" in result.output


def test_a_paragraph_many_sites_quote_is_not_common_but_one_sites_footer_is(tmp_path: Path) -> None:
    quote = '"We will rebuild the harbour stronger than before," the mayor told reporters on Tuesday.'
    footer = "Harbour Daily is published by an independent trust and funded entirely by its readers."
    stories = [
        "The storm destroyed the ferry terminal and damaged dozens of boats moored in the marina.",
        "Insurers expect claims to run into the millions after the worst storm in thirty years.",
        "Volunteers spent the weekend clearing debris from the beach and the coastal path.",
        "The council will vote next month on an emergency fund for small businesses on the quay.",
        "Engineers said the sea wall held, but the old lighthouse will need a new foundation.",
        "Schools near the harbour reopened on Wednesday after power was restored to the area.",
    ]
    lines = [
        json.dumps({"id": f"w{i}", "url": f"https://outlet{i}.example/storm", "text": f"{story}\n\n{quote}\n"})
        for i, story in enumerate(stories[:5])
    ] + [
        json.dumps({"id": f"h{i}", "url": f"https://harbourdaily.example/{i}", "text": f"{story}\n\n{footer}\n"})
        for i, story in enumerate(stories)
    ]
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "feed.jsonl").write_text("\n".join(lines) + "\n")
    lake = Lake.at(tmp_path / "lake")
    clean_documents(inputs=[str(inputs)], lake=str(lake.root))
    texts = dict(run_query(lake, "SELECT regexp_extract(source_uri, 'id=(.*)$', 1), text FROM articles").rows)
    assert all(quote in texts[f"w{i}"] for i in range(5))  # 5 sites, one article each: content
    assert all(texts[f"h{i}"] == stories[i] for i in range(6))  # 6 articles of one site: its footer
