"""extract_html: main text, metadata hints and dropped furniture, on small pages written for the tests."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import datetime

import pytest
from docclean.transforms.html import (
    MAX_REMOVAL_CHARS,
    RULE_ID,
    HtmlExtraction,
    _tidy_markdown,
    extract_html,
    fallback_text,
)
from docclean.transforms.html_metadata import strip_site_suffix
from docclean.transforms.html_parse import parse_html
from docclean.transforms.models import DocumentHints
from docclean.transforms.ruleset import packaged_rule_sources, parse_ruleset

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head>
<title>Council Approves New Bridge | Riverside Gazette</title>
<meta property="og:site_name" content="Riverside Gazette">
<meta property="og:title" content="Council Approves New Bridge">
<meta property="article:published_time" content="2024-03-05T22:30:00-05:00">
<meta name="author" content="Jane Doe">
<link rel="canonical" href="/news/bridge">
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>Council Approves New Bridge</h1>
<p class="byline">By Jane Doe</p>
<p>The city council voted on Tuesday to build a new bridge across the river, ending a debate that
has lasted more than a decade.</p>
<figure><img src="b.jpg"><figcaption>The old bridge at dusk. Photo: John Smith/Reuters</figcaption></figure>
<p>Construction will begin next spring and is expected to take two years, according to the city
engineer, who presented the plans.</p>
<h2>Costs</h2>
<p>The project will cost an estimated 40 million dollars, most of it paid by a regional transport
grant approved last year.</p>
<ul><li>Two lanes for cars</li><li>A separate cycle path</li></ul>
<div class="newsletter"><p>Sign up for our newsletter</p>
<p>Get the day's top stories in your inbox every morning.</p></div>
</article></main>
<aside><h3>Related stories</h3><ul><li><a href="/a">Mayor resigns</a></li>
<li><a href="/b">Rail line reopens</a></li></ul></aside>
<footer><p>© 2024 Riverside Gazette. All rights reserved.</p></footer>
</body></html>"""

NEWS_TEXT = """# Council Approves New Bridge

The city council voted on Tuesday to build a new bridge across the river, ending a debate that has lasted more than a decade.

Construction will begin next spring and is expected to take two years, according to the city engineer, who presented the plans.

## Costs

The project will cost an estimated 40 million dollars, most of it paid by a regional transport grant approved last year.

- Two lanes for cars
- A separate cycle path"""  # noqa: E501

JSON_LD_PAGE = """<html lang="de"><head><title>Ein Fuchs im Garten - Tagesblatt</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Tagesblatt"},
  {"@type": "NewsArticle", "headline": "Ein Fuchs im Garten",
   "datePublished": "2023-11-02T08:15:00+01:00",
   "author": [{"@type": "Person", "name": "Anna Schmidt"}, {"@type": "Person", "name": "Max Muster"}]}
]}
</script></head><body><div id="content"><h1>Ein Fuchs im Garten</h1>
<p>Am Donnerstagmorgen hat eine Familie in der Innenstadt einen jungen Fuchs in ihrem Garten entdeckt,
der sich unter einer Hecke versteckt hatte.</p>
<p>Die Feuerwehr brachte das Tier nach einer Stunde in einen nahegelegenen Wald, wo es sofort im
Unterholz verschwand.</p></div></body></html>"""

BYLINE_PAGE = """<html lang="fr-FR"><head><title>Le marché reprend - Journal du Port</title></head><body>
<article><h2>Le marché reprend</h2>
<p>Par <a rel="author" href="/auteurs/claire">Claire Martin</a> · <time datetime="2022-06-14">14 juin 2022</time></p>
<p>Le marché du samedi a rouvert ses portes après trois semaines de travaux sur la place principale de la ville.</p>
<p>Les commerçants se disent soulagés et espèrent retrouver rapidement leur clientèle avant l'été.</p>
</article></body></html>"""


@pytest.fixture(scope="module")
def news() -> HtmlExtraction:
    return extract_html(NEWS_PAGE, url="https://riverside.example/news/bridge?ref=home")


def test_news_text_keeps_structure_and_drops_furniture(news: HtmlExtraction) -> None:
    # Byline, figcaption, newsletter box, related links, nav and footer are all gone;
    # headings and list items keep their markdown markers for the rule engine.
    assert news.text == NEWS_TEXT


def test_news_metadata_from_og_tags(news: HtmlExtraction) -> None:
    assert news.hints == DocumentHints(
        url="https://riverside.example/news/bridge",
        site="Riverside Gazette",
        title="Council Approves New Bridge",
        authors=["Jane Doe"],
        published_at=datetime(2024, 3, 5, 22, 30),  # the page's own time (UTC-5): its publish day
        language="en",
        published_utc_offset=-300,
    )


