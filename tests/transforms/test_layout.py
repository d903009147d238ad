"""Layout detection and block reading: any flattened text reads into the same blocks."""

from __future__ import annotations

import re
import textwrap

import pytest
from docclean.transforms.clean import clean_document
from docclean.transforms.layout import _TABLE, LINK_MAX_LINES, _has_markup, _is_table, detect_layout, read_layout
from docclean.transforms.lines import LineDocument
from docclean.transforms.normalize import prepare_text
from docclean.transforms.templates import learn_site_profile
from hypothesis import given, settings
from hypothesis import strategies as st

ARTICLE = [
    "Council approves new river crossing",
    "The city council voted on Monday to build a new bridge across the river, ending a debate "
    "that has run for more than a decade and divided the neighbourhoods on either bank.",
    "Construction is expected to start next spring and to take about three years, according "
    "to the engineers who presented the plans to the council at the start of the meeting.",
    "Residents who spoke at the meeting were mostly in favour, although some of them said that "
    "the traffic on the narrow streets near the old ferry landing would become much worse.",
    "The mayor said the bridge would be paid for by a regional fund and would not raise taxes "
    "for anyone living in the city, a promise that opponents said they would hold her to.",
]
TOWNS = ["Ashford", "Bexley", "Carlow", "Dunmore", "Elgin", "Falkirk"]
MENU = ["Home", "World", "Business", "Sport", "Weather", "Contact Us"]
FOOTER = (
    "Copyright Example Daily Post. All rights reserved. Read our privacy policy and terms of use before you comment."
)


def _page(n: int, style: str) -> str:
    """Page n of a synthetic site: a menu, an article, a footer, in one flattening style."""
    # Words, not digits, tell the pages apart: template keys fold digits.
    paras = [f"{ARTICLE[0]} in {TOWNS[n]}", *(f"{p} {TOWNS[n]} adds its own detail here." for p in ARTICLE[1:])]
    if style == "markdown":
        return "\n".join(f"* [{m}](/{m.lower()})" for m in MENU) + "\n\n# " + "\n\n".join(paras) + f"\n\n{FOOTER}\n"
    if style == "wet":
        return "\n".join([*MENU, *paras, FOOTER]) + "\n"
    body = [textwrap.fill(p, 78) for p in [*paras, FOOTER]]
    if style == "wrapped":
        return "\n".join(MENU) + "\n\n" + "\n\n".join(body) + "\n"
    return "\n".join(MENU) + "\n\n" + "\n\n".join([*paras, FOOTER]) + "\n"  # plain


@pytest.mark.parametrize(
    ("style", "expected"), [("markdown", "markdown"), ("wet", "wet"), ("wrapped", "wrapped"), ("plain", "plain")]
)
def test_layout_is_detected_per_document(style: str, expected: str) -> None:
    assert clean_document(_page(1, style)).text_layout == expected


def test_wrapped_paragraphs_are_rejoined_and_map_back_to_their_lines() -> None:
    text = prepare_text(_page(1, "wrapped"))
    doc = LineDocument.parse(text)
    joined = [line for line in doc.lines if "\n" in line.raw]
    assert len(joined) == 5  # four article paragraphs and the footer, each over several lines
    for line in joined:
        assert text[line.start : line.end] == line.raw
        assert "\n" not in line.text
    assert any(line.text.endswith("Bexley adds its own detail here.") for line in joined)


@pytest.mark.parametrize("style", ["markdown", "wet", "wrapped", "plain"])
def test_site_template_and_menu_go_in_every_layout(style: str) -> None:
    pages = [_page(n, style) for n in range(6)]
    profile = learn_site_profile("example.com", pages)
    doc = clean_document(pages[0], site_profile=profile)
    assert "Construction is expected to start next spring" in doc.text
    assert "The mayor said the bridge" in doc.text
    assert "privacy policy" not in doc.text
    assert "Contact Us" not in doc.text and "Weather" not in doc.text
    text = prepare_text(pages[0])
    for removal in doc.removals:
        assert text[removal.start : removal.end] == removal.text


@pytest.mark.parametrize("style", ["wet", "wrapped"])
def test_one_page_of_an_unknown_site_loses_its_menu(style: str) -> None:
    doc = clean_document(_page(3, style))
    assert "Weather" not in doc.text
    assert "Residents who spoke at the meeting" in doc.text


def test_a_footer_wrapped_on_one_page_and_not_on_another_is_the_same_template() -> None:
    pages = [_page(n, "wrapped") for n in range(3)] + [_page(n, "wet") for n in range(3, 6)]
    profile = learn_site_profile("example.com", pages)
    for page in (pages[0], pages[-1]):
        assert "privacy policy" not in clean_document(page, site_profile=profile).text


