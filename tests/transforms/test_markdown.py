from __future__ import annotations

import pytest
from docclean.transforms.markdown import render_line


@pytest.mark.parametrize(
    ("line", "text", "rules"),
    [
        ("Written by [Angeline Tan](#) on May 1", "Written by Angeline Tan on May 1", {"markdown_link"}),
        ("see [the report](https://x.org/a_(b)) now", "see the report now", {"markdown_link"}),
        ("![alt text](img.png) Caption", "Caption", {"markdown_image"}),
        ("[![logo](l.png)](https://x.org)", "", {"markdown_image", "markdown_link"}),
        ("**bold** and *em* and __strong__ and _em_", "bold and em and strong and em", {"markdown_emphasis"}),
        (r"costs \$60 \* 2", "costs $60 * 2", {"markdown_escape"}),
        (r"\*not emphasis\*", "*not emphasis*", {"markdown_escape"}),
        ("## A heading ##", "A heading", {"markdown_heading"}),
        ("> quoted text", "quoted text", {"markdown_quote"}),
        ("a <https://x.org> link", "a link", {"markdown_link"}),
        ("---", "", {"separator"}),
        ("5 * 3 = 15, snake_case_name", "5 * 3 = 15, snake_case_name", set()),
        # html2text's empty <i>/<em> (an icon font's glyph): emphasis around nothing
        ("__", "", {"markdown_emphasis"}),
        ("$0.00 0 __ Basket", "$0.00 0 Basket", {"markdown_emphasis"}),
        ("Book now __", "Book now", {"markdown_emphasis"}),
        # ... but an icon link keeps its text: it is what makes the line a link (to the share bar)
        ("[__](https://twitter.com/intent/tweet)", "__", {"markdown_link"}),
        ("x = a ** b", "x = a ** b", set()),  # a lone "**" may be an operator: kept
        (r"fill in \_\_ here", "fill in __ here", {"markdown_escape"}),
    ],
)
def test_render_line(line: str, text: str, rules: set[str]) -> None:
    rendered = render_line(line)
    assert rendered.text == text
    assert {span.rule_id for span in rendered.spans} == rules


def test_spans_cover_exactly_the_removed_characters() -> None:
    line = "By [Jane](#) *now*"
    rendered = render_line(line)
    removed = "".join(line[s.start : s.end] for s in rendered.spans)
    assert removed == "[](#)**"
    assert rendered.text == "By Jane now"


def test_list_items_and_headings_are_flagged() -> None:
    assert render_line("- item").is_list_item
    assert render_line("12. item").is_list_item
    assert render_line("# Title").is_heading
    assert not render_line("-5 degrees").is_list_item


@pytest.mark.parametrize(
    "line",
    [
        "[" * 20_000 + "x" + "](" * 10_000,
        " *a" * 30_000,
        " _a" * 30_000,
        " **a" * 30_000,
        " ~~a" * 30_000,
        "<http:" * 30_000,
    ],
)
def test_pathological_lines_take_linear_time(line: str) -> None:
    import time

    started = time.process_time()  # CPU, not wall: a busy machine must not fail it
    render_line(line)
    assert time.process_time() - started < 2  # the quadratic matchers took 10 s and more here


def test_link_text_is_the_innermost_bracket_as_in_commonmark() -> None:
    assert render_line("[a [b](http://x)").text == "[a b"
