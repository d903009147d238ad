"""Prose detection on a single page of an unknown site."""

from __future__ import annotations

from transforms.clean import clean_document
from transforms.lines import LineDocument
from transforms.normalize import prepare_text
from transforms.prose import line_signals, link_text_chars, strip_low_prose
from transforms.ruleset import default_ruleset

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
