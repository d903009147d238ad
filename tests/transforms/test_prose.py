"""Prose detection on a single page of an unknown site."""

from __future__ import annotations

from dataclasses import replace

from docclean.transforms.boilerplate import apply_pattern_rules
from docclean.transforms.clean import clean_document
from docclean.transforms.lines import LineDocument
from docclean.transforms.link_density import link_text_chars
from docclean.transforms.normalize import prepare_text
from docclean.transforms.prose import ProseSettings, line_signals, strip_low_prose
from docclean.transforms.ruleset import default_ruleset
from docclean.transforms.templates import learn_site_profile

PAGE = """\
[Skip to content](#main)

* [Home](/)
* [News](/news)
* [Sport](/sport)
* [Weather](/weather)
* [Sign in](/login)

# Harbour town votes to keep its ferry

Residents backed the subsidy by a wide margin.

The town council said on Tuesday that the ferry to the mainland will keep running through the \
winter, after residents voted in favour of paying a small levy to cover the losses of the service.

For many of the people who live on the island, the boat is the only way to reach the hospital, \
and the school buses for older pupils depend on it as well, the council said in a statement.

[Read more: Island school to stay open](/news/school)

The operator had warned in the spring that it could not keep the crossing going without help, \
because fuel costs had doubled and fewer tourists came over the summer than in previous years.

## Related stories

* [Lighthouse for sale](/news/lighthouse)
* [Storm closes the pier](/news/pier)
* [New bakery on the quay](/news/bakery)

[About us](/about) | [Contact](/contact) | [Privacy](/privacy) | [Cookies](/cookies)
"""


def kept_lines(text: str) -> list[str]:
    doc = LineDocument.parse(prepare_text(text))
    strip_low_prose(doc, default_ruleset().get("low_prose"))
    return [line.text for line in doc.lines if line.kept]


def test_link_text_chars_counts_text_inside_links() -> None:
    line = LineDocument.parse("[Home](/) and [World](/w)[x](/y)").lines[0]
    assert link_text_chars(line) == (10, 13)  # Home, World, x of Home and World x
    plain = LineDocument.parse("No links here.").lines[0]
    assert link_text_chars(plain) == (0, 12)


def test_stop_words_of_other_languages_count() -> None:
    german = LineDocument.parse("Der Rat hat am Dienstag beschlossen, dass die Fähre auch im Winter fährt.").lines[0]
    assert line_signals(german).stopword_ratio >= 0.3
    nav = LineDocument.parse("World Business Technology Science Health").lines[0]
    assert line_signals(nav).stopword_ratio == 0.0


def test_single_page_keeps_article_and_drops_furniture() -> None:
    assert kept_lines(PAGE) == [
        "Harbour town votes to keep its ferry",
        "Residents backed the subsidy by a wide margin.",
        "The town council said on Tuesday that the ferry to the mainland will keep running through the "
        "winter, after residents voted in favour of paying a small levy to cover the losses of the service.",
        "For many of the people who live on the island, the boat is the only way to reach the hospital, "
        "and the school buses for older pupils depend on it as well, the council said in a statement.",
        "The operator had warned in the spring that it could not keep the crossing going without help, "
        "because fuel costs had doubled and fewer tourists came over the summer than in previous years.",
    ]


def test_page_without_prose_is_left_alone() -> None:
    text = "* [Home](/)\n* [News](/news)\n\nOpening hours\n\nMon-Fri 9-5"
    assert kept_lines(text) == ["* Home", "* News", "Opening hours", "Mon-Fri 9-5"]


def test_plain_text_without_links_is_left_alone() -> None:
    text = "Share prices fell 4% on Tuesday after the advertisement was pulled.\n\nShort coda."
    assert kept_lines(text) == [
        "Share prices fell 4% on Tuesday after the advertisement was pulled.",
        "Short coda.",
    ]


def test_clean_document_runs_prose_detection_by_default() -> None:
    doc = clean_document(PAGE)
    assert doc.title == "Harbour town votes to keep its ferry"
    assert doc.text.startswith("Residents backed the subsidy by a wide margin.\n\nThe town council")
    assert doc.text.endswith("than in previous years.")
    assert "low_prose" in doc.removed_rule_ids()
    kept_all = clean_document(PAGE, detect_prose=False)
    assert "Lighthouse for sale" in kept_all.text
    assert "low_prose" not in kept_all.removed_rule_ids()


