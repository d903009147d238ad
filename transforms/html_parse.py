"""Text in, one lxml tree out: the parse every HTML step shares, and the cheap depth check before it.

Pure: no network, no files. The caller decides what a page lxml cannot read means.
"""

from __future__ import annotations

import re

from docclean.transforms.html_blocks import space_blocks
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HTMLParser, HtmlProcessingInstruction, document_fromstring

# Input is already-decoded text, passed to lxml as UTF-8 bytes; an explicit encoding stops a
# <meta charset> in the page from overriding it.
_PARSER = HTMLParser(remove_comments=True, remove_pis=True, recover=True, huge_tree=True, encoding="utf-8")
# Every element an HtmlElement, chosen in C: lxml.html's own lookup is a Python call for each
# element proxy made (its form and input classes, which nothing here uses), and every walk of
# the tree, ours and trafilatura's, makes millions of them (2.5M on 300 WCXB-dev pages).
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction)
)
# C0 controls are not text and lxml turns them into U+FFFD; tab, newline and CR stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*?(/?)>")
# Elements that never nest (void) or that a parser closes implicitly when a sibling opens: an
# unclosed <p> or <li> does not make the page deeper.
_FLAT_TAG_NAMES = (
    "area base br col embed hr img input link meta param source track wbr p li dt "
    "dd tr td th option optgroup colgroup thead tbody tfoot rp rt"
)
_FLAT_TAGS = frozenset(_FLAT_TAG_NAMES.split())


def html_nesting_depth(html: str, limit: int) -> int:
    """Deepest element nesting, counted from tags (stops counting once past `limit`).

    A cheap pre-check, so pathologically deep pages are rejected before a parser spends seconds
    on them.

    >>> html_nesting_depth("<div><div><p>x</div></div>", 100)
    2
    """
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if name.lower() in _FLAT_TAGS or self_closing:
            continue
        if closing:
            depth = max(depth - 1, 0)
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def parse_html(html: str) -> HtmlElement | None:
    """Parse a page into an lxml tree; None when there is no document to speak of."""
    html = _CONTROL.sub("", html or "")
    if not html.strip():
        return None
    # lxml refuses str input that declares its own encoding; the text is already decoded.
    html = _XML_DECLARATION.sub("", html, count=1)
    tree = document_fromstring(html.encode("utf-8", "surrogatepass"), parser=_PARSER)
    if tree is None:
        return None
    merge_stray_roots(tree)
    if not len(tree):
        return None
    # Before any text is read from it: no extractor or metadata reader can then join the last
    # word of one block element to the first word of the next ("KickerHeadline").
    space_blocks(tree)
    return tree


def merge_stray_roots(root: HtmlElement) -> None:
    """Move what libxml2 parsed into extra top-level `<html>` elements into the page's one
    `<head>` and `<body>`.

    Markup after a second `<html>` tag (a page glued from two templates, a document after
    `</html>`) becomes another top-level element. A browser renders it inside the one body;
    every lxml walk (iteration, serialisation, trafilatura's copy of the tree) sees only the
    first root, so it was lost: on 26 of 1,857 dev pages, up to four fifths of the text.
    """
    for extra in [sibling for sibling in root.itersiblings() if isinstance(sibling.tag, str)]:
        body = _section(root, "body")
        _append_text(body, extra.text)
        for child in list(extra):
            if child.tag == "head":
                _section(root, "head").extend(list(child))
                _append_text(body, child.tail)
            elif child.tag == "body":
                _append_text(body, child.text)
                body.extend(list(child))
                _append_text(body, child.tail)
            else:
                body.append(child)  # its tail goes with it
        extra.text = None
        extra.attrib.clear()  # what stays is an empty element no reader finds anything in


def _section(root: HtmlElement, tag: str) -> HtmlElement:
    """The root's `<head>` or `<body>`, made when the page has none."""
    found = root.find(tag)
    if found is None:
        found = root.makeelement(tag, {})
        if tag == "head":
            root.insert(0, found)
        else:
            root.append(found)
    return found


def _append_text(element: HtmlElement, text: str | None) -> None:
    """Add `text` at the end of `element`'s content (its last child's tail, or its text)."""
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text
