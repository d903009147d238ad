"""Byline elements: the rule files' selectors pick what trafilatura's author XPaths pick."""

from __future__ import annotations

import pytest
from docclean.transforms.html_bylines import page_authors
from docclean.transforms.html_parse import parse_html
from docclean.transforms.html_selectors import Selector, SelectorGroup, select
from docclean.transforms.html_vocabulary import metadata_vocabulary
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

# One element for every selector of `byline_elements_*`, near misses beside them (a tag the
# selector does not take, another attribute, a value that only contains the word), and
# discarded blocks around some.
PAGE = """<html><head><link rel="author" href="/jo"></head><body>
<author>Jo Lee</author>
<div rel="author">Rel Div</div><span id="author">Id Span</span><p class="author">Class P</p>
<strong itemprop="author name">Item Strong</strong><a data-testid="AuthorCard">Card</a>
<address data-testid="AuthorURL">Url</address><span class="post-authorname">Joined</span>
<section class="author">Section is not in the first tier</section>
<h3 class="byline">By Ann Roe</h3><h4 class="username">aroe</h4><span class="byl">Byl</span>
<p class="BBL">Bbl</p><div itemprop="creator author">Item</div><div id="xiaobian">Xiao</div>
<p class="submitted-by">Sub</p><h5 class="byline">h5 is only a last resort</h5>
<li data-component="BylineBlock">Comp</li><li itemprop="authors">Props</li><b id="Author2">Id</b>
<em class="screenname">Screen</em><td class="writer">Writer</td><i class="Byline">Cap</i>
<div class="comments"><span class="author">Commenter</span></div>
<div id="comment-list"><p class="author">Another</p></div>
<figure><figcaption class="author">Photographer</figcaption></figure>
<time class="byline">Today</time><span class="sidebar"><a class="author">Side</a></span>
<section data-component="FigureBlock"><p class="byline">Fig</p></section>
<div class="title"><span class="byline">Title</span></div><div class="meta-date author">Date</div>
<p class="authority">Authority has author in it</p><p class="AUTHOR">Upper case</p>
</body></html>"""


def _vocabulary():
    return metadata_vocabulary()


def test_selectors_pick_what_trafilaturas_xpaths_pick() -> None:
    tree = parse_html(PAGE)
    vocabulary = _vocabulary()
    *tiers, discarded = select(tree, (*vocabulary.byline_elements, vocabulary.byline_discarded))
    assert tiers == [list(xpath(tree)) for xpath in AUTHOR_XPATHS]
    assert {e for e in discarded if e is not tree} == {e for xpath in AUTHOR_DISCARD_XPATHS for e in xpath(tree)}
    assert all(tiers) and discarded  # the page exercises every group


def test_authors_skip_discarded_blocks_and_take_the_strongest_tier_first() -> None:
    page = """<html><body><div class="comments"><span class="author">Sam Commenter</span></div>
    <article><p>Text of the article, long enough to be one.</p>
    <div class="writer">Ann Roe</div><span class="author">Jo Lee</span></article></body></html>"""
    people, orgs = page_authors(parse_html(page), {}, [], [], set(), _vocabulary())
    assert (people, orgs) == (["Jo Lee"], [])


@pytest.mark.parametrize(
    ("selector", "attributes", "picked"),
    [
        ("div[class=author]", {"class": "author"}, True),
        ("div[class=author]", {"class": "authors"}, False),
        ("div[class*=author]", {"class": "co-authors"}, True),
        ("div[class~=^author]", {"class": "co-author"}, False),
        ("div[itemprop=author name]", {"itemprop": "author name"}, True),
        ("div", {}, True),
        ("*[id~=[Aa]uthor]", {"id": "Author"}, True),
        ("*[id~=[Aa]uthor]", {}, False),
    ],
)
def test_selector_forms(selector: str, attributes: dict[str, str], picked: bool) -> None:
    assert Selector.parse(selector).matches(attributes) is picked


def test_a_group_takes_a_selectors_tags_only() -> None:
    group = SelectorGroup.of(["p,span[class=byline]", "author"])
    assert group.matches("span", {"class": "byline"})
    assert not group.matches("div", {"class": "byline"})
    assert group.matches("author", {})


@pytest.mark.parametrize("text", ["", "div[class]", "div[=x]", "[class=x]", "div span"])
def test_a_malformed_selector_says_what_forms_there_are(text: str) -> None:
    with pytest.raises(ValueError, match="ATTRIBUTE~=REGEX"):
        Selector.parse(text)
