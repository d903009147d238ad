"""The words the HTML metadata readers use, read from a rule set's `[words]` lists.

The lists live in `transforms/rules/bylines.toml` (byline labels, role words, author meta keys)
and `transforms/rules/metadata.toml` (title separators, schema.org types, date meta keys); this
module only compiles them into the patterns and sets the readers match with. The regexes here
encode structure (where a label sits, what surrounds a separator); the words come from the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from docclean.transforms.html_selectors import SelectorGroup
from docclean.transforms.ruleset import RuleSet, default_ruleset


@dataclass(frozen=True, slots=True)
class MetadataVocabulary:
    """A rule set's metadata word lists, compiled once per rule set (`RuleSet.derived`)."""

    # title and site
    title_separator: re.Pattern[str]
    wide_title_separator: re.Pattern[str]  # the separators CJK titles write without spaces
    title_edge: str  # characters stripped where a "Site | " prefix was cut
    dateline: re.Pattern[str]
    article_types: frozenset[str]
    generic_page_types: frozenset[str]
    organisation_types: frozenset[str]
    site_types: frozenset[str]
    publisher_meta_keys: tuple[str, ...]
    title_ui_phrases: frozenset[str]
    time_words: frozenset[str]
    # dates
    date_meta_keys: tuple[str, ...]
    # authors
    author_meta_keys: tuple[str, ...]
    author_label_values: tuple[str, ...]
    byline_prefix: re.Pattern[str]
    byline_label: re.Pattern[str]
    byline_name_end: re.Pattern[str]
    byline_mark: re.Pattern[str]  # the name ends that are marks, not words: "|", "·", "–"
    byline_class: re.Pattern[str]
    byline_elements: tuple[SelectorGroup, ...]  # strongest evidence first
    byline_discarded: SelectorGroup
    comment_classes: tuple[str, ...]
    author_separator: re.Pattern[str]
    name_edge: str
    not_name_words: frozenset[str]
    date_words: frozenset[str]
    comment_byline_endings: tuple[str, ...]
    not_name_character: re.Pattern[str]
    username_characters: frozenset[str]
    name_prefix: re.Pattern[str]
    byline_suffix: re.Pattern[str]
    name_joiner: re.Pattern[str]
    credentials: frozenset[str]
    trailing_junk: re.Pattern[str]
    paren_code: re.Pattern[str]
    agency_names: frozenset[str]
    organisation_word: re.Pattern[str]
    team_words: frozenset[str]
    place_names: frozenset[str]


def metadata_vocabulary(ruleset: RuleSet | None = None) -> MetadataVocabulary:
    """The metadata vocabulary of `ruleset` (the packaged rules when None), built once per rule set."""
    return (ruleset or default_ruleset()).derived(_build_vocabulary)