def kept_after_rules(text: str) -> list[str]:
    """Kept lines after the pattern rules and the prose step, as in `clean_document`."""
    ruleset = default_ruleset()
    doc = LineDocument.parse(prepare_text(text))
    apply_pattern_rules(doc, ruleset)
    strip_low_prose(doc, ruleset.get("low_prose"))
    return [line.text for line in doc.lines if line.kept]


NAV = "* [Home](/)\n* [News](/news)\n* [Sport](/sport)\n* [Weather](/weather)\n\n"

ARTICLE = """\
# Harbour town votes to keep its ferry

The town council said on Tuesday that the ferry to the mainland will keep running through the \
winter, after residents voted in favour of paying a small levy to cover the losses of the service.

For many of the people who live on the island, the boat is the only way to reach the hospital, \
and the school buses for older pupils depend on it as well, the council said in a statement.

The operator had warned in the spring that it could not keep the crossing going without help, \
because fuel costs had doubled and fewer tourists came over the summer than in previous years.

The levy will be reviewed next year, when the council expects new figures on the number of \
passengers and on the price of fuel, and it may be lowered if the service loses less money.

A second boat, which the operator keeps in reserve for the summer, will be sold to a company on \
the mainland, and the money from the sale will go towards the repairs the harbour wall needs.
"""

COMMENT = (
    "I have taken this boat to work every single day for the last twenty years, and I honestly "
    "do not know what the people who live out here would have done if the council had let it go."
)


def test_comment_thread_after_the_article_is_cut_at_its_label() -> None:
    # Six long comments carry more prose than the article itself: without the label the thread
    # would simply extend the region.
    thread = "".join(f"[Reader {n}](/u/{n})\n\n{COMMENT} ({n})\n\nReply\n\n" for n in range(6))
    kept = kept_after_rules(NAV + ARTICLE + "\n12 Comments\n\n" + thread)
    assert kept[-1].startswith("A second boat, which the operator keeps")
    assert not any(COMMENT in line for line in kept)


def test_paragraph_mentioning_comments_stays_in_the_article() -> None:
    mention = (
        "Readers left 12 comments under the council's post before the vote, most of them asking "
        "how long the levy would last and whether pensioners would have to pay it as well."
    )
    text = NAV + ARTICLE + "\n" + mention + "\n\n[About us](/about) | [Contact](/contact)\n"
    assert kept_after_rules(text)[-1] == mention


def test_short_list_and_linked_subheading_inside_the_article_are_kept() -> None:
    body = ARTICLE.replace(
        "The operator had warned",
        "The ferry stops at:\n\n* the harbour\n* the hospital pier\n* the school\n\n"
        "## [Timetable for the winter](/timetable)\n\nThe operator had warned",
    )
    kept = kept_after_rules(NAV + body)
    for line in ("The ferry stops at:", "* the harbour", "* the hospital pier", "* the school"):
        assert line in kept
    assert "Timetable for the winter" in kept


def report_paragraphs(n: int) -> str:
    """`n` long paragraphs that carry the article on."""
    return "".join(
        f"Paragraph {i} of the report goes on to explain, at some length, how the council arrived at "
        "the figure for the levy and why it thinks most of the island's households can afford it.\n\n"
        for i in range(n)
    )


def test_related_teasers_after_a_run_of_links_are_dropped() -> None:
    # The teasers carry enough prose to bridge the link list (so the region runs on through
    # them) but far less than the article: the run of links is where the article ended.
    more = report_paragraphs(3)
    teasers = [
        "The lighthouse on the northern point has been put up for sale by the harbour trust, which says "
        "it can no longer pay for the repairs that the tower needs after the winter storms of last year, "
        "and the trust hopes that a buyer will keep the light working for the boats.",
        "The bakery on the quay has opened its doors again after a fire closed it in the summer, and the "
        "owners say that they were able to keep all of their staff on through the months of the repairs.",
    ]
    related = "".join(f"* [Island story {n}](/news/{n})\n" for n in range(5))
    text = NAV + ARTICLE + "\n" + more + "## More from the island\n\n" + related + "\n" + "\n\n".join(teasers)
    kept = kept_after_rules(text)
    assert kept[-1].startswith("Paragraph 2 of the report")
    assert not set(teasers) & set(kept)


