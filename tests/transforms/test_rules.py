"""Every rule file's own examples: `remove` examples are removed, `keep` examples are not."""

from __future__ import annotations

import dataclasses
import pickle
import tomllib
from datetime import datetime

import pytest
from docclean.transforms.boilerplate import extract_bylines, strip_blocks, strip_image_credits, strip_pattern_lines
from docclean.transforms.html_names import sort_names, split_names
from docclean.transforms.html_title import junk_title, strip_site_suffix
from docclean.transforms.html_vocabulary import metadata_vocabulary
from docclean.transforms.lines import LineDocument
from docclean.transforms.normalize import prepare_text
from docclean.transforms.prose import ProseSettings, prose_settings
from docclean.transforms.ruleset import RuleError, default_ruleset, packaged_rule_sources, parse_ruleset

RULESET = default_ruleset()
MATCHERS = {
    "line": strip_pattern_lines,
    "caption_credit": strip_image_credits,
    "byline": extract_bylines,
    "block": strip_blocks,
}
PATTERN_RULES = [r for r in RULESET.rules if r.kind in MATCHERS]


def _apply(rule, text: str) -> LineDocument:
    doc = LineDocument.parse(prepare_text(text))
    MATCHERS[rule.kind](doc, (rule,))
    return doc


def _examples(rule, key: str) -> list[str]:
    if isinstance(rule.examples, list):  # block rules: [[rule.examples]] tables
        return [text for table in rule.examples for text in table.get(key, [])]
    return rule.examples.get(key, [])


def test_every_pattern_rule_has_positive_and_negative_examples() -> None:
    for rule in PATTERN_RULES:
        assert _examples(rule, "remove"), f"{rule.id} has no `remove` examples"
        assert _examples(rule, "keep"), f"{rule.id} has no `keep` examples"


@pytest.mark.parametrize(
    ("rule", "text"),
    [(r, t) for r in PATTERN_RULES for t in _examples(r, "remove")],
    ids=lambda v: getattr(v, "id", str(v)[:40]),
)
def test_remove_example_is_removed(rule, text: str) -> None:
    doc = _apply(rule, text)
    assert [line.text for line in doc.lines if line.kept] == []
    assert {line.removed_by for line in doc.lines if line.text} == {rule.id}


@pytest.mark.parametrize(
    ("rule", "text"),
    [(r, t) for r in PATTERN_RULES for t in _examples(r, "keep")],
    ids=lambda v: getattr(v, "id", str(v)[:40]),
)
def test_keep_example_is_kept(rule, text: str) -> None:
    doc = _apply(rule, text)
    assert [line.removed_by for line in doc.lines] == [None] * len(doc.lines)


@pytest.mark.parametrize(
    "example",
    [
        e
        for r in RULESET.by_kind("byline")
        for e in (r.examples.get("extract", []) if isinstance(r.examples, dict) else [])
    ],
    ids=lambda e: e["line"][:40],
)
def test_byline_extracts_authors_and_date(example: dict) -> None:
    doc = LineDocument.parse(example["line"])
    facts = extract_bylines(doc, RULESET.by_kind("byline"))
    assert facts.authors == example["authors"]
    expected = datetime.fromisoformat(example["date"]) if example["date"] else None
    assert facts.published_at == expected


def test_every_rule_has_a_reason_and_unique_id() -> None:
    ids = [r.id for r in RULESET.rules]
    assert len(ids) == len(set(ids))
    assert all(r.reason for r in RULESET.rules)


def test_ruleset_fingerprint_changes_with_the_rules() -> None:
    sources = packaged_rule_sources()
    changed = dict(
        sources,
        **{"zz_user.toml": '[[rule]]\nid = "x_rule"\nkind = "line"\nreason = "r"\npatterns = ["x"]\n'},
    )
    assert parse_ruleset(changed).fingerprint != RULESET.fingerprint
    assert parse_ruleset(changed).get("x_rule").reason == "r"


