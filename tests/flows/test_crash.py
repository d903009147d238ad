"""Crash safety: SIGKILL a real `docclean run` at each crash point; the lake stays readable, shows no
partial file, and the next run ends with exactly the rows a clean run would have produced. Each
table's Delta log reads whole throughout: as before the run or as after it, never a mix, and the
next run catches it up with docclean's views."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest
from docclean.flows.flow import clean_documents
from docclean.warehouse.catalog import run_query
from docclean.warehouse.crash import CRASH_POINTS
from docclean.warehouse.lake import Lake

from tests.conftest import ROOT
from tests.warehouse.conftest import delta_rows, view_rows

pytestmark = pytest.mark.flow
FILE_NAME = re.compile(r"^[0-9T]+-[0-9a-f]{6}(-b\d{5})?\.parquet$")
DELTA_DIRS = ("_delta_log", "_delta_files")  # skipped by the table's globs and by pyarrow
DELTA_TABLES = ("articles", "removals", "rejects", "sources", "runs")


def _article(i: int, extra: str = "") -> str:
    return (
        f"Report Number {i} On The Harbour\n\nBy Jane Doe\n\nThe harbour authority published report {i} on "
        f"Monday.{extra} Ships waited outside for {i} days.\n"
    )


def _write_corpus(folder: Path, version: int) -> None:
    folder.mkdir(exist_ok=True)
    for i in range(4):
        (folder / f"doc{i}.txt").write_text(_article(i))
    (folder / "broken.jsonl").write_text('{"text": "A short note."}\n{not json\n')
    if version == 2:  # one changed document, two new ones
        (folder / "doc0.txt").write_text(_article(0, " The text changed in version two."))
        for i in range(4, 6):
            (folder / f"doc{i}.txt").write_text(_article(i))


def _run(folder: Path, lake: Path) -> dict:
    return clean_documents(inputs=[str(folder)], lake=str(lake), batch_size=2)


def _content(lake: Lake) -> dict[str, list]:
    """Every table's content, with source paths made relative so lakes in other folders compare."""
    name = "regexp_replace(source_uri, '^.*/in/', '')"
    return {
        "articles": run_query(lake, f"SELECT {name}, title, text, dup_role FROM articles ORDER BY 1").rows,
        "rejects": run_query(lake, f"SELECT {name}, reason FROM rejects ORDER BY 1").rows,
        "removals": run_query(
            lake,
            f"SELECT {name}, r.seq, r.rule_id, r.text FROM removals r JOIN articles a USING (doc_id) ORDER BY 1, 2",
        ).rows,
        "sources": run_query(lake, f"SELECT {name}, raw FROM sources ORDER BY 1").rows,
    }


def _assert_readable_and_whole(lake: Lake) -> None:
    for table in ("articles", "removals", "rejects", "sources", "runs"):
        for path in lake.table_dir(table).iterdir():
            assert path.name in DELTA_DIRS or FILE_NAME.match(path.name), f"partial or stray file visible: {path}"
        ds.dataset(str(lake.table_dir(table)), format="parquet").to_table()  # pyarrow reads every file
    con = duckdb.connect(str(lake.catalog_path), read_only=True)
    try:
        for view in ("articles", "removals", "rejects", "sources", "runs", "articles_unique"):
            con.sql(f"SELECT count(*) FROM {view}").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    """The lake a crash-free history produces: version 1, then version 2."""
    root = tmp_path_factory.mktemp("expected")
    _write_corpus(root / "in", 1)
    _run(root / "in", root / "lake")
    _write_corpus(root / "in", 2)
    _run(root / "in", root / "lake")
    return _content(Lake.at(root / "lake"))


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_run_leaves_a_consistent_lake(point: str, tmp_path: Path, expected: dict[str, list]) -> None:
    from prefect.server.api.server import SubprocessASGIServer

    folder, lake_root = tmp_path / "in", tmp_path / "lake"
    _write_corpus(folder, 1)
    _run(folder, lake_root)
    lake = Lake.at(lake_root)
    before = _content(lake)
    delta_before = {table: delta_rows(lake, table) for table in DELTA_TABLES}
    _write_corpus(folder, 2)

    # The killed run talks to this process's Prefect server: no second server start-up to pay.
    env = {**os.environ, "PREFECT_API_URL": SubprocessASGIServer().api_url}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.flows.crashing_run",  # the CLI with a hook that kills it at `point`
            point,
            "run",
            str(folder),
            "--lake",
            str(lake_root),
            "--batch-size",
            "2",
            "--workers",
            "1",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        start_new_session=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]

    _assert_readable_and_whole(lake)
    after_crash = _content(lake)
    # Either the run had not committed (nothing changed) or it had (everything is there).
    assert after_crash in (before, expected), point
    for table in DELTA_TABLES:  # a log is at its last synced version or synced with this run
        assert delta_rows(lake, table) in (delta_before[table], view_rows(lake, table)), (point, table)

    _run(folder, lake_root)
    _assert_readable_and_whole(lake)
    assert _content(lake) == expected
    for table in DELTA_TABLES:
        assert delta_rows(lake, table) == view_rows(lake, table), (point, table)
    for table in ("articles", "removals", "rejects", "sources", "minhash"):  # replaced versions gone from the files
        physical = ds.dataset(str(lake.table_dir(table)), format="parquet").count_rows()
        assert physical == run_query(lake, f"SELECT count(*) FROM {table}").rows[0][0], (point, table)