def test_mid_article_related_label_does_not_end_the_article() -> None:
    # The label is followed by more of the article than precedes it: a box, not the tail.
    first, rest = ARTICLE.split("The operator had warned")
    more = report_paragraphs(8)
    text = NAV + first + "Related stories\n\n* [Pier closed](/pier)\n\nThe operator had warned" + rest + more
    assert kept_after_rules(text)[-1].startswith("Paragraph 7 of the report")


def test_long_prose_after_the_article_is_dropped_but_before_it_is_kept() -> None:
    intro = (
        "This is the third part of our series on the island's services, which looks at how the "
        "people who live there get to work, to school and to the doctor through the whole year."
    )
    bio = (
        "Jane Doe is a reporter who has covered the islands and the coast for the paper since 2015. "
        "She writes about transport, schools and local politics in the whole region, and before she "
        "joined the paper she worked for ten years at a radio station on the mainland, where she "
        "presented the morning news and a weekly programme about the people who live on the islands."
    )
    links = "* [Part one](/1)\n* [Part two](/2)\n* [Part three](/3)\n* [Part four](/4)\n\n"
    footer = "".join(f"* [Section {n}](/s/{n})\n" for n in range(12))
    kept = kept_after_rules(NAV + intro + "\n\n" + links + ARTICLE + "\n" + footer + "\n" + bio + "\n")
    assert intro in kept
    assert bio not in kept


def test_comment_thread_without_a_label_is_cut_where_timestamps_recur() -> None:
    # No "Comments" label and no link between the comments: only the date line with a time of
    # day that heads every comment shows where the article ended.
    thread = "".join(f"Reader {n}\n\nMay {n + 2}, 2024 at 7:{n}5 pm\n\n{COMMENT} ({n})\n\n" for n in range(6))
    kept = kept_after_rules(NAV + ARTICLE + "\n" + thread)
    assert kept[-1].startswith("A second boat, which the operator keeps")
    assert not any(COMMENT in line or line.startswith("Reader") for line in kept)


def test_live_blog_entries_stamped_with_times_are_kept() -> None:
    # A live blog heads every entry with a date and time, like a comment thread, but above each
    # stamp is the previous entry's prose, not a commenter's name.
    entries = "".join(
        f"May 2, 2024 at {n + 1}:15 pm\n\n" + report_paragraphs(1).replace("levy", f"levy for ward {n}")
        for n in range(12)
    )
    kept = kept_after_rules(NAV + ARTICLE + "\n" + entries)
    assert sum(line.startswith("Paragraph 0 of the report") for line in kept) == 12


def test_dated_items_without_times_inside_the_article_are_kept() -> None:
    # An events list dates each item but gives no time of day: that is the article, not a thread.
    events = "".join(f"May {n + 2}, 2024\n\n{COMMENT} ({n})\n\n" for n in range(6))
    kept = kept_after_rules(NAV + ARTICLE + "\n" + events)
    assert kept[-1] == f"{COMMENT} (5)"


def test_after_matter_label_ends_the_article() -> None:
    bio = (
        "Jane Doe has covered the islands and the coast for the paper since 2015, and she writes "
        "about transport, schools and local politics in the whole region for the weekend edition."
    )
    more = (
        "Paragraph one of the report goes on to explain, at some length, how the council arrived at "
        "the figure for the levy and why it thinks most of the island's households can afford it.\n\n"
    )
    kept = kept_after_rules(NAV + ARTICLE + "\n" + more + "About the Author\n\n" + bio + "\n")
    assert kept[-1].startswith("Paragraph one of the report")
    assert bio not in kept and "About the Author" not in kept


def test_after_matter_label_early_in_the_article_does_not_end_it() -> None:
    # More of the article follows the label than precedes it: a section of the article.
    first, rest = ARTICLE.split("The operator had warned")
    more = report_paragraphs(8)
    text = NAV + first + "Sources\n\nThe operator had warned" + rest + "\n" + more
    kept = kept_after_rules(text)
    assert "Sources" in kept
    assert kept[-1].startswith("Paragraph 7 of the report")


def test_link_text_with_brackets_inside_counts_as_link_text() -> None:
    # A teaser card whose excerpt ends in "[…]": the renderer leaves the link syntax as text.
    teaser = (
        "* [Lighthouse for sale The harbour trust says it can no longer pay for the repairs that "
        "the tower needs after the storms of last year […] ](https://example.org/news/lighthouse)"
    )
    assert line_signals(LineDocument.parse(teaser).lines[0]).link_density > 0.9
    # Brackets in plain prose are not a link.
    plain = "The minister said the figures [for 2023] were wrong and that the levy [would] stay the same."
    assert line_signals(LineDocument.parse(plain).lines[0]).link_density == 0.0


