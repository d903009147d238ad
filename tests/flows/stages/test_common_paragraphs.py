"""The common-paragraph stage: stored signatures describe the final text, article files are
rewritten once after their batch, and the rule's pure thresholds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from docclean.flows.flow import clean_documents
from docclean.transforms.common_paragraphs import CommonParagraphRule, common_keys, newly_common_sites
from docclean.transforms.minhash import signatures
from docclean.warehouse.catalog import run_checks, run_query
from docclean.warehouse.lake import Lake

pytestmark = pytest.mark.flow
FOOTER = "Valley Courier is published daily by the Valley Media Group and its many reporters."
STORIES = [
    "The ferry terminal reopened on Monday after a month of repairs to the old pier.",
    "Council members voted to extend library hours through the long winter months.",
    "Farmers at the market reported record sales of apples after a dry summer season.",
    "The orchestra announced a free concert in the park for the first week of June.",
    "Engineers began work on the tunnel under the river that will carry the new rail line.",
    "Teachers at the village school raised money for a new playground and garden.",
    "A festival of light will fill the harbour with lanterns on the last night of autumn.",
]


def _write_feed(folder: Path, indices: range) -> None:
    """Text files without a site: no site template is learned, the footer is left to this stage."""
    folder.mkdir(exist_ok=True)
    for i in indices:
        (folder / f"s{i}.txt").write_text(f"Story Number {i}\n\n{STORIES[i]}\n\n{FOOTER}\n")


def test_every_stored_signature_is_that_of_its_articles_final_text(tmp_path: Path, monkeypatch) -> None:
    inputs, lake = tmp_path / "in", Lake.at(tmp_path / "lake")
    _write_feed(inputs, range(3))
    clean_documents(inputs=[str(inputs)], lake=str(lake.root), batch_size=2)  # 3 < 5: not common yet
    writes: Counter[tuple[str, str]] = Counter()
    real_write = pq.write_table

    def counting_write(table, where, *args, **kwargs):
        name = Path(str(where)).name.split(".")[1]  # `.<name>.<pid>.tmp` (write_parquet_atomic)
        writes[((table.schema.metadata or {}).get(b"docclean.table", b"").decode(), name)] += 1
        return real_write(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", counting_write)
    _write_feed(inputs, range(3, 7))
    summary = clean_documents(inputs=[str(inputs)], lake=str(lake.root), batch_size=2)
    assert summary.counts.n_restripped == 3 and summary.counts.removals_by_rule["common_paragraph"] == 7
    # Written by its batch, then once more with roles joined and the footer gone: never a third time.
    article_writes = {name: n for (table, name), n in writes.items() if table == "articles"}
    assert article_writes and max(article_writes.values()) <= 2, article_writes

    rows = run_query(lake, "SELECT a.doc_id, a.text, m.signature FROM articles a JOIN minhash m USING (doc_id)").rows
    assert len(rows) == 7 and all(FOOTER not in text for _, text, _ in rows)
    for doc_id, text, signature in rows:
        assert np.array_equal(np.frombuffer(signature, "<u4"), signatures([text])[0]), doc_id
    orphans = run_query(lake, "SELECT count(*) FROM minhash WHERE doc_id NOT IN (SELECT doc_id FROM articles)")
    assert orphans.rows == [(0,)]
    assert set(run_checks(lake).values()) == {0}


def test_thresholds_follow_the_sites_size() -> None:
    rule = CommonParagraphRule(min_documents=5, min_fraction=0.01, min_words=7)
    assert [rule.threshold(n) for n in (0, 500, 501, 2000)] == [5, 5, 6, 20]
    counts = [("big", "k", 19), ("big", "k2", 20), ("small", "k", 5), ("small", "k3", 4)]
    assert common_keys(counts, {"big": 2000, "small": 10}, rule) == {"big": {"k2"}, "small": {"k"}}


def test_only_sites_whose_loaded_articles_kept_the_paragraph_are_stripped_again() -> None:
    rule = CommonParagraphRule()
    common = {"old": {"k"}, "was_common": {"k"}, "new": {"k"}}
    before = {("old", "k"): 4, ("was_common", "k"): 5}
    site_articles = {"old": 10, "was_common": 10}  # "new" had no article before this run
    assert newly_common_sites(common, before, site_articles, rule) == ["old"]
