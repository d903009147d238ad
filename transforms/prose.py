"""Prose detection for one page: keep the article's run of prose, drop the furniture around it.

Site templates need several pages of a site; this works on one page of an unknown site. Each
kept line gets a few cheap signals (words, share of its text that is link text, share of
stop words, list or heading shape). The main region is the contiguous run of lines with the
largest prose score net of link-heavy and short lines (a maximum-sum segment, as in Finn et
al.'s body text extraction). Its tail is then cut where the page's after-matter starts: a
comments, related-stories or share label (lines earlier rules already removed), or a long run
of links, when what follows carries less prose than what precedes; also at an after-matter
section label (references, about the author) and where timestamped date lines start to recur
(a comment thread). Before the region only long
link-free prose and the headline just above it survive; after it nothing does (comments,
teasers and author boxes are prose too); inside it only short link-heavy lines go that are
not linked subheadings or sentences.
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
# A markdown link whose text holds one level of brackets, and an inline image (no link text).
_NESTED_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_INLINE_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# A time of day or a relative age in a date line: a comment's timestamp, which an article's
# own date line has at most once or twice.
_TIME_STAMP = re.compile(r"\d:\d\d|\bago\b", re.IGNORECASE)


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


def _unparsed_link_density(line: Line) -> float:
    """Share of link text on a line whose links the line renderer left as literal syntax.

    A link whose text holds brackets of its own (a teaser ending in "[…]", a "[Step-by-Step
    Guide]" in a title) is not parsed as a link, so its text, often a whole teaser card, would
    otherwise count as link-free prose. Measured on the raw line, URLs left out.
    """
    raw = _INLINE_IMAGE.sub("", line.raw)
    linked = sum(len(m.group(1)) - m.group(1).count(" ") for m in _NESTED_LINK.finditer(raw))
    outside = _NESTED_LINK.sub("", raw)
    visible = linked + len(outside) - outside.count(" ")
    return linked / visible if visible else 0.0


def line_signals(line: Line) -> LineSignals:
    text = line.text
    linked, visible = link_text_chars(line)
    density = linked / visible if visible else 0.0
    if "](" in text:  # link syntax survived rendering: measure those links on the raw line
        density = max(density, _unparsed_link_density(line))
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
    signals = [line_signals(line) for line in lines]
    link_limit = rule.param("link_density", 0.5)
    # Plain text (a feed body, an extractor's output) carries no link lists: without a single
    # link-heavy line there is no evidence of page furniture, so short lines there are content.
    if sum(1 for s in signals if s.link_density >= link_limit) < rule.param("min_link_lines", 1):
        return
    prose = _prose_lines(lines, signals, rule)
    start, end = _max_segment(_scores(lines, signals, prose, rule))
    if end <= start:
        return  # no prose at all: nothing to anchor on, so nothing is judged furniture
    end = _cut_tail(lines, signals, prose, start, end, rule)

    # Headline, dek and dateline sit right above the body: the nearest kept link-free lines.
    lead: set[int] = set()
    for i in range(start - 1, -1, -1):
        if len(lead) >= rule.param("lead_lines", 3) or (lines[i].kept and signals[i].link_density >= link_limit):
            break
        if lines[i].kept:
            lead.add(i)
    inner_max = rule.param("inner_link_max_words", 25)
    before_min = rule.param("before_min_words", 30)
    for i, (line, s) in enumerate(zip(lines, signals, strict=True)):
        if not line.kept or i in lead:
            continue
        if start <= i < end:
            if s.link_density >= link_limit and s.words <= inner_max and not _linked_content(i, lines, signals, rule):
                doc.remove(line, rule.id, rule.reason)
            continue
        # An article's opening can be split off by a link list inside it (a table of contents,
        # a "key links" box), so long link-free prose before the region stays. After it, long
        # prose is comments, author bios and teasers far more often than article.
        if i < start and prose[i] and s.words >= before_min and s.link_density < link_limit / 2:
            continue
        doc.remove(line, rule.id, rule.reason)


def _prose_lines(lines: list[Line], signals: list[LineSignals], rule: Rule) -> list[bool]:
    """Which lines are kept prose: enough words, few links, stop words, sentence-sized."""
    link_limit = rule.param("link_density", 0.5)
    min_words = rule.param("prose_min_words", 10)
    min_stop = rule.param("min_stopword_ratio", 0.12)
    per_sentence = rule.param("max_words_per_sentence", 60)
    return [
        line.kept
        and s.link_density < link_limit
        and s.words >= min_words
        and (s.unspaced or s.stopword_ratio >= min_stop)
        and s.words <= per_sentence * max(s.sentences, 1)
        for line, s in zip(lines, signals, strict=True)
    ]


def _scores(lines: list[Line], signals: list[LineSignals], prose: list[bool], rule: Rule) -> list[float]:
    """Per-line score: prose words count for the region, furniture against it."""
    link_limit = rule.param("link_density", 0.5)
    short_penalty = float(rule.param("short_penalty", 2))
    link_penalty = float(rule.param("link_penalty", 2.0))
    escalate = rule.param("escalate_gaps", True)
    scores, gap = [], 1
    for line, s, is_prose in zip(lines, signals, prose, strict=True):
        if line.removed_by in ARTICLE_FURNITURE:
            scores.append(0.0)  # bylines and captions sit inside articles: they must not split one
            continue
        if is_prose:
            scores.append(float(s.words))
            gap = 1 if not escalate else 0
            continue
        # Each further line of a run of furniture costs more than the last: a long run (menus,
        # a comment form) splits regions, a stray short line inside the article barely counts.
        gap += 1 if escalate else 0
        if s.link_density >= link_limit or not line.kept:
            scores.append(-link_penalty * max(s.words, 1) - short_penalty * gap)
        else:
            scores.append(-short_penalty * gap)
    return scores


def _cut_tail(
    lines: list[Line], signals: list[LineSignals], prose: list[bool], start: int, end: int, rule: Rule
) -> int:
    """End of the article inside the region [start, end): where its after-matter begins.

    The maximum-sum region runs on through comments, author boxes and teasers whenever they
    carry more prose words than the furniture between them and the article costs. These lines
    mark where that after-matter starts: a short label an earlier rule removed as comments,
    related-stories or share furniture; a short kept line that is one of the rule's own
    after-matter section labels (its `patterns`: references, about the author); and a run of
    link-heavy lines (a related list, tags, a share bar). The region is cut at the first mark
    that has enough prose before it and less prose after it than before (a mid-article
    "Related" box or share bar is followed by the rest of the article). Comment furniture
    ("Reply", "12 comments") cuts however much follows: a long thread is still not the
    article. So does the first of comment_stamps_min date lines with a time of day ("May 2,
    2024 at 7:45 pm") under a commenter's name: an article dates itself once or twice, a thread
    once per comment.
    """
    cut_min = rule.param("tail_cut_min_words", 150)
    marker_rules = frozenset(rule.param("tail_cut_rules", ["related_links", "comment_furniture", "share_links"]))
    always_rules = frozenset(rule.param("tail_cut_always_rules", ["comment_furniture"]))
    marker_max = rule.param("tail_marker_max_words", 5)
    marker_ratio = float(rule.param("tail_cut_ratio", 1.0))
    run_min = rule.param("link_run_lines", 5)
    run_ratio = float(rule.param("link_run_ratio", 0.5))
    link_limit = rule.param("link_density", 0.5)
    stamps_min = rule.param("comment_stamps_min", 3)
    total = sum(signals[j].words for j in range(start, end) if prose[j])
    stamped = [
        j
        for j in range(start + 1, end)
        if lines[j].removed_by == "dateline"
        and _TIME_STAMP.search(lines[j].text)
        and _heads_a_comment(j - 1, lines, signals, prose, marker_max)
    ]
    stamps_from = {j: len(stamped) - n for n, j in enumerate(stamped)}  # stamps at or after line j
    before = 0  # prose words in [start, j)
    run_start, run_len = start, 0
    for j in range(start, end):
        line, s = lines[j], signals[j]
        if prose[j]:
            before += s.words
            run_len = 0
            continue
        if before < cut_min:
            continue
        if (
            line.removed_by in marker_rules
            and s.words <= marker_max
            and ":" not in line.text  # "Related: <headline>" is an inline link, not a section label
            and (line.removed_by in always_rules or total - before < marker_ratio * before)
        ):
            return j
        # An after-matter section label the article's own text would not use alone on a line
        # (references, about the author), kept by the pattern rules because it is not furniture
        # on its own.
        if (
            line.kept
            and s.words <= marker_max
            and rule.matches_line(line.text)
            and total - before < marker_ratio * before
        ):
            return j
        # A comment thread: from here on, date lines with a time of day recur, one per comment.
        # The cut goes back over the commenter's name line(s) just above the first one.
        if stamps_from.get(j, 0) >= stamps_min:
            while j > start and lines[j - 1].kept and not prose[j - 1] and signals[j - 1].words <= marker_max:
                j -= 1
            return j
        if s.link_density >= link_limit or (not line.kept and line.removed_by not in ARTICLE_FURNITURE):
            if run_len == 0:
                run_start = j
            run_len += 1
            if run_len == run_min and total - before < run_ratio * before:
                return run_start
    return end


def _heads_a_comment(i: int, lines: list[Line], signals: list[LineSignals], prose: list[bool], max_words: int) -> bool:
    """Line i, just above a timestamp, is a commenter's name or comment furniture ("Jo says:").

    A live blog stamps its entries too, but above each stamp is the previous entry's prose (or
    a heading), not a name.
    """
    line = lines[i]
    if line.removed_by == "comment_furniture":
        return True
    return line.kept and not prose[i] and signals[i].words <= max_words and not line.rendered.is_heading


def _linked_content(i: int, lines: list[Line], signals: list[LineSignals], rule: Rule) -> bool:
    """A link-heavy line inside the article that is still part of it, not a link list.

    Linked subheadings (a product or section name that links out) and long list items or
    sentences that are only partly link text belong to the article when no link-heavy line
    stands next to them; a link list is link-heavy lines one after another.
    """
    link_limit = rule.param("link_density", 0.5)
    s = signals[i]
    neighbours = sum(1 for j in (i - 1, i + 1) if 0 <= j < len(lines) and signals[j].link_density >= link_limit)
    if lines[i].rendered.is_heading:
        return neighbours == 0 or (s.words < rule.param("linked_heading_max_words", 10) and neighbours < 2)
    # A line that is all link text is a link, however long (a headline teaser).
    return neighbours == 0 and s.words >= rule.param("prose_min_words", 10) and s.link_density < 0.9


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
