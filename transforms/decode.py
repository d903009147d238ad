"""Bytes to text: declared charset, BOM, UTF-8, then detection (charset-normalizer).

A document that cannot be decoded becomes a reject with a reason, never an exception that
stops the run.
"""

from __future__ import annotations

import codecs
import re
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
    if declared and (decoded := _strict(data, declared)):
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


def _fail_encoding(encoding: str) -> Decoded:
    raise DecodeError("undecodable", f"has a {encoding} byte-order mark but is not valid {encoding}")


def decode_document(data: bytes, input_format: str, declared: str | None = None) -> str:
    """A document's text: the container's charset, else (HTML) its `<meta charset>`, else detection.

    The one decoding path for cleaning and for rebuilding a document's text from the lake.
    """
    if declared is None and input_format == "html":
        declared = sniff_html_charset(data)
    return decode_bytes(data, declared).text
