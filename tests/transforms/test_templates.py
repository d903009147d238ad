"""Site templates: document frequency within a site decides, never one page on its own."""

from __future__ import annotations

from docclean.transforms.clean import clean_document
from docclean.transforms.lines import LineDocument
from docclean.transforms.normalize import paragraph_key, prepare_text
from docclean.transforms.ruleset import default_ruleset
from docclean.transforms.templates import (
    SiteProfile,
    document_keys,
    learn_site_profile,
    site_template_limit,
    strip_site_template,
    template_key,
)

NAV = "* [Home](/)\n* [World](/world)\n* [Sport](/sport)"
FOOTER = "© 2024 Example Gazette. All rights reserved.\n\n[Privacy policy](/privacy) | [Terms](/terms)"
SHARED = "The council has published the full minutes of every meeting since January on its website."
BODIES = [
    ("Bridge reopens after repairs", "Traffic returned to the river crossing on Monday morning."),
    ("Library extends opening hours", "Readers can now borrow books until nine in the evening."),
    ("School wins robotics prize", "Pupils built a machine that sorts recycling by colour."),
    ("Market moves to the square", "Stallholders said the new site draws more passing trade."),
    ("Rail strike called off", "Union leaders accepted the revised offer late on Sunday."),
    ("Park gets new playground", "Work on the climbing frames starts next week."),
    ("Museum lends its dinosaur", "The skeleton travels to a partner museum for the summer."),
    ("Council approves budget", "Spending on roads rises while the arts grant is frozen."),
    ("Harbour dredging begins", "Boats will be moored outside the harbour until April."),
    ("Festival line-up announced", "Three local bands open the main stage on Friday."),
]


def page(headline: str, body: str, extra: str = "") -> str:
    return f"{NAV}\n\n# {headline}\n\n{body}\n\n{extra}\n\n{FOOTER}\n"


def site_pages() -> list[str]:
    pages = [page(h, b) for h, b in BODIES]
    # The same real paragraph quoted by two articles of ten: below the threshold of three.
    pages[0] = page(*BODIES[0], extra=SHARED)
    pages[1] = page(*BODIES[1], extra=SHARED)
    # One article repeats a line three times: one page, so not a template.
    pages[2] = page(*BODIES[2], extra="Vote now!\n\nVote now!\n\nVote now!")
    return pages


def kept(text: str, profile: SiteProfile) -> list[str]:
    doc = LineDocument.parse(prepare_text(text))
    strip_site_template(doc, profile, default_ruleset().get("site_template"))
    return [line.text for line in doc.lines if line.kept]


def test_template_key_folds_case_punctuation_and_digits() -> None:
    assert template_key("© 2024 Example Gazette. All rights reserved.") == "N example gazette all rights reserved"
    assert template_key("17 captures") == template_key("3 captures")
    assert template_key("---") == ""


def test_learn_counts_each_key_once_per_document() -> None:
    profile = learn_site_profile("gazette.example", site_pages())
    assert profile.n_docs == 10
    assert profile.doc_freq["home"] == 10
    assert profile.doc_freq["privacy policy terms"] == 10
    assert profile.doc_freq[template_key(SHARED)] == 2
    assert profile.doc_freq["vote now"] == 1  # three times in one page is one page


def test_strip_removes_shared_furniture_and_keeps_article() -> None:
    profile = learn_site_profile("gazette.example", site_pages())
    assert kept(site_pages()[0], profile) == [
        "Bridge reopens after repairs",
        "Traffic returned to the river crossing on Monday morning.",
        SHARED,
    ]
    assert kept(site_pages()[2], profile) == [
        "School wins robotics prize",
        "Pupils built a machine that sorts recycling by colour.",
        "Vote now!",
        "Vote now!",
        "Vote now!",
    ]


def test_profile_from_one_run_applies_to_a_new_page() -> None:
    profile = learn_site_profile("gazette.example", site_pages())
    new = page("Ferry timetable changes", "Winter sailings leave an hour earlier from Monday.")
    assert kept(new, profile) == [
        "Ferry timetable changes",
        "Winter sailings leave an hour earlier from Monday.",
    ]


def test_paragraph_on_enough_pages_is_template() -> None:
    pages = [page(h, b, extra=SHARED) for h, b in BODIES[:4]] + [page(h, b) for h, b in BODIES[4:]]
    profile = learn_site_profile("gazette.example", pages)
    assert profile.doc_freq[template_key(SHARED)] == 4
    assert kept(pages[0], profile) == ["Bridge reopens after repairs", BODIES[0][1]]


def test_small_profile_removes_nothing() -> None:
    pages = site_pages()[:3]
    profile = learn_site_profile("gazette.example", pages)
    assert profile.n_docs == 3
    assert kept(pages[0], profile) == [line.text for line in LineDocument.parse(prepare_text(pages[0])).lines]


def test_profile_round_trips_through_dict() -> None:
    profile = learn_site_profile("gazette.example", site_pages())
    assert SiteProfile.from_dict(profile.to_dict()) == profile


def test_clean_document_with_site_profile() -> None:
    profile = learn_site_profile("gazette.example", site_pages())
    doc = clean_document(site_pages()[3], site_profile=profile, detect_prose=False)
    assert doc.title == "Market moves to the square"
    assert doc.text == "Stallholders said the new site draws more passing trade."
    assert "site_template" in doc.removed_rule_ids()


def _template_keys_only(profile: SiteProfile) -> SiteProfile:
    """What the flow hands the cleaning tasks (`flows.stages.profiles`): the keys at the limit or above."""
    limit = site_template_limit(profile, default_ruleset().get("site_template"))
    kept = {} if limit is None else {key: df for key, df in profile.doc_freq.items() if df >= limit}
    return SiteProfile(profile.site, profile.n_docs, kept)


def test_a_profile_of_template_keys_only_removes_the_same_lines() -> None:
    profile = learn_site_profile("gazette.example", site_pages())
    small = _template_keys_only(profile)
    assert small.n_docs == 10
    assert small.doc_freq["home"] == 10
    assert template_key(SHARED) not in small.doc_freq  # on two pages of ten: below the limit of three
    assert "vote now" not in small.doc_freq
    assert all(profile.doc_freq[key] == df for key, df in small.doc_freq.items())
    for text in [*site_pages(), page("Ferry timetable changes", "Winter sailings leave an hour earlier.")]:
        assert kept(text, small) == kept(text, profile)


def test_a_profile_of_too_few_pages_has_no_limit() -> None:
    profile = learn_site_profile("gazette.example", site_pages()[:3])
    assert site_template_limit(profile, default_ruleset().get("site_template")) is None
    assert (_template_keys_only(profile).n_docs, _template_keys_only(profile).doc_freq) == (3, {})


def test_line_keys_are_the_paragraph_keys_of_their_text() -> None:
    doc = LineDocument.parse(prepare_text(site_pages()[0]))
    assert [line.key for line in doc.lines] == [paragraph_key(line.text) for line in doc.lines]
    assert document_keys(doc) == {template_key(line.text) for line in doc.lines} - {""}
