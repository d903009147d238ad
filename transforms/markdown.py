"""Markdown syntax inside a line: reduce it to plain text and say exactly which characters went.

Web pages flattened by crawlers (html2text, trafilatura, jina) leave link and image syntax,
emphasis markers and backslash escapes in otherwise plain text, so this runs on every text input.
Each pass marks characters of the *original* line as removed, so the spans it reports can be
mapped back to document offsets without any bookkeeping of earlier edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import compress, groupby
from operator import not_

# Characters CommonMark lets authors escape (plus `$`, which html2text escapes).
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$<>|~\"'])")
_IMAGE = re.compile(r"!\[[^\]]*\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"\[([^\]]*)\](\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\))")
_REF_LINK = re.compile(r"\[([^\]]+)\](\[[^\]]*\])")
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^>\s]+>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
# Emphasis passes in order, each with a substring every match of it contains.
_EMPHASIS = ((_STRONG, ""), (_STRIKE, "~~"), (_EM_STAR, "*"), (_EM_UNDERSCORE, "_"))
_HEADING = re.compile(r"^(#{1,6})\s+")
_HEADING_CLOSE = re.compile(r"\s+#+\s*$")
_QUOTE = re.compile(r"^(?:>\s?)+")
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+")
_RULE_LINE = re.compile(r"^(?:([-*_=])\s*){3,}$")

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


def render_line(line: str) -> RenderedLine:
    """Strip markdown syntax from one line, keeping link text.

    >>> render_line("Written by [Angeline Tan](#) on *May 1*").text
    'Written by Angeline Tan on May 1'
    >>> render_line(r"a \\$60 deal, 5 * 3 = 15").text
    'a $60 deal, 5 * 3 = 15'
    """
    if _RULE_LINE.match(line):
        return RenderedLine("", (InlineSpan("separator", 0, len(line)),), False, False, True)
    if not _SYNTAX_CHARS.search(line):
        return render_plain(line)
    marks: list[str | None] = [None] * len(line)
    view = list(line)
    # A pass whose syntax character is not in the line cannot match: skipping it, and joining
    # the view again only after a pass marked something, keeps this cheap on the many lines
    # whose only syntax is a heading marker or one emphasis pair.
    changed = False

    def mark(start: int, end: int, rule_id: str) -> None:
        nonlocal changed
        for i in range(start, end):
            if marks[i] is None:
                marks[i] = rule_id
                view[i] = _LITERAL
                changed = True

    def current_view(text_view: str) -> str:
        nonlocal changed
        if changed:
            changed = False
            return "".join(view)
        return text_view

    if "\\" in line:
        for m in _ESCAPE.finditer(line):
            mark(m.start(), m.start() + 1, "markdown_escape")
            view[m.start() + 1] = _LITERAL  # the escaped character is text, never syntax
            changed = True
    text_view = current_view(line)

    if "[" in line:
        for m in _IMAGE.finditer(text_view):
            mark(m.start(), m.end(), "markdown_image")
        text_view = current_view(text_view)
    if "<" in line:
        for m in _AUTOLINK.finditer(text_view):
            mark(m.start(), m.end(), "markdown_link")
        text_view = current_view(text_view)
    if "[" in line:
        for pattern in (_LINK, _REF_LINK):
            for m in pattern.finditer(text_view):
                mark(m.start(), m.start() + 1, "markdown_link")
                mark(m.end(1), m.end(), "markdown_link")
            text_view = current_view(text_view)

    is_heading = False
    if m := _HEADING.match(text_view):
        is_heading = True
        mark(0, m.end(), "markdown_heading")
        if close := _HEADING_CLOSE.search(text_view):
            mark(close.start(), close.end(), "markdown_heading")
    elif m := _QUOTE.match(text_view):
        mark(0, m.end(), "markdown_quote")
    text_view = current_view(text_view)

    for pattern, trigger in _EMPHASIS:
        if trigger not in line:
            continue
        for m in pattern.finditer(text_view):
            inner = m.start(pattern.groups)  # the emphasised text group is always the last
            inner_end = m.end(pattern.groups)
            mark(m.start(), inner, "markdown_emphasis")
            mark(inner_end, m.end(), "markdown_emphasis")
        text_view = current_view(text_view)

    if not is_heading and all(rule is None for rule in marks):
        return render_plain(line)
    kept = "".join(compress(line, map(not_, marks)))  # the characters no pass marked
    rendered = " ".join(kept.split())
    is_list_item = bool(_LIST_ITEM.match(rendered)) and not is_heading
    return RenderedLine(rendered, tuple(_runs(marks)), is_heading, is_list_item, False)


def _runs(marks: list[str | None]) -> list[InlineSpan]:
    spans: list[InlineSpan] = []
    start = 0
    for rule_id, group in groupby(marks):
        end = start + sum(1 for _ in group)
        if rule_id is not None:
            spans.append(InlineSpan(rule_id, start, end))
        start = end
    return spans


def render_plain(line: str) -> RenderedLine:
    """A line taken literally: whitespace collapsed, list shape noted, nothing removed."""
    text = " ".join(line.split())
    return RenderedLine(text, (), False, bool(_LIST_ITEM.match(text)), False)
