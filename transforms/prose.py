"""Prose detection for one page: keep the article's run of prose, drop the furniture around it.

Site templates need several pages of a site; this works on one page of an unknown site. Each
kept line gets a few cheap signals (words, share of its text that is link text, share of
stop words, list or heading shape). The main region is the contiguous run of lines with the
largest prose score net of link-heavy and short lines (a maximum-sum segment, as in Finn et
al.'s body text extraction); text without links counts runs of short labels as link lists
(`labels.py`). The region's tail is cut where after-matter starts (`_cut_tail`). Before the
region only long link-free prose and the headline just above it survive; after it nothing
does (comments, teasers and author boxes are prose too); inside it only short link-heavy
lines go that are not linked subheadings or sentences.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any

from docclean.transforms.code_text import code_marks
from docclean.transforms.labels import LabelSettings, LabelShape, is_label, label_runs
from docclean.transforms.lines import Line, LineDocument
from docclean.transforms.link_density import link_text_chars, unparsed_link_density
from docclean.transforms.markdown import RenderedLine
from docclean.transforms.ruleset import Rule, RuleSet, default_ruleset

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?;:。！？](?=\W|$)")
# Scripts written without spaces: word counts and stop words mean nothing there, so these
# lines are measured in characters instead.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_CHARS_PER_WORD = 2  # rough words per unspaced-script character, for comparable weights


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
    comment_stamps_min: int = 3
    comment_stamp: re.Pattern[str] = re.compile(r"(?!)")  # a time of day or age in a date line
    code_min_marks: int = 0  # a line with this many code marks (0: off) ...
    code_chars_per_mark: int = 0  # ... and one per this many characters at least is code, not prose
    article_furniture_rules: frozenset[str] = frozenset()  # lines that belong to the article
    furniture_rules: frozenset[str] = frozenset()  # lines that show the page has furniture
    stop_words: frozenset[str] = frozenset()
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
        values["stop_words"] = frozenset(w for words in rule.param("stop_words", {}).values() for w in words.split())
        values["labels"] = LabelSettings.of(rule.params, values["stop_words"])
        return cls(rule=rule, **values)


def prose_settings(ruleset: RuleSet) -> ProseSettings:
    """The settings of `ruleset`'s `low_prose` rule: for `RuleSet.derived` (built once per rule set)."""
    return ProseSettings.of(ruleset.get("low_prose"))


