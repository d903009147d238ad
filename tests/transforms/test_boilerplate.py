"""The matchers' prefilter: one combined pattern must match a line exactly when some rule does; what
the line rules read of a bulleted line."""

from __future__ import annotations

import re

import pytest
from docclean.transforms.boilerplate import _combine, _prefilter, apply_pattern_rules
from docclean.transforms.lines import LineDocument
from docclean.transforms.ruleset import default_ruleset, parse_ruleset

RULESET = default_ruleset()


def _example_lines() -> list[str]:
    lines: list[str] = []
    for rule in RULESET.rules:
        tables = rule.examples if isinstance(rule.examples, list) else [rule.examples]
        for table in tables:
            for key in ("remove", "keep"):
                for text in table.get(key, []):
                    lines.extend(text.split("\n"))
    return lines


@pytest.mark.parametrize("kind", ["line", "byline"])
def test_prefilter_matches_exactly_the_lines_some_rule_matches(kind: str) -> None:
    rules = RULESET.by_kind(kind)
    may_match = _prefilter(rules)
    for line in _example_lines():
        expected = any(rule.matches_line(line) for rule in rules)
        assert may_match(line) == expected, line


def test_patterns_with_group_references_are_not_combined() -> None:
    source = '[[rule]]\nid = "twice"\nkind = "line"\nreason = "r"\npatterns = [\'(\\\\w+) \\\\1\']\n'
    rules = parse_ruleset({"user.toml": source}).by_kind("line")
    assert _combine(tuple(p for r in rules for p in r.patterns)) is None


def test_case_sensitivity_stays_per_pattern() -> None:
    combined = _combine((re.compile("abc", re.IGNORECASE), re.compile("Xyz")))
    assert combined is not None
    assert combined.fullmatch("ABC") and combined.fullmatch("Xyz") and not combined.fullmatch("xyz")


def _kept(text: str) -> list[str]:
    doc = LineDocument.parse(text)
    apply_pattern_rules(doc, RULESET)
    return [line.text for line in doc.lines if line.kept]


def test_bulleted_labels_and_bylines_match_as_the_bare_lines_do() -> None:
    # html2text without links keeps the bullets of a menu or a byline list; WET has bare lines.
    wet = _kept("Most Read\nBy Jane Doe\nComments")
    bulleted = _kept("* Most Read\n* By Jane Doe\n* * Comments")
    assert wet == bulleted == []


def test_list_items_of_an_article_keep_their_bullets_and_stay() -> None:
    items = ["* The most read report of the year came out on Monday.", "* Posted letters arrive late.", "1. Most read"]
    assert _kept("\n".join(items)) == items
