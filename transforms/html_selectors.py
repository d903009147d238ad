"""Elements picked by tag and attribute, as rule files write them, matched in one walk of a page.

A selector is `TAGS`, `TAGS[ATTRIBUTE=VALUE]` (equal), `TAGS[ATTRIBUTE*=TEXT]` (contains) or
`TAGS[ATTRIBUTE~=REGEX]` (a regex search); TAGS is `tag,tag,...` or `*` for any element. A bare
`TAGS` takes every element of those tags. A `SelectorGroup` picks an element when any of its
selectors does.

Why not XPath: lxml calls back into Python for every element an XPath `re:test()` looks at, once
per expression; reading each element's attributes once and testing every group on them gives the
same elements in a quarter of the time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml.html import HtmlElement

_SELECTOR = re.compile(r"(?P<tags>\*|[\w-]+(?:,[\w-]+)*)(?:\[(?P<attribute>[\w:-]+)(?P<op>=|\*=|~=)(?P<value>.+)\])?")


@dataclass(frozen=True, slots=True)
class Selector:
    """One selector; `tags` None for any element, `attribute` None for every element of `tags`."""

    tags: frozenset[str] | None
    attribute: str | None = None
    op: str = "="
    value: str = ""
    pattern: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, text: str) -> Selector:
        """
        >>> Selector.parse("div,span[class~=author-?name]").matches({"class": "post-authorname"})
        True
        """
        m = _SELECTOR.fullmatch(text.strip())
        if m is None:
            forms = "TAGS, TAGS[ATTRIBUTE=VALUE], TAGS[ATTRIBUTE*=TEXT] or TAGS[ATTRIBUTE~=REGEX]"
            raise ValueError(f"not a selector: {text!r} ({forms})")
        tags = None if m["tags"] == "*" else frozenset(m["tags"].split(","))
        if m["attribute"] is None:
            return cls(tags)
        pattern = re.compile(m["value"]) if m["op"] == "~=" else None
        return cls(tags, m["attribute"], m["op"], m["value"], pattern)

    def matches(self, attributes: dict[str, str]) -> bool:
        """Whether an element of one of `tags` with these attributes is picked."""
        if self.attribute is None:
            return True
        value = attributes.get(self.attribute)
        if value is None:
            return False
        if self.pattern is not None:
            return self.pattern.search(value) is not None
        return value == self.value if self.op == "=" else self.value in value


# One regex per attribute stands for every selector of a group on that attribute; a pattern's
# leading global flags ("(?i)x") would be an error inside the alternation, so they are scoped.
_GLOBAL_FLAGS = re.compile(r"\A\(\?([aiLmsux]+)\)")
AttributeTests = tuple[tuple[str, re.Pattern[str]], ...]


def _as_regex(selector: Selector) -> str:
    if selector.op == "~=":
        value = selector.value
        return _GLOBAL_FLAGS.sub(r"(?\1:", value) + ")" if _GLOBAL_FLAGS.match(value) else value
    escaped = re.escape(selector.value)
    return rf"\A{escaped}\Z" if selector.op == "=" else escaped


def _attribute_tests(selectors: Iterable[Selector]) -> AttributeTests:
    """(attribute, one regex that any of `selectors` on that attribute would match), per attribute."""
    by_attribute: dict[str, list[str]] = {}
    for selector in selectors:
        if selector.attribute is not None:
            by_attribute.setdefault(selector.attribute, []).append(f"(?:{_as_regex(selector)})")
    return tuple((attribute, re.compile("|".join(parts))) for attribute, parts in by_attribute.items())


@dataclass(frozen=True, slots=True)
class SelectorGroup:
    """Selectors, any one of which picks an element; indexed by tag, one regex per attribute.

    Testing each selector on each element of a page was 2.4M calls on 300 WCXB-dev pages; an
    element is now looked at once per attribute the group reads.
    """

    bare_tags: frozenset[str]  # tags picked whatever their attributes
    any_element: bool  # a bare `*`: every element
    by_tag: dict[str, AttributeTests]
    any_tag: AttributeTests

    @classmethod
    def of(cls, texts: Iterable[str]) -> SelectorGroup:
        selectors = [Selector.parse(text) for text in texts]
        bare = frozenset(tag for s in selectors if s.attribute is None for tag in s.tags or ())
        by_tag: dict[str, list[Selector]] = {}
        for selector in selectors:
            for tag in selector.tags or ():
                by_tag.setdefault(tag, []).append(selector)
        return cls(
            bare,
            any(s.tags is None and s.attribute is None for s in selectors),
            {tag: tests for tag, group in by_tag.items() if (tests := _attribute_tests(group))},
            _attribute_tests(s for s in selectors if s.tags is None),
        )

    def matches(self, tag: str, attributes: Mapping[str, str]) -> bool:
        """Whether an element of `tag` with these attributes (a dict, or lxml's `attrib`) is picked."""
        if self.any_element or tag in self.bare_tags:
            return True
        for attribute, pattern in (*self.by_tag.get(tag, ()), *self.any_tag):
            value = attributes.get(attribute)
            if value is not None and pattern.search(value) is not None:
                return True
        return False


def select(tree: HtmlElement, groups: tuple[SelectorGroup, ...]) -> tuple[list[HtmlElement], ...]:
    """The elements of `tree` (itself included) each group picks, in document order: one walk."""
    found: tuple[list[HtmlElement], ...] = tuple([] for _ in groups)
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        attributes = element.attrib
        for picked, group in zip(found, groups, strict=True):
            if group.matches(tag, attributes):
                picked.append(element)
    return found
