"""Page furniture without links: runs of short labels (menus, footers) in WET and plain text.

Link density finds menus in markdown; text flattened without links (WET records, html2text
with links off) keeps only their shape: short capitalised lines that are not sentences, one
after another, or a whole menu wrapped into one block of capitalised words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"\w+")
_SENTENCE_TAIL = ".!?,;:\"”'。！？؟।۔"
_CODE_CHARS = re.compile(r"[\[\]{}<>=;]|->")


@dataclass(frozen=True, slots=True)
class LabelShape:
    """What label detection needs of one line."""

    text: str
    words: int
    sentences: int
    stopword_ratio: float
    unspaced: bool
    kept: bool

    @classmethod
    def of(cls, text: str, kept: bool, signals: Any) -> LabelShape:
        """From a line's text and its prose signals (`prose.LineSignals`)."""
        return cls(text, signals.words, signals.sentences, signals.stopword_ratio, signals.unspaced, kept)


@dataclass(frozen=True, slots=True)
class LabelSettings:
    """The `low_prose` rule's label parameters (transforms/rules/site.toml says what each does)."""

    max_words: int = 6
    run_lines: int = 5
    caps_share: float = 0.5
    menu_caps_share: float = 0.8
    min_stopword_ratio: float = 0.12
    table_min_rows: int = 3
    row_number_share: float = 0.25
    stop_words: frozenset[str] = frozenset()

    @classmethod
    def of(cls, params: Mapping[str, Any], stop_words: frozenset[str]) -> LabelSettings:
        """From the `low_prose` rule's params (`label_max_words`, `label_run_lines`, ...)."""
        defaults = cls()
        return cls(
            max_words=int(params.get("label_max_words", defaults.max_words)),
            run_lines=int(params.get("label_run_lines", defaults.run_lines)),
            caps_share=float(params.get("label_caps_share", defaults.caps_share)),
            menu_caps_share=float(params.get("menu_caps_share", defaults.menu_caps_share)),
            min_stopword_ratio=float(params.get("min_stopword_ratio", defaults.min_stopword_ratio)),
            table_min_rows=int(params.get("table_min_rows", defaults.table_min_rows)),
            row_number_share=float(params.get("table_row_number_share", defaults.row_number_share)),
            stop_words=stop_words,
        )


def label_runs(lines: Sequence[LabelShape], settings: LabelSettings) -> list[int]:
    """Indices of kept lines in runs of at least `run_lines` labels, and of menu blocks.

    A label has at most `max_words` words, no sentence end, and mostly capitalised words (stop
    words aside): "World", "Where I Live", "Contact Us". A real list's items, a poem's or an
    address's lines come in shorter runs, or read as sentences or in lower case. Removed lines
    and separators neither break a run nor extend it.

    >>> shape = lambda t: LabelShape(t, len(t.split()), 0, 0.0, False, True)
    >>> lines = [shape(t) for t in ["Home", "World", "UK", "Business", "Sport", "The council met."]]
    >>> label_runs(lines, LabelSettings())
    [0, 1, 2, 3, 4]
    """
    out: list[int] = []
    run: list[int] = []
    table = _table_rows(lines, settings)
    for i, line in enumerate(lines):
        if not line.kept or line.words == 0:
            continue
        if is_label(line, settings):
            run.append(i)
            continue
        if len(run) >= settings.run_lines:
            out.extend(run)
        run = []
        if i not in table and is_menu_block(line, settings):
            out.append(i)
    if len(run) >= settings.run_lines:
        out.extend(run)
    return sorted(out)


