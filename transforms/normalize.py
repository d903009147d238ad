"""Unicode repair and whitespace normalisation: the first and last steps of cleaning."""

from __future__ import annotations

import re
import unicodedata

import ftfy
import ftfy.badness

# Conservative ftfy: repair mojibake and control characters, but keep what authors wrote.
# Curly quotes stay curly (they are correct text, not damage); fullwidth forms stay (they are
# ordinary CJK punctuation); HTML entities are unescaped only when the text has no `<`, which
# is ftfy's "auto" and right for text already extracted from HTML.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=True,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=True,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization="NFC",
    explain=False,
)

# What any enabled ftfy fixer acts on, apart from mojibake (`is_bad`) and denormalised text:
# HTML entities, C0/C1 and other control characters (ftfy's CONTROL_CHARS, terminal escapes),
# line separators, surrogates, Latin ligatures. Plus Ã and Â, because one badness pattern is
# anchored at the start of each line ftfy fixes (`^[ÃÂ] `), which a whole-text check misses.
# Text with none of these, no mojibake and already NFC comes out of `ftfy.fix_text` unchanged,
# so it skips ftfy's per-line passes: most extracted pages (tests check the equivalence).
_FTFY_TRIGGERS = re.compile(
    "&#?[0-9A-Za-z]{1,24};"
    "|[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\r\u2028\u2029\u206a-\u206f\ufeff\ufff9-\ufffc"
    "\ud800-\udfff\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06ÃÂ]"
)
# ftfy's mojibake test (`is_bad`) is one large alternation that Python's regex engine tries at
# every position of the text: about 1.5 ms on an ordinary page. Every branch of it needs one of
# the characters in its categories (or a non-ASCII literal of the pattern) within its first
# three characters, so trying it only around those characters gives the same answer.
_MOJIBAKE_CHAR = re.compile(
    "["
    + "".join(ftfy.badness.MOJIBAKE_CATEGORIES.values())
    + "".join(sorted({ch for ch in ftfy.badness.BADNESS_RE.pattern if not ch.isascii()}))
    + "]"
)
_BADNESS_LOOKBACK = 2  # the most characters a branch matches before its first such character
# Characters that render as a space, and invisible ones that only break word matching.
# Every character `str.split()` takes for a space, so a line's words are the same before and after
# rendering joins them: a form feed left in made "Â\f" a space later, and ftfy, run on that output
# again, read "Â " as mojibake.
_SPACE_LIKE = re.compile(r"[\t\x0b\x0c\x1c-\x1f\x85\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_LINE_SEPARATOR = re.compile(r"[\u2028\u2029]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MULTI_SPACE = re.compile(r" {2,}")
# Any character one of the three substitutions above replaces: most texts have none, and one
# search is cheaper than three substitutions that each scan the whole text to change nothing.
_ODD_SPACE = re.compile("[" + "".join(p.pattern[1:-1] for p in (_SPACE_LIKE, _LINE_SEPARATOR, _INVISIBLE)) + "]")
_WORD = re.compile(r"\w+")


def prepare_text(text: str) -> str:
    """Repair and normalise raw text into the coordinate space removals refer to.

    >>> prepare_text("caf\\u00c3\\u00a9\\u00a0 au lait\\r\\n")
    'café au lait\\n'
    """
    text = _normalize_spaces(fix_text(text))
    # Folding no-break spaces can expose mojibake ftfy left alone while they were there; fixing
    # it now makes cleaning idempotent (the output, cleaned again, is unchanged). Rarely runs.
    if is_bad(text):
        text = _normalize_spaces(fix_text(text))
    return text


def fix_text(text: str) -> str:
    """`ftfy.fix_text` with FTFY_CONFIG, skipped when it provably cannot change the text.

    >>> fix_text("caf\\u00c3\\u00a9 &amp; cr\\u00e8me")
    'café & crème'
    """
    if needs_ftfy(text):
        return ftfy.fix_text(text, config=FTFY_CONFIG)
    return text


def needs_ftfy(text: str) -> bool:
    """False only when every ftfy fixer FTFY_CONFIG enables would leave `text` as it is."""
    return _FTFY_TRIGGERS.search(text) is not None or is_bad(text) or not unicodedata.is_normalized("NFC", text)


def is_bad(text: str) -> bool:
    """`ftfy.badness.is_bad` (likely mojibake), tried only where mojibake characters occur.

    >>> is_bad("caf\\u00c3\\u00a9"), is_bad("caf\\u00e9 \\u201ccr\\u00e8me\\u201d")
    (True, False)
    """
    tried = -1  # the last start position already tried
    for m in _MOJIBAKE_CHAR.finditer(text):
        at = m.start()
        for start in range(max(at - _BADNESS_LOOKBACK, tried + 1), at + 1):
            if ftfy.badness.BADNESS_RE.match(text, start):
                return True
        tried = at
    return False


def _normalize_spaces(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if _ODD_SPACE.search(text):
        text = _INVISIBLE.sub("", text)
        text = _SPACE_LIKE.sub(" ", text)
        text = _LINE_SEPARATOR.sub("\n", text)
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends.

    >>> collapse_whitespace("  a \\n  b  ")
    'a b'
    """
    return " ".join(text.split())


def paragraph_key(text: str) -> str:
    """Comparison key for paragraphs and titles: case-folded words, punctuation ignored.

    >>> paragraph_key("China’s “solid” deal!") == paragraph_key("china's solid deal")
    True
    """
    return " ".join(_WORD.findall(text.casefold().replace("’", "'")))
