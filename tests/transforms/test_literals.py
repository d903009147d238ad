"""Literal guards: derived from patterns, never wrong (a pattern that matches always passes its guard)."""

from __future__ import annotations

import re

import pytest
from docclean.transforms.boilerplate import _combine, _prefilter, rule_text
from docclean.transforms.literals import fold, guard, passes, required_literals
from docclean.transforms.ruleset import default_ruleset, parse_ruleset

RULESET = default_ruleset()
PATTERN_KINDS = ("line", "caption_credit", "byline", "block")


def _examples(rule) -> list[str]:
    tables = rule.examples if isinstance(rule.examples, list) else [rule.examples]
    return [text for table in tables for key in ("remove", "keep") for text in table.get(key, [])]


def _variants(text: str) -> list[str]:
    """The text as written, shouted, and with the characters `re` folds to ASCII letters."""
    odd = text.replace("s", "ſ").replace("k", "\u212a").replace("i", "ı").replace("I", "İ")
    return [text, text.upper(), text.lower(), odd, odd.upper()]


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"(?i)(?=.*(?:©|\bcopyright\b)).{0,200}\ball rights reserved\b.{0,200}", {"all rights reserved"}),
        (r"(?:\d+\. )?(?:Share|Tweet) this", {" this"}),
        (r"(?i)(?:read|see) more", {" more"}),
        (r"(?i)(?:related|see also)", {"related", "see also"}),
        (r"a+b", {"a"}),  # a repeat of one or more: its item is in every match
        (r"(?:x|)yz", {"yz"}),
        (r"\w+", None),
        (r"(?:news|)", None),  # an empty branch requires nothing
        (r"café", {"caf"}),  # a cased non-ASCII letter ends a run: case folding could match others
    ],
)
def test_required_literals(pattern: str, literals: set[str] | None) -> None:
    found = required_literals(re.compile(pattern))
    assert (set(found) if found is not None else None) == literals


@pytest.mark.parametrize(
    ("pattern", "search", "guarded"),
    [
        (r"(?i)(?=.*copyright).{0,200}all rights reserved", False, True),  # scans the line: guard it
        (r"(?!.*\d)(?=.*\|\s*\|)\|?(?:[^|]{0,30}\|)+", False, True),
        (r"(?i)all rights reserved\.?", False, False),  # fails at the first character already
        (r"(?i)(?:[-*•]\s+)?coming soon!?", False, False),
        (r"(?i).{0,40}money back guarantee", False, False),  # a short scan is cheaper than a guard
        (r"(?i)^(?=.*?\svia\s).*?reuters", True, True),
        (r"(?i)\((?:photo|image)\)", True, False),  # `re` finds "(" itself
        (r"(?i)(?:a|b|c|d|e|f|g|h|i)x.*", False, False),
    ],
)
def test_guard_only_where_it_pays(pattern: str, search: bool, guarded: bool) -> None:
    assert (guard(re.compile(pattern), search=search) is not None) is guarded


def test_fold_maps_what_re_folds_to_ascii() -> None:
    assert fold("İSTANBUL ſtory \u212aEY") == "istanbul story key"
    assert fold("Plain ASCII") == "plain ascii"
    for char in "İıſ\u212a":
        letter = fold(char)
        assert re.fullmatch(letter, char, re.IGNORECASE)


def test_every_packaged_pattern_that_matches_passes_its_guard() -> None:
    """Over every rule's examples in five casings: no match is ever skipped by a guard."""
    checked = 0
    for kind in PATTERN_KINDS:
        for rule in RULESET.by_kind(kind):
            for pattern, need in rule.guarded + rule.guarded_inner:
                for example in _examples(rule):
                    for line in (ln for text in _variants(example) for ln in text.split("\n")):
                        for text in (line, rule_text(line)):
                            if pattern.search(text):
                                assert passes(required_literals(pattern), fold(text)), (rule.id, text)
                                assert passes(need, fold(text)), (rule.id, text)
                                checked += 1
    assert checked > 100


def test_guarded_prefilter_says_what_the_combined_alternation_says() -> None:
    rules = RULESET.by_kind("line")
    combined = _combine(tuple(p for rule in rules for p in rule.patterns))
    may_match = _prefilter(rules)
    texts = [variant for rule in rules for text in _examples(rule) for variant in _variants(text)]
    lines = [rule_text(line) for text in texts for line in text.split("\n")]
    lines += ["An ordinary sentence of an article, with a comma.", "| a | b |", "© 2024 Example. All Rights Reserved."]
    for line in lines:
        if combined.fullmatch(line):
            assert may_match(line), line


def test_a_user_rule_that_scans_runs_only_on_lines_with_its_literal() -> None:
    ruleset = parse_ruleset(
        {
            "user.toml": """
[[rule]]
id = "press_release"
kind = "line"
reason = "press-release footer"
patterns = ['(?i)(?=.*\\bmedia\\b).{0,120}press release.{0,80}']
examples = { remove = ["Media contact: for this PRESS RELEASE call us"], keep = ["A press conference."] }
"""
        }
    )
    rule = ruleset.get("press_release")
    assert rule.guarded[0][1] == frozenset({"press release"})
    assert rule.matches_line("Media contact: for this PRESS RELEASE call us")
    assert rule.matches_line("Media contact: for this PREſS RELEASE call us")  # ſ folds to s
    assert not rule.matches_line("Media contact: a press conference at noon")
