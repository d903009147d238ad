"""extract_metadata: title, authors and date rules, each on a small page written for the test."""

from __future__ import annotations

from datetime import datetime

import pytest
from docclean.transforms.dates import parse_date
from docclean.transforms.html_metadata import extract_metadata, strip_site_suffix
from docclean.transforms.html_parse import parse_html
from docclean.transforms.models import DocumentHints
from docclean.transforms.ruleset import packaged_rule_sources, parse_ruleset

BODY = "<p>The harbour works will last until the end of next year, the port authority said on Monday.</p>"


def hints(html: str, url: str | None = None) -> DocumentHints:
    tree = parse_html(html)
    assert tree is not None
    return extract_metadata(tree, url)


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}{BODY}</body></html>"


def ld(data: str) -> str:
    return f'<script type="application/ld+json">{data}</script>'


# --- title


def test_logo_h1_and_headline_h1_pick_the_headline() -> None:
    html = page(
        '<meta property="og:site_name" content="Harbour Times">'
        '<meta property="og:title" content="Port Works Delayed Again | Harbour Times">',
        "<header><h1>Harbour Times</h1></header><article><h1>Port Works Delayed Again</h1></article>",
    )
    assert hints(html).title == "Port Works Delayed Again"


def test_blog_name_h1_sharing_no_word_with_og_title_is_not_the_headline() -> None:
    html = page(
        '<meta property="og:title" content="Porting a parser to OCaml in a weekend">',
        "<h1>Notes From The Shed</h1><h2>Porting a parser to OCaml in a weekend</h2>",
    )
    assert hints(html).title == "Porting a parser to OCaml in a weekend"


def test_reworded_h1_that_shares_words_with_og_title_still_wins() -> None:
    html = page(
        '<meta property="og:title" content="Best Kettles 2025: Our Picks">',
        "<h1>The Best Kettles We Tested This Year</h1>",
    )
    assert hints(html).title == "The Best Kettles We Tested This Year"


def test_h1_with_site_name_or_pipe_suffix_is_trimmed() -> None:
    site = '<meta property="og:site_name" content="Artline">'
    assert hints(page(site, "<h1>Critics’ Choice: Best Exhibitions – Artline</h1>")).title == (
        "Critics’ Choice: Best Exhibitions"
    )
    assert hints(page("", "<h1>How meditation changes the brain | Opinion</h1>")).title == (
        "How meditation changes the brain"
    )
    # A dash inside a headline is not a suffix when it is not the site's name.
    assert hints(page(site, "<h1>Bread machines – my favourites</h1>")).title == "Bread machines – my favourites"


def test_h1_holding_the_dateline_gives_way_to_the_declared_title() -> None:
    html = page(
        '<meta property="og:title" content="Preparing a transition in Debusine">',
        "<h1><span>Dec 18 2025</span> Preparing a transition in Debusine</h1>",
    )
    assert hints(html).title == "Preparing a transition in Debusine"


@pytest.mark.parametrize(
    ("title", "site", "guess", "expected"),
    [
        ("Port Works Delayed Again | Top 19 Picks", None, True, "Port Works Delayed Again"),
        ("Port Works Delayed Again | Top 19 Picks", None, False, "Port Works Delayed Again | Top 19 Picks"),
        ("Headline Here - Acme", "Acme", False, "Headline Here"),
    ],
)
def test_strip_site_suffix_guess_only_when_asked(title: str, site: str | None, guess: bool, expected: str) -> None:
    assert strip_site_suffix(title, site, guess=guess) == expected


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        # The host written as the site's name, on a subdomain page.
        ("Port Works Delayed | Harbourtimes.com", "https://news.harbourtimes.com/a/1", "Port Works Delayed"),
        # The site named twice: by its name and by its host.
        ("Harbour Times | harbourtimes.com - Port Works Delayed", "https://harbourtimes.com/a/1", "Port Works Delayed"),
        # Words of the host written apart.
        ("Port Works Delayed - Harbour Times", "https://harbourtimes.com/a/1", "Port Works Delayed"),
    ],
)
def test_title_loses_the_site_named_by_its_host(title: str, url: str, expected: str) -> None:
    assert hints(page(f"<title>{title}</title>"), url).title == expected


