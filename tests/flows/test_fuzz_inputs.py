"""Fuzzing the readers and both batch passes with mutated real inputs (hypothesis).

JSONL, WARC, gzip and HTML inputs are mutated byte-wise (flips, cuts, inserted bytes, spliced
copies) and structure-wise (a JSON field's value swapped for a hostile one, a WARC header
dropped or garbled); every input document must come out as an article or a reject, nothing
raising. Derandomized with few examples by default (a few seconds, as in CI);
`DOCCLEAN_FUZZ_EXAMPLES=2000` explores more, with fresh randomness.
"""

from __future__ import annotations

import gzip
import json
import os

import pyarrow.parquet as pq
from docclean.flows.inputs import discover_files
from docclean.flows.readers import Limits, sources_from_files
from docclean.flows.results import BatchOptions
from docclean.flows.stages.clean import process_batch
from docclean.flows.stages.learn import learn_profiles
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.flows.hostile_inputs import HTML, PARAGRAPH, RUSSIAN, warc_record

EXAMPLES = int(os.environ.get("DOCCLEAN_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize="DOCCLEAN_FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LIMITS = Limits(max_document_seconds=20)

SEEDS: dict[str, bytes] = {
    "a.jsonl": (
        json.dumps({"id": "1", "text": PARAGRAPH, "title": "Pier", "authors": ["Ann Lee"], "url": "http://e.com/1"})
        + "\n"
        + json.dumps({"id": "2", "html": HTML, "published_at": "2024-05-01"})
        + "\n"
    ).encode(),
    "b.warc": warc_record() + warc_record(record_id=b"<urn:uuid:2>", body=RUSSIAN.encode()),
    "c.warc.gz": gzip.compress(warc_record()) + gzip.compress(warc_record(record_id=b"<urn:uuid:3>")),
    "d.md.gz": gzip.compress(f"# Pier\n\n{PARAGRAPH}\n\n[link](http://e.com) *emphasis*\n".encode()),
    "e.html": HTML.encode(),
}
HOSTILE_VALUES = [5, ["x"], {"a": 1}, None, True, "\ud800", "[" * 50, "http://[bad", "", 1e308]


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    data = SEEDS[name]
    if name.endswith(".jsonl") and draw(st.booleans()):
        records = [json.loads(line) for line in data.splitlines()]
        record = draw(st.sampled_from(records))
        key = draw(st.sampled_from(["id", "text", "html", "title", "authors", "url", "site", "published_at"]))
        record[key] = draw(st.sampled_from(HOSTILE_VALUES))
        data = "\n".join(json.dumps(r) for r in records).encode()
    if name.endswith(".warc") and draw(st.booleans()):
        header = draw(st.sampled_from([b"WARC-Target-URI", b"WARC-Type", b"Content-Length", b"WARC-Record-ID"]))
        data = data.replace(header + b": ", draw(st.sampled_from([b"X-Dropped: ", header + b": \xff\x00 "])), 1)
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(["flip", "cut", "insert", "splice", "truncate"]))
        if op == "flip" and data:
            data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
        elif op == "cut":
            data = data[:i] + data[i + draw(st.integers(1, 64)) :]
        elif op == "insert":
            data = data[:i] + draw(st.binary(min_size=1, max_size=32)) + data[i:]
        elif op == "splice":
            data = data[:i] + data
        else:
            data = data[:i]
    return data


@FUZZ
@given(st.fixed_dictionaries({name: mutated(name) for name in SEEDS}))
def test_every_mutated_input_is_accounted_for(tmp_path_factory, inputs: dict[str, bytes]) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    folder = root / "in"
    folder.mkdir()
    for name, data in inputs.items():
        (folder / name).write_bytes(data)
    files = discover_files([str(folder)])
    options = BatchOptions(run_id="fuzz", staging_dir=str(root / "stage"), limits=LIMITS)
    learned = learn_profiles(sources_from_files(files, LIMITS), set(), options)
    sources = list(sources_from_files(files, LIMITS))
    result = process_batch(0, iter(sources), set(), options, extractions=learned.extractions)
    n_rows = sum(pq.read_metadata(result.files[t]).num_rows for t in ("articles", "rejects") if t in result.files)
    documents = [s for s in sources if s.skip is None]
    assert result.n_documents == len(documents)
    assert n_rows == result.n_articles + result.n_rejects == len(documents) - result.n_skipped
    assert len({s.doc_id for s in documents}) == len(documents) - result.n_skipped
    assert "cleaning_error" not in result.rejects_by_reason, result.rejects_by_reason
