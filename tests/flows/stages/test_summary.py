"""The run summary's markdown artifact: every table is a real GFM table (Prefect renders it)."""

from __future__ import annotations

import re

from docclean.flows.results import COUNT_KEYS, COUNT_LABELS, RunCounts, RunSummary
from docclean.flows.stages.summary import summary_markdown

DELIMITER = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+$")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _tables(markdown: str) -> list[tuple[list[str], list[list[str]]]]:
    """(header, rows) of each GFM table: a header line, a delimiter line with as many cells, rows."""
    lines, tables, i = markdown.splitlines(), [], 0
    while i < len(lines) - 1:
        if lines[i].startswith("|") and lines[i + 1].startswith("|"):
            header, delimiter = _cells(lines[i]), lines[i + 1]
            assert DELIMITER.match(delimiter) and len(_cells(delimiter)) == len(header), (lines[i], delimiter)
            i += 2
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                assert len(rows[-1]) == len(header), lines[i]
                i += 1
            tables.append((header, rows))
        else:
            i += 1
    return tables


def test_summary_tables_parse_with_one_delimiter_cell_per_column() -> None:
    counts = RunCounts(
        n_documents=9,
        n_skipped=1,
        n_articles=6,
        n_rejects=2,
        n_removals=5,
        removals_by_rule={"common_paragraph": 3, "image_credit": 2},
        rejects_by_reason={"empty": 2},
        records_skipped={"warc_request": 4},
    )
    summary = RunSummary("r1", None, True, "/lake", 1.5, counts, n_duplicates=1, n_variants=0)
    tables = _tables(summary_markdown(summary))
    assert [header for header, _ in tables] == [
        list(COUNT_LABELS),
        ["rule", "removals"],
        ["reason", "rejects"],
        ["record type", "records"],
    ]
    assert tables[0][1] == [[str(summary.count(key)) for key in COUNT_KEYS]] == [["9", "1", "6", "2", "5", "1", "0"]]
    assert tables[1][1] == [["`common_paragraph`", "3"], ["`image_credit`", "2"]]
    assert tables[3][1] == [["`warc_request`", "4"]]


def test_a_delta_log_left_behind_is_said_in_the_summary() -> None:
    synced = RunSummary("r1", None, True, "/lake", 1.5, RunCounts())
    assert "Delta" not in summary_markdown(synced)
    failure = "articles: OSError: disk full"
    failed = RunSummary("r1", None, True, "/lake", 1.5, RunCounts(), delta_sync_failures=[failure])
    text = summary_markdown(failed)
    assert "the Delta log of 1 table(s) could not be synced" in text and failure in text
