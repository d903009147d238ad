"""warehouse/SCHEMA.md documents every column of every table, with its real type."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest
from docclean.warehouse.schemas import TABLES, WRITE_MODES

DOC = (Path(__file__).resolve().parents[2] / "warehouse" / "SCHEMA.md").read_text(encoding="utf-8")
TYPE_NAMES = {
    pa.string(): "string",
    pa.int32(): "int32",
    pa.int64(): "int64",
    pa.timestamp("us"): "timestamp",
    pa.list_(pa.string()): "list<string>",
    pa.binary(): "binary",
    pa.float32(): "float32",
    pa.bool_(): "bool",
}


def documented_columns(table: str) -> list[tuple[str, str]]:
    section = DOC.split(f"## `{table}`", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \| ([\w<>]+) \|", section, flags=re.MULTILINE)


@pytest.mark.parametrize("table", TABLES)
def test_schema_doc_matches_the_real_schema(table: str) -> None:
    actual = [(field.name, TYPE_NAMES[field.type]) for field in TABLES[table]]
    assert documented_columns(table) == actual


def test_every_tables_write_mode_is_documented() -> None:
    section = DOC.split("**Write modes.**", 1)[1].split("\n\n**", 1)[0]
    documented = {
        table: mode
        for mode, tables in re.findall(r"^\| `(\w+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
        for table in re.findall(r"`(\w+)`", tables)
    }
    assert documented == {table: mode.value for table, mode in WRITE_MODES.items()}
