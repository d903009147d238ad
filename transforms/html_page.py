"""What the HTML metadata readers share: a page's meta tags and JSON-LD objects, and text helpers.

Pure: reads an lxml tree that `transforms.html_parse.parse_html` made, without changing it.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator

from docclean.transforms.html_vocabulary import MetadataVocabulary
from lxml.html import HtmlElement

_WS = re.compile(r"\s+")


def clean(value: object) -> str | None:
    """`value` with its whitespace collapsed; None when it is not a string or is blank."""
    if not isinstance(value, str):
        return None
    value = _WS.sub(" ", value).strip()
    return value or None


def element_text(element: HtmlElement) -> str | None:
    return clean(element.text_content())


def unescape(text: str) -> str:
    # Some CMSs escape twice: og:title="Python, SQL &amp;#x26; AI" arrives here as "&#x26;".
    return html_lib.unescape(text) if "&" in text else text


def word_key(text: str) -> str:
    """Lower-cased words of `text`, one space apart: what two spellings of a name share."""
    return " ".join(re.findall(r"\w+", text.lower()))


def meta_tags(tree: HtmlElement) -> tuple[dict[str, str], list[str]]:
    """First non-empty content of each meta name/property/itemprop (keys lower-cased), and every
    citation_author value (scholarly pages give one tag per author)."""
    out: dict[str, str] = {}
    citation_authors: list[str] = []
    for element in tree.iter("meta"):
        content = clean(element.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = element.get(attr)
            if key:
                key = key.strip().lower()
                out.setdefault(key, content)
                if key == "citation_author":
                    citation_authors.append(content)
    return out, citation_authors


def json_ld_items(tree: HtmlElement) -> Iterator[dict]:
    """Every JSON-LD object on the page, @graph members included, in page order."""
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"), strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack[:0] = graph
                elif isinstance(item.get("mainEntity"), dict):
                    stack.insert(0, item["mainEntity"])


def ld_types(item: dict) -> set[str]:
    """The lower-cased schema.org @type names of a JSON-LD object."""
    types = item.get("@type")
    types = types if isinstance(types, list) else [types]
    return {t.lower() for t in types if isinstance(t, str)}


def ld_articles(ld: list[dict], vocabulary: MetadataVocabulary) -> list[dict]:
    """Article-like JSON-LD objects, specific article types before generic pages."""
    articles = [item for item in ld if ld_types(item) & vocabulary.article_types]
    return sorted(articles, key=lambda item: bool(ld_types(item) & vocabulary.generic_page_types))


def ld_site_name(ld: list[dict], vocabulary: MetadataVocabulary) -> str | None:
    """The name of the page's WebSite object."""
    for item in ld:
        if ld_types(item) & vocabulary.site_types:
            name = clean(item.get("name"))
            if name:
                return name
    return None
