"""The prose step's settings (the `low_prose` rule's parameters) and its per-line signals."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from docclean.transforms.labels import LabelSettings
from docclean.transforms.ruleset import Rule, RuleSet
from docclean.transforms.stop_words import StopWords


@dataclass(frozen=True, slots=True)
class LineSignals:
    words: int  # spaced words, or characters / 2 for unspaced scripts
    link_density: float  # share of the line's visible characters that are link text
    stopword_ratio: float
    unspaced: bool
    sentences: int  # sentence-ending punctuation marks
    code_marks: int = 0  # marks of program code (`code_text.code_marks`)
    chars: int = 0  # of the rendered text


@dataclass(frozen=True, slots=True)
class ProseSettings:
    """The `low_prose` rule's parameters and vocabulary (site.toml says what each does), read
    once per page. A user rule replacing `low_prose` brings its own vocabulary and patterns."""

    rule: Rule  # its `patterns` are the after-matter section labels
    link_density: float = 0.5
    min_link_lines: int = 1
    prose_min_words: int = 10
    min_stopword_ratio: float = 0.12
    max_words_per_sentence: int = 60
    short_penalty: float = 2.0
    link_penalty: float = 2.0
    escalate_gaps: bool = True
    inner_link_max_words: int = 25
    before_min_words: int = 30
    lead_lines: int = 3
    linked_heading_max_words: int = 10
    tail_cut_min_words: int = 150
    tail_cut_rules: frozenset[str] = frozenset()
    tail_cut_always_rules: frozenset[str] = frozenset()
    tail_marker_max_words: int = 5
    tail_cut_ratio: float = 1.0
    link_run_lines: int = 5
    link_run_ratio: float = 0.5
    label_tail_run_lines: int = 5
    comment_stamps_min: int = 3
    comment_stamp: re.Pattern[str] = re.compile(r"(?!)")  # a time of day or age in a date line
    code_min_marks: int = 0  # a line with this many code marks (0: off) ...
    code_chars_per_mark: int = 0  # ... and one per this many characters at least is code, not prose
    article_furniture_rules: frozenset[str] = frozenset()  # lines that belong to the article
    furniture_rules: frozenset[str] = frozenset()  # lines that show the page has furniture
    stop_words: frozenset[str] = frozenset()  # every language's (a page is measured by its own)
    stop_word_lists: StopWords = StopWords()  # noqa: RUF009 (frozen: safe to share)
    labels: LabelSettings = LabelSettings()  # noqa: RUF009 (frozen: safe to share)

    @classmethod
    def of(cls, rule: Rule) -> ProseSettings:
        values: dict[str, Any] = {f.name: rule.params[f.name] for f in fields(cls) if f.name in rule.params}
        for name in ("short_penalty", "link_penalty", "tail_cut_ratio", "link_run_ratio"):
            if name in values:
                values[name] = float(values[name])
        for name in ("tail_cut_rules", "tail_cut_always_rules", "article_furniture_rules", "furniture_rules"):
            values[name] = frozenset(values.get(name, ()))
        if "comment_stamp" in values:
            values["comment_stamp"] = re.compile(values["comment_stamp"], re.IGNORECASE)
        # `stop_words`: per language, a string of words separated by spaces
        values["stop_word_lists"] = StopWords.of(rule.param("stop_words", {}), rule.param("min_stopword_ratio_of", {}))
        values["stop_words"] = values["stop_word_lists"].union
        values["labels"] = LabelSettings.of(rule.params, values["stop_words"])
        return cls(rule=rule, **values)


def prose_settings(ruleset: RuleSet) -> ProseSettings:
    """The settings of `ruleset`'s `low_prose` rule: for `RuleSet.derived` (built once per rule set)."""
    return ProseSettings.of(ruleset.get("low_prose"))
