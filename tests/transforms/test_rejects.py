"""Every reject reason the code emits is registered, and warehouse/SCHEMA.md lists exactly those."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docclean.transforms.rejects import REASONS, Reject

ROOT = Path(__file__).resolve().parents[2]
# Where a reason is written as a literal: an exception or Reject built with one, a reader's
# (reason, detail) error or problem, or a reject row (`reject_row` or a dict built inline).
EMITTERS = re.compile(
    r"""(?:\b(?:DecodeError|_ReadError|Reject)\(\s*|\b(?:_problem|reject_row)\(\s*[\w.()]+,\s*|\berror\s*=\s*\(\s*|["']reason["']:\s*)"""
    r"""["'](\w+)["']"""
)


def emitted_reasons() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for package in ("flows", "transforms", "warehouse"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for reason in EMITTERS.findall(path.read_text(encoding="utf-8")):
                found.setdefault(reason, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_emitted_reason_is_registered_and_every_registered_one_is_emitted() -> None:
    emitted = emitted_reasons()
    assert len(emitted) >= 15, emitted  # the scan still finds the emitters
    assert {r: where for r, where in emitted.items() if r not in REASONS} == {}
    assert sorted(set(REASONS) - set(emitted)) == []


def test_schema_doc_lists_the_registered_reasons_in_order() -> None:
    doc = (ROOT / "warehouse" / "SCHEMA.md").read_text(encoding="utf-8")
    section = doc.split("## `rejects`", 1)[1].split("\n## ", 1)[0]
    line = next(line for line in section.splitlines() if line.startswith("| `reason` |"))
    listed = re.findall(r"`(\w+)`", line.split("|")[3])
    assert listed == list(REASONS)


def test_a_reject_with_an_unregistered_reason_is_refused() -> None:
    assert Reject("empty", "nothing").reason == "empty"
    with pytest.raises(ValueError, match="unregistered reject reason 'emtpy'"):
        Reject("emtpy", "a typo")
