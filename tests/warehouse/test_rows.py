"""Row builders: every row has its table's columns, in schema order."""

from __future__ import annotations

from datetime import UTC, datetime

from docclean.transforms.models import CleanDocument, Removal, SourceDocument
from docclean.warehouse.rows import Provenance, article_row, reject_row, removal_rows
from docclean.warehouse.schemas import ARTICLES, REJECTS, REMOVALS

ORIGIN = Provenance.of(SourceDocument("/in/a.txt", "text", b"Some text."))
NOW = datetime(2026, 12, 7, tzinfo=UTC)


def test_removal_rows_are_in_schema_order_and_numbered() -> None:
    removals = [Removal("share_links", "share bar", "Share this", 0, 10), Removal("title", "headline", "T", None, None)]
    rows = removal_rows(ORIGIN.doc_id, removals, "run-1", first_seq=5)
    assert [list(row) for row in rows] == [REMOVALS.names, REMOVALS.names]
    numbered = [(row["seq"], row["rule_id"], row["start_offset"]) for row in rows]
    assert numbered == [(5, "share_links", 0), (6, "title", None)]


def test_article_and_reject_rows_are_in_schema_order() -> None:
    document = CleanDocument("Some text.", "T", None, [], None, "en", [], 10)
    article = article_row(ORIGIN, document, site=None, url=None, ruleset_version="v", run_id="r", processed_at=NOW)
    assert list(article) == ARTICLES.names
    assert list(reject_row(ORIGIN, "empty", "no bytes", run_id="r", rejected_at=NOW)) == REJECTS.names
