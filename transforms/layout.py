"""Read any flattened text into the same blocks, whatever its layout.

Crawlers flatten pages in several layouts: markdown with one paragraph a line (html2text with
wrapping off), text hard-wrapped at a fixed width (html2text's default, 78 columns), WET
records (one block a line, no markup, no blank lines) and plain text with blank lines between
paragraphs. Cleaning judges blocks, not physical lines: a paragraph wrapped over six lines is
one paragraph, and a footer wrapped on one page and not on another is the same footer.

`read_layout` names the layout and says which source lines form each block. It never edits
text: a block is a range of source lines, so everything judged on it maps back to their exact
offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from docclean.transforms.code_text import code_marks

# Lines that start a block of their own: a list item, heading, quote, table row or separator.
_BLOCK_START = re.compile(r"^\s*(?:[-*+•]\s|\d{1,3}[.)]\s|#{1,6}\s|>|\||-{3}|={3}|\*{3}|_{3})")
# A table row or separator html2text writes ("a | b", "---|---"): never part of a paragraph.
_TABLE = re.compile(r"(?:^\s*\|)|(?:\s\|\s)|(?:-{3}\|)|(?:\|\s*$)")
# The forms that are a table row on their own: a leading pipe, a separator. A pipe between words
# ("By Jane Doe | Published March") is a row only next to another row (`_table_rows`).
_TABLE_ALONE = re.compile(r"^\s*\||-{3}\|")
# Markdown markup at a line's start: a heading, list item, quote or table row (`_has_markup` also
# looks for a link or bold anywhere). One regex searching for all of them tried every alternative
# at every position and was most of the layout reading's time; two substring tests and this
# anchored match give the same answer.
_MARKUP_START = re.compile(r"\s*(?:#{1,6}\s|>|\|)|\s{0,3}[-*+]\s")

MIN_WRAPPED_LINES = 6  # full-width lines a document needs before a wrap width is believed
WRAP_BAND = 15  # a wrapped line is at most this much shorter than the width (words are short)
WRAP_SHARE = 0.25  # of the lines long enough to have been wrapped, at least this many in the band
OVER_SHARE = 0.04  # lines longer than the width that had a space to break at: wrapping is off
MIN_WIDTH, MAX_WIDTH = 60, 160  # html2text wraps at 78, mail at 72 to 80; narrower is rare
MIN_LINE = 25  # the shortest line counted as one a wrapper may have filled
MIN_BAND_LENGTHS = 3  # different lengths the band's lines end at: a wrapper breaks where words end
TOP_SHARE = 0.4  # of the band's different lines, at least this many end in its upper half
# A line that opens with the rest of a link: `](/url)`, target and closing parenthesis complete.
_LINK_TARGET_LINE = re.compile(r"\s*\]\((?:[^()\s]++|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
LINK_BLOCKS = 3  # blocks one link may wrap (html2text: a teaser's headline, dek and date)
LINK_MAX_LINES = 12  # ... and source lines: a teaser is short, and a block that kept growing
# by links closed below it would make reading the layout quadratic in the document's lines
CODE_MARKS = 3  # marks of program code (`code_marks`) that make a line code, which no one wraps


@dataclass(frozen=True, slots=True)
class Layout:
    """A document's layout: `markdown`, `wrapped`, `wet` or `plain`, and its wrap width."""

    style: str
    wrap_width: int | None = None  # columns, for `wrapped`


def wrap_width(lines: list[str]) -> int | None:
    """The column width the text was hard-wrapped at, or None when it was not wrapped.

    A wrapper fills each line up to the width, so most lines long enough to have been wrapped
    end in a narrow band just under it, and no line is longer unless it had nowhere to break.
    That band must also show wrapping (`_shows_wrapping`): lines that merely share a length,
    a line repeated six times, are no evidence.

    >>> import textwrap
    >>> paragraph = textwrap.wrap(" ".join("x" * (i * 7 % 9 + 1) for i in range(80)), 78)
    >>> [len(line) for line in paragraph], wrap_width(paragraph)
    ([76, 74, 74, 78, 73, 77, 23], 78)
    >>> wrap_width(["word " * 15 + "end"] * 8 + ["short line"]) is None
    True
    >>> wrap_width(["a sentence of some length that runs on"] * 3 + ["x " * 200]) is None
    True
    """
    # List items, headings and table rows are not wrapped by the usual converters (html2text).
    # Shorter lines count nowhere below (neither as long enough nor in a band under a width of
    # at least MIN_WIDTH), so the length test goes first: most lines of a page stop there.
    wrappable = [line.rstrip() for line in lines if len(line) >= MIN_LINE and _wrappable(line)]
    long_enough = sorted(n for n in map(len, wrappable) if n >= MIN_LINE)
    if len(long_enough) < MIN_WRAPPED_LINES:
        return None
    # Every width's band lies within these lengths: too few lines there, and no width can be the
    # one (most pages: markdown with one paragraph a line is far longer, menus far shorter).
    in_bands = bisect_right(long_enough, MAX_WIDTH) - bisect_right(long_enough, MIN_WIDTH - WRAP_BAND)
    if in_bands < MIN_WRAPPED_LINES:
        return None
    # The width: the longest length that all but OVER_SHARE of the long lines stay within.
    over = len(long_enough) - 1 - int(len(long_enough) * (1 - OVER_SHARE))
    if _is_wrap_width(long_enough[-1 - over], lines, wrappable, long_enough):
        return long_enough[-1 - over]
    # A line with a URL in it or a line of code may run over the width however the text was
    # wrapped (`_unbreakable`): then it counts among the lines, not among those over.
    breakable = sorted(len(line) for line in wrappable if not _unbreakable(line))
    if len(breakable) > over and _is_wrap_width(breakable[-1 - over], lines, wrappable, long_enough):
        return breakable[-1 - over]
    return None


