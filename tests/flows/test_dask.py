"""Batch tasks on a real Dask cluster (2 worker processes) give exactly the local runner's lake.

The flows run under `shared_api`, as `docclean run --runner dask` runs them: a worker without
PREFECT_API_URL starts a temporary Prefect server of its own, which outlives a killed worker.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docclean.flows.flow import clean_documents
from docclean.warehouse.lake import Lake

from tests.flows.test_crash import _content, _write_corpus

pytestmark = pytest.mark.flow


def test_dask_runner_builds_the_same_lake_as_the_local_runner(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from docclean.flows.cli import local_task_runner
    from docclean.flows.server import shared_api
    from prefect_dask import DaskTaskRunner

    folder = tmp_path / "in"
    _write_corpus(folder, 2)
    local, remote = tmp_path / "local", tmp_path / "dask"
    clean_documents.with_options(task_runner=local_task_runner(1))(inputs=[str(folder)], lake=str(local), batch_size=2)
    with (
        shared_api(),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
    ):
        runner = DaskTaskRunner(address=cluster.scheduler_address)
        summary = clean_documents.with_options(task_runner=runner)(inputs=[str(folder)], lake=str(remote), batch_size=2)
        # The scheduler knows a task prefix only if tasks of that name were submitted to it.
        ran_on_dask = set(cluster.scheduler.task_prefixes)
    assert summary.counts.n_documents == 8
    assert "clean_batch" in ran_on_dask
    assert _content(Lake.at(remote)) == _content(Lake.at(local))


def test_a_worker_lost_mid_run_costs_only_its_batches_and_the_lake_is_the_same(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from docclean.flows.cli import local_task_runner
    from docclean.flows.server import shared_api
    from prefect_dask import DaskTaskRunner

    from tests.flows.dask_plugins import KillWorkerOnce

    folder = tmp_path / "in"
    _write_corpus(folder, 2)
    local, remote, marker = tmp_path / "local", tmp_path / "dask", tmp_path / "killed"
    clean_documents.with_options(task_runner=local_task_runner(1))(inputs=[str(folder)], lake=str(local), batch_size=2)
    with (
        shared_api(),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.register_plugin(KillWorkerOnce("clean_batch", marker))
        runner = DaskTaskRunner(address=cluster.scheduler_address)
        summary = clean_documents.with_options(task_runner=runner)(inputs=[str(folder)], lake=str(remote), batch_size=2)
    assert marker.read_text().startswith("clean_batch")  # a worker died running a batch
    assert summary.committed and summary.counts.n_documents == 8
    assert _content(Lake.at(remote)) == _content(Lake.at(local))