def _table_rows(lines: Sequence[LabelShape], settings: LabelSettings) -> set[int]:
    """Lines in runs of at least `table_min_rows` rows of data: names among many numbers, as a table
    flattened to text gives them ("3 Kellogg School of Management 11% / 35% 664 228"). Shaped
    like a menu wrapped into a block, they are the article's table.

    >>> shape = lambda t: LabelShape(t, len(t.split()), 0, 0.0, False, True)
    >>> rows = ["1 Booth School 37% 30% 729", "2 Kellogg School 38% 31% 729", "3 Wharton School 35% 23% 733"]
    >>> sorted(_table_rows([shape(t) for t in ["Home News Sport", *rows]], LabelSettings()))
    [1, 2, 3]
    """
    out: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, None]):
        if line is not None and (not line.kept or line.words == 0):
            continue
        if line is not None and _is_data_row(line, settings):
            run.append(i)
            continue
        if len(run) >= settings.table_min_rows:
            out.update(run)
        run = []
    return out


def _is_data_row(line: LabelShape, settings: LabelSettings) -> bool:
    tokens = _WORD.findall(line.text)
    numbers = sum(1 for token in tokens if token[0].isdigit())
    return len(tokens) >= settings.table_min_rows and numbers >= settings.row_number_share * len(tokens)


def is_label(line: LabelShape, settings: LabelSettings) -> bool:
    """A short line of capitalised words that does not end as a sentence does, and is not code.

    >>> shape = lambda t: LabelShape(t, len(t.split()), 0, 0.0, False, True)
    >>> [is_label(shape(t), LabelSettings()) for t in ["Contact Us", "A[Start] --> B{Check}", "Total = 4"]]
    [True, False, False]
    """
    if line.unspaced or not 0 < line.words <= settings.max_words or line.text[-1] in _SENTENCE_TAIL:
        return False
    if _CODE_CHARS.search(line.text):  # brackets, braces, "=", "->": a line of code or a diagram
        return False
    words = [w for w in _WORD.findall(line.text) if w.casefold() not in settings.stop_words and not w.isdigit()]
    capitalised = sum(1 for w in words if _capitalised(w))
    return capitalised >= settings.caps_share * len(words) if words else True


def is_menu_block(line: LabelShape, settings: LabelSettings) -> bool:
    """A long block of capitalised labels with no sentence in it: a menu wrapped as a paragraph.

    >>> menu = "News World UK England Wales Business Politics Health"
    >>> is_menu_block(LabelShape(menu, 8, 0, 0.0, False, True), LabelSettings())
    True
    >>> is_menu_block(LabelShape("0:0:0:0:0:0:0", 7, 0, 0.0, False, True), LabelSettings())
    False

    Stop words count as a sentence's only in lower case: labels capitalise theirs.

    >>> menu = "Home World Have Your Say In Pictures Science Business Sport"
    >>> settings = LabelSettings(stop_words=frozenset("have your in the also".split()))
    >>> is_menu_block(LabelShape(menu, 10, 0, 0.3, False, True), settings)
    True
    """
    if line.unspaced or line.words < settings.run_lines or line.sentences:
        return False
    # (the case-folded ratio first: most lines with stop words are sentences, and it is known)
    if (
        line.stopword_ratio >= settings.min_stopword_ratio
        and _prose_stop_share(line, settings) >= settings.min_stopword_ratio
    ):
        return False
    words = [w for w in _WORD.findall(line.text) if not w.isdigit()]
    # Numbers alone ("0:0:0:0:0:0:0", a row of scores) are not labels: there must be some words.
    return bool(words) and sum(1 for w in words if _capitalised(w)) >= settings.menu_caps_share * len(words)


def _capitalised(word: str) -> bool:
    """Written as a label writes its words: capitalised, or in a script without case (Arabic,
    Hebrew, Devanagari), where running text and labels look alike and shape alone must tell.

    >>> [_capitalised(w) for w in ("World", "world", "أخبار", "4th")]
    [True, False, True, False]
    """
    first = word[0]
    return first.isupper() or (first.isalpha() and not first.islower())


def _prose_stop_share(line: LabelShape, settings: LabelSettings) -> float:
    """Share of the words that are stop words written in lower case, as running text writes
    them: a menu of title-case labels ("Have Your Say", "In Pictures") has stop words too, but
    capitalised ones."""
    tokens = _WORD.findall(line.text)
    return sum(map(settings.stop_words.__contains__, tokens)) / len(tokens) if tokens else 0.0
