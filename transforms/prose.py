"""Prose detection for one page: keep the article's run of prose, drop the furniture around it.

Site templates need several pages of a site; this works on one page of an unknown site. Each
kept line gets a few cheap signals (words, share of its text that is link text, share of
stop words, list or heading shape). The main region is the contiguous run of lines with the
largest prose score net of link-heavy and short lines (a maximum-sum segment, as in Finn et
al.'s body text extraction). Outside it only long link-free prose and the headline just
before it survive; inside it only short link-heavy lines (inline "related" links) go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.lines import Line, LineDocument
from transforms.ruleset import Rule

# The most frequent function words of a few major languages: prose has many, navigation
# labels ("Home", "Sign in", "World News") almost none.
_STOP_WORDS_BY_LANGUAGE = {
    "en": "a about after all also an and any are as at be been but by can could did do does for from "
    "had has have he her his how i if in into is it its just more most my no not of on one or our out "
    "she so than that the their them then there these they this to up was we were what when which who "
    "will with would you your",
    "de": "aber als am an auch auf aus bei bis das dass dem den der des die doch ein eine einem einen "
    "einer es für hat ich im ist mit nach nicht noch nur oder sich sie sind so um und von vor war "
    "werden wie wir wird zu zum zur",
    "fr": "au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur mais ne nous "
    "on ou par pas plus pour qu que qui sa se ses son sont sur un une vous",
    "es": "al como con del el es esta este fue hay las lo los más mi muy no para pero por se ser sin "
    "son su sus una uno y ya",
    "pt": "ao as da das do dos em foi mais na nas no nos os ou pelo pela por que se sem seu sua um uma",
    "it": "è che di gli ha il nel non per più si sono tra",
    "nl": "bij dat deze dit een het hij in is met niet ook op te van voor was wat ze zijn",
}
STOP_WORDS = frozenset(word for words in _STOP_WORDS_BY_LANGUAGE.values() for word in words.split())
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


def link_text_chars(line: Line) -> tuple[int, int]:
    """(link text characters, all visible characters) of a line, from its markdown link spans.

    Link syntax is marked span by span: `[` opens, `](url)` closes, and between two adjacent
    links the run is `](url)[`. Visible characters after a run ending in `[` are link text
    until the next link run.
    """
    raw = line.raw
    visible = linked = 0
    in_link = False
    pos = 0
    for span in sorted(line.rendered.spans, key=lambda sp: sp.start):
        if span.start > pos:
            gap = raw[pos : span.start]
            shown = len(gap) - gap.count(" ")
            visible += shown
            linked += shown if in_link else 0
        if span.rule_id == "markdown_link":
            in_link = raw[span.end - 1] == "["
        pos = max(pos, span.end)
    gap = raw[pos:]
    shown = len(gap) - gap.count(" ")
    visible += shown
    linked += shown if in_link else 0
    return linked, visible


def line_signals(line: Line) -> LineSignals:
    text = line.text
    linked, visible = link_text_chars(line)
    density = linked / visible if visible else 0.0
    unspaced_chars = len(_UNSPACED.findall(text))
    sentences = len(_SENTENCE_END.findall(text))
    if unspaced_chars * 2 > len(text):
        words = max(line.words, unspaced_chars // _CHARS_PER_WORD)
        return LineSignals(words, density, 0.0, True, sentences)
    tokens = [w.casefold() for w in _WORD.findall(text)]
    stop = sum(1 for w in tokens if w in STOP_WORDS) / len(tokens) if tokens else 0.0
    return LineSignals(len(tokens), density, stop, False, sentences)


# Rules whose lines belong to the article itself (its header, bylines between sections, photo
# captions): removed as metadata, they neither count as prose nor separate prose runs.
ARTICLE_FURNITURE = frozenset(
    {"byline", "dateline", "image_credit", "title", "repeated_title", "subtitle", "repeated_paragraph"}
)


def strip_low_prose(doc: LineDocument, rule: Rule) -> None:
    """Remove kept lines that are not part of the page's main prose, and link lists inside it."""
    # Lines earlier rules removed (share bars, sign-in links) still count as furniture when the
    # main region is found, so they keep separating the article from what surrounds it.
    lines = [line for line in doc.lines if line.text]
    if not any(line.kept for line in lines):
        return
    link_limit = rule.param("link_density", 0.5)
    prose_words = rule.param("prose_min_words", 10)
    min_stop = rule.param("min_stopword_ratio", 0.12)
    signals = [line_signals(line) for line in lines]

    def is_linky(s: LineSignals) -> bool:
        return s.link_density >= link_limit

    def is_prose(s: LineSignals) -> bool:
        return (
            not is_linky(s)
            and s.words >= prose_words
            and (s.unspaced or s.stopword_ratio >= min_stop)
            and s.words <= words_per_sentence * max(s.sentences, 1)
        )

    # Plain text (a feed body, an extractor's output) carries no link lists: without a single
    # link-heavy line there is no evidence of page furniture, so short lines there are content.
    if sum(1 for s in signals if is_linky(s)) < rule.param("min_link_lines", 1):
        return

    words_per_sentence = rule.param("max_words_per_sentence", 60)
    short_penalty = float(rule.param("short_penalty", 2))
    escalate = rule.param("escalate_gaps", True)
    scores, gap = [], 1
    for line, s in zip(lines, signals, strict=True):
        if line.removed_by in ARTICLE_FURNITURE:
            scores.append(0.0)  # bylines and captions sit inside articles: they must not split one
            continue
        if line.kept and is_prose(s):
            scores.append(float(s.words))
            gap = 1 if not escalate else 0
            continue
        # Each further line of a run of furniture costs more than the last: a long run (menus,
        # a comment form) splits regions, a stray short line inside the article barely counts.
        gap += 1 if escalate else 0
        if is_linky(s) or not line.kept:
            scores.append(-rule.param("link_penalty", 2.0) * max(s.words, 1) - short_penalty * gap)
        else:
            scores.append(-short_penalty * gap)
    start, end = _max_segment(scores)
    if end <= start:
        return  # no prose at all: nothing to anchor on, so nothing is judged furniture

    inner_max = rule.param("inner_link_max_words", 25)
    outside_min = rule.param("outside_min_words", 30)
    # Headline, dek and dateline sit right above the body: the nearest kept link-free lines.
    lead: set[int] = set()
    for i in range(start - 1, -1, -1):
        if len(lead) >= rule.param("lead_lines", 3) or (lines[i].kept and is_linky(signals[i])):
            break
        if lines[i].kept:
            lead.add(i)
    for i, (line, s) in enumerate(zip(lines, signals, strict=True)):
        if not line.kept or i in lead:
            continue
        if start <= i < end:
            if is_linky(s) and s.words <= inner_max:
                doc.remove(line, rule.id, rule.reason)
            continue
        if is_prose(s) and s.words >= outside_min and s.link_density < link_limit / 2:
            continue
        doc.remove(line, rule.id, rule.reason)


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