@pytest.mark.parametrize(
    ("title", "url"),
    [
        # Parts that merely share letters or a word with the host stay.
        ("Port Works Delayed - Why the Harbour Project Stalled Again", "https://harbourtimes.com/a/1"),
        ("Our Times - A Memoir of the Harbour Years", "https://harbourtimes.com/a/1"),
        ("Port Works Delayed: The Times Look Back", "https://harbourtimes.com/a/1"),
    ],
)
def test_title_parts_that_do_not_name_the_host_stay(title: str, url: str) -> None:
    assert hints(page(f"<title>{title}</title>"), url).title == title


# --- authors


def test_json_ld_author_given_as_id_reference_is_resolved() -> None:
    graph = ld(
        '{"@graph": [{"@type": "Article", "headline": "Port Works Delayed",'
        ' "author": {"@id": "https://x.example/#/person/1"}},'
        ' {"@type": "Person", "@id": "https://x.example/#/person/1", "name": "Nirmala Rao"}]}'
    )
    assert hints(page(graph)).authors == ["Nirmala Rao"]


def test_person_named_like_the_site_gives_way_to_a_byline() -> None:
    head = '<meta property="og:site_name" content="Harbour Times">' + ld(
        '{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Harbour Times"}}'
    )
    assert hints(page(head, '<p class="byline">By Jane Doe</p>')).authors == ["Jane Doe"]


def test_publication_after_the_names_is_dropped() -> None:
    head = '<meta property="og:site_name" content="The Harbour Times">' + ld(
        '{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jane Doe and Max Muster, The Harbour Times"}}'
    )
    assert hints(page(head)).authors == ["Jane Doe", "Max Muster"]


def test_organisation_author_goes_to_author_orgs() -> None:
    head = ld('{"@type": "BlogPosting", "author": {"@type": "Organization", "name": "Loona Construction"}}')
    result = hints(page(head))
    assert (result.authors, result.author_orgs) == ([], ["Loona Construction"])


def test_username_is_a_last_resort() -> None:
    meta = '<meta name="author" content="jdoe_42">'
    assert hints(page(meta)).authors == ["jdoe_42"]
    assert hints(page(meta, '<p class="byline">By Priya Raman</p>')).authors == ["Priya Raman"]


def test_role_text_after_the_name_is_not_an_author() -> None:
    assert hints(page("", '<div class="byline">By Jo Lee, Staff Writer</div>')).authors == ["Jo Lee"]


def test_yoast_twitter_label_written_by() -> None:
    head = '<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Kirsten Boatto">'
    assert hints(page(head)).authors == ["Kirsten Boatto"]


def test_every_citation_author_is_kept_given_name_first() -> None:
    # Scholarly tags write "Family, Given"; `authors` holds names as bylines write them.
    head = (
        '<meta name="citation_author" content="Kaufman, Jeff T."><meta name="citation_author" content="Ana Ruiz">'
        '<meta name="citation_author" content="Lee Chan, MD">'
    )
    assert hints(page(head)).authors == ["Jeff T. Kaufman", "Ana Ruiz", "Lee Chan, MD"]


@pytest.mark.parametrize(
    "body",
    [
        "<div><p>Written by</p><p>Edzel Tabing</p></div>",
        "<p>Written by: <span>Edzel Tabing</span></p>",
        "<p>By Edzel Tabing | Senior Editor | July 2, 2025</p>",
        # an avatar between the label and the name
        '<div><span>Written by:</span><picture><img src="a.jpg" alt=""></picture><span>Edzel Tabing</span></div>',
        "<section><h2>Article by</h2><div>Edzel Tabing</div></section>",
        # an <article>'s own footer is the article's
        "<article><p>Text.</p><footer><p>Posted by <a>Edzel Tabing</a> on 2025-12-18</p></footer></article>",
        # unlabelled, under the headline: a name, then a role or a date after a mark
        "<header><h1>Port Works Delayed</h1><p>Edzel Tabing | Senior Writer | July 2, 2025</p></header>",
        "<header><h1>Port Works Delayed</h1><p>Edzel Tabing · July 2, 2025</p></header>",
        # an author card: name and role in blocks of their own
        '<div class="author-info"><div class="name">Edzel Tabing</div><div class="role">Writer</div></div>',
        '<p class="byline">Edzel Tabing · May 3, 2024</p>',
    ],
)
def test_bylines_that_only_the_words_label(body: str) -> None:
    assert hints(page("", body)).authors == ["Edzel Tabing"]


