"""The same lake whatever the batch size: batches cut JSONL and WARC files into parts
(`flows.splits`), and a part is read, cleaned and deduplicated as the whole file would be,
including an id repeated in another part of its file."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from docclean.flows.flow import clean_documents
from docclean.warehouse.catalog import run_checks
from docclean.warehouse.lake import Lake

from tests.flows.test_golden import _article, build_corpus, lake_content
from tests.flows.test_splits import write_warc

pytestmark = pytest.mark.flow


def build_split_corpus(root: Path) -> None:
    """The golden corpus, plus a JSONL file and a WARC file of several documents each, where a
    later line (record) repeats the id of the first."""
    build_corpus(root)
    rng = random.Random(16)
    lines = [
        json.dumps({"id": f"s{i}", "url": f"https://split.example.net/{i}", "text": "\n\n".join(_article(rng, 2))})
        for i in range(7)
    ]
    lines[5] = json.dumps({"id": "s0", "url": "https://split.example.net/again", "text": "Says it again, later."})
    lines.insert(2, "{broken")
    (root / "split.jsonl").write_text("\n".join(lines) + "\n")
    write_warc(root / "split.warc.gz", ["r0", "r1", "r2", "r0", "r4"])


def test_the_lake_is_the_same_whatever_the_batch_size(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    build_split_corpus(corpus)
    contents = []
    for batch_size in (2, 1000):
        lake = Lake.at(tmp_path / f"lake{batch_size}")
        summary = clean_documents(inputs=[str(corpus)], lake=str(lake.root), batch_size=batch_size)
        assert summary.committed is True
        assert set(run_checks(lake).values()) == {0}
        contents.append(lake_content(lake, corpus))
    small, whole = contents
    assert small == whole
    rejects = dict((source, reason) for source, reason in whole["rejects"])
    assert rejects["split.jsonl#L7"] == rejects["split.warc.gz#record-4"] == "duplicate_id"
    assert "split.jsonl#id=s6" in whole["articles"]
    # the record after the repeated one is read (its one-sentence body is too short to be an article)
    assert rejects["split.warc.gz#urn:uuid:r4"] == "no_content"
