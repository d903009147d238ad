"""Where the article in the prose region ends: its after-matter (`prose.strip_low_prose`).

The maximum-sum region runs on through whatever carries prose after the article: comment
threads, author boxes, teaser feeds of other stories. These functions find where that starts,
from section labels, runs of link-heavy lines and date lines that recur once per comment or
teaser.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from docclean.transforms.lines import Line
from docclean.transforms.prose_settings import LineSignals, ProseSettings


def cut_tail(
    lines: list[Line],
    signals: list[LineSignals],
    prose: list[bool],
    start: int,
    end: int,
    settings: ProseSettings,
    label_lines: Collection[int] = (),
) -> int:
    """End of the article inside the region [start, end): where its after-matter begins.

    The maximum-sum region runs on through comments, author boxes and teasers whenever they
    carry more prose words than the furniture between them and the article costs. These lines
    mark where that after-matter starts: an after-matter label (`_is_after_matter_label`), and
    a run of link-heavy lines (a related list, tags, a share bar; lines in `label_lines`, labels
    that weigh as links in text without any, must run label_tail_run_lines long). The region is cut at the
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
    # A run's length in 1 / (link_run_lines * label_tail_run_lines) steps: a link line is worth
    # label_tail_run_lines of them, a label line link_run_lines. Label runs are weaker evidence
    # than links: a product's spec sheet ("Weight: 3.9 lbs") or a feature list inside an article
    # is one too, and the article goes on after it.
    link_step, label_step = settings.label_tail_run_lines, settings.link_run_lines
    run_start, run_len, run_full = start, 0, link_step * label_step
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
            run_len += label_step if j in label_lines and line.kept else link_step
            if run_len >= run_full and total - before < settings.link_run_ratio * before:
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
    top, where `cut_tail` never cuts, and a dateline of its own sits above its prose.
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
