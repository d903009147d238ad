"""Block boundaries of an HTML page: kept as whitespace before extraction, and checked after.

A browser starts a new line at every block element; the text of the tree does not. trafilatura
joins the texts of block elements it flattens into one line (the `<div>`s inside an `<h2>` or
an `<li>`) with nothing between them: `<h2><div>Kicker</div><div>Headline</div></h2>` became
"KickerHeadline". `space_blocks` puts whitespace around every block element in the tree before
any text is taken from it, so no step after it can join two blocks' words.

trafilatura still joins the `<div>`s inside an `<li>` ("Item alphaItem beta": its list handler
trims the whitespace away), so `unglue` repairs its output: a token where a lower-case letter,
digit or closing punctuation meets a capital, found nowhere in the page's text but found there
with whitespace at that point ("alpha Item"), gets that whitespace back.

`glued_boundaries` is the check: the concatenations of the last word of one block and the first
word of the next that appear in a text as one token (tests and `benchmarks/extraction.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from itertools import pairwise

from lxml import etree
from lxml.html import HtmlElement

# Elements a browser lays out as blocks (or line breaks): their text never runs into a neighbour's.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Whitespace is content inside these; a space added there would change the text.
_VERBATIM = frozenset({"pre", "code", "textarea", "script", "style"})
_WORD = re.compile(r"\S+")


def space_blocks(tree: HtmlElement) -> None:
    """Make every block element's start and end a whitespace boundary in its parent's text.

    Adds a space to the text right before a block element (its previous sibling's tail, or its
    parent's text) and right after it (its own tail) where there is none. Spaces only: HTML
    collapses them, and every extractor trims them. Inside `<pre>` and `<code>` nothing changes.

    >>> from lxml.html import fragment_fromstring
    >>> tree = fragment_fromstring("<h2><div>Kicker</div><div>Headline</div></h2>")
    >>> space_blocks(tree)
    >>> tree.text_content()
    ' Kicker Headline '
    """
    verbatim = _verbatim_blocks(tree)
    for element in tree.iter(*BLOCK_TAGS):
        parent = element.getparent()
        if parent is None or (verbatim and element in verbatim):
            continue
        tail = element.tail
        if tail and not tail[0].isspace():
            element.tail = " " + tail
        elif not tail:
            element.tail = " "
        previous = element.getprevious()
        if previous is not None:
            previous.tail = _ending_in_space(previous.tail)
        else:
            parent.text = _ending_in_space(parent.text)


def _ending_in_space(text: str | None) -> str:
    # An empty text or tail gets its space too: the element before (a <span>, or an inline
    # parent's preceding words) may end in a word of its own.
    return text if text and text[-1].isspace() else (text or "") + " "


def _verbatim_blocks(tree: HtmlElement) -> set[HtmlElement]:
    """Block elements that are, or sit inside, a `_VERBATIM` element: found from those few
    elements down, not by asking every block element for its ancestors (a deep page's cost)."""
    inside: set[HtmlElement] = set()
    for element in tree.iter(*_VERBATIM):
        if element not in inside:
            inside.update(element.iter(*BLOCK_TAGS))
    return inside


_HIDDEN = ("script", "style", "noscript", "template", "head")


def block_texts(tree: HtmlElement, skip: Collection[HtmlElement] = ()) -> list[str]:
    """The text of `tree` (a page, or one element of it) cut at every block element boundary, in
    document order (scripts, styles, the head and the elements in `skip` left out): what a browser
    shows as separate lines."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            blocks.append(text)
        current.clear()

    walk = etree.iterwalk(tree, events=("start", "end"))
    for event, element in walk:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start" and (tag in _HIDDEN or element in skip):
            walk.skip_subtree()  # its "end" still comes, and adds its tail
            continue
        if tag in BLOCK_TAGS:
            flush()
        if event == "start":
            current.append(element.text or "")
        elif element is not tree:  # the tree's own tail is not its text
            current.append(element.tail or "")
    flush()
    return blocks


def boundary_joins(blocks: list[str]) -> set[str]:
    """Last word of each block glued to the first word of the next ("risk." + "The"), for the
    pairs whose concatenation is not itself in a word of the page (a real "risk.The" in the
    source never counts).

    >>> sorted(boundary_joins(["It survives", "One day", "at risk.", "The end"]))
    ['dayat', 'risk.The', 'survivesOne']
    """
    return set(_boundary_pairs(blocks))


def _boundary_pairs(blocks: list[str], within: str | None = None) -> dict[str, tuple[str, str]]:
    """Each boundary join of `boundary_joins`, mapped to its two words; with `within`, only the
    joins that occur in it (checked first: then the page is searched for the few left, not for
    every boundary, which costs a quarter of trafilatura's time on big pages)."""
    pairs: dict[str, tuple[str, str]] = {}
    for before, after in pairwise(blocks):
        last, first = before.split()[-1], after.split()[0]
        if len(last) + len(first) >= 4 and (within is None or last + first in within):
            pairs[last + first] = (last, first)
    if not pairs:
        return pairs
    haystack = "\n".join(word for block in blocks for word in block.split())
    return {glued: pair for glued, pair in pairs.items() if glued not in haystack}


# Characters markdown output may escape with a backslash ("account\_sid").
_ESCAPABLE = frozenset("\\`*_{}[]()#+-.!|<>")


def _escapable(word: str) -> str:
    return "".join(rf"\\?{re.escape(c)}" if c in _ESCAPABLE else re.escape(c) for c in word)


# The search is boundaries x unknown-token characters: a page of 20,000 blocks run into one
# token took 4.5 s, 40,000 took 14 s. Past this budget the text is left as it is (the glue
# stays, and `glued_boundaries` counts it) rather than stall a batch on one page.
_RESEPARATE_BUDGET = 200_000_000


_MARKER = r"(?:~~|\*\*|__)"
_MARKERS = re.compile(_MARKER)


def reseparate(text: str, blocks: list[str]) -> str:
    r"""Put a space back wherever `text` runs the last word of one of the page's blocks into the
    first word of the next: what `unglue`'s seams miss ("websites" + "hestiahotel", "ISBN-10" +
    "0735211299"), markdown escapes allowed. Only joins found nowhere in the page's words count.

    >>> reseparate("Read more websiteshestiahotel said", ["Read more websites", "hestiahotel said"])
    'Read more websites hestiahotel said'
    >>> reseparate("os.environ\\[x\\]8auth\\_token", ["os.environ[x]", "8", "auth_token"])
    'os.environ\\[x\\] 8 auth\\_token'
    >>> reseparate("Now 199€~~299€~~ (34% off)", ["Now 199€", "299€ (34% off)"])
    'Now 199€ ~~299€~~ (34% off)'
    >>> reseparate("app = Flask(__name__)56 x", ["app = Flask(__name__)", "56", "x"])
    'app = Flask(__name__) 56 x'
    """
    plain = text.replace("\\", "") if "\\" in text else text
    tokens = set(plain.split())
    # Emphasis and strikethrough the extractor wrote may sit between the two words ("199€~~299€~~");
    # the tokens as written count too ("Flask(__name__)56" is code, not emphasis).
    tokens |= {_MARKERS.sub("", token) for token in tokens if "~~" in token or "**" in token or "__" in token}
    # Only a token the page does not have as a word can hold a join: look in those alone.
    page_words = {word for block in blocks for word in block.split()}
    strange = "\n".join(token for token in tokens if token not in page_words)
    if not strange or len(blocks) * len(strange) > _RESEPARATE_BUDGET:
        return text
    found = list(_boundary_pairs(blocks, within=strange).values())
    if not found:
        return text
    # The space goes after the last word where the first word follows (a lookahead): joins that
    # share a one-word block ("]" + "8" + "auth") are all split in one pass.
    found.sort(key=lambda pair: -len(pair[0]))
    pattern = re.compile("|".join(f"{_escapable(last)}(?={_MARKER}?{_escapable(first)})" for last, first in found))
    return pattern.sub(lambda m: f"{m[0]} ", text)


def glued_boundaries(text: str, joins: set[str]) -> list[str]:
    """The tokens of `text` that contain one of `joins`: two blocks' words run together.

    >>> glued_boundaries("It survivesOne day", {"survivesOne"})
    ['survivesOne']
    """
    if not joins:
        return []
    pattern = re.compile("|".join(re.escape(j) for j in sorted(joins, key=len, reverse=True)))
    return [token for token in _WORD.findall(text) if pattern.search(token)]


def glued_tokens(text: str, tree: HtmlElement) -> list[str]:
    """Tokens of `text` (an extraction of `tree`) that join two adjacent blocks' words."""
    return glued_boundaries(text, boundary_joins(block_texts(tree)))


# Where a glued token joins: a lower-case letter, digit, closing punctuation or the end of
# markdown emphasis ("**Note**Some": the page has "Note" and "Some" in two blocks), then a capital
# or a currency sign ("homes for sale$524,998"); an acronym then a capitalised word
# ("CIODigital"); a letter then a digit, or a digit then a lower-case letter.
_SEAM = re.compile(
    r"(?<=[a-zß-öø-ÿ\d.!?,;:)\]”’»\"'*_])(?=[A-ZÀ-ÖØ-Þ$€£¥])|(?<=[A-ZÀ-ÖØ-Þ])(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ])"
    # A label and its number, a number and the next label ("Print length" + "320 pages",
    # "$168.54" + "previous price"): letters meeting digits. "mp3" and "10am" stay whole, as
    # every seam does, unless the page has the token nowhere and its two sides apart.
    r"|(?<=[A-Za-zß-öø-ÿ])(?=\d)|(?<=\d)(?=[a-zß-öø-ÿ])"
)
_EDGE = "*_`[]()\"'“”‘’«»"  # markdown and quotes around a word, not part of it
_EMPHASIS = "*_"  # markdown the extractor wrote: never in the page's text


def unglue(text: str, page_text: Callable[[], str]) -> str:
    """Put back the whitespace between two blocks' words that an extractor dropped.

    `page_text` gives the page's text with block boundaries as spaces (asked only when `text`
    has a candidate seam). A token is split only where the page has the same two words with
    whitespace between them and nowhere has the token itself.

    >>> unglue("- Item alphaItem beta, at risk.The end", lambda: "Item alpha Item beta at risk. The end")
    '- Item alpha Item beta, at risk. The end'
    >>> unglue("McDonald and iPhone", lambda: "McDonald and iPhone")
    'McDonald and iPhone'
    >>> unglue("**Note**Some names, homes for sale$524,998", lambda: "Note Some names homes for sale $524,998")
    '**Note** Some names, homes for sale $524,998'
    >>> unglue("Print length320 pages, an mp3 at 10am", lambda: "Print length 320 pages an mp3 at 10am")
    'Print length 320 pages, an mp3 at 10am'
    """
    seams = list(_SEAM.finditer(text))
    if not seams:
        return text
    tokens = {_token_at(text, m.start()) for m in seams}
    page = ""
    fixed: dict[str, str] = {}
    for token in tokens:
        if not page:
            page = " ".join(page_text().split())
        if token in page:
            continue
        repaired = _split_token(token, page)
        if repaired != token:
            fixed[token] = repaired
    for token, repaired in fixed.items():
        text = re.sub(rf"(?<!\S){re.escape(token)}(?!\S)", repaired, text)
    return text


def _token_at(text: str, index: int) -> str:
    start = index
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = index
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def _split_token(token: str, page: str) -> str:
    """`token` with a space at each seam where the page has its two sides apart."""
    cuts = [m.start() for m in _SEAM.finditer(token)]
    out, last = [], 0
    for cut, following in zip(cuts, [*cuts[1:], len(token)], strict=True):
        # The right side up to the next seam: "$168.54previous" is "$168.54" then "previous".
        left = token[last:cut].lstrip(_EDGE).rstrip(_EMPHASIS)
        right_word = token[cut:following].rstrip(_EDGE + ".,;:!?")
        if left and right_word and f"{left} {right_word}" in page:
            out.append(token[last:cut])
            last = cut
    out.append(token[last:])
    return " ".join(out)
