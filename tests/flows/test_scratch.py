"""Batch tasks on workers that share nothing with the flow: every file they read or stage goes
through the run's scratch on object storage (`flows.scratch`), against a local S3 server (moto)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from docclean.flows.flow import clean_documents
from docclean.flows.remote import list_objects
from docclean.flows.scratch import Mirror, scratch_location
from docclean.flows.settings import DEFAULTS
from docclean.warehouse.catalog import run_query
from docclean.warehouse.lake import Lake
from docclean.warehouse.locations import RemoteLocationError

import docclean
from tests.conftest import SEEDS
from tests.flows.s3_server import s3_server, upload_tree
from tests.flows.test_crash import _content

pytestmark = pytest.mark.flow

HOUSE_RULE = (
    '[[rule]]\nid = "house_promo"\nkind = "line"\nreason = "Our own promo"\npatterns = ["try our crossword today!?"]\n'
)


def _story(i: int) -> str:
    words = ["harbour", "council", "ferry", "budget", "river", "school", "bridge", "market"]
    a, b = words[i % 8], words[(i * 3 + 1) % 8]
    return (
        f"The {a} plan for number {i} was approved on Tuesday after a long debate about the {b}. "
        f"Residents said the {b} had waited {i + 2} years for this decision.\n\nTry our crossword today!\n\n"
        f"Work on the {a} begins in spring, and officials expect it to take about {i + 3} months."
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds, an HTML page (extracted by the learning pass, read back by the cleaning task), and a
    JSONL file cut into parts whose last record repeats an id of the first part."""
    root = tmp_path_factory.mktemp("scratch") / "in"
    shutil.copytree(SEEDS, root / "example.net")
    (root / "pages").mkdir()
    shutil.copy(Path(__file__).parent.parent / "cases" / "metadata" / "en_author_box.html", root / "pages")
    records = [{"id": f"r{i}", "url": f"https://news.example/{i}", "text": _story(i)} for i in range(6)]
    records.append({"id": "r0", "url": "https://news.example/again", "text": _story(9)})
    (root / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def store(corpus: Path) -> Iterator[str]:
    with s3_server("crawl", "scratch"):
        upload_tree(corpus, "crawl/in")
        yield "s3://crawl/in"


def test_scratch_must_be_an_object_store_and_inputs_must_be_there_too() -> None:
    with pytest.raises(RemoteLocationError, match="give an object-store URI"):
        scratch_location("/mnt/shared/scratch", ["s3://crawl/in"], reprocess=False)
    with pytest.raises(RemoteLocationError, match="inputs must be object-store URIs"):
        scratch_location("s3://scratch/x", ["s3://crawl/in", "/data/local"], reprocess=False)
    assert scratch_location("s3://scratch/x/", ["s3://crawl/in"], reprocess=False) == "s3://scratch/x"
    assert scratch_location("s3://scratch/x", [], reprocess=True) == "s3://scratch/x"  # the lake's sources
    assert scratch_location(None, ["/data/local"], reprocess=False) is None


def test_a_mirror_maps_paths_both_ways_and_copies_files_and_folders(store: str, tmp_path: Path) -> None:
    flow, worker = tmp_path / "flow", tmp_path / "worker"
    (flow / "manifests").mkdir(parents=True)
    (flow / "manifests" / "b00001.json").write_text("[1, 2]")
    rules = tmp_path / "rules"
    (rules / "more").mkdir(parents=True)
    (rules / "house.toml").write_text(HOUSE_RULE)
    (rules / "more" / "extra.toml").write_text("")
    sent, received = Mirror(str(flow), "s3://scratch/run-1"), Mirror(str(worker), "s3://scratch/run-1")
    uri = sent.push(str(flow / "manifests" / "b00001.json"))
    assert uri == "s3://scratch/run-1/manifests/b00001.json"
    assert Path(received.pull(uri)).read_text() == "[1, 2]"
    assert received.local_of(uri) == str(worker / "manifests" / "b00001.json")
    folder = Path(received.pull_tree(sent.push_outside(str(rules), "rules")))
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.toml")) == ["house.toml", "more/extra.toml"]
    with pytest.raises(ValueError, match="not under the scratch prefix"):
        received.local_of("s3://scratch/run-2/x")
    sent.remove()
    assert list_objects("s3://scratch/run-1") is None


def _can_hide_folders() -> bool:
    """Whether this process may give a child its own mount namespace (root, or a user namespace)."""
    with tempfile.TemporaryDirectory() as folder:
        probe = ["unshare", "--mount", "sh", "-c", 'mount -t tmpfs none "$0"', folder]
        try:
            return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False


@contextmanager
def _workers_elsewhere(scheduler: str, n: int, hidden: Path) -> Iterator[list[Path]]:
    """`n` Dask worker processes in their own temporary folders and environment. Where this machine
    allows it, each runs in a mount namespace with an empty tmpfs over `hidden` (the flow's
    folders: lakes, rules), as on another host: whatever a task needs must come through the object
    store. Yields their folders."""
    hide = ["unshare", "--mount", "sh", "-c", 'mount -t tmpfs none "$0" && exec "$@"', str(hidden)]
    prefix = hide if _can_hide_folders() else []
    folders, procs = [], []
    try:
        for _ in range(n):
            folder = Path(tempfile.mkdtemp(prefix="docclean-worker-"))
            folders.append(folder)
            env = {"PATH": os.environ["PATH"], **DEFAULTS, **{k: v for k, v in os.environ.items() if k[:4] == "AWS_"}}
            env |= {"HOME": str(folder), "PREFECT_HOME": str(folder / ".prefect"), "PYTHONDONTWRITEBYTECODE": "1"}
            command = [*prefix, sys.executable, "-m", "distributed.cli.dask_worker", scheduler, "--nthreads", "1"]
            command += ["--no-dashboard", "--local-directory", str(folder)]
            log = open(folder / "worker.log", "wb")  # noqa: SIM115 (the child holds it; closed with the process)
            procs.append(subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log))
            log.close()
        yield folders
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def test_workers_sharing_nothing_with_the_flow_build_the_local_runners_lake(
    store: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    distributed = pytest.importorskip("distributed")
    from prefect_dask import DaskTaskRunner

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "house.toml").write_text(HOUSE_RULE)
    params = {"batch_size": 3, "rules_dir": str(rules)}
    local, shared = tmp_path / "local", tmp_path / "shared"
    docclean.run([store], local, **params)  # the Python API keeps a URI a URI
    hidden = tmp_path_factory.getbasetemp()  # every folder of the flow's: lakes, rules, the local corpus
    with (
        distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
        _workers_elsewhere(cluster.scheduler_address, 2, hidden),
    ):
        client.wait_for_workers(2, timeout=180)
        runner = DaskTaskRunner(address=cluster.scheduler_address)
        run = clean_documents.with_options(task_runner=runner)
        summary = run(inputs=[store], lake=str(shared), scratch="s3://scratch/run", **params)
        first = _content(Lake.at(shared))
        # Reprocessing reads the lake's `sources` files: the flow uploads them for the workers.
        again = run(lake=str(shared), reprocess=True, scratch="s3://scratch/run", rules_dir=str(rules))
        ran_on_dask = set(cluster.scheduler.task_prefixes)
    assert {"learn_site_templates", "clean_batch"} <= ran_on_dask
    assert summary.committed and summary.counts.removals_by_rule.get("house_promo") == 6
    assert first == _content(Lake.at(shared)) == _content(Lake.at(local))
    assert again.committed and again.counts.n_documents == summary.counts.n_documents - summary.counts.n_skipped
    reasons = run_query(Lake.at(shared), "SELECT reason, count(*) FROM rejects GROUP BY 1").rows
    assert ("duplicate_id", 1) in reasons  # the repeated id was caught across parts read on other hosts
    assert not list_objects("s3://scratch/run")  # the run's scratch is gone


