"""Inputs on object storage: `s3://bucket/prefix/` read by the flow and its worker processes the
way a local folder is, against a local S3 server (moto)."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from docclean.flows.cli import app
from docclean.flows.flow import clean_documents
from docclean.flows.inputs import discover_files
from docclean.flows.readers import Limits, sources_from_files
from docclean.flows.splits import plan_batches
from docclean.warehouse.catalog import run_query
from docclean.warehouse.lake import Lake
from docclean.warehouse.locations import RemoteLocationError
from typer.testing import CliRunner

from tests.conftest import SEEDS
from tests.flows.s3_server import s3_server, upload_tree
from tests.flows.test_splits import write_warc

pytestmark = pytest.mark.flow


WORDS = ["harbour", "council", "ferry", "budget", "river", "school"]
WORDS += ["bridge", "market", "winter", "farmers", "station", "library"]


def _story(i: int) -> str:
    """Seven different short articles: two paragraphs of sentences no other record repeats."""
    a, b, c = WORDS[i % 12], WORDS[(i * 5 + 1) % 12], WORDS[(i * 7 + 3) % 12]
    return (
        f"The {a} plan for number {i} was approved on Tuesday after a long debate about the {b}. "
        f"Residents said the {b} had waited {i + 2} years for this decision.\n\n"
        f"Work on the {c} begins in spring, and officials expect it to take about {i + 3} months to finish."
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds, a gzipped JSONL file, a WARC file of per-record gzip members, a gzipped markdown
    page, a hidden file, a key with a space."""
    root = tmp_path_factory.mktemp("remote") / "corpus"
    shutil.copytree(SEEDS, root / "example.net")
    records = [{"id": f"r{i}", "url": f"https://news.example/{i}", "text": _story(i)} for i in range(7)]
    (root / "feeds").mkdir()
    feed = "".join(json.dumps(r) + "\n" for r in records).encode()
    (root / "feeds" / "day one.jsonl.gz").write_bytes(gzip.compress(feed))
    write_warc(root / "feeds" / "crawl.warc.gz", [f"id-{i}" for i in range(5)])
    (root / "pages").mkdir()
    (root / "pages" / "story.md.gz").write_bytes(gzip.compress(("# A story\n\n" + _story(8)).encode()))
    (root / "feeds" / ".partial.jsonl").write_text('{"text": "hidden: never read"}\n')
    return root


@pytest.fixture(scope="module")
def bucket(corpus: Path) -> Iterator[str]:
    with s3_server("crawl"):
        upload_tree(corpus, "crawl/in")
        yield "s3://crawl/in"


def _rows(lake: Path, table: str, columns: str) -> list[tuple]:
    return [tuple(r) for r in run_query(Lake.at(lake), f"SELECT {columns} FROM {table} ORDER BY 1, 2").rows]


def _relative(uri: str, prefix: str) -> str:
    return uri.removeprefix(prefix)


def test_objects_are_listed_like_files_in_a_folder(bucket: str, corpus: Path) -> None:
    remote = discover_files([bucket + "/"])
    local = discover_files([str(corpus)])
    assert [_relative(f.uri, bucket) for f in remote] == [_relative(f.uri, corpus.as_uri()) for f in local]
    assert [(f.format, f.compressed, f.size) for f in remote] == [(f.format, f.compressed, f.size) for f in local]
    assert all(f.mtime_ns for f in remote)
    assert "/feeds/day%20one.jsonl.gz" in {_relative(f.uri, bucket) for f in remote}  # keys spelled as URIs
    [missing] = discover_files(["s3://crawl/nothing-here/"])
    assert missing.format == "missing"


def test_parts_of_remote_files_read_as_the_local_files_do(bucket: str, corpus: Path) -> None:
    def documents(inputs: list[str], prefix: str) -> list[tuple]:
        batches = plan_batches(discover_files(inputs), batch_size=3, max_decompressed_bytes=1 << 30)
        items = [part for batch in batches for part in batch]
        return [(_relative(s.source_uri, prefix), s.data, s.error) for s in sources_from_files(items, Limits())]

    assert documents([bucket], bucket) == documents([str(corpus)], corpus.as_uri())


