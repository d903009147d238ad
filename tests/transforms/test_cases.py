"""Data-driven cleaning cases from tests/cases/boilerplate.toml and the seed golden files."""

from __future__ import annotations

from datetime import datetime

import pytest
from docclean.transforms.clean import clean_document
from docclean.transforms.markdown import render_line
from docclean.transforms.normalize import paragraph_key, prepare_text

from tests.conftest import CASES, SEEDS, load_cases

CASE_LIST = load_cases("boilerplate.toml") + load_cases("languages.toml")
SEED_LIST = load_cases("seeds/seeds.toml", "seed")


def _date(value: str) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@pytest.mark.parametrize("case", CASE_LIST, ids=[c["name"] for c in CASE_LIST])
def test_case(case: dict) -> None:
    if "known_failure" in case:
        pytest.xfail(case["known_failure"])
    result = clean_document(case["input"])
    if case.get("negative"):
        assert result.text == case["input"].strip()
        assert result.removals == []
        return
    assert result.text == case["expected"].strip()
    assert sorted(result.removed_rule_ids()) == sorted(case["removed_rules"])
    for field in ("title", "subtitle", "authors"):
        if field in case:
            assert getattr(result, field) == case[field], field
    if "published_at" in case:
        assert result.published_at == _date(case["published_at"])


@pytest.mark.parametrize("seed", SEED_LIST, ids=[s["file"] for s in SEED_LIST])
def test_seed_golden(seed: dict) -> None:
    raw = (SEEDS / seed["file"]).read_text(encoding="utf-8")
    expected = (CASES / "seeds" / seed["file"].replace(".txt", ".expected.txt")).read_text(encoding="utf-8")
    result = clean_document(raw)
    assert result.text == expected.strip()
    assert result.title == seed["title"]
    assert result.subtitle == (seed["subtitle"] or None)
    assert result.authors == seed["authors"]
    assert result.published_at == _date(seed["published_at"])
    assert result.language == seed["language"]
    assert sorted(result.removed_rule_ids()) == sorted(seed["removed_rules"])


@pytest.mark.parametrize("seed", SEED_LIST, ids=[s["file"] for s in SEED_LIST])
def test_seed_keeps_every_body_line_and_drops_the_boilerplate(seed: dict) -> None:
    raw = (SEEDS / seed["file"]).read_text(encoding="utf-8")
    result = clean_document(raw)
    body_paragraphs = {paragraph_key(p) for p in result.text.split("\n\n")}
    lines = prepare_text(raw).split("\n")
    boilerplate = set(seed["boilerplate_lines"])
    for number, line in enumerate(lines, start=1):
        text = render_line(line).text
        if not text:
            continue
        if number in boilerplate:
            assert paragraph_key(text) not in body_paragraphs, f"line {number} should be gone: {text!r}"
        else:
            assert text in result.text, f"line {number} lost: {text!r}"


def test_seed_acceptance_strings() -> None:
    """The foundation issue's acceptance list, checked on both seeds."""
    forbidden = [
        "Written by",
        "Getty Images",
        "via REUTERS",
        "Subscribe",
        "Cancel anytime",
        "What's Included",
        "\\$",
        "](#)",
    ]
    for seed in SEED_LIST:
        result = clean_document((SEEDS / seed["file"]).read_text(encoding="utf-8"))
        for needle in forbidden:
            assert needle not in result.text, (seed["file"], needle)
        assert result.title and result.title not in result.text


def test_removal_offsets_point_at_the_removed_text() -> None:
    for seed in SEED_LIST:
        raw = (SEEDS / seed["file"]).read_text(encoding="utf-8")
        prepared = prepare_text(raw)
        result = clean_document(raw)
        assert result.source_chars == len(prepared)
        for removal in result.removals:
            assert prepared[removal.start : removal.end] == removal.text