def test_cli_refuses_scratch_with_local_inputs_before_running(tmp_path: Path) -> None:
    from docclean.flows.cli import app
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["run", str(SEEDS), "--lake", str(tmp_path / "lake"), "--scratch", "s3://b/x"])
    assert result.exit_code == 2
    assert "inputs must be object-store URIs" in " ".join(result.output.split())
    assert not (tmp_path / "lake").exists()


def test_a_batch_task_whose_upload_fails_once_is_retried(store: str, tmp_path: Path, monkeypatch) -> None:
    import docclean.flows.scratch as scratch
    from docclean.flows.cli import local_task_runner

    real, failed = scratch.upload, []

    def flaky(path: Path, uri: str) -> None:
        if "/articles/" in uri and not failed:  # a batch's staged articles: the connection drops once
            failed.append(uri)
            raise OSError("connection reset by peer")
        real(path, uri)

    monkeypatch.setattr(scratch, "upload", flaky)
    run = clean_documents.with_options(task_runner=local_task_runner(1))
    summary = run(inputs=[f"{store}/news.jsonl"], lake=str(tmp_path / "lake"), scratch="s3://scratch/flaky")
    assert failed and summary.committed and summary.counts.n_articles == 6


def test_the_next_run_deletes_what_a_killed_run_left_on_the_scratch(store: str, tmp_path: Path) -> None:
    from docclean.flows.cli import local_task_runner
    from docclean.flows.scratch import SCRATCH_NOTE
    from docclean.flows.scratch import upload as put

    lake = tmp_path / "lake"
    killed = lake / "_staging" / "20260101T000000-abcdef"  # a run killed mid-way: its staging folder...
    killed.mkdir(parents=True)
    (killed / SCRATCH_NOTE).write_text("s3://scratch/left/20260101T000000-abcdef")
    (killed / "b.json").write_text("[]")
    put(killed / "b.json", "s3://scratch/left/20260101T000000-abcdef/manifests/b.json")  # ...and its scratch
    run = clean_documents.with_options(task_runner=local_task_runner(1))
    assert run(inputs=[f"{store}/news.jsonl"], lake=str(lake)).committed  # this run needs no scratch itself
    assert not list_objects("s3://scratch/left") and not killed.exists()
