"""Literal guards for rule patterns: text a pattern's every match must contain, read from the pattern.

Python's `re` tries a pattern at each position, character by character: a line of an article
costs ~10 µs against the combined line rules, and what rejects it is usually a word the pattern
must contain ("all rights reserved", "says:", " via "). A substring test finds that word's
absence in a fraction of the time. The guard is derived from the compiled pattern, never written
by hand, so a rule file cannot get it wrong: it is the longest run of literal characters on the
pattern's every path (for an alternation, one run per branch).

Guards compare case-insensitively, whatever the pattern's flags: a case-sensitive pattern only
matches text that also passes the insensitive test. `fold` maps the four non-ASCII characters
`re` matches to an ASCII letter under IGNORECASE (İ, ı, ſ, K) to that letter before lowering.
"""

from __future__ import annotations

import re

try:  # Python 3.11+; the parser is private, so any surprise means "no guard", never a wrong one
    from re import _constants as sre_constants
    from re import _parser as sre_parser
except ImportError:  # pragma: no cover
    sre_constants = sre_parser = None  # type: ignore[assignment]

# A leading repeat of at most this many characters scans for less than a guard costs (~0.5 µs).
_SHORT_SCAN = 40
# Beyond this many literals a guard costs about what the pattern does.
_MAX_GUARD_LITERALS = 8
# What `re` matches to an ASCII letter under IGNORECASE, besides that letter in either case.
_FOLDS = (("İ", "i"), ("ı", "i"), ("ſ", "s"), ("\u212a", "k"))


def fold(text: str) -> str:
    """`text` as guards read it: lowered, with what `re` folds to an ASCII letter folded to it.

    >>> fold("ALL RIGHTS RESERVED, İSTANBUL")
    'all rights reserved, istanbul'
    """
    if not text.isascii():  # (str.translate would look every character up: ~10x slower)
        for char, letter in _FOLDS:
            text = text.replace(char, letter)
    return text.lower()


def passes(need: frozenset[str] | None, folded: str) -> bool:
    """False only when text whose `fold` is `folded` holds none of `need` (a pattern's
    `required_literals`), so the pattern cannot match it; always True for no requirement.

    >>> passes(required_literals(re.compile(r"(?i)all rights reserved")), fold("Nothing here."))
    False
    """
    return need is None or any(literal in folded for literal in need)


def guard(pattern: re.Pattern[str], *, search: bool = False) -> frozenset[str] | None:
    r"""The literals to test before running `pattern` on a line, or None when running it is as cheap.

    A pattern that must match a literal or a character class at the line's first character (or
    at its start, for `search` of a pattern anchored by `^`) fails there, in well under a
    microsecond: a guard would cost more. So do guards of many literals (~60 ns each).

    >>> sorted(guard(re.compile(r"(?i).{0,200}all rights reserved")))
    ['all rights reserved']
    >>> guard(re.compile(r"(?i)all rights reserved\.?")) is None
    True
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    need = _required(parsed)
    if need is None or len(need) > _MAX_GUARD_LITERALS:
        return None
    items = list(parsed)
    anchored = bool(items) and items[0] == (sre_constants.AT, sre_constants.AT_BEGINNING)
    if (not search or anchored) and _starts_fast(items[1:] if anchored else items):
        return None
    if search and not anchored and _caseless_literal_first(items):
        return None  # `re` searches for a literal first character in C
    return need


def _caseless_literal_first(items: list) -> bool:
    if not items or items[0][0] is not sre_constants.LITERAL:
        return False
    char = chr(items[0][1])
    return char.lower() == char.upper()


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    r"""Strings (folded) one of which every match of `pattern` contains; None when there are none.

    >>> sorted(required_literals(re.compile(r"(?:\d+\. )?(?:Share|Tweet) this")))
    [' this']
    >>> required_literals(re.compile(r"\w+")) is None
    True
    """
    parsed = _parse(pattern)
    return None if parsed is None else _required(parsed)


def _parse(pattern: re.Pattern[str]) -> object | None:
    if sre_parser is None:
        return None
    try:
        return sre_parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # a pattern `re` compiled always parses; be safe anyway
        return None


def _starts_fast(items: list) -> bool:
    """Whether a match must begin with a character `re` tests at once (a literal, a class), so
    a line without it fails at its first character, or with a short bounded scan."""
    c = sre_constants
    if not items:
        return False
    op, av = items[0]
    if op in (c.LITERAL, c.NOT_LITERAL, c.IN):
        return True
    if op is c.SUBPATTERN:
        return _starts_fast(list(av[3]) + items[1:])
    if op is c.ATOMIC_GROUP:
        return _starts_fast(list(av) + items[1:])
    if op is c.BRANCH:
        return all(_starts_fast(list(branch) + items[1:]) for branch in av[1])
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, item = av
        if high <= _SHORT_SCAN:
            return True  # ".{0,40}": a scan this short costs less than the guard
        if not _starts_fast(list(item)):
            return False
        return low >= 1 or _starts_fast(items[1:])  # an optional prefix: what follows it too
    return False  # ".", lookarounds, anchors other than a leading ^: they scan or test nothing


def _literal_char(code: int) -> str | None:
    """The character as guards compare it, or None when case folding could match others."""
    char = chr(code)
    if char.isascii():
        return char.lower()
    if char.lower() == char == char.upper() and char.casefold() == char and not char.isalpha():
        return char
    return None


def _required(sequence: object) -> frozenset[str] | None:
    """The best requirement of a parsed sequence: its longest literal run or a sub-item's."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in sequence:  # type: ignore[attr-defined]
        char = _literal_char(av) if op is sre_constants.LITERAL else None
        if char is not None:
            run.append(char)
            continue
        flush()
        inner = _required_of_item(op, av)
        if inner is not None:
            candidates.append(inner)
    flush()
    return max(candidates, key=_selectivity, default=None)


def _required_of_item(op: object, av: object) -> frozenset[str] | None:
    """What one parsed item (group, alternation, repeat, assertion) requires of every match."""
    c = sre_constants
    if op is c.SUBPATTERN:
        return _required(av[3])  # type: ignore[index]
    if op is c.ATOMIC_GROUP:
        return _required(av)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, item = av  # type: ignore[misc]
        return _required(item) if low >= 1 else None
    if op is c.ASSERT:  # a lookahead or lookbehind that must hold: its text is in the line
        return _required(av[1])  # type: ignore[index]
    if op is c.BRANCH:
        branches = [_required(branch) for branch in av[1]]  # type: ignore[index]
        if any(branch is None for branch in branches):
            return None
        return frozenset().union(*branches)  # type: ignore[arg-type]
    return None


def _selectivity(literals: frozenset[str]) -> tuple[bool, int, int]:
    # Few enough literals to test cheaply first; then the longest shortest literal rejects most
    # lines; then fewer literals test faster.
    return len(literals) <= _MAX_GUARD_LITERALS, min(map(len, literals)), -len(literals)
