"""The authors of an HTML page: JSON-LD, meta tags, rel=author, then the visible bylines.

The words (byline labels, role words, author meta keys) are the `[words]` of
`transforms/rules/bylines.toml`, passed in as a `MetadataVocabulary`; what is a name in an
author value, and whose (a person's or an organisation's), is `transforms.html_names`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from docclean.transforms.dates import parse_date
from docclean.transforms.html_blocks import block_texts
from docclean.transforms.html_names import acceptable_fallback, sort_names, split_names
from docclean.transforms.html_page import clean, element_text, ld_articles, ld_types, word_key
from docclean.transforms.html_selectors import select
from docclean.transforms.html_vocabulary import MetadataVocabulary
from docclean.transforms.urls import site_of
from lxml.html import HtmlElement

# Elements a visible "By ..." label may sit in, and the page regions where it is not the article's.
_LABEL_TAGS = (
    "p",
    "span",
    "div",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "address",
    "small",
    "strong",
    "em",
    "b",
    "dd",
)
_NOT_CONTENT = frozenset({"footer", "nav", "aside", "form"})
_MAX_BYLINE_CHARS = 120
_MAX_NAME_CHARS = 60
_MAX_AUTHOR_BOX_CHARS = 1500  # an author box is a name and a short bio, not a page region


def page_authors(
    tree: HtmlElement,
    meta: dict[str, str],
    citation_authors: list[str],
    ld: list[dict],
    publisher: set[str],
    vocabulary: MetadataVocabulary,
) -> tuple[list[str], list[str]]:
    """People, and organisations, named as the page's authors.

    People first: JSON-LD authors, author meta tags, rel=author, then visible bylines; the first
    source that names a person wins. Organisations (typed so in JSON-LD, named like the site or
    publisher, news agencies, newsrooms and team bylines of `agency_names`/`organisation_words`/
    `team_words`) go to the
    second list, from the source that named the people or else the first that names one. CMS
    usernames ("jdoe", "admin_2") are answered as authors only when no source names a person or
    an organisation: a username is still the page's byline.
    """
    fallback: list[str] = []
    orgs: list[str] = []
    for names in _author_sources(tree, meta, citation_authors, ld, vocabulary):
        people, source_orgs = sort_names(names, publisher, vocabulary)
        if people:
            return people, source_orgs or orgs
        orgs = orgs or source_orgs
        if not fallback:
            fallback = [n for n, _ in names if n not in source_orgs and acceptable_fallback(n)]
    return ([] if orgs else fallback), orgs


def _author_sources(
    tree: HtmlElement, meta: dict[str, str], citation_authors: list[str], ld: list[dict], vocabulary: MetadataVocabulary
) -> Iterator[list[tuple[str, bool]]]:
    """Candidate names, one list per source, best source first; each name flagged when the
    page itself types it as an organisation."""

    def names(raw: str, *, split: bool = True) -> list[tuple[str, bool]]:
        return [(name, False) for name in split_names(raw, vocabulary, split=split)]

    by_id = {item["@id"]: item for item in ld if isinstance(item.get("@id"), str) and len(item) > 1}
    for item in ld_articles(ld, vocabulary):
        yield _ld_names(item.get("author"), by_id, vocabulary) or _ld_names(item.get("creator"), by_id, vocabulary)
    if citation_authors:
        yield [pair for raw in citation_authors for pair in names(_first_last(raw, vocabulary), split=False)]
    for key in vocabulary.author_meta_keys:
        yield names(meta.get(key, ""))
    # WordPress/Yoast: <meta name="twitter:label1" content="Written by"> + twitter:data1.
    for n in "1234":
        if (meta.get(f"twitter:label{n}") or "").lower().startswith(vocabulary.author_label_values):
            yield names(meta.get(f"twitter:data{n}", ""))
    for element in _rel_authors(tree):
        yield names(element_text(element) or "")
    elements = _BylineElements(tree, vocabulary)
    for text in _selected_bylines(elements):
        yield names(_segments(text, vocabulary))
    for text in _labelled_bylines(tree, vocabulary):
        yield [(name, org) for name, org in names(text) if len(name.split()) >= 2]
    for text in _headline_bylines(tree, vocabulary):
        yield [(name, org) for name, org in names(text) if len(name.split()) >= 2]
    for element in _byline_elements(tree, vocabulary):
        yield names(_segments(element_text(element) or "", vocabulary))
    for text in _author_box_heads(elements):
        yield [(name, org) for name, org in names(text, split=False) if len(name.split()) >= 2]


def _segments(byline: str, vocabulary: MetadataVocabulary) -> str:
    """A byline element's text cut at the marks that end a name, into comma-separated parts for
    `split_names`: "Jo Lee · May 3, 2024" names Jo Lee, not "Jo Lee · May 3". Words that end a
    name after a label ("on", "in") do not cut here: "Human in the Loop" is one name."""
    return vocabulary.byline_mark.sub(", ", byline)


def _first_last(citation_author: str, vocabulary: MetadataVocabulary) -> str:
    """ "Roy, Aniruddha" as "Aniruddha Roy": scholarly meta tags write the family name first
    ("Jo Lee, MD" is a name and its credentials, and stays)."""
    family, comma, given = (part.strip() for part in citation_author.partition(","))
    words = given.replace(".", "").lower().split()
    credentials = all(word in vocabulary.credentials for word in words)
    if comma and family and words and not credentials and "," not in given and len(family.split()) <= 3:
        return f"{given} {family}"
    return citation_author


def _ld_names(value: object, by_id: dict[str, dict], vocabulary: MetadataVocabulary) -> list[tuple[str, bool]]:
    """Names of a JSON-LD author value, @id references resolved, organisations flagged."""
    values = value if isinstance(value, list) else [value]
    out: list[tuple[str, bool]] = []
    for v in values[:20]:
        typed_org = False
        if isinstance(v, dict):
            if "name" not in v and isinstance(v.get("@id"), str):
                # Yoast and others: "author": {"@id": "#/schema/person/..."}, the Person in @graph.
                v = by_id.get(v["@id"], v)
            typed_org = bool(ld_types(v) & vocabulary.organisation_types)
            v = v.get("name")
            if isinstance(v, list):
                v = next((x for x in v if isinstance(x, str)), None)
        for name in split_names(v if isinstance(v, str) else "", vocabulary):
            if all(name != n for n, _ in out):
                out.append((name, typed_org))
    return out


def publisher_keys(
    meta: dict[str, str], ld: list[dict], site: str | None, url: str | None, vocabulary: MetadataVocabulary
) -> set[str]:
    """Spellings of the site's and publisher's name, to tell them from a person in a byline."""
    names = [site, *(meta.get(key) for key in vocabulary.publisher_meta_keys)]
    for item in ld:
        if ld_types(item) & vocabulary.organisation_types:
            names.append(clean(item.get("name")))
        publisher = item.get("publisher")
        if isinstance(publisher, dict):
            names.append(clean(publisher.get("name")))
    keys = {word_key(n).replace(" ", "") for n in names if isinstance(n, str)}
    host = site_of(url)
    if host:
        keys.add(host.split(".")[-2] if host.count(".") >= 1 else host)
    keys.discard("")
    return keys


def _rel_authors(tree: HtmlElement) -> Iterator[HtmlElement]:
    for element in tree.iter("a", "span", "div", "p", "address", "link"):
        rel = (element.get("rel") or "").lower()
        if "author" in rel.split() or element.get("itemprop") == "author":
            named = element.find(".//*[@itemprop='name']")
            yield named if named is not None else element


def _selected_bylines(elements: _BylineElements) -> Iterator[str]:
    """Texts of the byline elements (class/id names of many CMSs), outside comment, sidebar,
    <time> and <figure> blocks."""
    for element in elements.found:
        # An author card's name and role are blocks of their own ("<div>Jo Lee</div><div>
        # Writer</div>"): two parts, not "Jo Lee Writer".
        text = ", ".join(block_texts(element, elements.discarded))
        if text and 2 < len(text) < _MAX_BYLINE_CHARS:
            yield text


def _author_box_heads(elements: _BylineElements) -> Iterator[str]:
    """The first text of a byline element too long to be a byline: an author box names its
    author first, then the bio ("Jo Lee" + "Jo Lee is a reporter who ..."). Asked last."""
    for element in elements.found:
        if element.tag in ("html", "body"):
            continue
        texts = [t.strip() for t in _itertext_outside(element, elements.discarded)]
        if _MAX_BYLINE_CHARS <= sum(map(len, texts)) <= _MAX_AUTHOR_BOX_CHARS:
            head = next((t for t in texts if t), "")
            if 2 < len(head) < _MAX_NAME_CHARS:
                yield clean(head)


class _BylineElements:
    """The page's byline elements (`byline_elements_*` of the rules, strongest first; an element
    picked by two tiers comes twice) not inside a discarded one; found on first use, once."""

    def __init__(self, tree: HtmlElement, vocabulary: MetadataVocabulary) -> None:
        self._tree, self._vocabulary = tree, vocabulary
        self._found: list[HtmlElement] | None = None
        self.discarded: set[HtmlElement] = set()

    @property
    def found(self) -> list[HtmlElement]:
        if self._found is None:
            vocabulary = self._vocabulary
            *tiers, discarded = select(self._tree, (*vocabulary.byline_elements, vocabulary.byline_discarded))
            self.discarded = {element for element in discarded if element is not self._tree}
            self._found = [
                element
                for tier in tiers
                for element in tier
                if element not in self.discarded and not any(a in self.discarded for a in element.iterancestors())
            ]
        return self._found


def _itertext_outside(element: HtmlElement, discarded: set[HtmlElement]) -> Iterator[str]:
    if element.text:
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and child not in discarded:
            yield from _itertext_outside(child, discarded)
        if child.tail:
            yield child.tail


def _labelled_bylines(tree: HtmlElement, vocabulary: MetadataVocabulary) -> Iterator[str]:
    """Bylines that only the words say: "By Jo Lee", "Written by: <a>Jo Lee</a>", "Author" + name.

    The name is what follows the label in the same element, or else the next text after it.
    """
    for element in tree.iter(_LABEL_TAGS):
        head = (element.text or "").strip()
        if not head or len(head) > 80:
            continue
        m = vocabulary.byline_label.match(head)
        if not m:
            continue
        rest = m[1].strip() or _text_after(element)
        if not rest or _outside_article(element, vocabulary):
            continue
        # "Jo Lee | Senior Writer | July 2, 2025", "Jo Lee ⋅ Review Editor": the name comes first.
        yield vocabulary.byline_name_end.split(rest, maxsplit=1)[0]


def _headline_bylines(tree: HtmlElement, vocabulary: MetadataVocabulary) -> Iterator[str]:
    """Bylines with no label or class, right under the headline, known by their shape: a name,
    then a role or a date after a mark ("Jo Lee | Senior Writer | July 2, 2025")."""
    for h1 in tree.iter("h1"):
        for following in islice(h1.itersiblings(), 3):
            text = element_text(following) if isinstance(following.tag, str) else None
            if not text or len(text) >= _MAX_BYLINE_CHARS:
                continue
            name, *rest = [part.strip() for part in vocabulary.byline_mark.split(text)]
            if rest and any(parse_date(part) or _role(part, vocabulary) for part in rest):
                yield name


def _role(text: str, vocabulary: MetadataVocabulary) -> bool:
    return bool({w.lower() for w in re.findall(r"\w+", text)} & vocabulary.not_name_words)


def _outside_article(element: HtmlElement, vocabulary: MetadataVocabulary) -> bool:
    """Inside a footer, nav, aside or form, or inside a comment. An <article>'s own <footer>
    is the article's: HTML puts its author and date there ("Posted by Jo Lee on ...")."""
    for ancestor in element.iterancestors():
        if ancestor.tag == "footer" and any(a.tag == "article" for a in ancestor.iterancestors()):
            continue
        classes = ancestor.get("class") or ""
        if ancestor.tag in _NOT_CONTENT or any(word in classes for word in vocabulary.comment_classes):
            return True
    return False


def _text_after(element: HtmlElement) -> str | None:
    """The text right after a bare label: its first child, its tail, or its next element with
    text (an avatar <img> or <picture> often sits between "Written by:" and the name)."""
    if len(element) and isinstance(element[0].tag, str):
        return element_text(element[0])
    if element.tail and element.tail.strip():
        return clean(element.tail)
    for following in element.itersiblings():
        if not isinstance(following.tag, str):
            continue
        text = element_text(following)
        if text:
            return text if len(text) <= 80 else None
        if following.tail and following.tail.strip():
            return None
    return None


def _byline_elements(tree: HtmlElement, vocabulary: MetadataVocabulary) -> Iterator[HtmlElement]:
    """Small elements whose class names a byline."""
    for element in tree.iter("span", "div", "p", "a", "address"):
        cls = element.get("class") or ""
        if cls and vocabulary.byline_class.search(cls) and len(element) <= 3:
            yield element
