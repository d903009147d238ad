"""Stop words per language: which language's a page is measured by, and the rule file's examples."""

from __future__ import annotations

import textwrap

import pytest
from docclean.transforms.clean import clean_document
from docclean.transforms.labels import LabelShape, is_label
from docclean.transforms.lines import LineDocument
from docclean.transforms.prose import ProseSettings, line_signals, words_of_page
from docclean.transforms.ruleset import default_ruleset
from docclean.transforms.stop_words import StopWords

from tests.conftest import load_cases

RULE = default_ruleset().get("low_prose")
SETTINGS = ProseSettings.of(RULE)
EXAMPLES = RULE.param("stop_word_examples", {})


def page_words(text: str):
    return words_of_page(LineDocument.parse(text, markdown=False), SETTINGS)


def test_every_language_has_an_example() -> None:
    assert set(RULE.param("stop_words", {})) == set(EXAMPLES)


@pytest.mark.parametrize("language", sorted(EXAMPLES))
def test_a_sentence_of_each_language_counts_as_prose(language: str) -> None:
    line = LineDocument.parse(EXAMPLES[language], markdown=False).lines[0]
    words = page_words(EXAMPLES[language])
    assert line_signals(line, words.words).stopword_ratio >= (words.min_ratio or SETTINGS.min_stopword_ratio)


def test_a_page_is_measured_by_its_own_language() -> None:
    swedish = page_words("Det var en gång en katt som bodde i ett hus vid sjön.\nHem\nNyheter")
    assert swedish.words == SETTINGS.stop_word_lists.by_language["sv"]
    # English menus on that page are no prose; "men" (Swedish "but") is no stop word of English.
    english = page_words("The council said on Tuesday that the ferry will run through the winter.\nMen\nWomen")
    assert "men" not in english.words and "the" in english.words


def test_an_article_in_another_language_than_its_site_counts_both() -> None:
    words = StopWords.of({"en": "the and of to a in that", "fr": "le la les de et des en un une que"})
    page = [
        "The council said that the ferry to the island will run in the winter, and that the levy stays.",
        "Le conseil a dit que le bateau et la navette de la ville vont rouler en hiver, et que la taxe reste.",
    ]
    assert words.of_page(page).words == words.by_language["en"] | words.by_language["fr"]


def test_no_evidence_of_a_listed_language_judges_nothing() -> None:
    # Welsh is not listed: no line of the page passes for prose, so the step removes nothing.
    assert page_words("Mae cyngor wedi pleidleisio heddiw dros y fferi.").words == frozenset()
    menu = "Hafan\nNewyddion\nChwaraeon\nTywydd\nCysylltu\nAmdanom"
    article = "Mae cyngor y dref wedi pleidleisio heddiw i gadw'r fferi i'r ynys drwy'r gaeaf nesaf."
    page = f"{menu}\n{article}\n{article.replace('heddiw', 'ddoe')}\n{menu}"
    assert clean_document(page, markdown=False).text == page


def test_a_flattened_menu_of_brand_names_does_not_decide_the_language() -> None:
    menu = "Best Shoes La Sportiva Bushido La Sportiva Prodigio Mont Blanc Carbon La Sportiva Jackal Le Coq " * 3
    article = "The shoe grips well on wet rock and the fit is roomy, so it suits long days in the hills."
    assert page_words(f"{menu}\n{article}").words == SETTINGS.stop_word_lists.by_language["en"]


def test_languages_with_affixed_function_words_have_a_lower_minimum() -> None:
    assert page_words(EXAMPLES["fi"]).min_ratio < SETTINGS.min_stopword_ratio
    assert page_words(EXAMPLES["sv"]).min_ratio is None


def test_caseless_menus_are_labels() -> None:
    # Arabic has no capitals: its menu lines are found by their shape alone.
    page = "\n".join(
        [
            "الرئيسية",
            "أخبار",
            "رياضة",
            "اقتصاد",
            "ثقافة",
            "افتتح يوم السبت متحف جديد للفن المعاصر في وسط المدينة، وزاره في اليوم الأول أكثر من ثلاثة آلاف شخص.",
            "وقال مدير المتحف إن المجموعة ستكبر كل عام، وإن جزءا من القاعات سيخصص للمعارض التي تتغير كل ثلاثة أشهر.",
            "من نحن",
            "اتصل بنا",
            "أعلن معنا",
            "سياسة الخصوصية",
            "الشروط والأحكام",
        ]
    )
    kept = clean_document(page, markdown=False).text.split("\n")
    assert len(kept) == 2 and kept[0].startswith("افتتح") and kept[1].startswith("وقال")


def test_arabic_and_devanagari_sentence_marks_end_a_sentence() -> None:
    settings = SETTINGS.labels
    # A short question is a sentence, not a menu label, whichever script writes its mark.
    for question in ("هل سيفتح المتحف يوم الجمعة؟", "क्या संग्रहालय शुक्रवार को खुलेगा।", "Will the museum open?"):
        signals = line_signals(LineDocument.parse(question, markdown=False).lines[0], frozenset())
        assert signals.sentences == 1
        assert not is_label(LabelShape.of(question, True, signals), settings)
    assert is_label(LabelShape.of("اتصل بنا", True, line_signals(LineDocument.parse("اتصل بنا").lines[0])), settings)


LANGUAGE_PAGES = [case for case in load_cases("languages.toml") if "WET page" in case["name"]]


@pytest.mark.parametrize("case", LANGUAGE_PAGES, ids=[case["name"].split()[0] for case in LANGUAGE_PAGES])
def test_language_pages_wrapped_at_78_columns_keep_the_same_article(case: dict) -> None:
    # The WET cases flattened the way html2text does: blocks apart, paragraphs wrapped at 78.
    lines = case["input"].strip().split("\n")
    article = case["expected"].strip().split("\n")
    wrapped = "\n\n".join(textwrap.fill(line, 78) if line in article else line for line in lines)
    result = clean_document(wrapped, markdown=False)
    assert result.text_layout == "wrapped"
    assert [" ".join(p.split()) for p in result.text.split("\n\n")] == article
