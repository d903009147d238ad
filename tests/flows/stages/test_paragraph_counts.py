"""Counting paragraphs per site over article tables (the common_paragraph stage), and reading signatures."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from docclean.flows.stages.dedup import signature_matrix
from docclean.flows.stages.paragraph_counts import count_paragraphs_by_site
from docclean.transforms.common_paragraphs import paragraph_hashes

FOOTER = "This article was produced by our newsroom and checked by the desk editors."
QUOTE = "The minister said the new rules would take effect at the start of next year."


def _articles(rows: list[tuple[str | None, str, str]]) -> pa.Table:
    sites, texts, roles = zip(*rows, strict=True)
    return pa.table({"site": list(sites), "text": list(texts), "dup_role": list(roles)})


def test_counts_are_per_site_over_canonical_articles_across_tables() -> None:
    first = _articles(
        [
            ("a.example", f"Story one is about the harbour and its many new piers.\n\n{FOOTER}", "canonical"),
            ("a.example", f"Story two is about the library and its long new hours.\n\n{FOOTER}", "canonical"),
            ("a.example", f"A copy of story two, which must not count twice.\n\n{FOOTER}", "duplicate"),
        ],
    )
    second = _articles(
        [
            ("b.example", f"{QUOTE}\n\n{FOOTER}", "canonical"),
            (None, f"{QUOTE}", "canonical"),
        ],
    )
    counts, site_docs = count_paragraphs_by_site([first, second], min_words=7)
    (footer_key,) = paragraph_hashes(FOOTER, 7)
    (quote_key,) = paragraph_hashes(QUOTE, 7)
    by_pair = {(r["site"], r["key"]): r["n_documents"] for r in counts.to_pylist()}
    assert by_pair[("a.example", footer_key)] == 2  # the duplicate is not counted
    assert by_pair[("b.example", footer_key)] == 1
    assert by_pair[("b.example", quote_key)] == 1 and by_pair[("", quote_key)] == 1
    assert site_docs == {"a.example": 2, "b.example": 1, "": 1}
    assert counts.schema.field("key").type == pa.string() and len(footer_key) == 16


def test_no_articles_count_nothing() -> None:
    counts, site_docs = count_paragraphs_by_site([], min_words=7)
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