def test_news_removals_are_outer_furniture(news: HtmlExtraction) -> None:
    assert [(r.rule_id, r.text, r.start, r.end) for r in news.removals] == [
        (RULE_ID, "Home News Sport", None, None),
        (RULE_ID, "Related stories Mayor resigns Rail line reopens", None, None),
        (RULE_ID, "© 2024 Riverside Gazette. All rights reserved.", None, None),
    ]
    assert all(r.reason.startswith("HTML element dropped") for r in news.removals)


def test_json_ld_metadata_on_a_german_page() -> None:
    result = extract_html(JSON_LD_PAGE)
    assert result.hints == DocumentHints(
        url=None,
        site="Tagesblatt",
        title="Ein Fuchs im Garten",
        authors=["Anna Schmidt", "Max Muster"],
        published_at=datetime(2023, 11, 2, 8, 15),  # 08:15+01:00 as the page states it
        language="de",
        published_utc_offset=60,
    )
    assert result.text == (
        "# Ein Fuchs im Garten\n\n"
        "Am Donnerstagmorgen hat eine Familie in der Innenstadt einen jungen Fuchs in ihrem Garten "
        "entdeckt, der sich unter einer Hecke versteckt hatte.\n\n"
        "Die Feuerwehr brachte das Tier nach einer Stunde in einen nahegelegenen Wald, wo es sofort im "
        "Unterholz verschwand."
    )
    assert result.removals == []


def test_rel_author_time_element_and_title_suffix() -> None:
    hints = extract_html(BYLINE_PAGE).hints
    assert (hints.title, hints.authors, hints.published_at, hints.language, hints.site) == (
        "Le marché reprend",
        ["Claire Martin"],
        datetime(2022, 6, 14),
        "fr",
        None,  # no og:site_name and no URL: nothing to name the site by
    )


def test_site_falls_back_to_url_host() -> None:
    page = "<html><body><p>A short note about the weather on the coast this weekend.</p></body></html>"
    assert extract_html(page, url="https://www.weather.example/coast").hints.site == "weather.example"


def test_byline_class_and_json_ld_author_string() -> None:
    page = """<html><head><script type="application/ld+json">
    {"@type": "BlogPosting", "author": {"@type": "Person", "name": "Li Wei"}, "datePublished": "2021-01-09"}
    </script></head><body><span class="author-name">Someone Else</span>
    <p>A post about sourdough starters and how long they keep in the fridge between bakes.</p></body></html>"""
    hints = extract_html(page).hints
    assert (hints.authors, hints.published_at) == (["Li Wei"], datetime(2021, 1, 9))
    byline_only = page.replace('"author": {"@type": "Person", "name": "Li Wei"}, ', "")
    assert extract_html(byline_only).hints.authors == ["Someone Else"]


def test_author_meta_url_is_not_a_name() -> None:
    page = """<html><head><meta property="article:author" content="https://social.example/jdoe">
    <meta name="author" content="By Jane Doe and Max Muster"></head><body><p>Text.</p></body></html>"""
    assert extract_html(page).hints.authors == ["Jane Doe", "Max Muster"]


def test_date_from_url_path_when_page_has_none() -> None:
    page = "<html><body><p>Notes from the harvest festival, with photos to follow soon.</p></body></html>"
    hints = extract_html(page, url="https://blog.example/2019/07/04/harvest/").hints
    assert hints.published_at == datetime(2019, 7, 4)


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Council Approves New Bridge | Riverside Gazette", "Riverside Gazette", "Council Approves New Bridge"),
        ("Riverside Gazette - Council Approves New Bridge", "Riverside Gazette", "Council Approves New Bridge"),
        ("Council Approves New Bridge - Gazette", None, "Council Approves New Bridge"),
        ("Home - Acme", None, "Home - Acme"),  # too short to tell headline from site
        ("A-ha - the band", None, "A-ha - the band"),
    ],
)
def test_strip_site_suffix(title: str, site: str | None, expected: str) -> None:
    assert strip_site_suffix(title, site) == expected


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "<!-- only a comment -->",
        "</p></div>",
        "\x00\x01\x02",
        "<html><head><title>Only a title</title></head></html>",
        "<?xml version='1.0' encoding='iso-8859-1'?>",
    ],
)
def test_empty_or_hopeless_input_gives_empty_text(html: str) -> None:
    result = extract_html(html, url="https://example.org/x")
    assert result.text == ""
    assert result.removals == []
    assert result.hints.url == "https://example.org/x"


def test_broken_html_never_raises_and_keeps_words() -> None:
    page = (
        "<html><body><div><p>Unclosed paragraph with some words in it that go on for a while"
        "<div><b>bold <i>nested</b></i> text here</p></table></span><script>var x = '<p>"
    )
    result = extract_html(page)
    assert result.text.split() == [
        "Unclosed",
        "paragraph",
        "with",
        "some",
        "words",
        "in",
        "it",
        "that",
        "go",
        "on",
        "for",
        "a",
        "while",
        "bold",
        "nested",
        "text",
        "here",
    ]