def test_a_user_rule_file_overrides_a_packaged_rule_by_id() -> None:
    override = '[[rule]]\nid = "ad_label"\nkind = "line"\nreason = "Ads, our way"\npatterns = ["promo"]\n'
    ruleset = parse_ruleset(dict(packaged_rule_sources(), **{"zz_user.toml": override}))
    assert ruleset.get("ad_label").reason == "Ads, our way"
    assert len(ruleset.rules) == len(RULESET.rules)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('[[rule]]\nid = "Bad Id"\nkind = "line"\nreason = "r"\npatterns = ["x"]\n', "snake_case"),
        ('[[rule]]\nid = "a"\nkind = "nope"\nreason = "r"\npatterns = ["x"]\n', "kind"),
        ('[[rule]]\nid = "a"\nkind = "line"\npatterns = ["x"]\n', "reason"),
        (
            '[[rule]]\nid = "a"\nkind = "line"\nreason = "r"\npatterns = ["(unclosed"]\n',
            "bad regular expression",
        ),
        ('[[rule]]\nid = "a"\nkind = "line"\nreason = "r"\npatterns = ["{UNDEFINED}"]\n', "UNDEFINED"),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_malformed_rule_files_say_what_is_wrong(source: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_ruleset({"user.toml": source})


def test_low_prose_after_matter_labels_match_their_examples() -> None:
    # A structural rule: its patterns are not run by the pattern matchers, the prose step uses
    # them as tail marks, so its examples are checked against the patterns directly.
    rule = RULESET.get("low_prose")
    assert rule.patterns
    for text in _examples(rule, "remove"):
        assert rule.matches_line(text), text
    for text in _examples(rule, "keep"):
        assert not rule.matches_line(text), text


# --- word lists (`[words]`) and their examples


def _file_examples(table: str) -> list[dict]:
    return [e for text in packaged_rule_sources().values() for e in tomllib.loads(text).get(table, [])]


@pytest.mark.parametrize("example", _file_examples("author_examples"), ids=lambda e: e["value"][:40])
def test_author_value_examples(example: dict) -> None:
    assert split_names(example["value"], metadata_vocabulary(RULESET)) == example["names"]


@pytest.mark.parametrize("example", _file_examples("author_kind_examples"), ids=lambda e: e["value"][:40])
def test_author_kind_examples(example: dict) -> None:
    vocabulary = metadata_vocabulary(RULESET)
    names = [(name, False) for name in split_names(example["value"], vocabulary)]
    assert sort_names(names, set(), vocabulary) == (example["people"], example["orgs"])


@pytest.mark.parametrize("example", _file_examples("title_examples"), ids=lambda e: e["title"][:40])
def test_title_examples(example: dict) -> None:
    assert strip_site_suffix(example["title"], example["site"] or None, ruleset=RULESET) == example["expected"]


@pytest.mark.parametrize("example", _file_examples("title_junk_examples"), ids=lambda e: e["title"][:40])
def test_title_junk_examples(example: dict) -> None:
    assert junk_title(example["title"], metadata_vocabulary(RULESET)) == example["junk"]


def test_word_list_files_have_examples() -> None:
    assert _file_examples("author_examples") and _file_examples("title_examples")
    assert _file_examples("author_kind_examples") and _file_examples("title_junk_examples")


def test_a_user_word_list_replaces_the_packaged_one() -> None:
    user = '[words]\nnot_name_words = ["staff"]\n'
    ruleset = parse_ruleset(dict(packaged_rule_sources(), **{"zz_user.toml": user}))
    assert ruleset.words("not_name_words") == ("staff",)
    assert ruleset.words("byline_prefixes") == RULESET.words("byline_prefixes")
    assert split_names("Jo Lee, Senior Writer", metadata_vocabulary(RULESET)) == ["Jo Lee"]
    assert split_names("Jo Lee, Senior Writer", metadata_vocabulary(ruleset)) == ["Jo Lee", "Senior Writer"]


@pytest.mark.parametrize(
    "source", ['[words]\nbyline_labels = "by"\n', '[words]\nbyline_labels = ["by", ""]\n', 'words = ["by"]\n']
)
def test_malformed_word_lists_say_what_is_wrong(source: str) -> None:
    with pytest.raises(RuleError, match="words"):
        parse_ruleset({"user.toml": source})


def test_an_unknown_word_list_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="byline_labels"):
        RULESET.words("no_such_list")


# --- the rule set is immutable, so one parse can be shared


def test_default_ruleset_is_one_shared_parse_equal_to_a_fresh_one() -> None:
    assert default_ruleset() is RULESET
    assert parse_ruleset(packaged_rule_sources()) == RULESET


def test_rule_data_refuses_changes() -> None:
    byline = RULESET.get("byline")
    with pytest.raises(TypeError):
        byline.examples["remove"].append("By Someone Else")
    with pytest.raises(TypeError):
        byline.examples["new"] = []
    with pytest.raises(TypeError):
        RULESET.get("low_prose").params["link_density"] = 0.9
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULESET.rules = ()  # type: ignore[misc]
    assert isinstance(RULESET.words("byline_labels"), tuple)


def test_a_ruleset_survives_pickling_for_worker_processes() -> None:
    copy = pickle.loads(pickle.dumps(RULESET))
    assert copy == RULESET
    with pytest.raises(TypeError):
        copy.get("byline").examples["remove"].append("x")


def test_derived_data_is_built_once_per_ruleset_and_not_pickled() -> None:
    ruleset = parse_ruleset(packaged_rule_sources())
    settings = ruleset.derived(prose_settings)
    assert settings == ProseSettings.of(ruleset.get("low_prose"))
    assert ruleset.derived(prose_settings) is settings
    assert metadata_vocabulary(ruleset) is metadata_vocabulary(ruleset)
    copy = pickle.loads(pickle.dumps(ruleset))
    assert copy == ruleset
    assert copy.derived(prose_settings) is not settings  # the copy builds its own
    assert copy.derived(prose_settings) == settings


def test_rules_by_kind_and_id_come_in_file_order() -> None:
    for kind in ("line", "caption_credit", "byline", "block", "structural"):
        assert RULESET.by_kind(kind) == tuple(r for r in RULESET.rules if r.kind == kind)
    assert all(RULESET.get(rule.id) is rule for rule in RULESET.rules)
    assert RULESET.reasons() == {rule.id: rule.reason for rule in RULESET.rules}
    with pytest.raises(KeyError, match="no rule with id 'nope'"):
        RULESET.get("nope")


def test_a_user_rule_set_derives_from_its_own_rules() -> None:
    override = '[[rule]]\nid = "low_prose"\nkind = "structural"\nreason = "r"\nlink_density = 0.9\n'
    ruleset = parse_ruleset(dict(packaged_rule_sources(), **{"zz_user.toml": override}))
    assert ruleset.derived(prose_settings).link_density == 0.9
    assert RULESET.derived(prose_settings).link_density != 0.9
