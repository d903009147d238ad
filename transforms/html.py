"""HTML in, markdown-ish main text and metadata hints out: the first step of the HTML path.

    parse once with lxml -> main content with trafilatura (markdown keeps headings and lists
    for the rule engine), or a tag-stripping fallback when it finds nothing -> metadata
    (title, authors, date, site, URL, language) from `transforms.html_metadata`.

lxml rather than BeautifulSoup: trafilatura and htmldate work on lxml trees, so one lxml parse
serves all three (a BeautifulSoup parse would add its own cost and still need lxml after it).

Pure: no network, no files, no logging configuration (trafilatura logs a warning for every page
it gives up on, which the fallback here handles; quieting that is the application's choice).
Never raises on bad markup; a page that cannot be read gives empty text. The text is meant for
`transforms.clean.clean_document(text, hints=..., prior_removals=...)`, which removes what
survives here (bylines, credits, share lines).
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field

import trafilatura
from docclean.transforms.html_blocks import BLOCK_TAGS, block_texts, reseparate, unglue
from docclean.transforms.html_metadata import extract_metadata
from docclean.transforms.html_parse import parse_html
from docclean.transforms.models import DocumentHints, Removal
from docclean.transforms.ruleset import RuleSet
from docclean.transforms.urls import site_of
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import html2txt

RULE_ID = "html_boilerplate"
REASON = "HTML element dropped before text extraction (script, style, nav, header, footer, aside, form)"
MAX_REMOVAL_CHARS = 200

# Page furniture: reported as removals, and dropped by the fallback extractor.
BOILERPLATE_TAGS = ("nav", "header", "footer", "aside", "form")
INVISIBLE_TAGS = ("script", "style", "noscript", "iframe", "svg", "template", "head")
_WS = re.compile(r"\s+")


@dataclass(slots=True)
class HtmlExtraction:
    """Main text of a page (markdown-ish), its metadata, and the page furniture left behind."""

    text: str
    hints: DocumentHints
    removals: list[Removal] = field(default_factory=list)


def extract_html(html: str, url: str | None = None, ruleset: RuleSet | None = None) -> HtmlExtraction:
    """Extract main text and metadata from one HTML page.

    `ruleset` gives the metadata vocabulary (byline words, meta keys); the packaged rules when None.

    >>> page = ("<html lang='en'><body><article><h1>Fox Found</h1><p>A fox was found in the garden "
    ...         "on Monday.</p><p>It was taken to a wood nearby.</p></article></body></html>")
    >>> result = extract_html(page)
    >>> result.hints.title, result.hints.language
    ('Fox Found', 'en')
    >>> print(result.text)
    # Fox Found
    <BLANKLINE>
    A fox was found in the garden on Monday.
    <BLANKLINE>
    It was taken to a wood nearby.
    """
    try:
        tree = parse_html(html)
    except Exception:  # lxml raises a handful of types on hopeless input; all mean "no page"
        tree = None
    if tree is None:
        return HtmlExtraction("", DocumentHints(url=url, site=site_of(url)), [])
    try:
        text = _main_text(tree, url)
        removals = _boilerplate_removals(tree, text)
    except Exception:  # a bug in extraction on odd markup must not stop a batch
        text, removals = "", []
    try:
        hints = extract_metadata(tree, url, ruleset)
    except Exception:  # metadata is best effort: a malformed attribute must not cost the text
        hints = DocumentHints(url=url, site=site_of(url))
    return HtmlExtraction(text, hints, removals)


# --------------------------------------------------------------------------------------------
# main text


# Escalation, after trafilatura 2.3's own (trafilatura/core.py: under 3000 characters and under
# 0.2 of the page): a text under MAX_CHARS covering under PAGE_SHARE of the page's text is
# retried; the retry wins when ACCEPT_RATIO times longer. Recall mode keeps more than the
# default mode, so its "too little" is set higher: twice the length, 0.3 of the page (WCXB-dev:
# recall mode kept one 3,200-character section of 10,000-24,000-character articles).
ESCALATION_MAX_CHARS = 6000
ESCALATION_PAGE_SHARE = 0.3
ESCALATION_ACCEPT_RATIO = 1.5


def _main_text(tree: HtmlElement, url: str | None) -> str:
    # favor_recall: the rule engine downstream removes what trafilatura lets through, so recall
    # is worth more here than trafilatura's own precision heuristics; it also skips trafilatura's
    # second-opinion extractors, which makes it 1.3-1.5x faster (see benchmarks/extraction.py).
    text = _trafilatura(tree, url, favor_recall=True)
    # Recall mode has no escalation of its own: on some pages it returns a short text covering
    # little of the page, where the default mode (which then retries with other extractors)
    # finds the whole article (WCXB-dev: recall 0.03-0.3 -> 0.8-1.0 on a dozen articles). Same
    # test as trafilatura's own escalation; few pages pass it, so it costs little.
    if len(text) < ESCALATION_MAX_CHARS and len(text) < ESCALATION_PAGE_SHARE * len(html2txt(tree)):
        other = _trafilatura(tree, url, favor_recall=False)
        if len(other) > ESCALATION_ACCEPT_RATIO * len(text):
            text = other
    if text.strip():
        return reseparate(unglue(_tidy_markdown(text), tree.text_content), block_texts(tree))
    return fallback_text(tree)


def _trafilatura(tree: HtmlElement, url: str | None, *, favor_recall: bool) -> str:
    text = trafilatura.extract(
        tree,
        url=url,
        favor_recall=favor_recall,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=False,
        deduplicate=False,
    )
    return text or ""


_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
# trafilatura's markdown writes underline, superscript and subscript as HTML tags (`<u>x</u>`,
# `<sup>2</sup>`): markup, not text, and the rule engine would read "u" and "sup" as words.
_INLINE_TAG = re.compile(r"</?(?:u|sup|sub)>")
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


# The page source's own line breaks and indentation inside a paragraph: trafilatura's markdown
# keeps them ("shares of Acme\n    (nyse:\n      ACM -\n\t\n       news"), and each piece
# would become a "line" of its own for the rule engine. An indented line that starts no block
# (list item, table row, heading, quote) continues the line above; a whitespace-only line
# between the two is part of the same run of source whitespace, not a paragraph break.
_SOURCE_BLANK = re.compile(r"(?<=\S)\n[ \t]+\n(?=[ \t]+\S)")
_CONTINUATION = re.compile(r"[ \t]+(?![-*+][ \t]|\d+[.)][ \t]|[|#>])\S")
_BLOCK_LINE = re.compile(r"\s*(?:#|\||```|~~~)")


def _tidy_markdown(text: str) -> str:
    r"""Drop table separator rows (a `| --- |` row is syntax) and inline formatting tags, and
    join a paragraph's lines that the page source's indentation split.

    Code stays as written: fenced blocks and `code spans` keep their tags and line breaks.

    >>> print(_tidy_markdown("Shares of <u>Acme</u>\n    (nyse:\n\t\n      ACM) fell.\n\n| a |\n| --- |"))
    Shares of Acme (nyse: ACM) fell.
    <BLANKLINE>
    | a |
    """
    lines: list[str] = []
    in_fence = False
    for line in _SOURCE_BLANK.sub("\n", text).split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            if _TABLE_RULE.match(line.strip()):
                continue
            if "<" in line:
                line = _strip_inline_tags(line)
            previous = lines[-1] if lines else ""
            if previous.strip() and _CONTINUATION.match(line) and not _BLOCK_LINE.match(previous):
                lines[-1] = previous.rstrip() + " " + line.strip()
                continue
        lines.append(line)
    return "\n".join(lines).strip()


def _strip_inline_tags(line: str) -> str:
    """Remove `<u>`, `<sup>` and `<sub>` tags outside code spans, keeping their text."""
    out: list[str] = []
    last = 0
    for span in _CODE_SPAN.finditer(line):
        out.append(_INLINE_TAG.sub("", line[last : span.start()]))
        out.append(span.group())
        last = span.end()
    out.append(_INLINE_TAG.sub("", line[last:]))
    return "".join(out)


def fallback_text(tree: HtmlElement) -> str:
    """Visible text of the page minus furniture, one paragraph per block element."""
    body = tree.find("body")
    root = deepcopy(body if body is not None else tree)
    for element in list(root.iter(*INVISIBLE_TAGS, *BOILERPLATE_TAGS)):
        _drop(element)
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = _WS.sub(" ", "".join(current)).strip()
        if text:
            paragraphs.append(text)
        current.clear()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS:
                flush()
            if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                current.append("#" * int(tag[1]) + " ")
            elif tag == "li":
                current.append("- ")
            current.append(element.text or "")
        else:
            if tag in BLOCK_TAGS:
                flush()
            current.append(element.tail or "")
    flush()
    return "\n\n".join(p for p in paragraphs if not _MARKERS_ONLY.fullmatch(p))


_MARKERS_ONLY = re.compile(r"[#\s-]+")  # an empty heading or list item: its marker and nothing else


def _drop(element: HtmlElement) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _boilerplate_removals(tree: HtmlElement, text: str) -> list[Removal]:
    """Outermost nav/header/footer/aside/form elements whose text did not reach the output."""
    body = tree.find("body")
    if body is None:
        return []
    kept = _WS.sub(" ", text)
    out: list[Removal] = []
    for element in body.iter(*BOILERPLATE_TAGS):
        if any(ancestor.tag in BOILERPLATE_TAGS for ancestor in element.iterancestors()):
            continue
        content = _element_text(element)
        if not content or content[:80] in kept:
            continue
        out.append(Removal(RULE_ID, REASON, _truncate(content), None, None))
    return out


def _element_text(element: HtmlElement) -> str:
    parts = [
        t
        for node in element.iter()
        if node.tag not in INVISIBLE_TAGS
        for t in (node.text, node.tail if node is not element else None)
        if t
    ]
    return _WS.sub(" ", " ".join(parts)).strip()


def _truncate(text: str, limit: int = MAX_REMOVAL_CHARS) -> str:
    """Cut at a word boundary and mark the cut, so a removal stays readable in a report."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"
