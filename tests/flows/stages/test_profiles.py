"""The profiles stage: the whole merged profile goes to the lake, only template keys to the cleaning tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from docclean.flows.stages.profiles import merge_site_profiles, partial_profile_table
from docclean.transforms.templates import SiteProfile
from docclean.warehouse.lake import Lake

from tests.warehouse.test_lake import _runs_row


def _partial(path: Path, n_docs: int, doc_freq: dict[str, int], site: str = "g.example") -> str:
    pq.write_table(partial_profile_table({site: SiteProfile(site, n_docs, doc_freq)}), path)
    return str(path)


def _templates(staged_json: str) -> dict:
    return json.loads(Path(staged_json).read_text())


def test_profiles_json_holds_only_the_keys_site_template_removes(tmp_path: Path) -> None:
    partials = [
        _partial(tmp_path / "a.parquet", 20, {"home": 20, "subscribe now": 2, "an article line": 1}),
        _partial(tmp_path / "b.parquet", 20, {"home": 20, "subscribe now": 2, "another article line": 1}),
    ]
    staged = merge_site_profiles(Lake.at(tmp_path / "lake"), "r", partials, reprocess=True)
    assert staged is not None
    # 40 pages: a key must be on max(3, 10% of 40) = 4 of them
    assert _templates(staged.json_path) == {
        "g.example": {"site": "g.example", "n_docs": 40, "doc_freq": {"home": 40, "subscribe now": 4}}
    }
    # the lake keeps every key on two pages or more, sorted, with the site's pages and the run
    assert staged.rows_path is not None
    assert pq.read_table(staged.rows_path).to_pylist() == [
        {"site": "g.example", "n_docs": 40, "key": "home", "doc_freq": 40, "run_id": "r"},
        {"site": "g.example", "n_docs": 40, "key": "subscribe now", "doc_freq": 4, "run_id": "r"},
    ]
    assert not (Lake.at(tmp_path / "lake").staging_dir("r") / "merge-spill").exists()


def _commit_rows(lake: Lake, run_id: str, rows_path: str) -> None:
    lake.create()
    lake.commit(run_id, {"site_profiles": [Path(rows_path)]}, _runs_row(run_id))


def test_profiles_add_the_lakes_profile_of_the_same_sites_unless_reprocessing(tmp_path: Path) -> None:
    lake = Lake.at(tmp_path / "lake")
    first = merge_site_profiles(lake, "r1", [_partial(tmp_path / "a.parquet", 3, {"home": 3})], reprocess=False)
    assert first is not None and first.rows_path is not None
    _commit_rows(lake, "r1", first.rows_path)

    partials = [_partial(tmp_path / "b.parquet", 2, {"home": 2, "story": 1}), _partial(tmp_path / "c.parquet", 1, {})]
    second = merge_site_profiles(lake, "r2", partials, reprocess=False)
    assert second is not None and second.rows_path is not None
    # 3 + 2 + 1 pages (a page with no line still counts); "story" is on one page: not kept
    assert pq.read_table(second.rows_path).to_pylist() == [
        {"site": "g.example", "n_docs": 6, "key": "home", "doc_freq": 5, "run_id": "r2"}
    ]
    assert _templates(second.json_path)["g.example"] == {"site": "g.example", "n_docs": 6, "doc_freq": {"home": 5}}

    again = merge_site_profiles(lake, "r3", partials, reprocess=True)
    assert again is not None and again.rows_path is not None
    assert pq.read_table(again.rows_path)["doc_freq"].to_pylist() == [2]
    assert _templates(again.json_path)["g.example"]["doc_freq"] == {}  # 3 pages: too few to remove anything


def test_profiles_of_other_sites_and_keys_on_one_page_only(tmp_path: Path) -> None:
    partials = [
        _partial(tmp_path / "a.parquet", 1, {"only once": 1}, site="one.example"),
        _partial(tmp_path / "b.parquet", 10, {"menu": 10}, site="b.example"),
    ]
    staged = merge_site_profiles(Lake.at(tmp_path / "lake"), "r", partials, reprocess=True)
    assert staged is not None and staged.rows_path is not None
    assert sorted(_templates(staged.json_path)) == ["b.example", "one.example"]
    rows = pq.read_table(staged.rows_path, columns=["site", "key"]).to_pylist()
    assert rows == [{"site": "b.example", "key": "menu"}]
    # no key on two pages: no rows to stage
    alone = merge_site_profiles(Lake.at(tmp_path / "lake2"), "r", partials[:1], reprocess=True)
    assert alone is not None and alone.rows_path is None


def test_no_partials_no_profiles(tmp_path: Path) -> None:
    assert merge_site_profiles(Lake.at(tmp_path / "lake"), "r", [], reprocess=True) is None
