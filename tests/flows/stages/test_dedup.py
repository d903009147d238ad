"""The dedup stage's decisions looked up by doc_id (`Roles`), as the common-paragraph stage asks."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from docclean.flows.stages.dedup import ASSIGNMENTS, Roles


def _assignments(tmp_path: Path, doc_ids: list[str]) -> str:
    columns = {}
    for field in ASSIGNMENTS:
        if field.name == "doc_id":
            columns["doc_id"] = pa.array(doc_ids, field.type)
        elif pa.types.is_string(field.type):
            columns[field.name] = pa.array([f"{field.name}-{d}" for d in doc_ids], field.type)
        else:
            columns[field.name] = pa.array(list(range(len(doc_ids))), pa.int64()).cast(field.type)
    path = tmp_path / "assignments.parquet"
    pq.write_table(pa.table(columns, schema=ASSIGNMENTS), path)
    return str(path)


def test_each_id_gets_its_own_row_in_the_order_asked(tmp_path: Path) -> None:
    ids = ["c3", "a1", "b2", "e5", "d4"]
    roles = Roles.read(_assignments(tmp_path, ids))
    got = roles.of(pa.array(["d4", "a1", "c3"]))
    first = ASSIGNMENTS.names[1]
    expected = pq.read_table(_assignments(tmp_path, ids)).to_pydict()[first]
    assert got[first].to_pylist() == [expected[ids.index(d)] for d in ("d4", "a1", "c3")]


def test_an_unknown_id_gets_null_roles_and_an_empty_ask_no_rows(tmp_path: Path) -> None:
    roles = Roles.read(_assignments(tmp_path, ["a1", "b2"]))
    got = roles.of(pa.chunked_array([["zz", "b2", "00"]]))
    assert got.num_rows == 3
    assert [row is None for row in got[ASSIGNMENTS.names[1]].to_pylist()] == [True, False, True]
    assert roles.of(pa.array([], pa.string())).num_rows == 0
    assert Roles.read(_assignments(tmp_path, [])).of(pa.array(["a1"])).to_pylist()[0][ASSIGNMENTS.names[1]] is None
