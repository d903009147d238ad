"""Prose detection for one page: keep the article's run of prose, drop the furniture around it.

Site templates need several pages of a site; this works on one page of an unknown site. Each
kept line gets a few cheap signals (words, share of its text that is link text, share of
stop words, list or heading shape). The main region is the contiguous run of lines with the
largest prose score net of link-heavy and short lines (a maximum-sum segment, as in Finn et
al.'s body text extraction); text without links counts runs of short labels as link lists
(`labels.py`). The region's tail is cut where after-matter starts (`prose_tail.cut_tail`). Before the
region only long link-free prose and the headline just above it survive; after it nothing
does (comments, teasers and author boxes are prose too); inside it only short link-heavy
lines go that are not linked subheadings or sentences.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace
from functools import lru_cache

from docclean.transforms.code_text import code_marks
from docclean.transforms.labels import LabelSettings, LabelShape, is_label, label_runs
from docclean.transforms.lines import Line, LineDocument
from docclean.transforms.link_density import link_text_chars, unparsed_link_density
from docclean.transforms.markdown import RenderedLine
from docclean.transforms.prose_settings import LineSignals, ProseSettings, prose_settings
from docclean.transforms.prose_tail import cut_tail
from docclean.transforms.ruleset import Rule, default_ruleset
from docclean.transforms.stop_words import PageWords

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?;:。！？؟।۔](?=\W|$)")
# Scripts written without spaces: word counts and stop words mean nothing there, so these
# lines are measured in characters instead.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_CHARS_PER_WORD = 2  # rough words per unspaced-script character, for comparable weights


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
    doc: LineDocument,
    rule: Rule,
    settings: ProseSettings | None = None,
    absent: Collection[int] = (),
    page_words: PageWords | None = None,
) -> None:
    """Remove kept lines that are not part of the page's main prose, and link lists inside it
    (`settings`: `ProseSettings.of(rule)`, which a caller cleaning many pages makes once).
    A rerun names the lines to read as not there at all by `id()` in `absent` (`clean.py`); it
    removes page furniture only, never a line of prose the first run kept. `page_words` are
    `words_of_page(doc, settings)`, which a caller running the step twice finds once."""
    # Lines earlier rules removed (share bars, sign-in links) still count as furniture when the
    # main region is found, so they keep separating the article from what surrounds it.
    lines = [line for line in doc.lines if line.text and id(line) not in absent]
    if not any(line.kept for line in lines):
        return
    settings = settings or ProseSettings.of(rule)
    page_words = page_words or words_of_page(doc, settings)
    settings = _with_min_ratio(settings, page_words.min_ratio)
    signals = _signals(lines, page_words.words)
    link_limit = settings.link_density
    linked = any(s.link_density >= link_limit for s in signals)
    # Menus and footers without links (WET, plain text) are runs of short capitalised labels:
    # they weigh as link lists. Where links are, they tell menus better (a label run there is as
    # often a list in the article: WCXB-dev markdown recall 0.960 -> 0.935).
    # (the shapes only then: most pages with links need none)
    labelled, label_lines = (None, set()) if linked else _weigh_label_runs(lines, signals, settings, page_words)
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
    end = cut_tail(lines, signals, prose, start, end, settings, label_lines)
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


def words_of_page(doc: LineDocument, settings: ProseSettings) -> PageWords:
    """The stop words of the page's own language(s) (`stop_words.py`), not every language's: a
    menu must not pass for prose on another language's short words."""
    return settings.stop_word_lists.of_page([line.text for line in doc.lines if line.text])


def _weigh_label_runs(
    lines: list[Line], signals: list[LineSignals], settings: ProseSettings, page_words: PageWords
) -> tuple[list[bool], set[int]]:
    """Which lines are labels, and the runs of them, whose signals now weigh as link lists."""
    shapes = [LabelShape.of(line.text, line.kept, s) for line, s in zip(lines, signals, strict=True)]
    labels = _labels_with(settings.labels, page_words.words)
    runs = set(label_runs(shapes, labels))
    for i in runs:
        signals[i] = replace(signals[i], link_density=1.0)
    return [is_label(shape, labels) for shape in shapes], runs


# One LabelSettings per (settings, language): pages in a run share a few, so not rebuilt per page.
@lru_cache(maxsize=64)
def _labels_with(labels: LabelSettings, stop_words: frozenset[str]) -> LabelSettings:
    return replace(labels, stop_words=stop_words)


def _with_min_ratio(settings: ProseSettings, ratio: float | None) -> ProseSettings:
    """The settings with the page language's own minimum stop-word share, if it has one."""
    if ratio is None:
        return settings
    return replace(settings, min_stopword_ratio=ratio, labels=replace(settings.labels, min_stopword_ratio=ratio))


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
    """Which lines are kept prose: enough words, few links, stop words, sentence-sized, and not
    a paragraph the page already had (`_repeats`)."""
    repeats = _repeats(lines, signals, settings)
    return [
        line.kept
        and not repeated
        and s.link_density < settings.link_density
        and s.words >= settings.prose_min_words
        and (s.unspaced or s.stopword_ratio >= settings.min_stopword_ratio)
        and s.words <= settings.max_words_per_sentence * max(s.sentences, 1)
        and not _is_code(s, settings)
        for line, s, repeated in zip(lines, signals, repeats, strict=True)
    ]


def _repeats(lines: list[Line], signals: list[LineSignals], settings: ProseSettings) -> list[bool]:
    """Paragraphs of prose length whose text came earlier in the page. An article says a thing
    once; a banner, a teaser carousel or a page printed twice says it again. The first copy
    stays prose, so a page that holds its article twice still has one (WCXB-dev: a whole-page
    repeat made every line of an article a repeat when every copy was counted)."""
    seen: set[str] = set()
    repeats = []
    for line, s in zip(lines, signals, strict=True):
        repeats.append(s.words >= settings.prose_min_words and line.key in seen)
        seen.add(line.key)
    return repeats


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