NEGATIVES = {
    "short paragraph": "It rained.",
    "one-line quote": '"We will not give up," she said.',
    "list in an article": "You will need:\n2 cups of flour\n1 egg\na pinch of salt\nwarm water",
    "poem": "The fog comes\non little cat feet.\nIt sits looking\nover harbor and city\nand moves on.",
    "address": "Write to us at:\nExample Daily Post\n12 High Street\nSpringfield\nSP1 2AB",
}


@pytest.mark.parametrize("name", sorted(NEGATIVES))
@pytest.mark.parametrize("style", ["wet", "wrapped"])
def test_short_lines_inside_an_article_survive(name: str, style: str) -> None:
    """A poem, an address, a list or a short paragraph between paragraphs is article, not menu."""
    paras = [textwrap.fill(p, 78) if style == "wrapped" else p for p in ARTICLE[1:]]
    text = "\n\n".join([ARTICLE[0], paras[0], paras[1], NEGATIVES[name], paras[2], paras[3]]) + "\n"
    doc = clean_document(text)
    for line in NEGATIVES[name].split("\n"):
        assert line in doc.text


def test_layouts_of_unwrapped_text() -> None:
    assert detect_layout(["Menu", "Home", "A sentence.", "Another."]).style == "wet"
    assert detect_layout(["A paragraph.", "", "Another one.", "", "A third."]).style == "plain"
    assert detect_layout([("a long paragraph of words " * 12).strip()] * 8).style != "wrapped"


def _wrapped(*paragraphs: str) -> list[str]:
    """Paragraphs hard-wrapped at 78 columns, a blank line after each."""
    return [line for p in paragraphs for line in [*textwrap.wrap(p, 78), ""]]


def test_list_items_headings_and_table_rows_are_never_joined() -> None:
    full_lines = textwrap.wrap(ARTICLE[1], 78)[:-1]  # every one is full: the next word did not fit
    lines = [*_wrapped(*ARTICLE[2:]), *full_lines, "* an item that follows a full line", "# A heading", "a | b | c"]
    lines.append("end of it.")
    n = len(lines) - 4
    assert read_layout(lines)[1][-4:] == [(n, n + 1), (n + 1, n + 2), (n + 2, n + 3), (n + 3, n + 4)]


def test_a_wrapped_line_with_a_pipe_between_words_is_prose_but_table_rows_stay_apart() -> None:
    byline = ["By Ann Lee, Tom Park and Li Wei | Published March 3, 2021 at 10:30 am in the", "city"]
    table = ["Name | Role " + "x" * 60, "---|---", "Ann Lee | Writer " + "y" * 58]
    n = len(_wrapped(*ARTICLE[1:]))
    _, blocks = read_layout([*_wrapped(*ARTICLE[1:]), *byline, "", *table])
    assert blocks[-4:] == [(n, n + 2), (n + 3, n + 4), (n + 4, n + 5), (n + 5, n + 6)]


def test_wrapping_needs_evidence_not_lines_of_one_length() -> None:
    """A wrapper breaks wherever a word ends: lines of varying lengths up to the width, and a
    paragraph's last line shorter. A line repeated, or different lines that share a length, are
    no evidence; nor are long one-line paragraphs that never continue each other."""
    assert detect_layout(_wrapped(*ARTICLE[1:])).wrap_width == 78
    sentence = "The council met on Monday and approved the new budget after a long debate."
    assert detect_layout([sentence] * 6 + ["It rained."]).style != "wrapped"
    same_length = [f"{word} " + "x " * 30 + "end" for word in ("one", "two", "six", "ten", "red", "sky", "dog")]
    assert len({len(line) for line in same_length}) == 1
    assert detect_layout([*same_length, "It rained."]).style != "wrapped"
    one_line_paragraphs = [" ".join(p.split()[:n]) for p in ARTICLE[1:] for n in (11, 12, 13)]
    assert detect_layout([line for p in one_line_paragraphs for line in (p, "")]).style != "wrapped"
    # Found by the idempotence property: five equal lines read as wrapped once a quote mark went.
    lines = ["000000000000000000000000 0"] * 5 + ["00000000000000000000000000000000000000 0"]
    assert detect_layout(lines).style != "wrapped"
    # Different lines of three lengths, but piled up far under the one line that sets the width.
    lines = ["Bold claim with emphasis and a link", "0" * 24 + " 1", "0" * 23 + "1 0", "0" * 22 + "10 0"]
    assert detect_layout([*lines, "0" * 38 + " 0", "0" * 24 + " 0"]).style != "wrapped"