def _is_wrap_width(width: int, lines: list[str], wrappable: list[str], long_enough: list[int]) -> bool:
    """Whether the text was wrapped at `width`: a plausible width, with a band of lines under it
    that shows wrapping (`_shows_wrapping`)."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return False
    band = sum(1 for n in long_enough if width - WRAP_BAND < n <= width)
    if band < MIN_WRAPPED_LINES or band < WRAP_SHARE * len(long_enough):
        return False
    return _shows_wrapping(lines, wrappable, width)


def _shows_wrapping(lines: list[str], wrappable: list[str], width: int) -> bool:
    """Evidence that text was wrapped at `width`: MIN_WRAPPED_LINES different lines at least in
    the band, ending at MIN_BAND_LENGTHS different lengths at least (a wrapper breaks wherever a
    word ends), many of them close to the width, and a paragraph that ends as a wrapped one does
    (`_ends_paragraph`). A line repeated, or lines that share a length, show no wrapping.

    >>> _shows_wrapping(["aaa bb"] * 7, ["aaa bb"] * 7, 6)
    False
    """
    band = {line for line in wrappable if width - WRAP_BAND < len(line) <= width}
    if len(band) < MIN_WRAPPED_LINES or len({len(line) for line in band}) < MIN_BAND_LENGTHS:
        return False
    # Words are short, so a wrapped line mostly ends a few columns under the width: the width
    # recurs. Lines piled lower down (or a width a few long unbreakable lines set) are no wrap.
    if sum(len(line) >= width - WRAP_BAND // 2 for line in band) < TOP_SHARE * len(band):
        return False
    return any(
        _ends_paragraph(lines[i - 1], lines[i].rstrip(), lines[i + 1] if i + 1 < len(lines) else "", width)
        for i in range(1, len(lines))
        if lines[i - 1].rstrip() in band
    )


def _ends_paragraph(full: str, line: str, following: str, width: int) -> bool:
    """`line` is the last line of a paragraph wrapped at `width`: it continues `full`, the line
    above it, is shorter, and either nothing follows in the paragraph (`following` is blank or
    starts a block) or it is shorter than the band (the next word would have fitted).

    >>> _ends_paragraph("aaa bbb ccc ddd eee fff ggg hhh iii jjj kkk lll mmm nnn ooo ppp qqq", "rrr.", "", 68)
    True
    """
    if not line.strip() or len(line) >= len(full.rstrip()) or _BLOCK_START.match(line) or _is_table(line):
        return False
    if not _continues(full, line, width):
        return False
    return len(line) <= width - WRAP_BAND or not following.strip() or _BLOCK_START.match(following) is not None


def _unbreakable(line: str) -> bool:
    """A line a wrapper leaves whole: it holds a URL or a markdown link target (no wrapper breaks
    them), or it is program code (`<pre>` text is never wrapped)."""
    return "://" in line or "](" in line or code_marks(line) >= CODE_MARKS


def _wrappable(line: str) -> bool:
    """A line a converter would have wrapped: words, no list item, heading or table row."""
    return " " in line.strip() and not _BLOCK_START.match(line) and not _is_table(line)


def detect_layout(lines: list[str]) -> Layout:
    """Name a document's layout from its lines.

    >>> detect_layout(["Menu", "Home", "A first sentence here.", "Another one."]).style
    'wet'
    >>> detect_layout(["# Title", "", "Some [link](http://x) text.", "", "More text."]).style
    'markdown'
    """
    width = wrap_width(lines)
    if width is not None:
        return Layout("wrapped", width)
    content = [line for line in lines if line.strip()]
    if not content:
        return Layout("plain")
    marked = sum(1 for line in content if _has_markup(line))
    if marked >= 2 and marked * 20 >= len(content):
        return Layout("markdown")
    # Blank lines between blocks only: a file's final newline is no paragraph break, and counting
    # it made "A\nA\n" plain but the same text without it WET.
    first = next(i for i, line in enumerate(lines) if line.strip())
    last = max(i for i, line in enumerate(lines) if line.strip())
    blank = (last - first + 1) - len(content)
    if blank * 3 < len(content):
        return Layout("wet")
    return Layout("plain")


def read_layout(lines: list[str]) -> tuple[Layout, list[tuple[int, int]]]:
    """The layout and the blocks: half-open ranges of non-blank source line indices.

    In wrapped text a line joins the one before it when that one was full (the next word would
    not have fitted within the width) and neither is a list item, heading, table row or a hard
    line break (trailing space, html2text's `<br>`). In every other layout a line is a block.

    >>> import textwrap
    >>> read_layout(textwrap.wrap(" ".join("x" * (i * 7 % 9 + 1) for i in range(80)), 78) + ["", "Next."])[1]
    [(0, 7), (8, 9)]
    """
    layout = detect_layout(lines)
    blocks: list[tuple[int, int]] = []
    width = layout.wrap_width
    rows = _table_rows(lines) if width is not None else []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        opened = _link_opened_before(lines, blocks) if _LINK_TARGET_LINE.match(line) else 0
        if opened and i - blocks[-opened][0] < LINK_MAX_LINES:  # `[ Headline` ... `](/url)`: one block
            blocks[-opened:] = [(blocks[-opened][0], i + 1)]
        elif (
            width is not None
            and blocks
            and blocks[-1][1] == i
            and not (rows[i] or rows[i - 1])
            and _continues(lines[i - 1], line, width)
        ):
            blocks[-1] = (blocks[-1][0], i + 1)
        else:
            blocks.append((i, i + 1))
    return layout, blocks


def _link_opened_before(lines: list[str], blocks: list[tuple[int, int]]) -> int:
    """How many of the last blocks (at most `LINK_BLOCKS`) a link spans whose target starts the
    next line, or 0: html2text writes a link around a heading or a teaser's paragraphs as
    `[ Headline`, a blank line and `](/url)`.

    >>> _link_opened_before(["[ Storm closes the pier", "", "Ferries stop.", ""], [(0, 1), (2, 3)])
    2
    >>> _link_opened_before(["A [link](x) here.", ""], [(0, 1)])
    0
    """
    depth = 0
    for n, (first, last) in enumerate(reversed(blocks[-LINK_BLOCKS:]), start=1):
        text = " ".join(lines[first:last])
        depth += text.count("[") - text.count("]")
        if depth > 0:
            return n
    return 0


def _table_rows(lines: list[str]) -> list[bool]:
    """Which lines are table rows. A table has a header and a separator at least, so a line
    whose only table mark is a pipe between words is a row only next to another row: a byline
    "By Jane Doe | Published March" wrapped before "3, 2021" is prose.

    >>> _table_rows(["a | b", "---|---", "c | d", "", "By Jane Doe | Published March", "3, 2021"])
    [True, True, True, False, False, False]
    """
    marked = [_is_table(line) for line in lines]
    rows = []
    for i, line in enumerate(lines):
        beside = (i > 0 and marked[i - 1]) or (i + 1 < len(lines) and marked[i + 1])
        rows.append(marked[i] and (beside or _TABLE_ALONE.search(line) is not None))
    return rows


def _continues(previous: str, line: str, width: int) -> bool:
    """`line` is the wrapped continuation of `previous` (the line just above it), neither a row."""
    if previous.endswith(" ") or _BLOCK_START.match(line):
        return False
    # A heading or quote marker line ends where it ends; a list item may wrap. So may any of them
    # when the line below closes the link it opened (html2text wraps a linked heading).
    if (
        _BLOCK_START.match(previous)
        and not _closes_link(previous, line)
        and (len(previous) > width or not previous.lstrip().startswith(("* ", "- ", "+ ")))
    ):
        return False
    first_word = len(line.split(None, 1)[0])
    return len(previous) + 1 + first_word > width - 1


def _closes_link(previous: str, line: str) -> bool:
    """`line` closes a markdown link `previous` opened: `previous` has a `[` it does not close,
    and `line` has a link target (`](`).

    >>> _closes_link("## [Storm closes the", "pier](http://x/pier)"), _closes_link("## Storm", "[pier](http://x)")
    (True, False)
    """
    return "](" in line and previous.count("[") > previous.count("]")


def _has_markup(line: str) -> bool:
    """A markdown link, bold, heading, list item, quote or table row on `line`."""
    return "](" in line or "**" in line or _MARKUP_START.match(line) is not None


def _is_table(line: str) -> bool:
    """A table row or separator; every form has a `|`, so most lines need no regex."""
    return "|" in line and _TABLE.search(line) is not None
