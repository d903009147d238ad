"""The HTML metadata cases of tests/cases/metadata: title, people, organisations and date of
each hand-written page, in a dozen languages (no page of a dev set, no real byline)."""

from __future__ import annotations

from datetime import datetime

import pytest
from docclean.transforms.html_metadata import extract_metadata
from docclean.transforms.html_parse import parse_html
from docclean.transforms.models import DocumentHints

from tests.conftest import CASES, load_cases

METADATA_CASES = load_cases("metadata/cases.toml")


def _hints(case: dict) -> DocumentHints:
    tree = parse_html((CASES / "metadata" / case["file"]).read_text(encoding="utf-8"))
    assert tree is not None
    return extract_metadata(tree)


@pytest.mark.parametrize("case", METADATA_CASES, ids=[c["file"] for c in METADATA_CASES])
def test_metadata_case(case: dict) -> None:
    hints = _hints(case)
    published = datetime.fromisoformat(case["published_at"]) if case["published_at"] else None
    assert hints.title == case["title"]
    assert (hints.authors, hints.author_orgs) == (case["authors"], case["author_orgs"])
    assert hints.published_at == published
    assert hints.published_utc_offset == case.get("utc_offset")
    assert hints.published_date_only == case.get("date_only", False)
    assert hints.language == case["language"]


def test_every_page_has_a_case_and_ten_languages_besides_english() -> None:
    pages = {p.name for p in (CASES / "metadata").glob("*.html")}
    assert pages == {c["file"] for c in METADATA_CASES}
    assert len({c["language"] for c in METADATA_CASES} - {"en"}) >= 10
