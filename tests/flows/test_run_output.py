"""What a run prints: the hint names the lake it used; URL-less pages are said to learn no site templates."""

from __future__ import annotations

import pytest
from docclean.flows import cli_summary
from docclean.flows.stages.summary import summary_markdown

pytestmark = pytest.mark.flow


def test_url_less_articles_are_counted_and_said_once(two_runs, capsys: pytest.CaptureFixture[str]) -> None:
    assert two_runs.first.n_without_site == 2  # the seeds: plain text, no URL, no --site
    assert two_runs.second.n_without_site == 0  # JSONL records with URLs
    cli_summary.print_summary(two_runs.first)
    printed = capsys.readouterr().out
    assert printed.count("had no URL and no site") == 1
    assert "--site NAME" in printed and "--site-from-folder" in printed
    assert "had no URL and no site" in summary_markdown(two_runs.first)
    cli_summary.print_summary(two_runs.second)
    assert "no URL" not in capsys.readouterr().out


def test_the_hint_uses_the_lake_the_run_wrote(two_runs, capsys: pytest.CaptureFixture[str]) -> None:
    cli_summary.print_summary(two_runs.second)
    printed = " ".join(capsys.readouterr().out.split())  # rich may wrap a long path
    assert f"docclean query --lake {two_runs.lake} " in printed


def test_docclean_run_returns_the_flows_summary(two_runs) -> None:
    from docclean.flows.results import RunSummary

    first, second = two_runs.first, two_runs.second
    assert isinstance(first, RunSummary) and first.committed and second.committed
    assert (first.counts.n_documents, first.counts.n_articles) == (2, 2)
    assert (second.counts.n_documents, second.counts.n_articles) == (2, 2)
    assert first.lake == second.lake == str(two_runs.lake)