def test_xml_declaration_with_encoding_is_ignored() -> None:
    page = "<?xml version='1.0' encoding='iso-8859-1'?><html><body><p>Café prices rose again.</p></body></html>"
    assert extract_html(page).text == "Café prices rose again."


def test_long_removal_is_truncated_at_a_word() -> None:
    links = " ".join(f"<a href='/{i}'>Section{i}</a>" for i in range(80))
    page = f"<html><body><nav>{links}</nav><article><p>{'Words of the story go on. ' * 10}</p></article></body></html>"
    (removal,) = extract_html(page).removals
    assert len(removal.text) <= MAX_REMOVAL_CHARS + 2
    assert removal.text.startswith("Section0 Section1 ")
    assert removal.text.endswith("Section20 …")


def test_fallback_text_drops_furniture_and_keeps_blocks() -> None:
    tree = parse_html(
        "<html><body><nav><a href='/'>Home</a></nav><script>track()</script>"
        "<h2>Opening hours</h2><ul><li>Monday: closed</li><li>Tuesday: 9-17</li></ul>"
        "<p>Call <b>ahead</b> on holidays.</p><footer>Contact us</footer></body></html>"
    )
    assert tree is not None
    assert fallback_text(tree) == ("## Opening hours\n\n- Monday: closed\n\n- Tuesday: 9-17\n\nCall ahead on holidays.")


def test_no_network_for_relative_links_and_images() -> None:
    # Nothing on the page is fetched: an unreachable host in src/href changes nothing.
    page = (
        "<html><body><img src='http://unreachable.invalid/a.png'><link rel='stylesheet' "
        "href='http://unreachable.invalid/s.css'><p>Plain words that stay on the page.</p></body></html>"
    )
    assert extract_html(page).text == "Plain words that stay on the page."


def test_organisation_and_username_authors_are_skipped() -> None:
    page = """<html><head><meta name="author" content="andrew.keaveney">
    <script type="application/ld+json">{"@type": "Article", "author": {"@type": "Organization", "name": "Acme"}}
    </script></head><body><p class="byline">By Priya Raman</p>
    <p>Long enough text about the harbour works, which will last until the end of next year.</p></body></html>"""
    assert extract_html(page).hints.authors == ["Priya Raman"]


def test_h1_headline_beats_a_reworded_og_title() -> None:
    page = """<html><head><meta property="og:title" content="Best Kettles 2025: Our Picks | Acme">
    <title>Best Kettles 2025 | Acme</title></head><body><header><h1>Acme</h1></header>
    <article><h1>The 5 Best Kettles We Tested</h1><p>We boiled a lot of water for this review.</p>
    </article></body></html>"""
    assert extract_html(page, url="https://acme.example/kettles").hints.title == "The 5 Best Kettles We Tested"


def test_underline_and_superscript_tags_become_plain_text() -> None:
    # trafilatura's markdown writes <u>, <sup> and <sub> as HTML tags; they are markup, not words.
    page = (
        "<html><body><article><p>The <u>MacBook Pro</u> costs less this week, and the room is 20 "
        "m<sup>2</sup> with a CO<sub>2</sub> sensor, the listing says.</p>"
        "<p>Second paragraph with enough words to count as the article body.</p></article></body></html>"
    )
    text = extract_html(page).text
    assert "<u>" not in text and "<sup>" not in text and "<sub>" not in text
    assert "The MacBook Pro costs less" in text


def test_tidy_keeps_tags_in_code_and_joins_source_indentation() -> None:
    text = (
        "Shares of **Acme**\n    (nyse:\n      ACM -\n\t\n       news\n    ) fell.\n\n"
        "- item one\n  - nested item\n\n"
        "Use `<u>` for underline.\n\n```\n<sup>x</sup>\n    indented code\n```"
    )
    assert _tidy_markdown(text) == (
        "Shares of **Acme** (nyse: ACM - news ) fell.\n\n"
        "- item one\n  - nested item\n\n"
        "Use `<u>` for underline.\n\n```\n<sup>x</sup>\n    indented code\n```"
    )


def test_importing_the_extractor_configures_no_logging() -> None:
    # A fresh interpreter: whether trafilatura's warnings show is the application's choice.
    code = "import logging, transforms.html; print(logging.getLogger('trafilatura').level)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(logging.NOTSET)


def test_extract_html_reads_metadata_words_from_the_rule_set_it_is_given() -> None:
    page = (
        "<html><body><article><h1>Harbour Works Delayed</h1><p>Napisała Ana Ruiz</p>"
        "<p>The harbour works will last until the end of next year, the port authority said.</p>"
        "</article></body></html>"
    )
    spanish = parse_ruleset(
        dict(packaged_rule_sources(), **{"zz_user.toml": '[words]\nbyline_labels = ["napisała"]\n'})
    )
    assert extract_html(page).hints.authors == []
    assert extract_html(page, ruleset=spanish).hints.authors == ["Ana Ruiz"]
