"""Matchers for pattern rules: one function per rule kind, each marks lines of a LineDocument.

The patterns themselves are data (`transforms/rules/*.toml`); these functions decide how a
pattern applies to lines and paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from docclean.transforms.dates import parse_date
from docclean.transforms.lines import Line, LineDocument
from docclean.transforms.literals import fold, guard, passes
from docclean.transforms.ruleset import Rule, RuleSet


@dataclass(slots=True)
class BylineFacts:
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None


# Prefilters: one test per rule tuple that says whether a line may fully match one of the rules'
# patterns. Most lines match no rule, and one call that says so costs a fraction of one call per
# rule; the rules run only on the rest. (Not for caption credits: those are
# searched, and one combined search loses the literal-prefix scans of the single patterns.)
# Keyed by the compiled patterns, so a user rule set gets its own; there are only ever a few.
# (A key hashes every pattern's compiled code: `apply_pattern_rules` looks its prefilters up once
# per rule set, through `RuleSet.derived`, not once per document.)
_PREFILTERS: dict[tuple[re.Pattern[str], ...], Callable[[str], bool]] = {}
_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<\w+>")
# Group references would point at another pattern's groups once the patterns are combined.
# A bulleted list item's bullet (`rule_text`); numbered items keep their number, which may be
# what a rule means ("1. Sign in" is no menu entry).
_BULLETS = frozenset("-*+•")
_BULLET = re.compile(r"(?:[-*+•]\s+)+(?=\S)")
_GROUP_REFERENCE = re.compile(r"\\[1-9]|(?<!\\)\(\?P=|(?<!\\)\(\?\(")


def _prefilter(rules: tuple[Rule, ...]) -> Callable[[str], bool]:
    """Whether a line's text may match one of `rules`' patterns in full (memoised per patterns).

    A pattern with a literal guard (`transforms.literals`) runs only on lines holding its literal;
    the others run as one alternation (~10 µs a line), or each alone when they cannot be combined.
    """
    patterns = tuple(p for rule in rules for p in rule.patterns)
    if patterns not in _PREFILTERS:
        _PREFILTERS[patterns] = _guarded_filter(patterns)
    return _PREFILTERS[patterns]


def _guarded_filter(patterns: tuple[re.Pattern[str], ...]) -> Callable[[str], bool]:
    needs = [(p, guard(p)) for p in patterns]
    guarded = tuple((p, need) for p, need in needs if need is not None)
    unguarded = tuple(p for p, need in needs if need is None)
    combined = _combine(unguarded)
    if unguarded and combined is None:
        return lambda text: True  # the rules themselves say

    def may_match_any(text: str) -> bool:
        if combined is not None and combined.fullmatch(text) is not None:
            return True
        if not guarded:
            return False
        folded = fold(text)
        return any(passes(need, folded) and p.fullmatch(text) for p, need in guarded)

    return may_match_any


def _combine(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    parts = []
    for pattern in patterns:
        if pattern.flags & ~(re.IGNORECASE | re.UNICODE) or _GROUP_REFERENCE.search(pattern.pattern):
            return None
        scope = "i" if pattern.flags & re.IGNORECASE else "-i"
        # Group names may repeat across patterns; the prefilter needs no groups.
        parts.append(f"(?{scope}:{_NAMED_GROUP.sub('(?:', pattern.pattern)})")
    try:
        return re.compile("|".join(parts)) if parts else None
    except re.error:  # e.g. a pattern with global inline flags: the rules run unfiltered
        return None


# What the pattern rules answer for a line's text, remembered for the rule set (`PatternRules`):
# a site's bylines, credits and menus recur on its pages, and a combined prefilter costs ~10 µs
# a line. The answers depend on the text alone (word counts are counted from it); bounded.
_remembered = lru_cache(maxsize=1 << 15)


@dataclass(frozen=True, slots=True)
class PatternRules:
    """A rule set's pattern rules by kind, with the prefilters of the line and byline rules and
    the first caption-credit rule matching a line, each remembered per line text."""

    blocks: tuple[Rule, ...]
    credits: tuple[Rule, ...]
    bylines: tuple[Rule, ...]
    byline_filter: Callable[[str], bool]
    lines: tuple[Rule, ...]
    line_filter: Callable[[str], bool]
    credit_rule: Callable[[str, int], Rule | None]
    name_joiner: re.Pattern[str] | None = None  # "and" in other languages (`name_joiners`)

    @classmethod
    def of(cls, ruleset: RuleSet) -> PatternRules:
        bylines, lines = ruleset.by_kind("byline"), ruleset.by_kind("line")
        blocks, credits = ruleset.by_kind("block"), ruleset.by_kind("caption_credit")
        byline_filter, line_filter = (_remembered(_prefilter(rules)) for rules in (bylines, lines))
        credit_rule = _remembered(_first_credit(credits))
        joiners = ruleset.words("name_joiners")
        # Lower case only, as in a byline's running text: "Robert E Lee" has an initial.
        joiner = re.compile(rf"\s+(?:{'|'.join(map(re.escape, joiners))})\s+") if joiners else None
        return cls(blocks, credits, bylines, byline_filter, lines, line_filter, credit_rule, joiner)


def strip_pattern_lines(doc: LineDocument, rules: tuple[Rule, ...]) -> None:
    """`line` rules: remove a kept line that matches a pattern in full."""
    _strip_lines(doc, rules, _prefilter(rules))


def _strip_lines(doc: LineDocument, rules: tuple[Rule, ...], may_match: Callable[[str], bool]) -> None:
    limits = [(rule, rule.param("max_words", 0)) for rule in rules]
    for line in doc.lines:
        text = rule_text(line.text)
        if not line.kept or not may_match(text):
            continue
        for rule, max_words in limits:
            if max_words and line.words > max_words:
                continue
            if rule.matches_line(text):
                doc.remove(line, rule.id, rule.reason)
                break


def rule_text(text: str) -> str:
    """What line and byline rules read of a line: a bulleted item without its bullets. Menus and
    bylines flattened without links keep html2text's bullets ("* Most Read", "* Posted: May 2,
    2024"), where WET has the bare line; the rule means the same line either way.

    >>> rule_text("* Most Read"), rule_text("* * Comments"), rule_text("1. First"), rule_text("*emphasis*")
    ('Most Read', 'Comments', '1. First', '*emphasis*')
    """
    if text[:1] not in _BULLETS:
        return text  # most lines
    m = _BULLET.match(text)
    return text[m.end() :] if m else text


def strip_image_credits(doc: LineDocument, rules: tuple[Rule, ...]) -> None:
    """`caption_credit` rules: a line ending in a credit goes whole, caption included."""
    _strip_credits(doc, _first_credit(rules))


def _first_credit(rules: tuple[Rule, ...]) -> Callable[[str, int], Rule | None]:
    """The first of `rules` that a line of this text and word count matches, if any."""
    limits = [(rule, rule.param("max_words", 80)) for rule in rules]

    def first(text: str, words: int) -> Rule | None:
        return next((rule for rule, max_words in limits if words <= max_words and rule.matches_line(text)), None)

    return first


def _strip_credits(doc: LineDocument, credit_rule: Callable[[str, int], Rule | None]) -> None:
    for line in doc.lines:
        if not line.kept or line.rendered.is_heading:
            continue
        if (rule := credit_rule(line.text, line.words)) is not None:
            doc.remove(line, rule.id, rule.reason)


def extract_bylines(doc: LineDocument, rules: tuple[Rule, ...]) -> BylineFacts:
    """`byline` rules: remove every byline line; the first authors and date found become metadata."""
    return _extract_bylines(doc, rules, _prefilter(rules))


def _extract_bylines(
    doc: LineDocument, rules: tuple[Rule, ...], may_match: Callable[[str], bool], joiner: re.Pattern[str] | None = None
) -> BylineFacts:
    facts = BylineFacts()
    for line in doc.lines:
        text = rule_text(line.text)
        if not line.kept or line.words > 40 or not may_match(text):
            continue
        for rule in rules:
            m = rule.matches_line(text)
            if not m:
                continue
            groups = m.groupdict()
            if not facts.authors and groups.get("authors"):
                facts.authors = split_authors(groups["authors"], joiner)
            if facts.published_at is None and groups.get("date"):
                facts.published_at = parse_date(groups["date"])
            doc.remove(line, rule.id, rule.reason)
            break
    return facts


_AUTHOR_SEPARATOR = re.compile(r"\s*(?:,|\band\b|&)\s*", re.IGNORECASE)


def split_authors(names: str, joiner: re.Pattern[str] | None = None) -> list[str]:
    """Split a byline's author list; all-caps names are title-cased. `joiner` matches "and" in
    other languages, a boundary only where both sides are names of two words or more.

    >>> split_authors("JANE DOE, Max Muster and Li Wei")
    ['Jane Doe', 'Max Muster', 'Li Wei']
    >>> split_authors("Jean Dupont et Marie Curie, Li Wei", re.compile(r"\\s+(?:et|y)\\s+"))
    ['Jean Dupont', 'Marie Curie', 'Li Wei']
    """
    out: list[str] = []
    for part in _AUTHOR_SEPARATOR.split(names):
        pieces = joiner.split(part) if joiner is not None else [part]
        for name in pieces if all(len(p.split()) >= 2 for p in pieces) else [part]:
            name = " ".join(name.split()).strip(" .")
            if not name:
                continue
            if name.isupper():
                name = name.title()
            if name not in out:
                out.append(name)
    return out


def strip_blocks(doc: LineDocument, rules: tuple[Rule, ...], *, layout: str | None = None) -> None:
    """`block` rules: from a short call-to-action line through the last marker that follows it.

    `layout` walks the blocks as text of that layout would be walked (default: the document's).
    """
    for rule in rules:
        paragraphs = _block_units(doc, layout or doc.layout)
        i = 0
        while i < len(paragraphs):
            start = _block_start(paragraphs[i], rule)
            if start is None:
                i += 1
                continue
            last = _last_marker(paragraphs, i, rule)
            if last == i and (start.rendered.is_heading or not _is_lone_line(paragraphs[i], start)):
                # Nothing promotional follows: an opener inside a paragraph, or an article heading
                # ("Register for gifts"), stays.
                i += 1
                continue
            end = last + 1
            while end < len(paragraphs) and last > i and _is_short_list(paragraphs[end]):
                end += 1  # the benefits list under the last marker
            for line in paragraphs[i][paragraphs[i].index(start) :]:
                doc.remove(line, rule.id, rule.reason)
            for para in paragraphs[i + 1 : end]:
                for line in para:
                    doc.remove(line, rule.id, rule.reason)
            i = end


def _block_units(doc: LineDocument, layout: str) -> list[list[Line]]:
    """What a block rule walks: paragraphs, or in WET text (a block a line, no blank lines, so
    the whole page is one paragraph) each block, as a paragraph of its own."""
    if layout == "wet":
        return [[line] for line in doc.lines]
    return doc.paragraphs()


def _block_start(para: list[Line], rule: Rule) -> Line | None:
    max_words = rule.param("start_max_words", 14)
    for line in para:
        if line.kept and line.words <= max_words and rule.matches_line(line.text):
            return line
    return None


def _is_marker(para: list[Line], rule: Rule) -> bool:
    for line in para:
        if not line.kept or line.words > 40:
            continue
        if rule.matches_line(line.text) or rule.inner_matches(line.text):
            return True
    return False


def _last_marker(paragraphs: list[list[Line]], start: int, rule: Rule) -> int:
    """Index of the last marker paragraph reachable from `start` across short unmarked gaps."""
    max_gap = rule.param("max_gap_paragraphs", 3)
    max_words = rule.param("max_paragraph_words", 70)
    last, gap = start, 0
    for j in range(start + 1, len(paragraphs)):
        para = paragraphs[j]
        if not any(line.kept for line in para):
            continue
        if _is_marker(para, rule):
            last, gap = j, 0
            continue
        gap += 1
        if gap > max_gap or sum(line.words for line in para if line.kept) > max_words:
            break
    return last


def _is_lone_line(para: list[Line], line: Line) -> bool:
    return [candidate for candidate in para if candidate.kept] == [line]


def _is_short_list(para: list[Line]) -> bool:
    kept = [line for line in para if line.kept]
    return bool(kept) and all(line.rendered.is_list_item and line.words <= 15 for line in kept)


def apply_pattern_rules(doc: LineDocument, ruleset: RuleSet) -> BylineFacts:
    """Run every pattern rule kind in its fixed order; returns what bylines said.

    Blocks go first, so a subscription box is one block rather than lines claimed by the CTA and
    share rules. (`clean_document` runs them once more at the end: see there.)
    """
    rules = ruleset.derived(PatternRules.of)
    strip_blocks(doc, rules.blocks)
    _strip_credits(doc, rules.credit_rule)
    facts = _extract_bylines(doc, rules.bylines, rules.byline_filter, rules.name_joiner)
    _strip_lines(doc, rules.lines, rules.line_filter)
    return facts
