"""`run --publish` and `docclean publish` to object storage (a local S3 server, moto): Delta
readers on the bucket (deltalake, polars, DuckDB with httpfs) get the lake's current rows; a
publish killed between its uploads and its commit leaves the bucket as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from docclean.flows.cli import app
from docclean.flows.flow import clean_documents
from docclean.warehouse.lake import Lake
from docclean.warehouse.schemas import TABLES
from typer.testing import CliRunner

from tests.conftest import ROOT, SEEDS
from tests.flows.s3_server import s3_server
from tests.warehouse.conftest import view_rows

pytestmark = pytest.mark.flow
deltalake = pytest.importorskip("deltalake")
COMPARED = ("articles", "removals", "rejects", "sources", "runs")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with s3_server("published") as url:
        yield url


def _options() -> dict[str, str]:
    return {"AWS_ALLOW_HTTP": "true"}  # the test server speaks http


def _bucket_rows(uri: str, table: str) -> list[tuple]:
    data = deltalake.DeltaTable(f"{uri}/{table}", storage_options=_options()).to_pyarrow_table()
    return sorted(zip(*(data[c].to_pylist() for c in TABLES[table].names), strict=True), key=repr)


def _write_page(folder: Path, name: str, topic: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(
        f"# The {topic} report\n\nThe {topic} committee met on Monday and agreed on a plan for the next year. "
        f"Members said the {topic} budget would rise.\n"
    )


def test_a_run_publishes_to_a_bucket_that_delta_readers_open(endpoint: str, tmp_path: Path) -> None:
    import polars as pl

    lake, uri = tmp_path / "lake", "s3://published/run"
    summary = clean_documents(inputs=[str(SEEDS)], lake=str(lake), publish=uri)
    assert summary.committed and summary.published and summary.published.error is None
    for table in COMPARED:
        assert _bucket_rows(uri, table) == view_rows(Lake.at(lake), table), table
    expected = sorted(row[0] for row in view_rows(Lake.at(lake), "articles"))
    assert sorted(pl.read_delta(f"{uri}/articles", storage_options=_options())["doc_id"].to_list()) == expected
    con = _duckdb_on(endpoint)
    assert sorted(r[0] for r in con.sql(f"SELECT doc_id FROM delta_scan('{uri}/articles')").fetchall()) == expected
    again = clean_documents(inputs=[str(SEEDS)], lake=str(lake), publish=uri)
    assert not again.committed and again.published.done == f"{uri}: already up to date"


def test_a_publish_killed_before_its_commit_leaves_the_bucket_as_it_was(endpoint: str, tmp_path: Path) -> None:
    lake, pages, uri = tmp_path / "lake", tmp_path / "in", "s3://published/killed"
    _write_page(pages, "a.md", "harbour")
    clean_documents(inputs=[str(pages)], lake=str(lake))
    assert CliRunner().invoke(app, ["publish", uri, "--lake", str(lake)]).exit_code == 0
    before = {table: _bucket_rows(uri, table) for table in COMPARED}
    _write_page(pages, "b.md", "library")
    clean_documents(inputs=[str(pages)], lake=str(lake))

    proc = subprocess.run(
        [sys.executable, "-m", "tests.flows.crashing_run", "publishing", "publish", uri, "--lake", str(lake)],
        env=dict(os.environ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        start_new_session=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert {table: _bucket_rows(uri, table) for table in COMPARED} == before
    result = CliRunner().invoke(app, ["publish", uri, "--lake", str(lake)])
    assert result.exit_code == 0, result.output
    assert "tables updated" in result.output
    for table in COMPARED:
        assert _bucket_rows(uri, table) == view_rows(Lake.at(lake), table), table


def test_publish_says_what_to_do_when_it_cannot(endpoint: str, tmp_path: Path) -> None:
    def said(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, list(args))
        return result.exit_code, " ".join(result.output.split())

    code, message = said("publish", "s3://published/x", "--lake", str(tmp_path / "nothing"))
    assert code == 2 and "has no runs yet" in message
    lake = tmp_path / "lake"
    _write_page(tmp_path / "in", "a.md", "harbour")
    clean_documents(inputs=[str(tmp_path / "in")], lake=str(lake))
    code, message = said("publish", str(lake / "copy"), "--lake", str(lake))
    assert code == 2 and "inside the lake" in message
    code, message = said("run", "--lake", str(lake), "--publish", "s3://published/x?scheme=http")
    assert code == 2 and "AWS_ENDPOINT_URL" in message
    code, message = said("run", str(tmp_path / "in"), "--lake", str(lake), "--publish", "s3://no-such-bucket/lake")
    assert code == 2 and "no bucket 'no-such-bucket'" in message  # before the run: nothing ran


def test_a_failed_publish_keeps_the_commit_and_says_how_to_publish_again(
    endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docclean.flows.stages.publish as stage

    def refuse(*_args: object) -> None:
        raise RuntimeError("the store refused the commit")

    monkeypatch.setattr(stage, "publish", refuse)
    lake, uri = tmp_path / "lake", "s3://published/refused"
    _write_page(tmp_path / "in", "a.md", "harbour")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "in"), "--lake", str(lake), "--publish", uri])
    message = " ".join(result.output.split())
    assert result.exit_code == 1, message  # committed, but not published as asked
    assert "publishing to s3://published/refused failed (RuntimeError: the store refused the commit)" in message
    assert f"docclean publish {uri} --lake {lake}" in message
    assert len(view_rows(Lake.at(lake), "articles")) == 1
    monkeypatch.undo()
    assert CliRunner().invoke(app, ["publish", uri, "--lake", str(lake)]).exit_code == 0
    assert _bucket_rows(uri, "articles") == view_rows(Lake.at(lake), "articles")


def _duckdb_on(endpoint: str) -> duckdb.DuckDBPyConnection:
    """DuckDB with the packaged httpfs and delta extensions (offline), pointed at the test server."""
    from importlib import resources

    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for name in ("httpfs", "delta"):
        try:
            folder = resources.files(f"duckdb_extension_{name}").joinpath("extensions", f"v{duckdb.__version__}")
        except ModuleNotFoundError:
            pytest.skip(f"duckdb-extension-{name} is not installed (x86_64 Linux wheels only)")
        con.execute(f"LOAD '{Path(str(folder)) / f'{name}.duckdb_extension'}'")
    host = endpoint.removeprefix("http://")
    con.execute(
        "CREATE SECRET (TYPE s3, KEY_ID 'testing', SECRET 'testing', REGION 'us-east-1', "
        f"ENDPOINT '{host}', URL_STYLE 'path', USE_SSL false)"
    )
    return con
