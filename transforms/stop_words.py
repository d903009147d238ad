"""Stop words per language, and which language's a page is written in.

The prose step measures a line by the share of its words that are function words ("the", "und",
"и", "och"): prose has many, menus and labels almost none. Measured against the union of many
languages' lists, a menu would pick up stray hits from every other language ("men" is Swedish
for "but"), so each page is measured against its own language's list, chosen by which list
its longest sentences hit most: function words are the most frequent words of any running text,
which makes them a reliable language test on a hundred words or so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# The vote reads this many characters of the page's longest sentences, at most SAMPLE_LINE_CHARS
# of each: over a hundred words, enough to tell languages apart.
VOTE_CHARS = 800
SAMPLE_LINE_CHARS = 200
_SENTENCE_ENDS = frozenset(".!?。！？؟।۔\"'”»)")
# Fewer hits than this is no evidence of a listed language.
MIN_VOTES = 3
# A second language counts when its stop words are hit at least this share as often as the first's.
SECOND_LANGUAGE_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class PageWords:
    """What a page's lines are measured by: its languages' stop words and, for languages whose
    function words are mostly affixes (Finnish, Turkish, Arabic), a lower minimum share."""

    words: frozenset[str]
    min_ratio: float | None = None  # None: the rule's `min_stopword_ratio`


@dataclass(frozen=True, slots=True)
class StopWords:
    """Function words by language (the `low_prose` rule's `stop_words`) and their union."""

    languages: tuple[str, ...] = ()  # in the rule's order: a tied vote goes to the first
    by_language: Mapping[str, frozenset[str]] = field(default_factory=dict)
    union: frozenset[str] = frozenset()
    # each word's languages, as positions in `languages`, for the vote
    voters: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    min_ratios: Mapping[str, float] = field(default_factory=dict)  # by language, where not the rule's
    combined: dict[tuple[str, ...], PageWords] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, lists: Mapping[str, str], min_ratios: Mapping[str, float] | None = None) -> StopWords:
        """From `{language: "words separated by spaces"}`, case-folded as lines are, and the
        languages' own minimum stop-word shares.

        >>> words = StopWords.of({"en": "the and of", "sv": "och att det"})
        >>> sorted(words.union), words.voters["och"]
        (['and', 'att', 'det', 'och', 'of', 'the'], (1,))
        """
        by_language = {lang: frozenset(w.casefold() for w in words.split()) for lang, words in lists.items()}
        voters: dict[str, tuple[int, ...]] = {}
        for i, words in enumerate(by_language.values()):
            for word in words:
                voters[word] = (*voters.get(word, ()), i)
        ratios = {lang: float(ratio) for lang, ratio in (min_ratios or {}).items()}
        return cls(tuple(by_language), by_language, frozenset(voters), voters, ratios)

    def languages_in(self, text: str) -> tuple[str, ...]:
        """The listed languages `text` (case-folded) is written in: the one whose stop words it
        hits most, then any other whose own words (not the first's) are hit at least
        SECOND_LANGUAGE_SHARE as often (an English article on a French site's page); none on
        too little evidence.

        >>> words = StopWords.of({"en": "the and of a to", "sv": "och att det en", "cs": "a to je se"})
        >>> words.languages_in("det var en gång en katt och en hund home")
        ('sv',)
        >>> words.languages_in("the cat and the dog went to a park to play")
        ('en',)
        >>> words.languages_in("home news sport")
        ()
        """
        voters_of = self.voters
        # counted by the tuple of languages a word votes for: few distinct tuples, so few loops
        hits = Counter([voters_of[word] for word in text.split() if word in voters_of])
        votes = [0] * len(self.languages)
        for voters, n in hits.items():
            for i in voters:
                votes[i] += n
        first = max(range(len(votes)), key=votes.__getitem__, default=None)  # a tie: the first listed
        if first is None or votes[first] < MIN_VOTES:
            return ()
        # Short function words are shared ("a", "to", "do" are Czech too): a second language is
        # counted only by the words the first does not have.
        own = [0] * len(self.languages)
        for voters, n in hits.items():
            if first not in voters:
                for i in voters:
                    own[i] += n
        least = votes[first] * SECOND_LANGUAGE_SHARE
        others = sorted((i for i, n in enumerate(own) if n >= max(least, MIN_VOTES)), key=lambda i: -own[i])
        return tuple(self.languages[i] for i in (first, *others))

    def of_page(self, lines: Sequence[str]) -> PageWords:
        """The stop words to measure a page's lines (their texts, none empty) by: its languages'
        (`languages_in`). The minimum share is the lowest of its languages' own
        (`min_ratios`). A page that hits no list enough is measured by none: with no sign of
        its language, none of its lines passes for prose, so the step judges nothing there (a
        page in an unlisted language keeps its text; every listed language's one-letter words
        together would make any line of codes and initials "prose").

        The vote reads the page's longest sentences (lines that end as one), SAMPLE_LINE_CHARS
        of each, VOTE_CHARS in all: prose, where the function words are, and not one flattened
        menu of brand names ("La Sportiva", "Mont Blanc"), which may be a page's longest line;
        then, if they give too little evidence, its longest lines of any kind.
        """
        sentences = [text for text in lines if text[-1] in _SENTENCE_ENDS]
        languages = self._vote(sentences) or (self._vote(lines) if len(sentences) < len(lines) else ())
        if languages not in self.combined:  # one set per combination: the signals cache keys on it
            words = frozenset().union(*(self.by_language[lang] for lang in languages))
            ratios = [self.min_ratios[lang] for lang in languages if lang in self.min_ratios]
            self.combined[languages] = PageWords(words, min(ratios) if ratios else None)
        return self.combined[languages]

    def _vote(self, lines: Sequence[str]) -> tuple[str, ...]:
        """`languages_in` the longest of `lines`, sorted. Words are split at spaces, not
        tokenised: a function word seldom carries punctuation, and tokenising would cost more
        than the vote."""
        sample, chars = [], 0
        for text in sorted(lines, key=len, reverse=True):
            sample.append(text[:SAMPLE_LINE_CHARS])
            chars += len(sample[-1])
            if chars >= VOTE_CHARS:
                break
        return tuple(sorted(self.languages_in(" ".join(sample).casefold())))