def test_vocabulary_comes_from_the_rule() -> None:
    rule = default_ruleset().get("low_prose")
    settings = ProseSettings.of(rule)
    assert {"the", "und", "les", "más", "è", "het"} <= settings.stop_words
    assert "dateline" in settings.article_furniture_rules
    assert settings.tail_cut_always_rules == {"comment_furniture"}
    assert settings.comment_stamp.search("May 2, 2024 at 7:45 pm") and settings.comment_stamp.search("3 HOURS AGO")
    welsh = LineDocument.parse("Mae cyngor wedi pleidleisio heddiw").lines[0]
    assert line_signals(welsh, settings.stop_words).stopword_ratio == 0.0
    own = replace(rule, params={**rule.params, "stop_words": {"cy": "mae wedi"}})
    assert line_signals(welsh, ProseSettings.of(own).stop_words).stopword_ratio == 0.4


SCRIPT = (
    "function trackClick(el) { for (var key in this) { if (this[key] && this.hasOwnProperty(key)) { "
    "this.send(key, el); } } return this; } var pageSection = 'local';"
)


def test_script_text_after_the_page_does_not_extend_the_article() -> None:
    # Script a converter kept, after the footer: its keywords pass for stop words, so as prose it
    # pulled the region over the related links and kept it; its marks say code.
    scripts = "\n\n".join(SCRIPT.replace("'local'", f"'local{n}'") for n in range(4))
    kept = kept_lines(PAGE + "\n" + scripts + "\n")
    assert not any("trackClick" in line or "Lighthouse" in line for line in kept)
    assert any("fuel costs had doubled" in line for line in kept)
    settings = replace(ProseSettings.of(default_ruleset().get("low_prose")), code_min_marks=0)
    doc = LineDocument.parse(prepare_text(PAGE + "\n" + scripts + "\n"))
    strip_low_prose(doc, settings.rule, settings)
    assert any("trackClick" in line.text for line in doc.lines if line.kept)  # without the signal


def test_code_marks_need_more_than_semicolons() -> None:
    listing = "Those hurt were Ann, 42, of Leeds; Tom, 38, of York; and Sam, 50, of Hull; all three are recovering."
    doc = LineDocument.parse(listing)
    assert line_signals(doc.lines[0]).code_marks == 0
    assert line_signals(LineDocument.parse(SCRIPT).lines[0]).code_marks >= 10


def test_code_sample_inside_an_article_is_kept() -> None:
    article = PAGE.split("## Related stories")[0]
    sample = "    total = prices.sum() ; count = len(prices) ; mean = total / count ; print(mean)"
    page = article.replace("[Read more: Island school to stay open](/news/school)", sample)
    kept = kept_lines(page)
    assert any("mean = total / count" in line for line in kept)


_TOWNS = ["Ashford", "Bexley", "Carlow", "Dunmore", "Elgin", "Falkirk"]
_SITE_MENU = ["Home", "World", "Business", "Sport", "Weather", "Contact Us"]
_SITE_FOOTER = "Copyright Example Daily Post. All rights reserved. Read our privacy policy before you comment."


def _wet_page(n: int) -> str:
    """Page n of a site in WET: its menu and footer recur, the article and its teasers do not."""
    town = _TOWNS[n]
    article = [
        f"Harbour works begin in {town}",
        f"Work on the new harbour wall in {town} began on Monday, the council said, after years of delay "
        "caused by the storms that damaged the old wall and flooded the houses along the quay.",
        f"The works will close the {town} slipway for two months:",
        f"boats will launch from the beach at {town}",
        f"the ferry to {town} keeps its timetable",
        f"Fishermen in {town} said they welcomed the work but worried about the summer season, when "
        "most of the visitors arrive and the harbour is at its busiest, the council was told.",
    ]
    teasers = [f"{town} lifeboat crew helps a yacht near {t}" for t in _TOWNS if t != town][:4]
    return "\n".join([*_SITE_MENU, *article, *teasers, _SITE_FOOTER]) + "\n"


