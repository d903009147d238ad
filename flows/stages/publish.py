"""Publish stage: the lake's tables to `run --publish URI` after the commit (`flows.publish`)."""

from __future__ import annotations

from docclean.flows.publish import Published, publish, publish_copy
from docclean.flows.stages.retry import IO_RETRIES, retry_on_io_error
from docclean.warehouse.lake import Lake
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE


@task(cache_policy=NO_CACHE, **IO_RETRIES, retry_condition_fn=retry_on_io_error)
def publish_run(lake_root: str, location: str, copy: bool = False) -> Published:
    """Publish after the run's commit (with `copy`, the local copy back to its lake on object
    storage); every retry uploads only what is still missing."""
    lake = Lake.at(lake_root)
    published = publish_copy(lake, location) if copy else publish(lake, location)
    get_run_logger().info("published to %s", published.describe())
    return published
