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

# Characters that render as a space, and invisible ones that only break word matching.
_SPACE_LIKE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MULTI_SPACE = re.compile(r" {2,}")


def prepare_text(text: str) -> str:
    """Repair and normalise raw text into the coordinate space removals refer to.

    >>> prepare_text("caf\\u00c3\\u00a9\\u00a0 au lait\\r\\n")
    'café au lait\\n'
    """
    text = _normalize_spaces(ftfy.fix_text(text, config=FTFY_CONFIG))
    # Folding no-break spaces can expose mojibake ftfy left alone while they were there; fixing
    # it now makes cleaning idempotent (the output, cleaned again, is unchanged). Rarely runs:
    # `is_bad` is a single regular expression.
    if ftfy.badness.is_bad(text):
        text = _normalize_spaces(ftfy.fix_text(text, config=FTFY_CONFIG))
    return text


def _normalize_spaces(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACE_LIKE.sub(" ", text)
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
    words = re.findall(r"\w+", text.casefold().replace("’", "'"))
    return " ".join(words)