def test_with_the_site_template_a_page_without_links_still_loses_its_teasers() -> None:
    # The template takes the menu, the label run that told the prose step this page has furniture.
    pages = [_wet_page(n) for n in range(len(_TOWNS))]
    profile = learn_site_profile("example.com", pages)
    doc = clean_document(pages[0], site_profile=profile)
    assert "lifeboat crew" not in doc.text
    for kept in ("boats will launch from the beach", "keeps its timetable", "worried about the summer"):
        assert kept in doc.text
    assert "lifeboat crew" in clean_document(pages[0], site_profile=profile, detect_prose=False).text


# Text without links (WET, html2text with links off): runs of short labels are the only sign
# of furniture, so each further label of a run costs more. Lines that are not labels do not.
_WET_MENU = "\n".join(["Home", "World", "Business", "Sport", "Weather", "Travel", "Contact Us"])
_WET_FOOTER = "\n".join(["About Us", "Careers", "Privacy Policy", "Terms of Use", "Advertise", "Site Map"])
_WET_LEAD = (
    "Planning a garden from scratch can feel like a lot of work, but it does not have to be, and with a plan "
    "drawn up over the winter most of the hard decisions are made long before the first seeds go in."
)
_WET_CLOSE = (
    "Once the beds are in and the first crop is up, keep a notebook of what grew well and what did not, "
    "because next year's plan starts with this year's mistakes and the few surprises that worked out."
)
_WET_MORE = (
    "A neighbour who has grown vegetables on the same plot for thirty years says the real secret is "
    "patience, since the soil only gets better with every season of compost that goes back into it."
)


def test_wet_article_of_headings_short_sentences_and_lists_is_kept() -> None:
    # Each step is a title-case heading, a short sentence and a short list: no line of it is
    # long prose, but the sentences say article, where a menu has none.
    steps = [
        f"Step {n}: Choose Your Beds\nStart small this year.\nMeasure the space first.\nraised beds\n"
        f"open ground\npots on the terrace\nWrite the sizes down before you buy anything."
        for n in range(1, 9)
    ]
    page = f"{_WET_MENU}\nHow to plan a garden\n{_WET_LEAD}\n" + "\n".join(steps) + f"\n{_WET_CLOSE}\n{_WET_FOOTER}\n"
    kept = kept_after_rules(page)
    assert kept.count("Start small this year.") == 8
    assert kept.count("pots on the terrace") == 8
    assert "World" not in kept and "Careers" not in kept


def test_wet_code_listing_inside_the_article_is_kept() -> None:
    # Twenty lines of a listing are not labels: they neither split the article nor read as a menu.
    listing = "\n".join(f"SELECT name, total FROM orders_{n} WHERE total > {n}00" for n in range(20))
    page = f"{_WET_MENU}\nQuery tuning basics\n{_WET_LEAD}\n{listing}\n{_WET_CLOSE}\n{_WET_MORE}\n{_WET_FOOTER}\n"
    kept = kept_after_rules(page)
    assert [line for line in kept if line.startswith("SELECT")] == listing.split("\n")
    assert [line for line in kept if len(line) > 150] == [_WET_LEAD, _WET_CLOSE, _WET_MORE]
    assert "Privacy Policy" not in kept


def _review(name: str) -> str:
    """A product review in WET: its name and spec sheet are a run of labels, then prose."""
    specs = ["Diameter: 80mm", "Focal Length: 600mm", "Focal Ratio: f/7.5", "Weight: 12 lbs", "Glass: ED Doublet"]
    prose = [
        f"The {name} has been a popular choice for years, and after a season of use it is easy to see why: "
        "it is light enough to carry out to the garden and holds its focus through a cold night.",
        f"What we liked most about the {name} is that it needs no adjustment when it arrives, so the first "
        "evening can be spent looking at the sky rather than reading the manual at the kitchen table.",
        f"If there is one thing to add to the {name}, it is a small dew heater, because on a damp night the "
        "front lens mists over within the hour and the stars fade before the session is done.",
    ]
    return "\n".join([name, *specs, *prose])


def test_wet_spec_sheets_between_reviews_do_not_end_the_article() -> None:
    # A spec sheet is a run of labels, as a menu is; without links it is weaker evidence of the
    # article's end than a run of links, so only a long run (a site's menu) cuts the tail.
    names = ["Northstar Seventy", "Harbour Eighty", "Lantern Sixty", "Meridian Ninety"]
    footer = "\n".join([_WET_FOOTER, "Blog", "Equipment", "Cameras", "Mounts", "Filters", "Books", "Apps", "Guides"])
    page = f"{_WET_MENU}\nThe best small telescopes\n{_WET_LEAD}\n" + "\n".join(map(_review, names)) + f"\n{footer}\n"
    kept = kept_after_rules(page)
    for name in names:
        assert sum(line.startswith(f"If there is one thing to add to the {name}") for line in kept) == 1
    assert not {"Careers", "Equipment", "Guides"} & set(kept)


