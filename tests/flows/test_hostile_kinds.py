"""Every kind of hostile input in `hostile_inputs.py`, through both per-batch passes (site
learning, then cleaning) as one batch: each document ends as an article or a reject with its
specific reason, nothing raises, nothing hangs, and the good document next to them is unaffected."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyarrow.parquet as pq
import pytest
from docclean.flows.inputs import discover_files
from docclean.flows.readers import Limits, sources_from_files
from docclean.flows.results import BatchOptions
from docclean.flows.stages.clean import process_batch
from docclean.flows.stages.learn import learn_profiles

from tests.flows.hostile_inputs import ARABIC, HINDI, JAPANESE, PARAGRAPH, RUSSIAN, build

LIMITS = Limits(max_decompressed_bytes=64 << 20)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("kinds")
    expected = build(root / "in")
    files = discover_files([str(root / "in")])
    options = BatchOptions(run_id="kinds", staging_dir=str(root / "stage"), limits=LIMITS, site="hostile.example")
    started = time.monotonic()
    learned = learn_profiles(sources_from_files(files, LIMITS), set(), options)
    result = process_batch(0, sources_from_files(files, LIMITS), set(), options, extractions=learned.extractions)
    seconds = time.monotonic() - started
    articles = pq.read_table(result.files["articles"]).to_pylist()
    rejects = pq.read_table(result.files["rejects"]).to_pylist()
    return expected, result, articles, rejects, seconds


def _file(uri: str) -> str:
    return Path(unquote(urlsplit(uri).path)).name


def test_there_are_at_least_sixty_kinds(outcome) -> None:
    expected = outcome[0]
    assert len(expected) >= 60


def test_every_document_ends_with_its_expected_outcome(outcome) -> None:
    expected, result, articles, rejects, _ = outcome
    got: dict[str, list[str | None]] = defaultdict(list)
    for article in articles:
        got[_file(article["source_uri"])].append(None)
    for reject in rejects:
        got[_file(reject["source_uri"])].append(reject["reason"])
    assert {name: sorted(v, key=str) for name, v in got.items()} == {k: v for k, v in expected.items() if v}
    assert result.n_documents == len(articles) + len(rejects)
    assert "cleaning_error" not in result.rejects_by_reason
    assert all(r["detail"] for r in rejects)


def test_the_rest_of_the_run_is_unaffected(outcome) -> None:
    _, _, articles, _, seconds = outcome
    text = {_file(a["source_uri"]): a["text"] for a in articles}
    assert text["good.txt"] == PARAGRAPH
    for name, paragraph in {"japanese.txt": JAPANESE, "arabic.txt": ARABIC, "russian.txt": RUSSIAN}.items():
        assert text[name] == paragraph
    assert text["hindi.txt"] == HINDI
    assert PARAGRAPH in text["warc_utf16_ascii.warc"]  # the declared UTF-16 lost to UTF-8
    assert seconds < 120, f"the hostile batch took {seconds:.0f} s"


def test_bad_field_names_the_field(outcome) -> None:
    rejects = outcome[3]
    detail = {_file(r["source_uri"]): r["detail"] for r in rejects if r["reason"] == "bad_field"}
    assert "'authors'" in detail["authors_int.jsonl"] and "'site'" in detail["site_list.jsonl"]
    duplicate = next(r for r in rejects if _file(r["source_uri"]) == "same_id_twice.jsonl")
    assert duplicate["source_uri"].endswith("#L2") and "line 1" in duplicate["detail"]


@pytest.mark.flow
def test_the_real_flow_commits_the_hostile_folder_and_its_checks_pass(tmp_path: Path) -> None:
    from docclean.flows.flow import clean_documents
    from docclean.warehouse.catalog import run_checks, run_query
    from docclean.warehouse.lake import Lake

    expected = build(tmp_path / "in")
    lake = Lake.at(tmp_path / "lake")
    summary = clean_documents(
        inputs=[str(tmp_path / "in")], lake=str(lake.root), batch_size=20, max_decompressed_bytes=64 << 20
    )
    n_expected = sum(len(outcomes) for outcomes in expected.values())
    assert summary.committed
    assert summary.counts.n_articles + summary.counts.n_rejects == n_expected
    assert set(run_checks(lake).values()) == {0}
    visible = run_query(lake, "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM rejects)").rows[0][0]
    assert visible == n_expected
