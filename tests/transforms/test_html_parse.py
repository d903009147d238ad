"""parse_html and the depth pre-check: one tree per page, whatever markup surrounds it."""

from __future__ import annotations

import pytest
from docclean.transforms.html import extract_html
from docclean.transforms.html_parse import html_nesting_depth, parse_html


@pytest.mark.parametrize(
    ("html", "depth"),
    [
        ("<div><div><p>x</div></div>", 2),
        ("<p>one<p>two<p>three", 0),
        ("<br><img src=x><hr/>", 0),
        ("<div>" * 50 + "x", 11),
    ],
    ids=["nested", "implicitly closed", "void", "stops past the limit"],
)
def test_nesting_depth_counts_only_tags_that_nest(html: str, depth: int) -> None:
    assert html_nesting_depth(html, 10) == depth


@pytest.mark.parametrize("html", ["", "  \n", "\x00\x01"])
def test_nothing_to_parse_gives_none(html: str) -> None:
    assert parse_html(html) is None


# libxml2 starts another top-level <html> for what follows `</html>` or a second document;
# lxml's walks (and trafilatura's copy of the tree) only see the first.
_SECOND_PART = "<p>The second half of the article explains how the new bridge will be paid for by the city.</p>"


@pytest.mark.parametrize(
    "html",
    [
        f"<html><body><p>First part.</p></body></html>{_SECOND_PART}",
        f"<!DOCTYPE html><html><body><p>First part.</p></body></html><html><body>{_SECOND_PART}</body></html>",
        f"<html><head><title>T</title></head><body><p>First part.</p></body></html>\n<!DOCTYPE html>"
        f"<html><head><meta name='author' content='Jane Doe'></head><body>{_SECOND_PART} tail</body></html>",
    ],
    ids=["markup after </html>", "second document", "second head and body"],
)
def test_markup_after_the_page_is_part_of_its_body(html: str) -> None:
    tree = parse_html(html)
    assert tree is not None
    assert [child.tag for child in tree] in (["body"], ["head", "body"])
    assert "First part." in tree.text_content()
    assert "paid for by the city" in tree.text_content()
    extraction = extract_html(html)
    assert "paid for by the city" in extraction.text


def test_a_second_documents_head_joins_the_first() -> None:
    html = (
        "<html><head><title>Bridge</title></head><body><p>First part.</p></body></html>"
        f"<html><head><meta name='author' content='Jane Doe'></head><body>{_SECOND_PART}</body></html>"
    )
    tree = parse_html(html)
    assert [e.get("name") for e in tree.find("head")] == [None, "author"]
    assert extract_html(html).hints.authors == ["Jane Doe"]


def test_every_element_is_a_plain_html_element_with_its_text_methods() -> None:
    # The parser's class lookup is lxml's C default, not lxml.html's per-element Python call:
    # form controls are HtmlElements too, and trafilatura's text_content() still works.
    tree = parse_html(
        "<html><body><form><label>Name</label><input name='q'><select></select></form><p>x</p></body></html>"
    )
    assert tree is not None
    assert {type(element).__name__ for element in tree.iter()} == {"HtmlElement"}
    assert " ".join(tree.text_content().split()) == "Name x"