# The one regex markup detection searched each line with before it was split for speed.
_MARKUP_SEARCHED = re.compile(r"\]\(|^\s*#{1,6}\s|^\s{0,3}[-*+]\s|\*\*|^\s*>|^\s*\|")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \t\u00a0\u2003#-*+>|]()=_a1", max_size=14))
def test_markup_and_table_tests_answer_as_the_single_searches(line: str) -> None:
    assert _has_markup(line) == bool(_MARKUP_SEARCHED.search(line))
    assert _is_table(line) == bool(_TABLE.search(line))


def test_a_final_newline_does_not_change_the_layout() -> None:
    # Found by the idempotence property: "A\nA\n" read as plain, its cleaned output "A\nA" as WET.
    for lines in (["One block", "Another block"], ["First para", "", "Second para"]):
        assert detect_layout([*lines, ""]).style == detect_layout(lines).style
        assert detect_layout(["", *lines, "", ""]).style == detect_layout(lines).style


def test_lines_over_the_width_with_a_url_in_them_do_not_hide_the_wrapping() -> None:
    # html2text breaks no link: a menu of links runs over the width on a page wrapped at 78.
    archive = "https://archive.example.org/web/20130203/http://www."
    menu = [f"[ {name}]({archive}{name.lower()}.example.com/)" for name in TOWNS]
    assert all(len(line) > 78 for line in menu)
    lines = [*menu, "", *_wrapped(*ARTICLE[1:])]
    assert detect_layout(lines).wrap_width == 78
    # Lines over the width that a wrapper could have broken still say the text was not wrapped.
    prose = [f"{p} {p}" for p in ARTICLE[1:]][:2]
    assert detect_layout([*prose, "", *_wrapped(*ARTICLE[1:])]).style != "wrapped"


def test_a_linked_heading_wrapped_over_two_lines_is_one_block() -> None:
    heading = ["## [Council approves new river crossing after a decade of debate over the", "bridge](/news/bridge)"]
    lines = [*_wrapped(*ARTICLE[1:]), *heading, "", "# A heading on its own", "Next paragraph."]
    n = len(_wrapped(*ARTICLE[1:]))
    layout, blocks = read_layout(lines)
    assert layout.wrap_width == 78
    assert blocks[-3:] == [(n, n + 2), (n + 3, n + 4), (n + 4, n + 5)]
    doc = LineDocument.parse("\n".join(lines))
    assert "Council approves new river crossing after a decade of debate over the bridge" in [
        line.text for line in doc.lines
    ]


@pytest.mark.parametrize("style", ["markdown", "wrapped"])
def test_a_link_around_a_teasers_blocks_is_one_link_line(style: str) -> None:
    # html2text writes <a><h3>…</h3><p>…</p></a> as "[ Headline", blank lines and "](/url)".
    teaser = "[ Storm closes the pier\n\nFerries will stop until the repairs are done.\n\n](/news/pier)"
    body = "\n".join(_wrapped(*ARTICLE[1:])) if style == "wrapped" else "\n\n".join(ARTICLE[1:])
    doc = LineDocument.parse(prepare_text(f"{body}\n\n{teaser}\n\nThe pier closed on Monday.\n"))
    texts = [line.text for line in doc.lines]
    assert "Storm closes the pier Ferries will stop until the repairs are done." in texts
    assert not any("](" in text for text in texts)
    assert texts[-1] == "The pier closed on Monday."
    # A bracket closed on its own line opens nothing: "[1]" and the next block stay apart.
    assert len(LineDocument.parse("See the note [1].\n\n](not a link)\n").lines) == 2


def test_a_word_wrapped_at_its_hyphen_is_one_word_again() -> None:
    # textwrap and html2text break "well-known" after the hyphen; a dash between words stays.
    sentence = (
        "The deal brought the year-to-date value to a record, and the well-known firm said it is "
        "a state-of-the-art result - for now. "
    )
    lines = textwrap.wrap(sentence * 4, 78)
    assert any(line.endswith("-") and line[-2].isalpha() for line in lines)
    doc = LineDocument.parse("\n".join(lines))
    assert doc.layout == "wrapped"
    assert doc.lines[0].text == " ".join(sentence.split() * 4)
    assert doc.lines[0].raw == "\n".join(lines)  # the source is untouched: offsets still hold


def test_links_closed_below_never_grow_a_block_past_a_teasers_length() -> None:
    # Brackets left open and link targets on every line below: merging without a bound made one
    # block of the whole document, re-read at every line (quadratic on a big page).
    lines = ["[" * 50 + " x"] + ["](y) [ z"] * 2000
    _, blocks = read_layout(lines)
    assert max(last - first for first, last in blocks) <= LINK_MAX_LINES
    assert blocks[-1][1] == len(lines)
