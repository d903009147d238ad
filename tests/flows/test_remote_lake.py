"""A lake on object storage (`--lake s3://…`, a local S3 server): runs on two "hosts" (two local
copies) write one lake; a re-run adds nothing; a writer that lost the race to another is
refused, and its inputs are read again by its next run, so nothing is lost or doubled."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from docclean.flows.cli import app
from docclean.flows.flow import clean_documents
from docclean.flows.publish import copy_root, working_copy
from docclean.warehouse.catalog import run_query
from docclean.warehouse.lake import Lake
from typer.testing import CliRunner

from tests.flows.s3_server import s3_server

pytestmark = pytest.mark.flow
deltalake = pytest.importorskip("deltalake")


@pytest.fixture(scope="module")
def bucket() -> Iterator[str]:
    with s3_server("lakes"):
        yield "s3://lakes"


def _host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> None:
    """Commands from now on keep their local copies where host `name` would."""
    monkeypatch.setenv("DOCCLEAN_CACHE", str(tmp_path / f"host-{name}"))


def _page(folder: Path, topic: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{topic}.md").write_text(
        f"# The {topic} report\n\nThe {topic} committee met on Monday and agreed on a plan for the next year. "
        f"Members said the {topic} budget would rise by a tenth.\n"
    )
    return folder


def _titles_in_bucket(uri: str) -> list[str]:
    data = deltalake.DeltaTable(f"{uri}/articles", storage_options={"AWS_ALLOW_HTTP": "true"}).to_pyarrow_table()
    return sorted(data["title"].to_pylist())


def test_two_hosts_write_and_read_one_lake_on_a_bucket(bucket, tmp_path, monkeypatch) -> None:
    uri = f"{bucket}/shared"
    _host(monkeypatch, tmp_path, "a")
    first = clean_documents(inputs=[str(_page(tmp_path / "a-in", "harbour"))], lake=uri)
    assert first.committed and first.lake == uri and first.published.error is None
    again = clean_documents(inputs=[str(tmp_path / "a-in")], lake=uri)
    assert not again.committed and again.published.done == f"{uri}: already up to date"

    _host(monkeypatch, tmp_path, "b")  # another host: no copy yet, pulled from the bucket
    result = CliRunner().invoke(app, ["query", "--lake", uri, "--format", "csv", "select title from articles"])
    assert result.exit_code == 0 and "The harbour report" in result.output
    clean_documents(inputs=[str(_page(tmp_path / "b-in", "library"))], lake=uri)

    _host(monkeypatch, tmp_path, "a")  # host a's copy is behind: its next run pulls b's rows first
    clean_documents(inputs=[str(_page(tmp_path / "a-in", "school"))], lake=uri)
    expected = ["The harbour report", "The library report", "The school report"]
    assert _titles_in_bucket(uri) == expected
    copy = Lake.at(copy_root(uri))
    assert sorted(r[0] for r in run_query(copy, "SELECT title FROM articles").rows) == expected
    # the copy's files are the bucket's, mtimes included: an unchanged run uploads nothing
    assert clean_documents(inputs=[str(tmp_path / "a-in")], lake=uri).published.done == f"{uri}: already up to date"


def test_a_run_that_lost_the_race_is_refused_and_its_inputs_are_read_again(bucket, tmp_path, monkeypatch) -> None:
    import docclean.flows.flow as flow

    uri = f"{bucket}/raced"
    _host(monkeypatch, tmp_path, "a")
    clean_documents(inputs=[str(_page(tmp_path / "a-in", "harbour"))], lake=uri)
    stale = working_copy(uri)  # host a's copy as its next run starts ...
    _host(monkeypatch, tmp_path, "b")
    clean_documents(inputs=[str(_page(tmp_path / "b-in", "library"))], lake=uri)  # ... b publishes meanwhile
    after_b = _titles_in_bucket(uri)

    _host(monkeypatch, tmp_path, "a")
    with monkeypatch.context() as patch:  # a's run went on from the copy it pulled before b published
        patch.setattr(flow, "working_copy", lambda _uri: stale)
        lost = clean_documents(inputs=[str(_page(tmp_path / "a-in", "school"))], lake=uri)
    assert lost.committed and lost.published.error and "PublishConflict" in lost.published.error
    assert _titles_in_bucket(uri) == after_b  # nothing of a's run landed on top of b's
    retried = clean_documents(inputs=[str(tmp_path / "a-in")], lake=uri)  # pulls b's state: school is new again
    assert retried.committed and retried.published.error is None
    assert _titles_in_bucket(uri) == ["The harbour report", "The library report", "The school report"]


def test_a_lake_on_a_bucket_is_not_also_published_elsewhere(bucket, tmp_path, monkeypatch) -> None:
    _host(monkeypatch, tmp_path, "a")
    result = CliRunner().invoke(
        app, ["run", str(_page(tmp_path / "in", "harbour")), "--lake", f"{bucket}/x", "--publish", str(tmp_path / "p")]
    )
    assert result.exit_code != 0 and "publishes to itself" in " ".join(result.output.split())


def test_commands_that_only_read_read_a_lake_on_a_bucket_in_place(bucket, tmp_path, monkeypatch) -> None:
    uri = f"{bucket}/in-place"
    _host(monkeypatch, tmp_path, "a")
    clean_documents(inputs=[str(_page(tmp_path / "a-in", "harbour"))], lake=uri)
    _host(monkeypatch, tmp_path, "reader")  # a host with no copy: nothing is pulled to its disk
    runner = CliRunner()
    query = runner.invoke(app, ["query", "--lake", uri, "--format", "csv", "select title, word_count from articles"])
    assert query.exit_code == 0 and "The harbour report" in query.output
    as_jsonl = runner.invoke(app, ["query", "--lake", uri, "--format", "jsonl", "select count(*) as n from runs"])
    assert as_jsonl.exit_code == 0 and as_jsonl.output.strip() == '{"n": 1}'
    exported = tmp_path / "out" / "articles.jsonl"
    assert runner.invoke(app, ["export", "--lake", uri, str(exported)]).exit_code == 0
    assert "The harbour report" in exported.read_text()
    doc_id = runner.invoke(app, ["query", "--lake", uri, "--format", "csv", "select doc_id from articles"])
    explained = runner.invoke(app, ["explain", doc_id.output.split()[-1], "--lake", uri])
    assert explained.exit_code == 0 and "The harbour committee met on Monday" in explained.output
    info = runner.invoke(app, ["info", "--lake", uri, "--json"])
    assert info.exit_code == 0 and '"in_place": true' in info.output and '"runs": 1' in info.output
    report = runner.invoke(app, ["report", "--lake", uri, "--out", str(tmp_path / "out" / "report.html")])
    assert report.exit_code == 0 and "The harbour report" in (tmp_path / "out" / "report.html").read_text()
    assert not (tmp_path / "host-reader").exists()
    # the sandbox still reaches no file itself, in the bucket or anywhere else
    escape = runner.invoke(app, ["query", "--lake", uri, f"select * from read_parquet('{uri}/runs/**/*.parquet')"])
    assert escape.exit_code == 1 and "only reads the lake's views" in " ".join(escape.output.split())


def test_query_of_a_prefix_that_holds_no_lake_says_how_to_make_one(bucket, tmp_path, monkeypatch) -> None:
    _host(monkeypatch, tmp_path, "reader")
    result = CliRunner().invoke(app, ["query", "--lake", f"{bucket}/nothing-here", "select 1"])
    assert result.exit_code == 1 and "no lake at s3://lakes/nothing-here" in " ".join(result.output.split())


def test_with_docclean_cache_none_a_run_keeps_no_copy_and_a_rerun_still_adds_nothing(
    bucket, tmp_path, monkeypatch
) -> None:
    from docclean.flows.publish import remove_temporary_copies

    uri = f"{bucket}/no-cache"
    monkeypatch.setenv("DOCCLEAN_CACHE", "none")
    inputs = [str(_page(tmp_path / "in", "harbour"))]
    first = clean_documents(inputs=inputs, lake=uri)
    copy = copy_root(uri)
    assert first.committed and first.published.error is None and copy.is_relative_to(Path(tempfile.gettempdir()))
    remove_temporary_copies()  # what the process does as it exits
    assert not copy.exists()
    again = clean_documents(inputs=inputs, lake=uri)  # a fresh copy pulled from the bucket
    assert not again.committed and _titles_in_bucket(uri) == ["The harbour report"]
    remove_temporary_copies()


def test_a_store_that_fails_while_listing_is_one_line_not_a_traceback(bucket, tmp_path, monkeypatch) -> None:
    import docclean.warehouse.remote_tables as remote_tables

    def unreachable(location, options):
        raise OSError("AWS Error NETWORK_CONNECTION during ListObjectsV2")

    monkeypatch.setattr(remote_tables, "open_table", unreachable)
    for command in (["query", "select 1"], ["info"]):
        result = CliRunner().invoke(app, [*command, "--lake", f"{bucket}/any"])
        said = " ".join(result.output.split())
        assert result.exit_code == 1, command
        assert said.startswith("error: cannot read s3://lakes/any/") and "NETWORK_CONNECTION" in said, command