def line_signals(line: Line, stop_words: frozenset[str] | None = None) -> LineSignals:
    """A line's prose signals; `stop_words` defaults to the packaged `low_prose` rule's."""
    stop_words = default_ruleset().derived(prose_settings).stop_words if stop_words is None else stop_words
    text = line.text
    linked, visible = link_text_chars(line)
    density = linked / visible if visible else 0.0
    if "](" in text:  # link syntax survived rendering: measure those links on the raw line
        density = max(density, unparsed_link_density(line))
    sentences = len(_SENTENCE_END.findall(text))
    marks, chars = code_marks(text), len(text)
    if text.isascii():
        # Most lines: no unspaced script, and casefolding ASCII is lowering it, which keeps every
        # word a word, so the whole line is folded once instead of word by word (same tokens).
        tokens = _WORD.findall(text.lower())
    else:
        unspaced_chars = len(_UNSPACED.findall(text))
        if unspaced_chars * 2 > len(text):
            words = max(line.words, unspaced_chars // _CHARS_PER_WORD)
            return LineSignals(words, density, 0.0, True, sentences, marks, chars)
        tokens = [w.casefold() for w in _WORD.findall(text)]
    stop = sum(map(stop_words.__contains__, tokens)) / len(tokens) if tokens else 0.0
    return LineSignals(len(tokens), density, stop, False, sentences, marks, chars)


def _signals(lines: list[Line], stop_words: frozenset[str]) -> list[LineSignals]:
    """`line_signals` of each line (a new list), through `_shared_signals`."""
    return [_shared_signals(line.raw, line.rendered, line.words, stop_words) for line in lines]


# The signals are the prose step's largest cost, and the step runs again on the same lines of a
# page (`clean.py`), while a site's menus and footers recur on its pages. A line's signals depend
# only on its raw text and rendering (its words are counted from that), so they are computed once
# per distinct line; LineSignals is immutable, so one answer is shared. The bound keeps memory flat.
@lru_cache(maxsize=1 << 15)
def _shared_signals(raw: str, rendered: RenderedLine, words: int, stop_words: frozenset[str]) -> LineSignals:
    return line_signals(Line(0, 0, len(raw), raw, rendered, words), stop_words)


def strip_low_prose(
    doc: LineDocument, rule: Rule, settings: ProseSettings | None = None, absent: Collection[int] = ()
) -> None:
    """Remove kept lines that are not part of the page's main prose, and link lists inside it
    (`settings`: `ProseSettings.of(rule)`, which a caller cleaning many pages makes once).
    A rerun names the lines to read as not there at all by `id()` in `absent` (`clean.py`); it
    removes page furniture only, never a line of prose the first run kept."""
    # Lines earlier rules removed (share bars, sign-in links) still count as furniture when the
    # main region is found, so they keep separating the article from what surrounds it.
    lines = [line for line in doc.lines if line.text and id(line) not in absent]
    if not any(line.kept for line in lines):
        return
    settings = settings or ProseSettings.of(rule)
    signals = _signals(lines, settings.stop_words)
    link_limit = settings.link_density
    linked = any(s.link_density >= link_limit for s in signals)
    # Menus and footers without links (WET, plain text) are runs of short capitalised labels:
    # they weigh as link lists. Where links are, they tell menus better (a label run there is as
    # often a list in the article: WCXB-dev markdown recall 0.960 -> 0.935).
    labelled: list[bool] | None = None
    if not linked:  # (the shapes only then: most pages with links need none)
        shapes = [LabelShape.of(line.text, line.kept, s) for line, s in zip(lines, signals, strict=True)]
        labelled = [is_label(shape, settings.labels) for shape in shapes]
        for i in label_runs(shapes, settings.labels):
            signals[i] = replace(signals[i], link_density=1.0)
    # Without a link list, a label run or a line of the site's template (a feed body, a clean
    # article) short lines are content. (Without links, the menus the template took were the runs.)
    heavy = sum(1 for s in signals if s.link_density >= link_limit)
    if heavy + sum(line.removed_by in settings.furniture_rules for line in lines) < settings.min_link_lines:
        return
    prose = _prose_lines(lines, signals, settings)
    if not linked:  # runs of short lines are then the only sign of furniture: each costs more
        settings = replace(settings, escalate_gaps=True)
    start, end = _max_segment(_scores(lines, signals, prose, settings, labelled))
    if end <= start:
        return  # no prose at all: nothing to anchor on, so nothing is judged furniture
    end = _cut_tail(lines, signals, prose, start, end, settings)
    lead = _lead(lines, signals, start, settings)
    for i, (line, s) in enumerate(zip(lines, signals, strict=True)):
        if not line.kept or i in lead or (absent and prose[i]):
            continue
        if start <= i < end:
            if (
                s.link_density >= link_limit
                and s.words <= settings.inner_link_max_words
                and not _linked_content(i, lines, signals, settings)
            ):
                doc.remove(line, rule.id, rule.reason)
            continue
        # An article's opening can be split off by a link list inside it (a table of contents,
        # a "key links" box), so long link-free prose before the region stays. After it, long
        # prose is comments, author bios and teasers far more often than article.
        if i < start and prose[i] and s.words >= settings.before_min_words and s.link_density < link_limit / 2:
            continue
        doc.remove(line, rule.id, rule.reason)


def _lead(lines: list[Line], signals: list[LineSignals], start: int, settings: ProseSettings) -> set[int]:
    """Headline, dek and dateline sit right above the body: the nearest kept link-free lines."""
    lead: set[int] = set()
    for i in range(start - 1, -1, -1):
        if len(lead) >= settings.lead_lines or (lines[i].kept and signals[i].link_density >= settings.link_density):
            break
        if lines[i].kept:
            lead.add(i)
    return lead


def _prose_lines(lines: list[Line], signals: list[LineSignals], settings: ProseSettings) -> list[bool]:
    """Which lines are kept prose: enough words, few links, stop words, sentence-sized."""
    return [
        line.kept
        and s.link_density < settings.link_density
        and s.words >= settings.prose_min_words
        and (s.unspaced or s.stopword_ratio >= settings.min_stopword_ratio)
        and s.words <= settings.max_words_per_sentence * max(s.sentences, 1)
        and not _is_code(s, settings)
        for line, s in zip(lines, signals, strict=True)
    ]


def _is_code(s: LineSignals, settings: ProseSettings) -> bool:
    """Script or style text (`code_marks`): never prose, so it does not extend the region; a code
    sample inside an article stays, as any short line there does."""
    return 0 < settings.code_min_marks <= s.code_marks and s.code_marks * settings.code_chars_per_mark >= s.chars


def _scores(
    lines: list[Line],
    signals: list[LineSignals],
    prose: list[bool],
    settings: ProseSettings,
    labelled: list[bool] | None = None,
) -> list[float]:
    """Per-line score: prose words count for the region, furniture against it."""
    escalate = settings.escalate_gaps
    scores, gap = [], 1
    for i, (line, s, is_prose) in enumerate(zip(lines, signals, prose, strict=True)):
        if line.removed_by in settings.article_furniture_rules:
            scores.append(0.0)  # bylines and captions sit inside articles: they must not split one
            continue
        if is_prose:
            scores.append(float(s.words))
            gap = 1 if not escalate else 0
            continue
        # Each further line of a run of furniture costs more than the last: a long run (menus,
        # a comment form) splits regions, a stray short line inside the article barely counts.
        # Without links only labels, link-heavy and removed lines make such a run: a table row, a
        # line of code or a lower-case list item costs the same however many follow, and a short
        # sentence ends the run (a menu has none; WCXB-dev WET F1 0.915 -> 0.917).
        unlabelled = labelled is not None and not labelled[i]
        if escalate and unlabelled and line.kept and s.link_density < settings.link_density:
            scores.append(-settings.short_penalty * max(gap, 1))
            gap = 0 if _is_short_sentence(s, settings) else gap
            continue
        gap += 1 if escalate else 0
        if s.link_density >= settings.link_density or not line.kept:
            scores.append(-settings.link_penalty * max(s.words, 1) - settings.short_penalty * gap)
        else:
            scores.append(-settings.short_penalty * gap)
    return scores


def _is_short_sentence(s: LineSignals, settings: ProseSettings) -> bool:
    """A line too short for prose that still reads as a sentence ("Measure the space first.")."""
    return (
        s.sentences > 0
        and s.words >= 3
        and (s.unspaced or s.stopword_ratio >= settings.min_stopword_ratio)
        and not _is_code(s, settings)
    )


def _cut_tail(
    lines: list[Line], signals: list[LineSignals], prose: list[bool], start: int, end: int, settings: ProseSettings
) -> int:
    """End of the article inside the region [start, end): where its after-matter begins.

    The maximum-sum region runs on through comments, author boxes and teasers whenever they
    carry more prose words than the furniture between them and the article costs. These lines
    mark where that after-matter starts: an after-matter label (`_is_after_matter_label`), and
    a run of link-heavy lines (a related list, tags, a share bar). The region is cut at the
    first mark that has enough prose before it and less prose after it than before (a
    mid-article "Related" box or share bar is followed by the rest of the article). Comment
    furniture ("Reply", "12 comments") cuts however much follows: a long thread is still not
    the article. So does the first of comment_stamps_min date lines with a time of day ("May 2,
    2024 at 7:45 pm") under a commenter's name: an article dates itself once or twice, a thread
    once per comment. And so does a feed of other stories, each dated (`_feed_start`).
    """
    total = sum(signals[j].words for j in range(start, end) if prose[j])
    stamps_from = _comment_stamps_from(lines, signals, prose, start, end, settings)
    feed_start = _feed_start(lines, signals, prose, start, end, settings)
    before = 0  # prose words in [start, j)
    run_start, run_len = start, 0
    for j in range(start, end):
        line, s = lines[j], signals[j]
        if prose[j]:
            before += s.words
            run_len = 0
            continue
        if before < settings.tail_cut_min_words:
            continue
        if _is_after_matter_label(line, s, total - before < settings.tail_cut_ratio * before, settings):
            return j
        # A comment thread: from here on, date lines with a time of day recur, one per comment.
        if stamps_from.get(j, 0) >= settings.comment_stamps_min:
            return _above_commenter_name(j, start, lines, signals, prose, settings.tail_marker_max_words)
        if j == feed_start:
            return _teaser_top(j, start, lines, signals, prose, settings.tail_marker_max_words)
        if s.link_density >= settings.link_density or (
            not line.kept and line.removed_by not in settings.article_furniture_rules
        ):
            if run_len == 0:
                run_start = j
            run_len += 1
            if run_len == settings.link_run_lines and total - before < settings.link_run_ratio * before:
                return run_start
    return end


def _is_after_matter_label(line: Line, s: LineSignals, less_follows: bool, settings: ProseSettings) -> bool:
    """A short label where after-matter starts, when `less_follows` (less prose after than before).

    Either a line one of `tail_cut_rules` removed as comments, related-stories or share
    furniture (`tail_cut_always_rules`: however much follows), or a kept after-matter section
    label the article's own text would not use alone on a line (references, about the author:
    the rule's `patterns`), kept by the pattern rules because it is not furniture on its own.
    """
    if s.words > settings.tail_marker_max_words:
        return False
    if line.removed_by in settings.tail_cut_rules:
        # "Related: <headline>" is an inline link, not a section label.
        return ":" not in line.text and (line.removed_by in settings.tail_cut_always_rules or less_follows)
    return line.kept and less_follows and settings.rule.matches_line(line.text) is not None


def _comment_stamps_from(
    lines: list[Line], signals: list[LineSignals], prose: list[bool], start: int, end: int, settings: ProseSettings
) -> dict[int, int]:
    """For each comment timestamp line in (start, end), how many stamps there are from it on."""
    stamped = [
        j
        for j in range(start + 1, end)
        if lines[j].removed_by == "dateline"
        and settings.comment_stamp.search(lines[j].text)
        and _heads_a_comment(j - 1, lines, signals, prose, settings.tail_marker_max_words)
    ]
    return {j: len(stamped) - n for n, j in enumerate(stamped)}


_EXCERPT_END = re.compile(r"(?:\.\.\.|…)\W*$")  # a teaser's excerpt is cut off: "... within its f..."


def _feed_start(
    lines: list[Line], signals: list[LineSignals], prose: list[bool], start: int, end: int, settings: ProseSettings
) -> int:
    """The region's first date line when it starts a teaser feed (other stories, each dated), else -1.

    A feed dates every teaser under its headline, author or cut-off excerpt: the first date line
    and at least comment_stamps_min - 1 more do. Only the first date line in the region can start
    one: an article that is itself a dated list (events, a timeline) has its first date near the
    top, where `_cut_tail` never cuts, and a dateline of its own sits above its prose.
    """
    dated = [j for j in range(start + 1, end) if lines[j].removed_by == "dateline"]
    teasers = [j for j in dated if _heads_a_teaser(j - 1, lines, signals, prose, settings.tail_marker_max_words)]
    return dated[0] if teasers[:1] == dated[:1] and len(teasers) >= settings.comment_stamps_min else -1


def _heads_a_teaser(i: int, lines: list[Line], signals: list[LineSignals], prose: list[bool], max_words: int) -> bool:
    """Line i, just above a date, is a teaser's name or headline line, or its cut-off excerpt."""
    return _heads_a_comment(i, lines, signals, prose, max_words) or (
        lines[i].kept and _EXCERPT_END.search(lines[i].text) is not None
    )


def _teaser_top(
    j: int, start: int, lines: list[Line], signals: list[LineSignals], prose: list[bool], max_words: int
) -> int:
    """The cut at a feed's first date goes back over its teaser: excerpt, names, headline (a
    line that is not prose and does not end a sentence) and section label."""
    while j > start and (
        not lines[j - 1].kept
        or _heads_a_teaser(j - 1, lines, signals, prose, max_words)
        or (not prose[j - 1] and signals[j - 1].sentences == 0)
    ):
        j -= 1
    return j


def _above_commenter_name(
    j: int, start: int, lines: list[Line], signals: list[LineSignals], prose: list[bool], max_words: int
) -> int:
    """The cut at a thread's first stamp goes back over the commenter's name line(s) above it."""
    while j > start and lines[j - 1].kept and not prose[j - 1] and signals[j - 1].words <= max_words:
        j -= 1
    return j


def _heads_a_comment(i: int, lines: list[Line], signals: list[LineSignals], prose: list[bool], max_words: int) -> bool:
    """Line i, just above a timestamp, is a commenter's name or comment furniture ("Jo says:").

    A live blog stamps its entries too, but above each stamp is the previous entry's prose (or
    a heading), not a name.
    """
    line = lines[i]
    if line.removed_by == "comment_furniture":
        return True
    return line.kept and not prose[i] and signals[i].words <= max_words and not line.rendered.is_heading


def _linked_content(i: int, lines: list[Line], signals: list[LineSignals], settings: ProseSettings) -> bool:
    """A link-heavy line inside the article that is still part of it, not a link list.

    Linked subheadings (a product or section name that links out) and long list items or
    sentences that are only partly link text belong to the article when no link-heavy line
    stands next to them; a link list is link-heavy lines one after another.
    """
    link_limit = settings.link_density
    s = signals[i]
    neighbours = sum(1 for j in (i - 1, i + 1) if 0 <= j < len(lines) and signals[j].link_density >= link_limit)
    if lines[i].rendered.is_heading:
        return neighbours == 0 or (s.words < settings.linked_heading_max_words and neighbours < 2)
    # A line that is all link text is a link, however long (a headline teaser).
    return neighbours == 0 and s.words >= settings.prose_min_words and s.link_density < 0.9


def _max_segment(scores: list[float]) -> tuple[int, int]:
    """Half-open [start, end) of the contiguous run with the largest positive sum (Kadane)."""
    best, best_start, best_end = 0.0, 0, 0
    total, run_start = 0.0, 0
    for i, score in enumerate(scores):
        if total <= 0:
            total, run_start = 0.0, i
        total += score
        if total > best:
            best, best_start, best_end = total, run_start, i + 1
    return best_start, best_end