def _teaser(n: int) -> str:
    return (
        f"Local News\nCouncil story number {n} of the week\nNews Desk\nMay {n + 2}, 2024\n"
        "The council met again on Tuesday to discuss the budget for the coming year, and several "
        f"members asked for more money for the roads and the schools in ward {n} of the county."
    )


def test_wet_teaser_feed_after_the_article_is_cut_at_its_first_teaser() -> None:
    # Other stories, each dated under its headline and author: a feed, however much prose it has.
    article = ARTICLE.replace("\n\n", "\n")
    feed = "\n".join(_teaser(n) for n in range(6))
    kept = kept_after_rules(f"{_WET_MENU}\n{article}More from the paper\n{feed}\n{_WET_FOOTER}\n")
    assert kept[-1].startswith("A second boat, which the operator keeps")
    assert not any("Council story" in line or "council met again" in line for line in kept)


def test_wet_article_that_is_a_dated_list_is_kept() -> None:
    # An events page dates every entry under its name from the top: that is the article itself.
    feed = "\n".join(_teaser(n) for n in range(8))
    kept = kept_after_rules(f"{_WET_MENU}\nEvents this month\n{feed}\n{_WET_FOOTER}\n")
    assert sum("council met again" in line for line in kept) == 8


def test_wet_table_of_numbers_inside_the_article_is_kept() -> None:
    # A table flattened to text: each row names a school among its figures, capitalised like a
    # menu wrapped into one block, but a run of such rows with many numbers is data.
    rows = [f"{n} North Harbour Business School {n + 2} {30 + n}% / {40 - n}% {700 + n} N/A" for n in range(1, 13)]
    page = (
        f"{_WET_MENU}\nBusiness school rankings\n{_WET_LEAD}\n" + "\n".join(rows) + f"\n{_WET_CLOSE}\n{_WET_FOOTER}\n"
    )
    kept = kept_after_rules(page)
    assert [line for line in kept if "North Harbour" in line] == rows
    assert "Careers" not in kept


_BANNER = [
    "These crawls are part of an effort to archive pages as they are created and archive the pages that they "
    "refer to, so that the version that was live when a page was written is preserved for the readers.",
    "Then the archive hopes that references to these archived pages will be put in place of a link that would "
    "otherwise be broken, or a companion link that shows what the authors of a page had meant to say.",
]
_FERRY = [
    "The town council said on Tuesday that the ferry to the mainland will keep running through the winter, "
    "after residents voted in favour of paying a small levy.",
    "For many of the people who live on the island, the boat is the only way to reach the hospital, and the "
    "school buses for older pupils depend on it as well.",
    "The operator had warned in the spring that it could not keep the crossing going without help, because "
    "fuel costs had doubled.",
    "The levy will be reviewed next year, when the council expects new figures on the number of passengers "
    "who use the crossing in the winter months.",
]


def test_a_banner_printed_twice_does_not_outweigh_the_article() -> None:
    # An archive's notice, printed twice above the page (WET): the second copy is no new prose,
    # so the notice weighs what it says once, less than the article.
    banner = "\n".join([*_BANNER, "Collection: Web Crawls", *_BANNER])
    sections = ["News", "Sport", "Weather", "Travel", "Culture", "Business", "Health", "Science", "Politics"]
    menu = "\n".join(f"{section} {part}" for section in sections for part in ("Home", "Latest"))
    page = f"{banner}\n{menu}\nFerry to keep running\n" + "\n".join(_FERRY) + f"\n{_WET_FOOTER}\n"
    kept = kept_after_rules(page)
    assert [line for line in kept if line in _FERRY] == _FERRY
    # (the first copy is long prose above the article, which the prose step leaves alone)
    assert all(kept.count(line) <= 1 for line in _BANNER)


def test_a_page_that_holds_its_article_twice_keeps_one_copy() -> None:
    article = "\n".join(_FERRY)
    kept = kept_after_rules(f"{_WET_MENU}\nFerry to keep running\n{article}\n{_WET_MENU}\n{article}\n{_WET_FOOTER}\n")
    assert [line for line in kept if len(line) > 100][:4] == _FERRY
