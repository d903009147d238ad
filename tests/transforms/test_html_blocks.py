"""Every block boundary of a page stays a boundary in the extracted text (no "risk.The")."""

from __future__ import annotations

import pytest
from docclean.transforms.clean import clean_document
from docclean.transforms.html import extract_html
from docclean.transforms.html_blocks import block_texts, boundary_joins, glued_tokens, reseparate
from docclean.transforms.html_parse import parse_html

_PROSE = (
    "The harbour board met on Tuesday evening to discuss the long delayed repairs to the north pier, "
    "which has been closed to boats since the storm in the early spring of last year. "
)
# Each fragment puts block elements side by side with no whitespace between them in the source.
FRAGMENTS = {
    "p": "<p>Ends at risk.</p><p>The next paragraph</p>",
    "div": "<div><div>Pier Survives</div><div>One more winter</div></div>",
    "li": "<ul><li><div>Item alpha</div><div>Item beta</div></li><li>Gamma</li></ul>",
    "h1-h6": "<h2><div>Kicker</div><div>Headline</div></h2><h3>Third</h3><h4>Fourth</h4><h5>Fifth</h5><h6>Sixth</h6>",
    "h1": "<h1><div>Topline</div><div>Main headline here</div></h1>",
    "br": "<p>First line<br>Second line<br/>Third line</p>",
    "td": "<table><tr><td>cellone</td><td>celltwo</td></tr><tr><th>headone</th><td>cellthree</td></tr></table>",
    "blockquote": "<blockquote><p>Quoted one.</p><p>Quoted two.</p></blockquote><p>After the quote</p>",
    "figure": "<figure><div>Picture words</div><figcaption>Caption words</figcaption></figure><p>Below</p>",
    "section": "<section><p>Section one ends.</p></section><section><p>Section two starts.</p></section>",
    "text-then-block": "<div>Loose text<p>Inner paragraph</p>tail text</div>",
    "inline-in-blocks": "<div><span>Spanned end</span></div><div><b>Bold</b> start</div>",
    "li-price": "<ul><li><div>homes for sale</div><div>$524,998</div></li><li>Verdi homes</li></ul>",
    # seams no letter-case rule sees: lower meets lower, digit meets digit, escaped code
    "a-divs": '<p><a href="/x"><div>Advertising</div><div>why not do it</div></a> and more</p>',
    "li-spec": "<ul><li><div>ISBN-10</div><div>0735211299</div></li><li><div>pages</div><div>320</div></li></ul>",
    "code-lines": "<pre><div>7</div><div>account_sid = env[SID]</div><div>8</div><div>auth_token = 1</div></pre>",
    "li-prices": "<ul><li><div>EUR9.30</div><div>EUR9.30</div><div>EUR</div></li><li>Other item here</li></ul>",
    "code-dunder": "<pre><div>55</div><div>app = Flask(__name__)</div><div>56</div><div>if __name__ == 1:</div></pre>",
    # a sale price block, then the old price struck through: the extractor writes "199€~~299€~~"
    "del-price": "<ul><li><div><div>199€</div><del>299€</del> (34% OFF)</div></li><li>Other item here</li></ul>",
}


def _page(fragment: str) -> str:
    return f"<html><body><article><p>{_PROSE}</p>{fragment}<p>{_PROSE}</p></article></body></html>"


@pytest.mark.parametrize("name", FRAGMENTS)
def test_no_block_boundary_is_glued(name: str) -> None:
    html = _page(FRAGMENTS[name])
    joins = boundary_joins(block_texts(parse_html(html)))
    assert joins  # the fixture has boundaries to check
    extraction = extract_html(html)
    doc = clean_document(
        extraction.text, hints=extraction.hints, prior_removals=extraction.removals, detect_prose=False
    )
    for text in (extraction.text, doc.text, extraction.hints.title or ""):
        assert glued_tokens(text, parse_html(html)) == [], text


def test_the_check_finds_glued_words() -> None:
    tree = parse_html(
        "<html><body><div>Pier Survives</div><div>One more</div><p>at risk.</p><p>The end</p></body></html>"
    )
    assert glued_tokens("Pier SurvivesOne more at risk.The end", tree) == ["SurvivesOne", "risk.The"]
    assert glued_tokens("Pier Survives One more at risk. The end", tree) == []


def test_a_concatenation_the_source_has_is_not_a_glue() -> None:
    blocks = ["say foo", "bar now", "foobar is a word"]
    assert "foobar" not in boundary_joins(blocks)


def test_preformatted_text_keeps_its_whitespace() -> None:
    html = _page("<pre>x = 1\ny = 2</pre>")
    assert "x = 1\ny = 2" in extract_html(html).text


def test_inline_elements_are_not_split() -> None:
    html = _page(
        "<p>The <span>harb</span>our board had a <span>bold</span>ly written plan, "
        "un<span>usual</span> in its reach.</p>"
    )
    assert "harbour board had a boldly written plan, unusual in its reach." in extract_html(html).text


def test_reseparate_leaves_a_page_past_its_search_budget_as_it_is() -> None:
    # 200,000 blocks run into one token: repairing would search boundaries x characters (minutes);
    # the text comes back unchanged instead, and the small page next to it is still repaired.
    blocks = [f"item{i}" for i in range(200_000)]
    glued = "".join(blocks)
    assert reseparate(glued, blocks) == glued
    assert reseparate("item0item1", ["item0", "item1"]) == "item0 item1"