def test_a_run_on_a_bucket_loads_what_the_same_run_on_local_files(bucket: str, corpus: Path, tmp_path: Path) -> None:
    remote_lake, local_lake = tmp_path / "remote-lake", tmp_path / "local-lake"
    first = clean_documents(inputs=[bucket], lake=str(remote_lake), batch_size=4, site_from_folder=True)
    clean_documents(inputs=[str(corpus)], lake=str(local_lake), batch_size=4, site_from_folder=True)
    assert first.committed and first.counts.n_articles >= 10
    columns = "source_uri, text, title, site, url, dup_role"
    remote = [(_relative(r[0], bucket), *r[1:]) for r in _rows(remote_lake, "articles", columns)]
    local = [(_relative(r[0], corpus.as_uri()), *r[1:]) for r in _rows(local_lake, "articles", columns)]
    assert remote == local
    rejects = "source_uri, reason"
    assert [(_relative(u, bucket), r) for u, r in _rows(remote_lake, "rejects", rejects)] == [
        (_relative(u, corpus.as_uri()), r) for u, r in _rows(local_lake, "rejects", rejects)
    ]
    assert ("example.net",) in {(r[3],) for r in remote}  # --site-from-folder reads the object's folder
    again = clean_documents(inputs=[bucket], lake=str(remote_lake), batch_size=4)
    # Unchanged objects are not read again; the WARC file is, as a local one would be: its records
    # (one sentence each) were rejected, and a file with rejects is always read again.
    assert again.n_unchanged_files == len(discover_files([bucket])) - 1
    assert not again.committed and again.counts.n_articles == 0
    assert len(_rows(remote_lake, "articles", "doc_id, source_uri")) == len(remote)


def test_cli_runs_on_a_bucket_into_a_lake_here_or_in_the_bucket(bucket: str, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    result = CliRunner().invoke(app, ["run", f"{bucket}/feeds/", "--lake", str(lake)])
    assert result.exit_code == 0, result.output
    assert _rows(lake, "articles", "count(*), 1") == [(7, 1)]  # the JSONL records (the WARC's are too short)
    in_bucket = CliRunner().invoke(app, ["run", f"{bucket}/feeds/", "--lake", "s3://crawl/lake"])
    assert in_bucket.exit_code == 0, in_bucket.output
    counted = CliRunner().invoke(
        app, ["query", "--lake", "s3://crawl/lake", "--format", "csv", "select count(*) from articles"]
    )
    assert counted.exit_code == 0 and counted.output.split()[-1] == "7"


def test_an_unreachable_store_is_an_error_that_says_what_to_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from docclean.flows import remote

    from tests.flows.s3_server import FAKE_ACCESS, free_port

    for key, value in {**FAKE_ACCESS, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}.items():
        monkeypatch.setenv(key, value)
    remote.forget_filesystems()
    try:
        with pytest.raises(RemoteLocationError, match="check the credentials"):
            discover_files(["s3://crawl/in/"])
    finally:
        remote.forget_filesystems()


def test_many_small_objects_fetched_ahead_arrive_in_order_with_their_rejects(bucket: str, tmp_path: Path) -> None:
    local = tmp_path / "pages"
    local.mkdir()
    for i in range(70):  # more than the prefetch window; every 9th over the document limit
        (local / f"p{i:03d}.txt").write_text(f"Page {i} says something. " * (40 if i % 9 == 0 else 2))
    upload_tree(local, "crawl/pages")
    limits = Limits(max_document_bytes=500)

    def documents(inputs: list[str], prefix: str) -> list[tuple]:
        read = sources_from_files(discover_files(inputs), limits)
        return [(_relative(s.source_uri, prefix), s.data, s.error and s.error[0]) for s in read]

    remote = documents(["s3://crawl/pages/"], "s3://crawl/pages")
    assert remote == documents([str(local)], local.as_uri())
    assert [name for name, _, error in remote if error] == [f"/p{i:03d}.txt" for i in range(0, 70, 9)]
