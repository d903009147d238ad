"""Markdown syntax inside a line: reduce it to plain text and say exactly which characters went.

Web pages flattened by crawlers (html2text, trafilatura, jina) leave link and image syntax,
emphasis markers and backslash escapes in otherwise plain text, so this runs on every text input.
Each pass marks characters of the *original* line as removed, so the spans it reports can be
mapped back to document offsets without any bookkeeping of earlier edits.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, groupby
from operator import not_

# Characters CommonMark lets authors escape (plus `$`, which html2text escapes).
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$<>|~\"'])")
# A URL's runs of ordinary characters are taken whole (possessive `++`): the regex engine no longer
# steps through them one alternation per character (3x faster on big9's link-heavy lines). The
# matches are the same: what may follow a run (`(`, white space, `)`) is never part of one, so no
# match ever ended a run early.
_IMAGE = re.compile(r"!\[[^\]\[]*\]\((?:[^()\s]++|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"\[([^\]\[]*)\](\((?:[^()\s]++|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\))")
_REF_LINK = re.compile(r"\[([^\]\[]+)\](\[[^\]\[]*\])")
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^<>\s]+>")
# Emphasis as delimiter pairs: every position an opening (group 1: the delimiter) or a closing
# delimiter can stand, zero-width so none hides another. An opener pairs with the first closer of
# the same delimiter at least one character after it, as a lazy `(.+?)` between them would; found
# by bisection, so a line of openers without closers costs linear time, not quadratic (the lazy
# regex rescans the rest of the line from every opener).
_STRONG = (re.compile(r"(?=(\*\*|__)\S)"), re.compile(r"(?<=\S)(?=(\*\*|__))"))
_EM_STAR = (re.compile(r"(?<![\w*])(?=(\*)[^\s*])"), re.compile(r"(?<=[^\s*])(?=(\*)(?![\w*]))"))
_EM_UNDERSCORE = (re.compile(r"(?<![\w_])(?=(_)[^\s_])"), re.compile(r"(?<=[^\s_])(?=(_)(?![\w_]))"))
_STRIKE = (re.compile(r"(?=(~~)\S)"), re.compile(r"(?<=\S)(?=(~~))"))
# Emphasis around nothing: html2text writes an empty `<i>`/`<em>` (an icon font's glyph) as "__",
# alone between spaces or in a link's text. Underscores only: a lone "**" may be an operator.
# (Not a link's text: "[__](share-url)" is an icon link, and what makes it one is its link.)
_EMPTY_EMPHASIS = re.compile(r"(?<!\S)__+(?!\S)")
# Emphasis passes in order, each with the substrings one of which every match of it contains.
_EMPHASIS = ((_STRONG, ("**", "__")), (_STRIKE, ("~~",)), (_EM_STAR, ("*",)), (_EM_UNDERSCORE, ("_",)))
_HEADING = re.compile(r"^(#{1,6})\s+")
_HEADING_CLOSE = re.compile(r"\s+#+\s*$")
_QUOTE = re.compile(r"^(?:>\s?)+")
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+")
_RULE_LINE = re.compile(r"^(?:([-*_=])\s*){3,}$")
# A table's header separator ("---|---", "| :--- | ---: |"): syntax, no words of the table.
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")

# A line without any of these characters has no inline markdown: the common case, kept cheap.
_SYNTAX_CHARS = re.compile(r"[\\`*_\[\]<#>~!]")
# Placeholder for characters the later passes must treat as literal text.
_LITERAL = "\ue000"


@dataclass(frozen=True, slots=True)
class InlineSpan:
    """A run of removed characters in a line, as (start, end) into the original line."""

    rule_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RenderedLine:
    text: str
    spans: tuple[InlineSpan, ...]
    is_heading: bool
    is_list_item: bool
    is_rule: bool


# A site's menus, footers and bylines recur on its pages, and the site-learning pass and the
# cleaning pass render the same lines: a third to more than half of a batch's lines were rendered
# before (WCXB-dev, big9, seed-like pages). Rendering is a pure function of the line and a
# RenderedLine is immutable, so the same answer is shared; the bound keeps memory flat.
@lru_cache(maxsize=1 << 15)
def render_line(line: str) -> RenderedLine:
    """Strip markdown syntax from one line, keeping link text.

    >>> render_line("Written by [Angeline Tan](#) on *May 1*").text
    'Written by Angeline Tan on May 1'
    >>> render_line(r"a \\$60 deal, 5 * 3 = 15").text
    'a $60 deal, 5 * 3 = 15'
    >>> [render_line(row).text for row in ["Team | Won", "---|---", "| :--- | ---: |", "Leeds | 3"]]
    ['Team | Won', '', '', 'Leeds | 3']
    """
    if _RULE_LINE.match(line) or ("|" in line and _TABLE_SEPARATOR.match(line)):
        return RenderedLine("", (InlineSpan("separator", 0, len(line)),), False, False, True)
    if not _SYNTAX_CHARS.search(line):
        return render_plain(line)
    marks = _LineMarks(line)
    # The order matters: escaped characters are text to every later pass, link syntax is found
    # before emphasis so `*` inside a URL is not emphasis, and block prefixes before emphasis.
    _mark_escapes(marks)
    _mark_links(marks)
    is_heading = _mark_block_prefix(marks)
    _mark_emphasis(marks)
    if not is_heading and all(rule is None for rule in marks.rules):
        return render_plain(line)
    kept = "".join(compress(line, map(not_, marks.rules)))  # the characters no pass marked
    rendered = " ".join(kept.split())
    is_list_item = bool(_LIST_ITEM.match(rendered)) and not is_heading
    return RenderedLine(rendered, tuple(_runs(marks.rules)), is_heading, is_list_item, False)


class _LineMarks:
    """Which rule removed each character of one line, and the line as the next pass sees it:
    removed and escaped characters replaced by a placeholder no pattern treats as syntax."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.rules: list[str | None] = [None] * len(line)
        self._chars = list(line)
        self._view = line
        # Joining the characters again only after a pass marked something keeps this cheap on
        # the many lines whose only syntax is a heading marker or one emphasis pair.
        self._changed = False
        self.link_texts: list[tuple[int, int]] = []  # (start, end) of each link's text

    def mark(self, start: int, end: int, rule_id: str) -> None:
        """Characters [start, end) removed by `rule_id`, unless an earlier pass removed them."""
        # A range nothing marked yet (the usual case: a whole image or link URL) goes in two slice
        # assignments, not a Python step per character; overlapping passes take the loop.
        free = self.rules[start:end].count(None)
        if free == 0:
            return
        if free == end - start:
            self.rules[start:end] = [rule_id] * free
            self._chars[start:end] = [_LITERAL] * free
            self._changed = True
            return
        for i in range(start, end):
            if self.rules[i] is None:
                self.rules[i] = rule_id
                self._chars[i] = _LITERAL
                self._changed = True

    def make_literal(self, i: int) -> None:
        """Character i stays, but later passes must not read it as syntax."""
        self._chars[i] = _LITERAL
        self._changed = True

    def view(self) -> str:
        """The line with every character marked so far replaced by the placeholder."""
        if self._changed:
            self._changed = False
            self._view = "".join(self._chars)
        return self._view


