"""Builders of hostile input files, each with the outcome every document in it must have.

`build(folder)` writes them and returns file name -> sorted outcomes (a reject reason, or None
for an article). Shared by the batch-level test (`test_hostile_kinds.py`) and the flow-level
run over the same folder.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import socket
import zlib
from collections.abc import Callable
from pathlib import Path

PARAGRAPH = "The harbour authority said on Monday that repairs to the northern pier would take most of the winter."
HTML = f"<html><head><title>Pier</title></head><body><article><p>{PARAGRAPH}</p></article></body></html>"
# Short real paragraphs in four scripts: they must stay articles (not `not_text`).
JAPANESE = "東京都は月曜日、北側の桟橋の修理に冬の大半がかかると発表した。市民は別の港を使うよう求められている。"
ARABIC = "قالت سلطة الميناء يوم الاثنين إن إصلاح الرصيف الشمالي سيستغرق معظم فصل الشتاء."
RUSSIAN = "Администрация порта заявила в понедельник, что ремонт северного причала займёт большую часть зимы."
HINDI = "बंदरगाह प्राधिकरण ने सोमवार को कहा कि उत्तरी घाट की मरम्मत में सर्दियों का अधिकांश समय लगेगा।"


def warc_record(
    *,
    body: bytes | None = None,
    uri: bytes | None = b"http://example.com/a",
    record_id: bytes = b"<urn:uuid:00000000-0000-0000-0000-000000000001>",
    content_type: bytes = b"text/html; charset=utf-8",
    rec_type: bytes = b"response",
) -> bytes:
    """One WARC response record, built by hand so any header can be wrong."""
    body = HTML.encode() if body is None else body
    http = b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    head = b"WARC/1.0\r\nWARC-Type: " + rec_type + b"\r\nWARC-Record-ID: " + record_id + b"\r\n"
    if uri is not None:
        head += b"WARC-Target-URI: " + uri + b"\r\n"
    head += b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % len(http)
    return head + http + b"\r\n\r\n"


def _rid(n: int) -> bytes:
    return b"<urn:uuid:00000000-0000-0000-0000-%012d>" % n


def _jsonl(*records: dict | str) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


def _gzip_member_bomb(size: int) -> bytes:
    """A gzip member of `size` zero bytes (about 1,000 times smaller)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(size >> 20)) + compressor.flush()


def _warc_bomb() -> bytes:
    """A .warc.gz whose second record declares and inflates to 300 MiB: over the run's limit."""
    good = gzip.compress(warc_record(record_id=_rid(1)))
    size = 300 << 20
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % size
    head = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: " + _rid(2) + b"\r\nWARC-Target-URI: http://e.com/b\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % (size + len(http))
    )
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(head + http)]
    chunk = b" " * (1 << 20)
    parts += [compressor.compress(chunk) for _ in range(size >> 20)]
    return good + b"".join(parts) + compressor.flush()


