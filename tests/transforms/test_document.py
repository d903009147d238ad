"""One document through `transforms.document`: cleaned, rejected with a reason, its prepared text rebuilt."""

from __future__ import annotations

import pytest
from docclean.transforms.document import (
    CleanedSource,
    clean_source,
    prepared_text,
    site_without_url,
    template_text,
)
from docclean.transforms.models import SourceDocument
from docclean.transforms.rejects import Reject
from docclean.transforms.ruleset import RuleSet, default_ruleset

from tests.conftest import SEEDS

PAGE = (
    "<html><head><title>Storm Hits Coast | Daily Example</title></head><body><nav>Home News Sport</nav>"
    "<article><h1>Storm Hits Coast</h1><p>By Jane Doe</p>"
    "<p>The storm reached the <b>coast</b> on Monday night, officials said.</p><p>Share this article</p>"
    "<p>Dozens of homes lost power and two roads were closed by fallen trees.</p></article>"
    "<footer>Share on Facebook</footer></body></html>"
)
MARKDOWN = (
    "# Big News Today\n\n**By Jane Doe**\n\nThe council met on *Monday*.\n\n"
    "Share this article\n\nSubscribe to our newsletter\n"
)


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return default_ruleset()


def _cleaned(source: SourceDocument, ruleset: RuleSet, **kwargs) -> CleanedSource:
    out = clean_source(source, ruleset, **kwargs)
    assert isinstance(out, CleanedSource), out
    return out


def test_text_is_cleaned_and_filed_under_the_default_site(ruleset: RuleSet) -> None:
    source = SourceDocument("file:///in/a.txt", "text", b"Big News Today\n\nBy Jane Doe\n\nThe council met on Monday.")
    out = _cleaned(source, ruleset, default_site="example.org")
    assert (out.document.title, out.document.authors, out.document.text) == (
        "Big News Today",
        ["Jane Doe"],
        "The council met on Monday.",
    )
    assert out.hints.site == "example.org"


def test_markdown_syntax_and_boilerplate_are_removed_with_their_rules(ruleset: RuleSet) -> None:
    out = _cleaned(SourceDocument("file:///in/a.md", "markdown", MARKDOWN.encode()), ruleset)
    assert out.document.text == "The council met on Monday."
    assert [r.rule_id for r in out.document.removals] == [
        "title",
        "byline",
        "markdown_emphasis",
        "markdown_emphasis",
        "share_links",
        "subscription_block",
    ]


def test_html_keeps_the_article_and_the_container_wins_over_the_page(ruleset: RuleSet) -> None:
    meta = {"url": "https://www.Example.com/storm", "title": "Storm Hits the Coast"}
    out = _cleaned(SourceDocument("file:///in/a.jsonl#L1", "html", PAGE.encode(), meta), ruleset)
    assert out.hints.site == "example.com"
    assert out.document.title == "Storm Hits the Coast"  # the container's title, not the page's
    assert out.document.authors == ["Jane Doe"]
    # The page's headline is not the title given, so it stays in the body.
    assert out.document.text == (
        "Storm Hits Coast\n\nThe storm reached the coast on Monday night, officials said.\n\n"
        "Dozens of homes lost power and two roads were closed by fallen trees."
    )
    dropped = [(r.rule_id, r.text) for r in out.document.removals if r.start is None]
    assert dropped == [("html_boilerplate", "Home News Sport"), ("html_boilerplate", "Share on Facebook")]


@pytest.mark.parametrize(
    ("data", "fmt", "detail"),
    [
        (b"", "text", "the input has no bytes"),
        (b"  \n\n \t\n", "markdown", "the document has only whitespace"),
        (b"   ", "html", "the document has only whitespace"),
    ],
)
def test_an_empty_document_is_rejected(ruleset: RuleSet, data: bytes, fmt: str, detail: str) -> None:
    assert clean_source(SourceDocument("file:///in/x", fmt, data), ruleset) == Reject("empty", detail)


def test_html_nested_too_deep_is_rejected_before_it_is_parsed(ruleset: RuleSet) -> None:
    page = ("<div>" * 60 + "text" + "</div>" * 60).encode()
    out = clean_source(SourceDocument("file:///in/deep.html", "html", page), ruleset, max_html_depth=50)
    assert out == Reject("too_deep", "elements nest over 50 levels deep (limit)")
    assert isinstance(clean_source(SourceDocument("file:///in/deep.html", "html", page), ruleset), CleanedSource)


def test_bytes_that_are_not_text_are_rejected_with_the_decoder_reason(ruleset: RuleSet) -> None:
    out = clean_source(SourceDocument("file:///in/x.txt", "text", b"\x89PNG\r\n\x1a\n" + bytes(64)), ruleset)
    assert isinstance(out, Reject) and out.reason == "binary"


@pytest.mark.parametrize(
    "source",
    [
        SourceDocument("file:///in/004.txt", "text", (SEEDS / "004_d555b713710f6780.txt").read_bytes()),
        SourceDocument("file:///in/a.md", "markdown", MARKDOWN.encode()),
        SourceDocument("file:///in/a.html", "html", PAGE.encode(), {"url": "https://example.com/storm"}),
        SourceDocument("file:///in/b.html", "html", PAGE.encode("cp1252"), {"charset": "cp1252"}),
    ],
    ids=["text", "markdown", "html", "html-charset"],
)
def test_removal_offsets_index_the_rebuilt_prepared_text_exactly(ruleset: RuleSet, source: SourceDocument) -> None:
    out = _cleaned(source, ruleset)
    prepared = prepared_text(source.data, source.format, source.meta)
    assert isinstance(prepared, str) and len(prepared) == out.document.source_chars
    placed = [r for r in out.document.removals if r.start is not None]
    assert len(placed) >= 3
    assert [prepared[r.start : r.end] for r in placed] == [r.text for r in placed]


def test_prepared_text_of_bytes_that_are_not_text_is_a_reject() -> None:
    out = prepared_text(b"\x00" * 64, "text")
    assert isinstance(out, Reject) and out.reason == "binary"


def test_template_text_is_the_text_and_site_cleaning_uses() -> None:
    html = SourceDocument("file:///in/a.html", "html", PAGE.encode(), {"url": "https://www.example.com/storm"})
    page = template_text(html)
    assert page is not None and not isinstance(page, Reject)
    assert page.site == "example.com" and page.extraction is not None
    assert page.text == page.extraction.text and "Dozens of homes" in page.text and "Home News" not in page.text
    text = SourceDocument("file:///data/news.example/a.txt", "text", b"Menu\n\nA story.")
    folder = site_without_url(text.source_uri, site_from_folder=True)
    assert folder == "news.example"
    page = template_text(text, default_site=folder)
    assert page is not None and not isinstance(page, Reject)
    assert (page.site, page.text, page.extraction) == ("news.example", "Menu\n\nA story.", None)
    assert template_text(SourceDocument("file:///in/x", "warc", b"", error=None)) is None
    assert template_text(SourceDocument("file:///in/e.txt", "text", b"")) == Reject("empty", "the input has no bytes")
