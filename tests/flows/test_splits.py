"""Batches of documents: JSONL and WARC files cut into parts, and parts read as the whole file is."""

from __future__ import annotations

import gzip
import json
from io import BytesIO
from pathlib import Path

import pytest
from docclean.flows import splits
from docclean.flows.inputs import InputFile, discover_files
from docclean.flows.readers import Limits, read_documents, sources_from_files
from docclean.flows.splits import gzip_member_positions, jsonl_positions, plan_batches, scan_positions
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BIG = 100 << 20


def _jsonl_lines(n: int) -> list[str]:
    lines = [
        json.dumps({"id": f"n{i}", "url": f"https://a.example/{i}", "text": f"Story {i} ran long."}) for i in range(n)
    ]
    lines.insert(3, "")  # empty lines are not documents, but they are counted as lines
    lines.insert(6, "{broken")
    lines.append(json.dumps({"url": "https://a.example/no-id", "text": "No id here."}))
    return lines


def write_warc(path: Path, ids: list[str], gzip_records: bool = True) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip_records)
        for i, record_id in enumerate(ids):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/plain; charset=utf-8")], protocol="HTTP/1.1")
            body = f"Record {i} says something worth keeping about the harbour.".encode()
            record = writer.create_warc_record(
                f"https://w.example/{i}", "response", payload=BytesIO(body), http_headers=http
            )
            record.rec_headers.replace_header("WARC-Record-ID", f"<urn:uuid:{record_id}>")
            writer.write_record(record)


def _read(items: list[InputFile]) -> list[tuple[str, str | None, bytes]]:
    return [(s.source_uri, s.error and s.error[0], s.data) for s in sources_from_files(items, Limits()) if not s.skip]


def test_jsonl_positions_are_the_starts_of_non_empty_lines() -> None:
    positions = jsonl_positions(BytesIO(b'{"a":1}\n\n{"b":2}\n{"c":3}'), None)
    assert positions.offsets.tolist() == [0, 9, 17]
    assert positions.numbers.tolist() == [1, 3, 4]
    assert jsonl_positions(BytesIO(b"x\n" * 10), 5) is None  # past the inflated limit: not split


@pytest.mark.parametrize("name", ["feed.jsonl", "feed.jsonl.gz"])
def test_a_jsonl_file_in_parts_reads_as_the_whole_file(tmp_path: Path, name: str) -> None:
    data = ("\n".join(_jsonl_lines(20)) + "\n").encode()
    (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    (whole,) = discover_files([str(tmp_path / name)])
    batches = plan_batches([whole], batch_size=4, max_decompressed_bytes=BIG)
    assert len(batches) == 6 and all(sum(part.count for part in batch) <= 4 for batch in batches)
    assert _read([part for batch in batches for part in batch]) == _read([whole])
    assert [s.source_uri.rsplit("#", 1)[1] for s in read_documents(batches[1][0], Limits())][:2] == ["id=n4", "L7"]


@pytest.mark.parametrize("gzip_records", [True, False])
def test_a_warc_file_in_parts_reads_as_the_whole_file(tmp_path: Path, gzip_records: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gzip_records else "crawl.warc")
    write_warc(path, [f"00000000-0000-0000-0000-{i:012d}" for i in range(9)], gzip_records)
    (whole,) = discover_files([str(path)])
    assert len(scan_positions(whole, BIG)) == 9
    batches = plan_batches([whole], batch_size=2, max_decompressed_bytes=BIG)
    assert [part.first for batch in batches for part in batch] == [1, 3, 5, 7, 9]
    assert _read([part for batch in batches for part in batch]) == _read([whole])


def test_a_warc_gz_in_one_gzip_stream_is_not_split(tmp_path: Path) -> None:
    write_warc(tmp_path / "plain.warc", ["a", "b", "c"], gzip_records=False)
    (tmp_path / "one.warc.gz").write_bytes(gzip.compress((tmp_path / "plain.warc").read_bytes()))
    (item,) = discover_files([str(tmp_path / "one.warc.gz")])
    assert scan_positions(item, BIG) is None
    assert plan_batches([item], batch_size=1, max_decompressed_bytes=BIG) == [[item]]
    # warcio reads such a file's first record only, and says how to fix the file
    (*_, last) = read_documents(item, Limits())
    assert last.error[0] == "corrupt_warc" and "warcio recompress" in last.error[1]


def test_small_files_fan_in_and_a_file_that_fits_one_batch_is_not_split(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"p{i}.txt").write_text(f"Page {i}.")
    (tmp_path / "q.jsonl").write_text("\n".join(json.dumps({"text": f"Line {i}."}) for i in range(3)))
    batches = plan_batches(discover_files([str(tmp_path)]), batch_size=4, max_decompressed_bytes=BIG)
    shape = [[(Path(part.path).name, part.count, part.is_part) for part in batch] for batch in batches]
    assert shape == [
        [("p0.txt", 1, False), ("p1.txt", 1, False), ("p2.txt", 1, False), ("p3.txt", 1, False)],
        [("p4.txt", 1, False), ("q.jsonl", 3, False)],
    ]


def test_batches_are_bounded_by_bytes_too(tmp_path: Path) -> None:
    line = json.dumps({"text": "x" * 1000})
    (tmp_path / "wide.jsonl").write_text("\n".join([line] * 10) + "\n")
    batches = plan_batches(discover_files([str(tmp_path)]), 100, BIG, batch_bytes=3000)
    assert [part.count for batch in batches for part in batch] == [2, 2, 2, 2, 2]


@pytest.mark.parametrize(("chunk", "piece"), [(64, 16), (333, 1000), (1 << 20, 7)])
def test_gzip_member_starts_are_found_across_chunk_and_piece_edges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, piece: int
) -> None:
    members = [gzip.compress(f"WARC/1.0\r\nrecord {i} {'x' * (i * 37)}".encode()) for i in range(12)]
    data = b"".join(members)
    starts = [sum(len(m) for m in members[:i]) for i in range(len(members))]
    monkeypatch.setattr(splits, "CHUNK", chunk)
    monkeypatch.setattr(splits, "_PIECE", piece)
    assert gzip_member_positions(BytesIO(data), BIG).offsets.tolist() == starts
    assert gzip_member_positions(BytesIO(data[:-5]), BIG) is None  # the last member cut short
    assert gzip_member_positions(BytesIO(data), 100) is None  # a member inflates past the limit
    not_warc = data + gzip.compress(b"<html>not a record</html>")
    assert gzip_member_positions(BytesIO(not_warc), BIG) is None
