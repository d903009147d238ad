"""How much of a line is link text: from the rendered markdown link spans, and from link
syntax the renderer left literal (link text holding brackets of its own)."""

from __future__ import annotations

import re

from docclean.transforms.lines import Line

# A markdown link whose text holds one level of brackets, and an inline image (no link text).
_NESTED_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_INLINE_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


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


def unparsed_link_density(line: Line) -> float:
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