def build(folder: Path) -> dict[str, list[str | None]]:
    """Write every hostile input into `folder`; file name -> the sorted outcomes of its documents."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, list[str | None]] = {}

    def put(name: str, data: bytes | str, *outcomes: str | None) -> None:
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
        expected[name] = sorted(outcomes, key=str)

    def special(name: str, make: Callable[[Path], None]) -> None:
        make(folder / name)
        expected[name] = ["not_regular_file"]

    # A normal document, to show the run goes on around the hostile ones.
    put("good.txt", f"Piers Closed For Repairs\n\n{PARAGRAPH}\n", None)

    # One field of the wrong type: that line is a `bad_field` reject, its neighbours are articles.
    for name, record in {
        "authors_int": {"text": PARAGRAPH, "authors": 5},
        "authors_dict": {"text": PARAGRAPH, "authors": {"a": 1}},
        "authors_list_of_ints": {"text": PARAGRAPH, "authors": [1, 2]},
        "site_list": {"text": PARAGRAPH, "site": ["x"]},
        "site_int": {"text": PARAGRAPH, "site": 5},
        "title_list": {"text": PARAGRAPH, "title": ["a"]},
        "url_int": {"text": PARAGRAPH, "url": 7},
        "date_int": {"text": PARAGRAPH, "published_at": 1700000000},
        "language_bool": {"text": PARAGRAPH, "language": True},
        "id_list": {"id": [1], "text": PARAGRAPH},
        "id_float": {"id": 1.5, "text": PARAGRAPH},
        "text_int": {"text": 5},
        "html_list": {"html": ["<p>x</p>"]},
    }.items():
        put(f"{name}.jsonl", _jsonl(record, {"text": PARAGRAPH}), "bad_field", None)
    # Values that are the right type but odd: articles.
    put("url_bad_ipv6.jsonl", _jsonl({"text": PARAGRAPH, "url": "http://[bad"}), None)
    put("url_path_like.jsonl", _jsonl({"text": PARAGRAPH, "url": "../../etc/passwd", "site": "../.."}), None)
    put("id_int.jsonl", _jsonl({"id": 7, "text": PARAGRAPH}), None)
    put("authors_with_nulls.jsonl", _jsonl({"text": PARAGRAPH, "authors": ["Ann Lee", None]}), None)
    put("date_garbage.jsonl", _jsonl({"text": PARAGRAPH, "published_at": "not a date at all"}), None)
    put("huge_title.jsonl", _jsonl({"text": PARAGRAPH, "title": "T" * 100_000}), None)
    # Lone surrogates are valid JSON escapes but not text: replaced, the document kept.
    surrogate = '{"%s": "\\ud800 x", "text": "' + PARAGRAPH + '"}\n'
    put("surrogate_text.jsonl", '{"text": "\\ud800 ' + PARAGRAPH + '"}\n', None)
    put("surrogate_id.jsonl", surrogate % "id", None)
    put("surrogate_title.jsonl", surrogate % "title", None)
    put("surrogate_author.jsonl", surrogate % "authors", None)
    # JSON that breaks parsers: `bad_json`.
    put("nested_100k.jsonl", "[" * 100_000 + "\n" + json.dumps({"text": PARAGRAPH}) + "\n", "bad_json", None)
    put("nested_in_field.jsonl", '{"text": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}\n", "bad_json")
    put("huge_int.jsonl", '{"text": "x", "n": ' + "9" * 10_000 + "}\n", "bad_json")
    put("array_line.jsonl", "[1, 2, 3]\n", "bad_json")
    put("invalid_utf8.jsonl", b'{"text": "\xff\xfe bad"}\n', "bad_json")
    put("nul_line.jsonl", b"\0" * 100 + b"\n", "bad_json")
    # Identity: a repeated id is a `duplicate_id` reject, never a second hidden version.
    put(
        "same_id_twice.jsonl",
        _jsonl({"id": "a", "text": PARAGRAPH}, {"id": "a", "text": RUSSIAN}),
        None,
        "duplicate_id",
    )
    put(
        "same_line_twice.jsonl",
        _jsonl({"id": "b", "text": PARAGRAPH}, {"id": "b", "text": PARAGRAPH}),
        None,
        "duplicate_id",
    )
    put("no_id_twice.jsonl", _jsonl({"text": PARAGRAPH}, {"text": PARAGRAPH}), None, None)

    # WARC: a broken record is rejected, the file goes on where it can.
    put("warc_bad_uri.warc", warc_record(uri=b"http://[bad"), None)
    put("warc_no_uri.warc", warc_record(uri=None) + warc_record(record_id=_rid(2)), "corrupt_warc", None)
    put("warc_same_id.warc", warc_record() + warc_record(body=RUSSIAN.encode()), None, "duplicate_id")
    put("warc_utf16_ascii.warc", warc_record(content_type=b"text/html; charset=utf-16"), None)
    put("warc_unknown_charset.warc", warc_record(content_type=b"text/html; charset=x-nonsense"), None)
    put("warc_ebcdic_declared.warc", warc_record(content_type=b"text/html; charset=cp037"), None)
    put(
        "warc_image.warc",
        warc_record(content_type=b"image/png", body=b"\x89PNG" + bytes(64)),
        "unsupported_content_type",
    )
    cut = warc_record(record_id=_rid(1)) + warc_record(record_id=_rid(2), body=(HTML * 20).encode())
    put("warc_truncated.warc", cut[:-400], None, "corrupt_warc")
    put("warc_not_warc.warc", b"WARC/1.0\r\nthis is not a warc header\r\n\r\n", "corrupt_warc")
    put("warc_garbage.warc", random.Random(1).randbytes(2000), "corrupt_warc")
    put("warc_empty.warc", b"")  # no records: nothing to account for
    # The big record is over the document limit, and reading past it over the file's inflation limit.
    put("warc_bomb.warc.gz", _warc_bomb(), None, "too_large", "too_large")
    put("warc_gz_truncated.warc.gz", gzip.compress(warc_record() * 1)[:-30], "corrupt_warc")

    # Files that hang a naive reader: never opened.
    special("fifo.txt", lambda p: os.mkfifo(p))
    special("socket.html", _bind_socket)

    # Pathological markup: quadratic matchers must stay linear, the document an article or a reject.
    nesting = "[" * 20_000 + "x" + "](" * 10_000
    put("md_link_nesting.md", f"Pier Repairs\n\n{PARAGRAPH}\n\n{nesting}\n", "not_text")  # brackets: 99 %
    put("md_emphasis_openers.md", f"{PARAGRAPH}\n\n" + " *a" * 50_000 + "\n", None)
    put("md_autolink_openers.md", f"{PARAGRAPH}\n\n" + "<http:" * 30_000 + "\n", None)

    # Garbage that decodes: `not_text`, never an "article".
    put("high_bytes.txt", b"\xa2" * 5000, "not_text")
    put("symbols.txt", "§±¶©®™°" * 300, "not_text")
    put("one_char.txt", "a" * 5000, "not_text")
    put("digits.txt", "1234567890 " * 300, "not_text")
    put("thai_marks.txt", b"\xe9" * 5000, "not_text")
    # ... and real short texts in other scripts stay articles.
    put("japanese.txt", JAPANESE, None)
    put("arabic.txt", ARABIC, None)
    put("russian.txt", RUSSIAN, None)
    put("hindi.txt", HINDI, None)
    return expected


def _bind_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()  # the socket file stays