def test_a_second_run_on_a_busy_lake_stops_cleanly_and_readers_keep_working(tmp_path: Path) -> None:
    from prefect.server.api.server import SubprocessASGIServer

    folder, lake_root = tmp_path / "in", tmp_path / "lake"
    _write_corpus(folder, 1)
    _run(folder, lake_root)
    lake = Lake.at(lake_root)
    before = _content(lake)
    env = {**os.environ, "PREFECT_API_URL": SubprocessASGIServer().api_url}
    with lake.writer_lock():  # a run in progress
        busy = subprocess.run(
            [sys.executable, "-m", "docclean.flows.cli", "run", str(folder), "--lake", str(lake_root)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        reader = subprocess.run(
            [
                sys.executable,
                "-m",
                "docclean.flows.cli",
                "query",
                "select count(*) from articles",
                "--lake",
                str(lake_root),
                "--format",
                "csv",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert busy.returncode == 2
    assert "another docclean run is writing" in busy.stderr and "wait for it to finish" in busy.stderr
    assert reader.returncode == 0 and reader.stdout.splitlines()[1] == str(len(before["articles"]))
    assert _content(lake) == before


STORIES = [
    ("harbour authority", "the pilots' union argued about pay", "ferries were cancelled along the coast"),
    ("school board", "parents queued outside the hall", "the new timetable starts after the holidays"),
    ("river trust", "anglers reported fewer salmon this spring", "volunteers cleared the weirs of debris"),
    ("market traders", "stall rents doubled in a single year", "the mayor promised a review before winter"),
]


def _story(i: int) -> str:
    who, what, then = STORIES[i]
    return (
        f"The {who} met on Monday after weeks of complaints, and members said {what} for most of the evening.\n\n"
        f"Officials confirmed later that {then}, although nobody at the meeting would say what happens next."
    )


def _counts(lake: Lake) -> list[tuple]:
    return run_query(lake, "SELECT site, key, sum(n_documents) FROM paragraph_counts GROUP BY ALL ORDER BY ALL").rows


def test_a_reprocess_killed_while_replacing_the_counts_leaves_them_counted_once(tmp_path: Path) -> None:
    from prefect.server.api.server import SubprocessASGIServer

    folder, lake_root, clean_root = tmp_path / "in", tmp_path / "lake", tmp_path / "uncrashed"
    folder.mkdir()
    for version in (0, 1):  # two runs, two counts files: what a reprocess counts again
        records = [{"url": f"https://harbour.example/{version}/{i}", "text": _story(2 * version + i)} for i in (0, 1)]
        (folder / f"day{version}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
        clean_documents(inputs=[str(folder)], lake=str(lake_root), batch_size=2)
    lake = Lake.at(lake_root)
    assert len(lake.files("paragraph_counts")) == 2
    shutil.copytree(lake_root, clean_root)
    clean_documents(lake=str(clean_root), reprocess=True)
    expected = _counts(Lake.at(clean_root))
    assert expected and len(Lake.at(clean_root).files("paragraph_counts")) == 1

    env = {**os.environ, "PREFECT_API_URL": SubprocessASGIServer().api_url}
    command = [sys.executable, "-m", "tests.flows.crashing_run", "recounting", "reprocess", "--lake", str(lake_root)]
    proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert len(lake.files("paragraph_counts")) == 2  # one old file left beside the recount: doubled till...

    _run(folder, lake_root)  # ...the next run, which loads nothing new, finishes the cleanup
    assert _counts(lake) == expected