def _build_vocabulary(ruleset: RuleSet) -> MetadataVocabulary:
    words = ruleset.words
    separators = words("title_separators")
    wide = words("title_separators_unspaced")
    between_names = alternation(words("author_separators"), whole_words=True)
    return MetadataVocabulary(
        title_separator=re.compile(rf"\s+(?:{alternation(separators)})\s+|\s*(?:{alternation(wide)})\s*"),
        wide_title_separator=re.compile(rf"\s*(?:{alternation(wide)})\s*"),
        title_edge=" " + "".join(separators) + "".join(wide),
        dateline=re.compile(
            rf"\b(?:{alternation(words('dateline_words'))}|(?:{alternation(words('month_abbreviations'))})[a-z]*\s+\d{{1,2}})\b"
        ),
        article_types=_lower_set(words("jsonld_article_types")),
        generic_page_types=_lower_set(words("jsonld_generic_page_types")),
        organisation_types=_lower_set(words("jsonld_organisation_types")),
        site_types=_lower_set(words("jsonld_site_types")),
        publisher_meta_keys=words("publisher_meta_keys"),
        title_ui_phrases=frozenset(" ".join(re.findall(r"\w+", w.lower())) for w in words("title_ui_phrases")),
        time_words=frozenset(t for w in words("time_words") for t in re.findall(r"\w+", w.lower())),
        date_meta_keys=words("date_meta_keys"),
        author_meta_keys=words("author_meta_keys"),
        author_label_values=tuple(w.lower() for w in words("author_label_values")),
        byline_prefix=re.compile(rf"^(?:(?:{alternation(words('byline_prefixes'))}){_END}\s*[:/]?\s*)+", re.IGNORECASE),
        byline_label=re.compile(
            rf"^(?:{alternation(words('byline_labels'))})\b\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL
        ),
        byline_name_end=re.compile(rf"\s+(?:{alternation(words('byline_name_ends'))})\s+"),
        byline_mark=re.compile(
            rf"\s+(?:{alternation([w for w in words('byline_name_ends') if not any(c.isalpha() for c in w)])})\s+"
        ),
        byline_class=re.compile(rf"\b(?:{alternation(words('byline_classes'))})\b", re.IGNORECASE),
        byline_elements=tuple(
            SelectorGroup.of(words(f"byline_elements_{tier}")) for tier in ("specific", "generic", "last_resort")
        ),
        byline_discarded=SelectorGroup.of(words("byline_elements_discarded")),
        comment_classes=words("comment_classes"),
        author_separator=re.compile(rf"\s*(?:{between_names})\s*", re.IGNORECASE),
        name_edge="".join(words("name_edge_punctuation")),
        not_name_words=_lower_set(words("not_name_words")),
        date_words=_lower_set(words("date_words")),
        comment_byline_endings=tuple(" " + w.lower() for w in words("comment_byline_endings")),
        not_name_character=re.compile(f"[{''.join(re.escape(c) for c in words('not_name_characters'))}]"),
        username_characters=frozenset(words("username_characters")),
        name_prefix=re.compile(rf"(?:{alternation(words('byline_prefixes_before_names'))})\s+", re.IGNORECASE),
        byline_suffix=re.compile(rf"\s*(?:{alternation(words('byline_suffixes'))})$", re.IGNORECASE),
        # Lower case only: "Robert E Lee" has an initial, not the Italian "e".
        name_joiner=re.compile(rf"\s+(?:{alternation(words('name_joiners'))})\s+"),
        credentials=frozenset(w.lower().replace(".", "") for w in words("credentials")),
        trailing_junk=re.compile(
            rf"(?:(?:^|\s+)(?:{alternation(words('name_trailing_words'), whole_words=True)}))+$", re.IGNORECASE
        ),
        # "(obe)", "(dpa)" after a name: initials or an agency, at most 12 characters.
        paren_code=re.compile(r"\s*\(([^()]{1,12})\)"),
        agency_names=frozenset(" ".join(re.findall(r"\w+", w.lower())) for w in words("agency_names")),
        organisation_word=re.compile(rf"(?:{alternation(words('organisation_words'))})", re.IGNORECASE),
        team_words=_lower_set(words("team_words")),
        place_names=frozenset(" ".join(re.findall(r"\w+", w.lower())) for w in words("place_names")),
    )


# The end of a label: a word boundary, or none after CJK ("記者張三" has no space to break at).
_END = r"(?:\b|(?<=[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]))"


def alternation(words: Iterable[str], *, whole_words: bool = False) -> str:
    r"""A regex alternation of `words`, longest first, each escaped; a space in a phrase matches
    any run of whitespace. With `whole_words`, a word of letters matches only as a whole word.

    >>> alternation(["by", "written by", "and"], whole_words=True)
    '\\bwritten\\s+by\\b|\\band\\b|\\bby\\b'
    >>> alternation(["|", "::"])
    '::|\\|'
    """
    parts = sorted(dict.fromkeys(words), key=len, reverse=True)
    return "|".join(_phrase(p, whole_words=whole_words) for p in parts)


def _phrase(phrase: str, *, whole_words: bool) -> str:
    if not phrase.strip():
        return re.escape(phrase)
    pattern = r"\s+".join(re.escape(word) for word in phrase.split())
    # "and" between names must not match inside "Andrea" or "Sandy".
    return rf"\b{pattern}\b" if whole_words and phrase.replace(" ", "").isalpha() else pattern


def _lower_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w.lower() for w in words)
