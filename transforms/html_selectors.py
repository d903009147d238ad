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
from collections.abc import Iterable
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


@dataclass(frozen=True, slots=True)
class SelectorGroup:
    """Selectors, any one of which picks an element; indexed by tag for the walk."""

    by_tag: dict[str, tuple[Selector, ...]]
    any_tag: tuple[Selector, ...]

    @classmethod
    def of(cls, texts: Iterable[str]) -> SelectorGroup:
        selectors = [Selector.parse(text) for text in texts]
        by_tag: dict[str, list[Selector]] = {}
        for selector in selectors:
            for tag in selector.tags or ():
                by_tag.setdefault(tag, []).append(selector)
        return cls({tag: tuple(s) for tag, s in by_tag.items()}, tuple(s for s in selectors if s.tags is None))

    def matches(self, tag: str, attributes: dict[str, str]) -> bool:
        for selector in self.by_tag.get(tag, ()):
            if selector.matches(attributes):
                return True
        return any(selector.matches(attributes) for selector in self.any_tag)


def select(tree: HtmlElement, groups: tuple[SelectorGroup, ...]) -> tuple[list[HtmlElement], ...]:
    """The elements of `tree` (itself included) each group picks, in document order: one walk."""
    found: tuple[list[HtmlElement], ...] = tuple([] for _ in groups)
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        attributes = dict(element.items()) if len(element.attrib) else {}
        for picked, group in zip(found, groups, strict=True):
            if group.matches(tag, attributes):
                picked.append(element)
    return found