@pytest.mark.parametrize(
    "body",
    [
        '<form class="comment-form"><label>Name *</label></form><span class="author">Name *</span>',
        '<p class="byline">Dec. 19</p>',
        '<p class="comment-author">Jo Smith says</p>',
        "<p>By clicking accept you agree to our terms.</p>",
        "<footer><p>Written by</p><p>Site Owner</p></footer>",
        # under a headline but no role or date: a standfirst or a section pair, not a byline
        "<header><h1>Port Works Delayed</h1><p>Harbour Works | Port News</p></header>",
    ],
)
def test_labels_dates_comments_and_sentences_are_not_authors(body: str) -> None:
    assert hints(page("", body)).authors == []


# --- date


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/books/2025/dec/05/best-novels", datetime(2025, 12, 5)),
        ("https://news.example/2019/07/04/harvest/", datetime(2019, 7, 4)),
    ],
)
def test_day_in_the_permalink_beats_a_later_day_on_the_page(url: str, expected: datetime) -> None:
    # A "last updated" day in the page's visible text is not when the permalink was published.
    body = "<p>Last updated: 9 December 2025</p>"
    assert hints(page("", body), url).published_at == expected


def test_a_word_in_the_month_place_of_a_path_is_not_a_date() -> None:
    assert hints(page(), "https://news.example/2019/sun/05/harvest/").published_at != datetime(2019, 5, 5)


def test_published_time_keeps_the_local_day() -> None:
    head = '<meta property="article:published_time" content="2024-03-05T22:30:00-05:00">'
    assert hints(page(head)).published_at == datetime(2024, 3, 5, 22, 30)


def test_json_ld_date_east_of_utc_keeps_the_local_day() -> None:
    head = ld('{"@type": "NewsArticle", "datePublished": "2023-11-02T07:15:00+09:00"}')
    assert hints(page(head)).published_at == datetime(2023, 11, 2, 7, 15)


def test_odd_markup_never_raises() -> None:
    html = page(
        ld('{"@type": "Article", "author": [{"@id": 5}, null, {"name": ["", 3]}], "datePublished": ["x"]}')
        + ld("{not json")
        + '<meta name="twitter:label1" content="Written by">',
        "<h1></h1><h1>   </h1><p>By</p>",
    )
    result = hints(html)
    assert result.authors == [] and result.published_at is None


def test_json_ld_date_with_a_zone_name_keeps_the_wall_time() -> None:
    head = ld('{"@type": "NewsArticle", "datePublished": "3 February 2024 10:00 CET"}')
    assert hints(page(head)).published_at == datetime(2024, 2, 3, 10, 0)


def test_html_and_text_bylines_read_a_date_the_same_way() -> None:
    value = "2024-02-03T23:30:00-05:00"
    head = f'<meta property="article:published_time" content="{value}">'
    assert hints(page(head)).published_at == parse_date(value) == datetime(2024, 2, 3, 23, 30)


# --- vocabulary from the rule set


def test_a_user_word_list_changes_what_counts_as_a_byline_label() -> None:
    html = page("", "<p>Napisał Jo Lee</p>")
    spanish = parse_ruleset(
        dict(packaged_rule_sources(), **{"zz_user.toml": '[words]\nbyline_labels = ["by", "napisał"]\n'})
    )
    tree = parse_html(html)
    assert tree is not None
    assert extract_metadata(tree).authors == []
    assert extract_metadata(tree, None, spanish).authors == ["Jo Lee"]


def test_a_user_title_separator_is_used_to_cut_the_site_name() -> None:
    tilde = parse_ruleset(dict(packaged_rule_sources(), **{"zz_user.toml": '[words]\ntitle_separators = ["~"]\n'}))
    title = "Port Works Delayed Again ~ Harbour Times"
    assert strip_site_suffix(title, "Harbour Times") == title
    assert strip_site_suffix(title, "Harbour Times", ruleset=tilde) == "Port Works Delayed Again"
