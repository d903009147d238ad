"""The Python API: `docclean.clean_text` / `clean_html` clean as a run does, without Prefect; `docclean.run`."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest
from docclean.transforms.document import clean_source
from docclean.transforms.models import SourceDocument
from docclean.transforms.ruleset import default_ruleset

import docclean
from tests.conftest import CASES, ROOT, SEEDS, load_cases

SEED_LIST = load_cases("seeds/seeds.toml", "seed")

PAGE = """<html><head><title>Rivers rise after storm | Example News</title>
<meta name="author" content="Ann Lee"><meta property="article:published_time" content="2024-03-05"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Rivers rise after storm</h1>
<p>Rivers across the valley rose by two metres overnight after the heaviest rain in a decade, officials said.</p>
<p>Emergency crews moved families from low-lying streets while volunteers filled sandbags at the town hall.</p>
<p>The weather service expects the water to fall slowly over the next three days as the rain moves east.</p>
</article><footer>Subscribe to our newsletter. Copyright 2024 Example News.</footer></body></html>"""


@pytest.mark.parametrize("seed", SEED_LIST, ids=[s["file"] for s in SEED_LIST])
def test_clean_text_gives_the_seed_golden_document(seed: dict) -> None:
    raw = (SEEDS / seed["file"]).read_text(encoding="utf-8")
    doc = docclean.clean_text(raw)
    assert doc.text == (CASES / "seeds" / seed["file"].replace(".txt", ".expected.txt")).read_text().strip()
    assert doc.title == seed["title"]
    assert doc.subtitle == (seed["subtitle"] or None)
    assert doc.authors == seed["authors"]
    assert sorted(doc.rule_ids()) == sorted(seed["removed_rules"])
    assert all(r.reason for r in doc.removals)  # every removal says why


def test_clean_text_is_the_flows_per_document_path() -> None:
    """Same result as `clean_source` on the bytes a run reads, hints included."""
    raw = (SEEDS / "004_d555b713710f6780.txt").read_bytes()
    url = "https://news.example.com/2023/china-russia"
    doc = docclean.clean_text(raw, url, language="en")
    expected = clean_source(SourceDocument(url, "text", raw, {"url": url, "language": "en"}), default_ruleset())
    assert doc.text == expected.document.text
    assert doc.removals == expected.document.removals
    assert (doc.site, doc.url) == ("news.example.com", url)
    assert doc.published_at == datetime(2023, 2, 7)


def test_what_the_caller_knows_wins() -> None:
    doc = docclean.clean_text(
        "A short note about rivers and the rain that fell all week long.",
        title="Rivers",
        authors="Ann Lee",
        published_at=datetime(2024, 1, 2),
        site="example.org",
    )
    assert (doc.title, doc.authors, doc.published_at, doc.site) == (
        "Rivers",
        ["Ann Lee"],
        datetime(2024, 1, 2),
        "example.org",
    )


def test_clean_html_extracts_the_article_and_its_metadata() -> None:
    doc = docclean.clean_html(PAGE, "https://example.com/news/rivers")
    assert "Rivers across the valley rose by two metres" in doc.text
    assert "Home" not in doc.text and "Subscribe" not in doc.text
    assert doc.title == "Rivers rise after storm"
    assert doc.authors == ["Ann Lee"]
    assert doc.published_at is not None and doc.published_at.date().isoformat() == "2024-03-05"
    assert doc.site == "example.com"
    assert doc.word_count > 30


def test_input_that_cannot_be_cleaned_raises_with_a_registered_reason() -> None:
    with pytest.raises(docclean.DocumentRejected) as caught:
        docclean.clean_text("   \n  ")
    assert caught.value.reason == "empty"
    with pytest.raises(docclean.DocumentRejected) as caught:
        docclean.clean_html("<div>" * 50 + "x", max_html_depth=10)
    assert caught.value.reason == "too_deep"


def test_own_rules_folder_adds_a_rule(tmp_path) -> None:
    """A folder of rule files, as `--rules` takes."""
    raw = (SEEDS / "004_d555b713710f6780.txt").read_text(encoding="utf-8")
    assert "Moreover, China expressed" in docclean.clean_text(raw).text
    (tmp_path / "mine.toml").write_text(
        '[[rule]]\nid = "my_rule"\nkind = "line"\nreason = "mine"\npatterns = ["Moreover, China expressed .*"]\n'
        'examples.remove = ["Moreover, China expressed its plans"]\nexamples.keep = ["China said"]\n'
    )
    doc = docclean.clean_text(raw, rules=tmp_path)
    assert "Moreover, China expressed" not in doc.text
    assert ("my_rule", "mine") in {(r.rule_id, r.reason) for r in doc.removals}
    assert docclean.clean_text(raw, rules=docclean.load_rules(tmp_path)).text == doc.text


def test_the_cleaning_api_imports_without_prefect() -> None:
    code = (
        "import sys, docclean\n"
        "doc = docclean.clean_text('Rivers rose two metres overnight after the heaviest rain in a decade.')\n"
        "assert doc.text, doc\n"
        "assert 'prefect' not in sys.modules, sorted(m for m in sys.modules if m.startswith('prefect'))\n"
        "print(docclean.__version__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == docclean.__version__ != "0+unknown"


def test_the_api_document_carries_the_pages_agencies_date_precision_and_layout() -> None:
    import docclean

    html = (
        '<html><head><meta property="article:published_time" content="2024-03-05T10:00:00+01:00">'
        "</head><body><article><h1>Ferry Service Resumes</h1>"
        "<p>The ferry between the two islands ran again on Tuesday after the storm had stopped it.</p>"
        "<p>Operators said the timetable would be back to normal by the end of the week.</p>"
        "</article></body></html>"
    )
    page = docclean.clean_html(html, url="https://news.example.org/ferry")
    assert (page.published_utc_offset, page.published_date_only, page.text_layout) == (60, False, "html")
    text = docclean.clean_text("Ferry Service Resumes\n\nThe ferry ran again on Tuesday after the storm stopped it.")
    assert (text.text_layout, text.author_orgs) == ("plain", [])
