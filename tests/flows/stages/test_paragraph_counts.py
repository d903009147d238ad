"""Counting paragraphs per site over article tables (the common_paragraph stage), and reading signatures."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from docclean.flows.stages.dedup import signature_matrix
from docclean.flows.stages.paragraph_counts import PARAGRAPH_KEYS, count_paragraphs_by_site, paragraph_key_table
from docclean.transforms.common_paragraphs import paragraph_hashes

FOOTER = "This article was produced by our newsroom and checked by the desk editors."
QUOTE = "The minister said the new rules would take effect at the start of next year."


def _batch(rows: list[tuple[str | None, str, str]], first_id: int = 0) -> tuple[pa.Table, pa.Table]:
    """(articles with their dedup roles, their paragraph keys as a batch task stages them)."""
    ids = [f"d{first_id + i}" for i in range(len(rows))]
    sites, texts, roles = zip(*rows, strict=True)
    articles = pa.table({"doc_id": ids, "site": list(sites), "dup_role": list(roles)})
    keyed = [{"doc_id": i, "site": site, "text": text} for i, site, text in zip(ids, sites, texts, strict=True)]
    return articles, paragraph_key_table(keyed, min_words=7)


def test_counts_are_per_site_over_canonical_articles_across_batches() -> None:
    first = _batch(
        [
            ("a.example", f"Story one is about the harbour and its many new piers.\n\n{FOOTER}", "canonical"),
            ("a.example", f"Story two is about the library and its long new hours.\n\n{FOOTER}", "canonical"),
            ("a.example", f"A copy of story two, which must not count twice.\n\n{FOOTER}", "duplicate"),
            ("a.example", "Too short to count.", "canonical"),  # counted as an article, with no keys
        ],
    )
    second = _batch([("b.example", f"{QUOTE}\n\n{FOOTER}", "canonical"), (None, f"{QUOTE}", "canonical")], 10)
    counts, site_docs = count_paragraphs_by_site([second, first])
    (footer_key,) = paragraph_hashes(FOOTER, 7)
    (quote_key,) = paragraph_hashes(QUOTE, 7)
    by_pair = {(r["site"], r["key"]): r["n_documents"] for r in counts.to_pylist()}
    assert by_pair[("a.example", footer_key)] == 2  # the duplicate is not counted
    assert by_pair[("b.example", footer_key)] == 1
    assert by_pair[("b.example", quote_key)] == 1 and by_pair[("", quote_key)] == 1
    assert site_docs == {"a.example": 3, "b.example": 1, "": 1}
    assert counts.schema.field("key").type == pa.string() and len(footer_key) == 16
    # Sorted by site and key, whatever order the batches came in.
    pairs = list(zip(counts["site"].to_pylist(), counts["key"].to_pylist(), strict=True))
    assert pairs == sorted(pairs) and counts.num_rows == 6


def test_paragraph_key_table_holds_each_articles_keys_once() -> None:
    text = f"{FOOTER}\n\n{QUOTE}\n\n{FOOTER}\n\nShort one."
    table = paragraph_key_table([{"doc_id": "x", "site": None, "text": text}], min_words=7)
    assert table.schema == PARAGRAPH_KEYS
    assert sorted(f"{k:016x}" for k in table["key"].to_pylist()) == sorted(paragraph_hashes(text, 7))
    assert set(table["doc_id"].to_pylist()) == {"x"} and set(table["site"].to_pylist()) == {""}


def test_no_articles_count_nothing() -> None:
    counts, site_docs = count_paragraphs_by_site([])
    assert counts.num_rows == 0 and not site_docs


def test_signature_matrix_reads_signatures_in_the_order_asked(tmp_path: Path) -> None:
    import numpy as np

    sigs = {f"d{i}": np.arange(i, i + 4, dtype="<u4") for i in range(5)}
    paths = []
    for n, ids in enumerate((["d0", "d1", "d2"], ["d3", "d4"])):
        path = tmp_path / f"m{n}.parquet"
        pq.write_table(pa.table({"doc_id": ids, "signature": [sigs[i].tobytes() for i in ids]}), path)
        paths.append(str(path))
    wanted = pa.chunked_array([["d4", "d0", "d2", "d1", "d3"]])
    matrix = signature_matrix(paths, wanted)
    assert matrix.dtype == np.uint32 and matrix.shape == (5, 4)
    assert [row.tolist() for row in matrix] == [sigs[i].tolist() for i in wanted.to_pylist()]
