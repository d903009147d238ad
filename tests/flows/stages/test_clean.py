"""The clean stage without Prefect: every input ends as exactly one article or one reject."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
from docclean.flows.inputs import discover_files
from docclean.flows.readers import Limits, sources_from_files
from docclean.flows.results import BatchOptions
from docclean.flows.stages.clean import process_batch


def _hostile_folder(root: Path) -> Path:
    folder = root / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Council Approves Budget\n\nBy Jane Doe\n\nThe council met on Monday.\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("   \n\n  \n")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    (folder / "broken.html").write_text("<html><body><div><p>Unclosed <b>tags and <i>text that still reads fine.")
    (folder / "latin1.txt").write_bytes("Les élèves étaient très fâchés contre leur école ce matin.".encode("cp1252"))
    (folder / "cut.md.gz").write_bytes(gzip.compress(b"hello world" * 100)[:30])
    (folder / "notes.csv").write_text("a,b\n")
    (folder / "docs.jsonl").write_text(json.dumps({"text": "A line of news text."}) + "\n{oops\n")
    (folder / "only_boilerplate.txt").write_text("Share this article\n\nAdvertisement\n")
    return folder


def test_every_input_is_an_article_or_a_reject(tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path)
    files = discover_files([str(folder), str(tmp_path / "missing.txt")])
    options = BatchOptions(run_id="r1", staging_dir=str(tmp_path / "stage"))
    result = process_batch(0, sources_from_files(files, Limits()), set(), options)

    articles = pq.read_table(result.files["articles"]).to_pylist()
    rejects = pq.read_table(result.files["rejects"]).to_pylist()
    assert result.n_documents == 13 == len(articles) + len(rejects)
    names = {Path(a["source_uri"].split("#")[0]).name for a in articles}
    assert names == {"good.txt", "broken.html", "latin1.txt", "docs.jsonl"}
    reasons = {
        Path(r["source_uri"].split("#")[0]).name + r["source_uri"][len(r["source_uri"].split("#")[0]) :]: r["reason"]
        for r in rejects
    }
    assert reasons == {
        "empty.txt": "empty",
        "blank.md": "empty",
        "binary.txt": "binary",
        "image.html": "binary",
        "cut.md.gz": "corrupt_gzip",
        "notes.csv": "unsupported_format",
        "docs.jsonl#L2": "bad_json",
        "only_boilerplate.txt": "no_content",
        "missing.txt": "not_found",
    }
    assert all(r["detail"] for r in rejects)
    good = next(a for a in articles if a["source_uri"].endswith("good.txt"))
    assert (good["title"], good["authors"], good["text"]) == (
        "Council Approves Budget",
        ["Jane Doe"],
        "The council met on Monday.",
    )
    latin = next(a for a in articles if a["source_uri"].endswith("latin1.txt"))
    assert latin["text"] == "Les élèves étaient très fâchés contre leur école ce matin."
    assert latin["language"] == "fr"


def test_documents_already_loaded_are_skipped(tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path)
    files = discover_files([str(folder)])
    first = process_batch(
        0, sources_from_files(files, Limits()), set(), BatchOptions(run_id="r1", staging_dir=str(tmp_path / "s1"))
    )
    known = {row["doc_id"] for t in ("articles", "rejects") for row in pq.read_table(first.files[t]).to_pylist()}
    again = process_batch(
        0, sources_from_files(files, Limits()), known, BatchOptions(run_id="r2", staging_dir=str(tmp_path / "s2"))
    )
    assert again.n_skipped == again.n_documents == first.n_documents
    assert again.files == {}


def test_markdown_written_by_the_html_extractor_is_not_reported_as_removed(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Storm Hits Coast | Daily Example</title></head><body><article>"
        "<h1>Storm Hits Coast</h1><p>The storm reached the <b>coast</b> on <i>Monday</i> night, officials said.</p>"
        "<h2>Damage</h2><p>Dozens of homes lost power and two roads were closed by fallen trees.</p>"
        "</article><footer>Share on Facebook</footer></body></html>"
    )
    (tmp_path / "page.html").write_text(page)
    result = process_batch(
        0,
        sources_from_files(discover_files([str(tmp_path / "page.html")]), Limits()),
        set(),
        BatchOptions(run_id="r", staging_dir=str(tmp_path / "stage")),
    )
    article = pq.read_table(result.files["articles"]).to_pylist()[0]
    assert article["title"] == "Storm Hits Coast"
    assert "coast on Monday night" in article["text"] and "**" not in article["text"]
    rules = set(result.removals_by_rule)
    assert not {r for r in rules if r.startswith("markdown_")}, rules


def test_a_document_over_its_time_budget_is_a_timeout_reject_and_the_batch_goes_on(tmp_path, monkeypatch) -> None:
    import time as _time

    from docclean.flows.readers import Limits
    from docclean.flows.results import BatchOptions
    from docclean.flows.stages import clean as clean_stage
    from docclean.transforms.models import SourceDocument

    real = clean_stage.clean_source

    def slow(source, *args, **kwargs):
        if source.source_uri.endswith("slow"):
            _time.sleep(5)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(clean_stage, "clean_source", slow)
    text = b"The harbour authority said on Monday that repairs to the pier would take most of the winter."
    sources = [SourceDocument("file:///slow", "text", text), SourceDocument("file:///fast", "text", text)]
    options = BatchOptions(run_id="t", staging_dir=str(tmp_path), limits=Limits(max_document_seconds=0.5))
    started = _time.monotonic()
    result = clean_stage.process_batch(0, sources, set(), options)
    assert _time.monotonic() - started < 4.9  # the slow document alone sleeps 5 s
    assert (result.n_articles, result.rejects_by_reason) == (1, {"timeout": 1})


def test_a_batch_names_each_article_language_as_one_document_would(tmp_path: Path) -> None:
    """Languages are detected for the whole batch at the end: the same answer per article, and a
    language the input names wins."""
    texts = {
        "en": "The council met on Monday to discuss the new budget and the library's weekend hours.",
        "de": "Der Stadtrat hat am Montag über den neuen Haushalt und die Öffnungszeiten beraten.",
        "fr": "Le conseil municipal s'est réuni lundi pour discuter du nouveau budget de la ville.",
    }
    records = [{"id": code, "url": f"https://example.org/{code}", "text": text} for code, text in texts.items()]
    named = {"id": "named", "url": "https://example.org/named", "text": texts["en"] + " Again.", "language": "nl"}
    records.append(named)
    records.append({"id": "short", "url": "https://example.org/short", "text": "Ok."})
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    options = BatchOptions(run_id="r1", staging_dir=str(tmp_path / "stage"))
    result = process_batch(0, sources_from_files(discover_files([str(folder)]), Limits()), set(), options)

    articles = {a["url"].rsplit("/", 1)[1]: a["language"] for a in pq.read_table(result.files["articles"]).to_pylist()}
    assert articles == {"en": "en", "de": "de", "fr": "fr", "named": "nl", "short": None}
