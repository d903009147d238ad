"""The working model of a document while it is cleaned: lines grouped into paragraphs.

Every cleaning step reads `Line.text` (markdown already reduced to plain text) and marks whole
lines removed with the rule that removed them; nothing edits text in place, so every removal
keeps exact offsets into the prepared text and the body is assembled once, at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from operator import attrgetter

from docclean.transforms.layout import read_layout
from docclean.transforms.markdown import RenderedLine, render_line, render_plain
from docclean.transforms.models import Removal
from docclean.transforms.normalize import paragraph_key


@dataclass(slots=True)
class Line:
    para: int
    start: int  # offsets of the raw line in the prepared text
    end: int
    raw: str
    rendered: RenderedLine
    words: int  # of the rendered text; counted once, every step asks for it
    removed_by: str | None = None
    _key: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.rendered.text

    @property
    def key(self) -> str:
        """`paragraph_key(text)`, computed once: the site template, the headline and repeated
        paragraphs each compare lines by it."""
        if self._key is None:
            self._key = _line_key(self.rendered.text)
        return self._key

    @property
    def kept(self) -> bool:
        return self.removed_by is None and bool(self.rendered.text)


@dataclass(slots=True)
class LineDocument:
    prepared: str
    lines: list[Line]
    reasons: dict[str, str] = field(default_factory=dict)  # rule id -> reason, for removals
    layout: str = "markdown"  # the layout `read_layout` detected (transforms/layout.py)

    @classmethod
    def parse(cls, prepared: str, *, markdown: bool = True) -> LineDocument:
        """Split prepared text into blocks; blank lines and headings delimit paragraphs.

        A block is one line, or the source lines of one hard-wrapped paragraph joined
        (`transforms/layout.py`): its `raw` is the exact source slice, line breaks included, so
        a removal still records the original text and offsets. With `markdown=False` the
        text is taken literally (e.g. docclean's own plain output).
        """
        sources = prepared.split("\n")
        layout, blocks = read_layout(sources)
        offsets = [0] * (len(sources) + 1)
        for i, raw in enumerate(sources):
            offsets[i + 1] = offsets[i] + len(raw) + 1
        lines: list[Line] = []
        para, previous_end = -1, -1
        for first, last in blocks:
            start, end = offsets[first], offsets[last] - 1
            raw = prepared[start:end]
            rendered = _render(raw, markdown=markdown, joined=last - first > 1)
            new_para = first != previous_end
            if new_para or rendered.is_heading or (lines and lines[-1].rendered.is_heading):
                para += 1
            previous_end = last
            lines.append(Line(para, start, end, raw, rendered, _word_count(rendered.text)))
        return cls(prepared, lines, layout=layout.style)

    def paragraphs(self) -> list[list[Line]]:
        return [list(group) for _, group in groupby(self.lines, key=attrgetter("para"))]

    def kept_paragraphs(self) -> list[list[Line]]:
        """Paragraphs that still have text, each reduced to its kept lines."""
        out = []
        for para in self.paragraphs():
            # `line.kept`, inlined: this runs on every line several times per document
            kept = [line for line in para if line.removed_by is None and line.rendered.text]
            if kept:
                out.append(kept)
        return out

    def remove(self, line: Line, rule_id: str, reason: str) -> None:
        if line.removed_by is None:
            line.removed_by = rule_id
            self.reasons.setdefault(rule_id, reason)

    def removals(self, reason_of: dict[str, str], *, syntax: bool = True) -> list[Removal]:
        """Removed lines and, on kept lines, the markdown syntax taken out, in document order.

        Consecutive lines removed by the same rule form one removal (a subscription block is
        one span, not fifteen). `syntax=False` leaves out markdown syntax spans (for markdown an
        extractor wrote, which was never in the document).
        """
        out: list[Removal] = []
        run: list[Line] = []

        def flush() -> None:
            if run:
                start, end = run[0].start, run[-1].end
                rule_id = run[0].removed_by or ""
                out.append(Removal(rule_id, self.reasons[rule_id], self.prepared[start:end], start, end))
                run.clear()

        for line in self.lines:
            if line.removed_by is not None:
                if run and run[-1].removed_by != line.removed_by:
                    flush()
                run.append(line)
                continue
            if not line.rendered.spans and not line.text:
                continue
            flush()
            for span in line.rendered.spans if syntax else ():
                out.append(
                    Removal(
                        span.rule_id,
                        reason_of.get(span.rule_id, span.rule_id),
                        line.raw[span.start : span.end],
                        line.start + span.start,
                        line.start + span.end,
                    )
                )
        flush()
        return out

    def body(self) -> str:
        """Kept text: lines as they were (markdown reduced), one blank line between paragraphs.

        Line breaks inside a paragraph are kept, not joined: joining would turn a line a rule
        judged on its own into part of another, and cleaning the output again would differ.
        """
        return "\n\n".join("\n".join(line.text for line in kept) for kept in self.kept_paragraphs())


# The same lines recur on a site's pages and in both passes over a batch (`render_line`): their
# keys are computed once. Lines only: whole paragraphs rarely repeat and would crowd them out.
_line_key = lru_cache(maxsize=1 << 15)(paragraph_key)


def _word_count(text: str) -> int:
    """`len(text.split())` of rendered text, whose words every renderer joins with single spaces.

    >>> _word_count("one two three"), _word_count("")
    (3, 0)
    """
    return text.count(" ") + 1 if text else 0


# Stands for a line break inside a joined block while markdown is reduced: not whitespace, so a
# link whose text or URL the wrapper broke still parses as one link; same length, so every span
# still indexes the block's raw text.
_JOIN = "\ue001"
# Wrappers break hyphenated words after their hyphens (Python's textwrap, html2text): "year-to-"
# then "date" is one word again, not "year-to- date".
_HYPHEN_BREAK = re.compile(f"(?<=\\w-){_JOIN}(?=\\w)")


def _render(raw: str, *, markdown: bool, joined: bool) -> RenderedLine:
    if not markdown:
        return render_plain(raw)
    if not joined:
        return render_line(raw)
    rendered = render_line(raw.replace("\n", _JOIN))
    text = " ".join(_HYPHEN_BREAK.sub("", rendered.text).replace(_JOIN, " ").split())
    return RenderedLine(text, rendered.spans, rendered.is_heading, rendered.is_list_item, rendered.is_rule)
