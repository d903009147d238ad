"""The profiles stage: the whole merged profile goes to the lake, only template keys to the cleaning tasks."""

from __future__ import annotations

import json
from pathlib import Path

from docclean.flows.stages.profiles import merge_site_profiles
from docclean.transforms.templates import SiteProfile
from docclean.warehouse.lake import Lake


def _partial(path: Path, n_docs: int, doc_freq: dict[str, int]) -> str:
    path.write_text(json.dumps({"g.example": SiteProfile("g.example", n_docs, doc_freq).to_dict()}))
    return str(path)


def test_profiles_json_holds_only_the_keys_site_template_removes(tmp_path: Path) -> None:
    partials = [
        _partial(tmp_path / "a.json", 20, {"home": 20, "subscribe now": 2, "an article line": 1}),
        _partial(tmp_path / "b.json", 20, {"home": 20, "subscribe now": 2, "another article line": 1}),
    ]
    staged = merge_site_profiles(Lake.at(tmp_path / "lake"), "r", partials, reprocess=True)
    assert staged is not None
    # 40 pages: a key must be on max(3, 10% of 40) = 4 of them
    assert json.loads(Path(staged.json_path).read_text()) == {
        "g.example": {"site": "g.example", "n_docs": 40, "doc_freq": {"home": 40, "subscribe now": 4}}
    }
    assert staged.rows_path is not None  # the lake keeps every key on two pages or more


def test_profiles_json_follows_the_runs_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "site.toml").write_text(
        '[[rule]]\nid = "site_template"\nkind = "structural"\nreason = "Site template"\n'
        "min_profile_docs = 4\nmin_docs = 3\nmin_fraction = 0.5\n"
    )
    partials = [_partial(tmp_path / "a.json", 10, {"home": 10, "menu": 4})]
    staged = merge_site_profiles(Lake.at(tmp_path / "lake"), "r", partials, reprocess=True, rules_dir=str(rules))
    assert staged is not None
    assert json.loads(Path(staged.json_path).read_text())["g.example"]["doc_freq"] == {"home": 10}
