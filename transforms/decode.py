"""Bytes to text: declared charset, BOM, UTF-8, then detection (charset-normalizer).

A document that cannot be decoded becomes a reject with a reason, never an exception that
stops the run.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes

# File signatures of formats that are certainly not text.
_BINARY_MAGIC = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x7fELF",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"Rar!",
    b"\x00asm",
    b"RIFF",
    b"OggS",
    b"ID3",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAX_NUL_FRACTION = 0.001
_MAX_REPLACEMENT_FRACTION = 0.01


class DecodeError(ValueError):
    """Bytes that are not usable text; `reason` is a stable reject reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def sniff_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a `<meta>` tag within its first 4 KB (WHATWG prescan).

    >>> sniff_html_charset(b'<html><head><meta charset="gb2312"></head>')
    'gb2312'
    """
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode a document's bytes, or raise DecodeError saying why it is not text.

    >>> decode_bytes("café".encode("cp1252")).text
    'café'
    >>> decode_bytes(b"") # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    DecodeError: empty: the input has no bytes
    """
    if not data:
        raise DecodeError("empty", "the input has no bytes")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding) or _fail_encoding(encoding)
    if data.startswith(_BINARY_MAGIC):
        raise DecodeError("binary", f"starts with the signature of a binary format ({data[:8]!r})")
    nul_fraction = data.count(0) / len(data)
    if nul_fraction > _MAX_NUL_FRACTION:
        raise DecodeError("binary", f"{nul_fraction:.1%} NUL bytes: not a text document")
    if declared and _fits_declared(data, declared) and (decoded := _strict(data, declared)):
        return decoded
    if decoded := _strict(data, "utf-8"):
        return decoded
    best = _best_guess(data)
    if best is None:
        raise DecodeError("undecodable", "no character encoding fits these bytes (checked UTF-8 and detection)")
    text = data.decode(best, errors="replace")
    if text.count("\ufffd") / max(len(text), 1) > _MAX_REPLACEMENT_FRACTION:
        raise DecodeError("undecodable", f"detected {best}, but too many bytes do not decode")
    return Decoded(text, best)


# When detection finds several encodings equally plausible (short texts often do), prefer the
# ones the web actually uses, most common first (WHATWG's fallback for Western text is cp1252).
_PREFERRED = (
    "cp1252",
    "iso8859_15",
    "cp1251",
    "gb18030",
    "gbk",
    "shift_jis",
    "euc_jp",
    "euc_kr",
    "big5",
    "cp1250",
    "koi8_r",
    "cp1256",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp874",
    "cp1257",
    "cp1258",
)


def _best_guess(data: bytes) -> str | None:
    results = list(from_bytes(data[:200_000]))
    if not results:
        return None
    best = results[0]
    tied = [m for m in results if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    for preferred in _PREFERRED:
        for match in tied:
            if preferred in match.could_be_from_charset:
                return preferred
    return best.encoding


# Declared legacy charsets whose superset is what pages really use (as browsers do).
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "shift_jis": "cp932",
    "euc-kr": "cp949",
}


def _strict(data: bytes, encoding: str) -> Decoded | None:
    encoding = _SUPERSETS.get(encoding.lower(), encoding)
    try:
        return Decoded(data.decode(encoding), codecs.lookup(encoding).name)
    except (UnicodeDecodeError, LookupError):
        return None


def _fits_declared(data: bytes, declared: str) -> bool:
    """Whether a declared charset is plausible for these bytes.

    A charset that does not write ASCII as ASCII (UTF-16/32 without a BOM, EBCDIC, UTF-7) is
    believed only for bytes that are not valid UTF-8: declared on ASCII HTML, it would turn every
    pair of letters into one CJK character. Detection then decides.

    >>> _fits_declared(b"<p>Hello</p>", "utf-16"), _fits_declared(b"<p>Hello</p>", "latin-1")
    (False, True)
    """
    try:
        ascii_compatible = _ASCII_PROBE.encode(_SUPERSETS.get(declared.lower(), declared)) == _ASCII_PROBE.encode()
    except (LookupError, UnicodeError):
        return False
    if ascii_compatible:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


_ASCII_PROBE = "<p>Az09 .,;:'\"-</p>"


def _fail_encoding(encoding: str) -> Decoded:
    raise DecodeError("undecodable", f"has a {encoding} byte-order mark but is not valid {encoding}")


def decode_document(data: bytes, input_format: str, declared: str | None = None) -> str:
    """A document's text: the container's charset, else (HTML) its `<meta charset>`, else detection.

    The one decoding path for cleaning and for rebuilding a document's text from the lake.
    """
    if declared is None and input_format == "html":
        declared = sniff_html_charset(data)
    return decode_bytes(data, declared).text


# Text that is language has letters (or the marks Indic scripts write vowels with) for most of
# its visible characters, spread over many different characters. Measured on 1,836 real article
# texts (big9 gold, WCXB-dev ground truth, several scripts): letters are never under 48 % of the
# visible characters and no one character is over 16 %; symbol runs, digit tables and one
# character repeated (what bytes of another format often decode to) fall far outside.
_MIN_LETTER_FRACTION = 0.35
_MAX_TOP_CHAR_FRACTION = 0.5
_MIN_DISTINCT = 5
_MIN_JUDGED = 20  # fewer visible characters than this are too short to judge
_SAMPLE = 600  # the thresholds sit far from real text's shares: a few % of sampling error is safe


def not_language(text: str) -> str | None:
    """Why `text` is not language (symbol runs, one character repeated), or None when it may be.

    Judged on at most `_SAMPLE` visible characters, in runs from the start, the middle and the
    end: the shares it tests are properties of the whole text, and a per-character look at a
    long article cost a fifth of its cleaning time.

    >>> not_language("ⅱ" * 200)
    'letters are 0% of the 200 visible characters'
    >>> not_language("Привет, мир! Это короткий текст.") is None
    True
    """
    visible = "".join(text.split())
    if len(visible) < _MIN_JUDGED:
        return None
    sample = _sample(visible)
    letters = sum(map(str.isalpha, sample))  # category L, at C speed: enough for most text
    if letters < _MIN_LETTER_FRACTION * len(sample):  # count marks too (Indic vowel signs) before judging
        letters = sum(1 for c in sample if unicodedata.category(c)[0] in "LM")
    if letters < _MIN_LETTER_FRACTION * len(sample):
        return f"letters are {letters / len(sample):.0%} of the {len(visible):,} visible characters"
    counts = Counter(sample)
    top, n_top = counts.most_common(1)[0]
    if n_top > _MAX_TOP_CHAR_FRACTION * len(sample):
        return f"one character ({top!r}) is {n_top / len(sample):.0%} of the text"
    if len(counts) < _MIN_DISTINCT:
        return f"only {len(counts)} different characters in {len(visible):,}"
    return None


def _sample(visible: str) -> str:
    """Three contiguous runs (start, middle, end), not every n-th character: a stride can fall in
    step with a repeating pattern and see one character where the text has several."""
    if len(visible) <= _SAMPLE:
        return visible
    run, middle = _SAMPLE // 3, len(visible) // 2
    return visible[:run] + visible[middle - run // 2 : middle + run // 2] + visible[-run:]