def _mark_escapes(marks: _LineMarks) -> None:
    """Backslash escapes: the backslash goes, the escaped character is text, never syntax."""
    if "\\" not in marks.line:
        return
    for m in _ESCAPE.finditer(marks.line):
        marks.mark(m.start(), m.start() + 1, "markdown_escape")
        marks.make_literal(m.start() + 1)


def _mark_links(marks: _LineMarks) -> None:
    """Images go whole; autolinks whole; inline and reference links keep their text.

    A pass whose syntax (`![`, `<`, `](`, `][`) is not in the line cannot match, so it is
    skipped: the view only ever replaces characters of the line, at the same places."""
    if "![" in marks.line:
        for m in _IMAGE.finditer(marks.view()):
            marks.mark(m.start(), m.end(), "markdown_image")
    if "<" in marks.line:
        for m in _AUTOLINK.finditer(marks.view()):
            marks.mark(m.start(), m.end(), "markdown_link")
    for pattern, syntax in ((_LINK, "]("), (_REF_LINK, "][")):
        if syntax in marks.line:
            for m in pattern.finditer(marks.view()):
                marks.mark(m.start(), m.start() + 1, "markdown_link")
                marks.mark(m.end(1), m.end(), "markdown_link")
                marks.link_texts.append((m.start(1), m.end(1)))


def _mark_block_prefix(marks: _LineMarks) -> bool:
    """Heading markers (opening and closing `#`s) or block-quote markers; True for a heading."""
    view = marks.view()
    if m := _HEADING.match(view):
        marks.mark(0, m.end(), "markdown_heading")
        if close := _HEADING_CLOSE.search(view):
            marks.mark(close.start(), close.end(), "markdown_heading")
        return True
    if m := _QUOTE.match(view):
        marks.mark(0, m.end(), "markdown_quote")
    return False


def _mark_emphasis(marks: _LineMarks) -> None:
    """Emphasis and strike-through markers; the emphasised text stays."""
    for pattern, delimiters in _EMPHASIS:
        # In the view, not the line: a delimiter inside a link's URL, already marked, is none.
        view = marks.view()
        if not any(delimiter in view for delimiter in delimiters):
            continue
        for start, inner, inner_end, end in _pairs(view, *pattern):
            marks.mark(start, inner, "markdown_emphasis")
            marks.mark(inner_end, end, "markdown_emphasis")
    view = marks.view()
    if "__" in view:
        for m in _EMPTY_EMPHASIS.finditer(view):
            if not any(start <= m.start() < end for start, end in marks.link_texts):
                marks.mark(m.start(), m.end(), "markdown_emphasis")


def _pairs(view: str, opener: re.Pattern[str], closer: re.Pattern[str]) -> Iterator[tuple[int, int, int, int]]:
    """(start, text start, text end, end) of each emphasis pair, left to right, none overlapping.

    >>> list(_pairs("a **b** and **c", *_STRONG))
    [(2, 4, 5, 7)]
    """
    closers: dict[str, list[int]] = {}
    for m in closer.finditer(view):
        closers.setdefault(m.group(1), []).append(m.start())
    if not closers:
        return
    position = 0
    for m in opener.finditer(view):
        start, delimiter = m.start(), m.group(1)
        if start < position:
            continue
        ends = closers.get(delimiter, [])
        inner = start + len(delimiter)
        i = bisect_left(ends, inner + 1)  # the emphasised text has at least one character
        if i < len(ends):
            yield start, inner, ends[i], ends[i] + len(delimiter)
            position = ends[i] + len(delimiter)


def _runs(marks: list[str | None]) -> list[InlineSpan]:
    spans: list[InlineSpan] = []
    start = 0
    for rule_id, group in groupby(marks):
        end = start + len(list(group))  # (counted at C speed: runs are whole URLs and lines)
        if rule_id is not None:
            spans.append(InlineSpan(rule_id, start, end))
        start = end
    return spans


def render_plain(line: str) -> RenderedLine:
    """A line taken literally: whitespace collapsed, list shape noted, nothing removed."""
    text = " ".join(line.split())
    return RenderedLine(text, (), False, bool(_LIST_ITEM.match(text)), False)
