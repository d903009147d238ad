"""Hostile and broken input: every file ends as an article or a reject naming the problem, no
crash, limits enforced before work is spent, nothing fetched or followed outside the inputs."""

from __future__ import annotations

import gzip
import json
import os
import time
import zlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from docclean.flows.inputs import discover_files
from docclean.flows.readers import Limits, sources_from_files
from docclean.flows.results import BatchOptions
from docclean.flows.stages.clean import process_batch

PARAGRAPH = "The harbour authority said on Monday that repairs to the northern pier would take most of the winter."


def _gzip_bomb(path: Path, size: int) -> None:
    """`size` bytes of zeros, gzipped: about 1,000 times smaller on disk."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    with open(path, "wb") as handle:
        for _ in range(size >> 20):
            handle.write(compressor.compress(chunk))
        handle.write(compressor.flush())


def _build(folder: Path) -> dict[str, str | None]:
    """Write the hostile inputs; returns file name -> expected reject reason (None: an article)."""
    folder.mkdir()
    expected: dict[str, str | None] = {}

    def put(name: str, data: bytes | str, reason: str | None) -> None:
        path = folder / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        expected[name] = reason

    put("good.txt", f"Piers Closed For Repairs\n\n{PARAGRAPH}\n", None)
    put("empty.txt", b"", "empty")
    put("whitespace.md", " \n\t\n   \n", "empty")
    put("nul_bytes.txt", b"text\x00" * 200, "binary")
    put("zip_named.html", b"PK\x03\x04" + os.urandom(64), "binary")
    put("invalid_utf8.txt", "Les élèves étaient très fâchés contre la décision du conseil.".encode("latin-1"), None)
    put(
        "mojibake.txt",
        "The café’s owner said the crêpes were sold out by noon on Saturday.".encode().decode("latin-1").encode(),
        None,
    )
    put("broken.html", "<html><body><div><p>" + PARAGRAPH + "<p>Second <b>paragraph<i> never closed", None)
    put("deep.html", "<html><body>" + "<div>" * 10_000 + PARAGRAPH + "</div>" * 10_000 + "</body></html>", "too_deep")
    put(
        "entities.html",
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
        '&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY e "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        f"]><html><body><p>{PARAGRAPH}</p><p>&e;&e;&e;&e;</p></body></html>",
        None,
    )
    put(
        "xxe.html",
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        f"<html><body><p>{PARAGRAPH} &x;</p></body></html>",
        None,
    )
    put(
        "fetch_me.html",
        f'<html><body><p>{PARAGRAPH}</p><img src="http://127.0.0.1:9/x.png">'
        '<iframe src="http://127.0.0.1:9/"></iframe><link rel="stylesheet" href="http://127.0.0.1:9/s.css">'
        "</body></html>",
        None,
    )
    put("big_page.html", b"<html><body><p>" + b"word " * (10 * 1024 * 1024) + b"</p></body></html>", "too_large")
    put("truncated.txt.gz", gzip.compress(PARAGRAPH.encode() * 50)[:40], "corrupt_gzip")
    put("not_gzip.md.gz", b"this is not gzip at all", "corrupt_gzip")
    _gzip_bomb(folder / "bomb.txt.gz", 256 << 20)
    expected["bomb.txt.gz"] = "too_large"
    put("malformed.warc", b"WARC/1.0\r\nthis is not a warc header\r\n\r\n", "corrupt_warc")
    put("odd name #1 %20 ünïcödé 'quote'.txt", f"Odd Names Are Fine\n\n{PARAGRAPH}\n", None)
    put("notes.csv", "a,b\n1,2\n", "unsupported_format")
    lines = [
        json.dumps({"id": "ok", "text": PARAGRAPH}),
        "{broken",
        json.dumps({"id": "empty", "text": "  "}),
        json.dumps({"id": "nothing"}),
    ]
    (folder / "mixed.jsonl").write_text("\n".join(lines) + "\n")  # per-line outcomes checked in the test
    os.symlink(folder, folder / "loop")
    expected["loop"] = "symlink"
    os.symlink("/etc/hostname", folder / "outside.txt")
    expected["outside.txt"] = "symlink"
    return expected


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hostile")
    expected = _build(root / "in")
    files = discover_files([str(root / "in"), str(root / "does-not-exist.html")])
    expected["does-not-exist.html"] = "not_found"
    limits = Limits(max_decompressed_bytes=64 << 20)  # the defaults otherwise: 50 MB files, 20 MB documents
    started = time.monotonic()
    result = process_batch(
        0,
        sources_from_files(files, limits),
        set(),
        BatchOptions(run_id="hostile", staging_dir=str(root / "stage"), limits=limits),
    )
    seconds = time.monotonic() - started
    articles = pq.read_table(result.files["articles"]).to_pylist()
    rejects = pq.read_table(result.files["rejects"]).to_pylist()
    return expected, result, articles, rejects, seconds


def _name(source_uri: str) -> str:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(source_uri)
    return Path(unquote(parts.path)).name + (f"#{parts.fragment}" if parts.fragment else "")


def test_every_input_is_accounted_for_with_the_right_reason(hostile) -> None:
    expected, result, articles, rejects, _ = hostile
    outcome = {_name(a["source_uri"]): None for a in articles} | {_name(r["source_uri"]): r["reason"] for r in rejects}
    assert result.n_documents == len(articles) + len(rejects) == len(outcome)
    jsonl = {k: v for k, v in outcome.items() if k.startswith("mixed.jsonl")}
    assert jsonl == {
        "mixed.jsonl#id=ok": None,
        "mixed.jsonl#L2": "bad_json",
        "mixed.jsonl#id=empty": "empty",
        "mixed.jsonl#id=nothing": "no_text_field",
    }
    assert {k: v for k, v in outcome.items() if not k.startswith("mixed.jsonl")} == expected
    assert all(r["detail"] for r in rejects)
    assert "cleaning_error" not in result.rejects_by_reason


def test_text_survives_encoding_damage_and_broken_markup(hostile) -> None:
    _, _, articles, _, _ = hostile
    text = {_name(a["source_uri"]): a["text"] for a in articles}
    assert text["invalid_utf8.txt"] == "Les élèves étaient très fâchés contre la décision du conseil."
    assert text["mojibake.txt"] == "The café’s owner said the crêpes were sold out by noon on Saturday."
    assert PARAGRAPH in text["broken.html"] and "Second paragraph never closed" in text["broken.html"]
    assert text["odd name #1 %20 ünïcödé 'quote'.txt"] == PARAGRAPH


def test_entities_are_not_expanded_and_nothing_is_fetched_or_read(hostile) -> None:
    _, _, articles, _, seconds = hostile
    text = {_name(a["source_uri"]): a["text"] for a in articles}
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else "\0"
    assert hostname not in text["xxe.html"]
    assert "aaaaaaaaaa" not in text["entities.html"]
    assert text["fetch_me.html"] == PARAGRAPH  # port 9 (discard) would hang or refuse; nothing tried
    assert seconds < 120, f"hostile batch took {seconds:.0f} s: a limit is not enforced early enough"
