"""The learn stage without the Prefect engine: partial profiles and staged extractions, read back by clean."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
from docclean.flows.inputs import discover_files, write_manifest
from docclean.flows.known_ids import write_known_ids
from docclean.flows.readers import Limits, sources_from_files
from docclean.flows.results import BatchOptions, LearnedBatch, LearnedInputs
from docclean.flows.stages.clean import clean_batch
from docclean.flows.stages.learn import learn_profiles, learn_site_templates

FOOTER = "Copyright Valley Times. All rights reserved."


def _page(i: int) -> str:
    return (
        f"<html><head><title>Story {i}</title></head><body><article><h1>Story number {i}</h1>"
        f"<p>Paragraph {i} of a story about the valley, told at some length for the extractor.</p>"
        f"<p>{FOOTER}</p></article></body></html>"
    )


def _corpus(root: Path) -> Path:
    folder = root / "valley.example"
    folder.mkdir(parents=True)
    for i in range(3):
        (folder / f"p{i}.html").write_text(_page(i))
    (folder / "note.txt").write_text(f"A short note about the valley.\n\n{FOOTER}\n")
    (folder / "blank.txt").write_text("  \n")
    return folder


def test_learn_profiles_counts_each_site_line_once_per_page(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    options = BatchOptions(run_id="r", staging_dir=str(tmp_path / "stage"), site_from_folder=True)
    learned = learn_profiles(sources_from_files(discover_files([str(folder)]), Limits()), set(), options)
    assert set(learned.profiles) == {"valley.example"}
    profile = learned.profiles["valley.example"]
    assert profile.n_docs == 4  # three pages and the note; the blank file is rejected by cleaning, so not counted
    assert profile.doc_freq["copyright valley times all rights reserved"] == 4
    assert len(learned.extractions) == 3


def test_tasks_hand_the_extractions_to_clean_by_path(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    stage = tmp_path / "stage"
    stage.mkdir()
    manifest = stage / "manifests" / "b00000.json"
    write_manifest(manifest, discover_files([str(folder)]))
    known = write_known_ids(stage / "known_ids.npy", [])
    options = BatchOptions(run_id="r", staging_dir=str(stage), site_from_folder=True)

    learned = learn_site_templates.fn(0, str(manifest), str(known), options)
    assert learned == LearnedBatch(0, str(stage / "profiles/b00000.parquet"), str(stage / "extractions/b00000.pickle"))
    partial = pq.read_table(learned.profile_path).to_pylist()
    assert {"site": "valley.example", "key": None, "doc_freq": 4} in partial  # the site's page count
    footer = {"site": "valley.example", "key": "copyright valley times all rights reserved", "doc_freq": 4}
    assert footer in partial
    assert len(pickle.loads(Path(learned.extractions_path).read_bytes())) == 3

    result = clean_batch.fn(0, str(manifest), str(known), options, LearnedInputs(learned.extractions_path))
    assert (result.n_documents, result.n_articles, result.n_rejects) == (5, 4, 1)
    assert result.rejects_by_reason == {"empty": 1}
    articles = pq.read_table(result.files["articles"]).to_pylist()
    assert {a["site"] for a in articles} == {"valley.example"}
    # Without the extractions, cleaning extracts again and stages the same articles.
    again = clean_batch.fn(0, str(manifest), str(known), replace(options, staging_dir=str(tmp_path / "stage2")))
    assert pq.read_table(again.files["articles"], columns=["text"]) == pq.read_table(
        result.files["articles"], columns=["text"]
    )
