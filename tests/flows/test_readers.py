from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from docclean.flows.inputs import discover_files
from docclean.flows.readers import Limits, read_documents


def _docs(path: Path, limits: Limits | None = None):
    (item,) = discover_files([str(path)])
    return list(read_documents(item, limits or Limits()))


def test_folders_are_walked_sorted_hidden_skipped_and_each_file_once(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.md").write_text("a")
    (tmp_path / ".hidden.txt").write_text("h")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.html.gz").write_bytes(gzip.compress(b"<p>c</p>"))
    files = discover_files([str(tmp_path), str(tmp_path / "a.md")])
    assert [(Path(f.path).name, f.format, f.compressed) for f in files] == [
        ("a.md", "markdown", False),
        ("b.txt", "text", False),
        ("c.html.gz", "html", True),
    ]


def test_missing_unsupported_and_symlinked_inputs_become_documents_with_errors(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b")
    (tmp_path / "real.txt").write_text("x")
    os.symlink(tmp_path / "real.txt", tmp_path / "link.txt")
    os.symlink(tmp_path, tmp_path / "loop")  # a folder link loop is not followed
    files = discover_files([str(tmp_path), str(tmp_path / "nope.txt")])
    errors = {Path(f.path).name: next(read_documents(f, Limits())).error for f in files}
    assert errors["nope.txt"][0] == "not_found"
    assert "check the path" in errors["nope.txt"][1]
    assert errors["data.csv"][0] == "unsupported_format"
    assert errors["link.txt"][0] == "symlink"
    assert errors["loop"][0] == "symlink"
    assert errors["real.txt"] is None


def test_gzip_is_read_and_limits_are_enforced(tmp_path: Path) -> None:
    (tmp_path / "ok.txt.gz").write_bytes(gzip.compress(b"hello"))
    assert _docs(tmp_path / "ok.txt.gz")[0].data == b"hello"

    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"0" * 5_000_000))
    (doc,) = _docs(tmp_path / "bomb.txt.gz", Limits(max_decompressed_bytes=1_000_000))
    assert doc.error[0] == "too_large"

    (tmp_path / "cut.txt.gz").write_bytes(gzip.compress(b"x" * 1000)[:20])
    assert _docs(tmp_path / "cut.txt.gz")[0].error[0] == "corrupt_gzip"

    (tmp_path / "big.txt").write_bytes(b"x" * 2000)
    assert _docs(tmp_path / "big.txt", Limits(max_bytes=1000))[0].error[0] == "too_large"


def test_jsonl_lines_become_documents_and_broken_lines_rejects(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "text": "Hello", "url": "https://news.example/a", "title": "T"}),
        "{not json",
        json.dumps({"html": "<p>Hi</p>"}),
        json.dumps({"other": 1}),
        json.dumps([1, 2]),
        "",
    ]
    (tmp_path / "docs.jsonl").write_text("\n".join(lines))
    docs = _docs(tmp_path / "docs.jsonl")
    assert [(d.format, d.error[0] if d.error else None) for d in docs] == [
        ("markdown", None),
        ("jsonl", "bad_json"),
        ("html", None),
        ("jsonl", "no_text_field"),
        ("jsonl", "bad_json"),
    ]
    assert docs[0].source_uri.endswith("docs.jsonl#id=a1")
    assert docs[0].meta == {"url": "https://news.example/a", "title": "T"}
    assert docs[1].source_uri.endswith("#L2")


def test_doc_id_is_stable_for_the_same_source_and_content(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("one")
    first = _docs(path)[0].doc_id
    assert _docs(path)[0].doc_id == first
    path.write_text("two")
    changed = _docs(path)[0]
    assert changed.doc_id != first
    assert changed.source_id == _docs(path)[0].source_id


def test_unreadable_file_is_a_reject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x")
    real_open = os.open  # tests run as root, so chmod alone would not deny it

    def deny(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("os.open", deny)
    (doc,) = _docs(path)
    assert doc.error[0] == "unreadable"
    assert "permission denied" in doc.error[1]


def _write_warc(path: Path, records: list[tuple[str, str, bytes, str | None]]) -> None:
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for rec_type, url, body, content_type in records:
            http = None
            if rec_type == "response":
                http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, rec_type, payload=BytesIO(body), http_headers=http)
            writer.write_record(record)


def test_warc_responses_become_documents_with_url_and_charset(tmp_path: Path) -> None:
    page = "<html><head><title>新闻</title></head><body><p>中文新闻报道的正文内容。</p></body></html>"
    _write_warc(
        tmp_path / "crawl.warc.gz",
        [
            ("request", "https://news.example.cn/a", b"GET /a HTTP/1.1\r\n\r\n", None),
            ("response", "https://news.example.cn/a", page.encode("gbk"), "text/html; charset=gbk"),
            ("response", "https://news.example.cn/logo.png", b"\x89PNG....", "image/png"),
        ],
    )
    docs = _docs(tmp_path / "crawl.warc.gz")
    assert [d.skip for d in docs] == ["warc_request", None, None]
    page_doc, image = docs[1], docs[2]
    assert page_doc.format == "html"
    assert page_doc.meta == {"url": "https://news.example.cn/a", "charset": "gbk"}
    assert page_doc.data.decode("gbk") == page
    assert page_doc.source_uri.startswith((tmp_path / "crawl.warc.gz").as_uri() + "#urn:uuid:")
    assert image.error[0] == "unsupported_content_type"


def test_truncated_warc_is_a_reject_after_the_good_records(tmp_path: Path) -> None:
    _write_warc(tmp_path / "ok.warc.gz", [("response", "https://a.example/", b"<p>hello</p>", "text/html")] * 2)
    data = (tmp_path / "ok.warc.gz").read_bytes()
    (tmp_path / "cut.warc.gz").write_bytes(data + data[: len(data) // 3])
    docs = _docs(tmp_path / "cut.warc.gz")
    assert [d.error[0] if d.error else d.format for d in docs] == ["html", "html", "corrupt_warc"]


def test_warc_inflation_is_bounded_per_record_so_big_crawl_files_stream_through(tmp_path: Path) -> None:
    # 40 records of ~60 KB each: 2.4 MB inflated in all, over a 1 MB limit that no single record passes.
    body = f"<p>{'word ' * 12_000}</p>".encode()
    records = [("response", f"https://a.example/{i}", body, "text/html") for i in range(40)]
    _write_warc(tmp_path / "crawl.warc.gz", records)
    docs = _docs(tmp_path / "crawl.warc.gz", Limits(max_decompressed_bytes=1_000_000))
    assert [d.error for d in docs] == [None] * 40
