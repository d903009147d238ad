"""The review report in a real browser: headless Chromium runs the page's JS, we read the DOM it built.

`chromium --dump-dom` prints the document after its scripts ran, which is all these checks need
(no WebDriver). Needs the Debian `chromium` package: `.ci/install-browser.sh` installs it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import lxml.html
import pytest
from docclean.warehouse.catalog import run_query
from docclean.warehouse.lake import Lake
from docclean.warehouse.report import build_report

from tests.conftest import ROOT, SEEDS
from tests.warehouse.conftest import load_folder

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
)  # fmt: skip
BYLINE = "Written by [Angeline Tan](#) on February 7, 2023"
CREDIT = "Oleksii Liskonih/iStock/Getty Images Plus"
EVIL = '<script>document.body.dataset.pwned = "1"</script>'

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: run .ci/install-browser.sh (as root) to install chromium"
)


def chromium(tmp_path: Path, url: str, *args: str) -> str:
    """Run headless Chromium with a fresh profile on `url`; its stdout."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    result = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def dom(tmp_path: Path, report: Path, fragment: str) -> lxml.html.HtmlElement:
    """The page's DOM after its scripts ran, opened at `#fragment` (the report's state)."""
    return lxml.html.fromstring(chromium(tmp_path, f"{report.as_uri()}#{fragment}", "--dump-dom"))


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("DOCCLEAN_ARTIFACTS") or ROOT / "tests" / ".artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lake, Path]:
    root = tmp_path_factory.mktemp("browser")
    lake = Lake.at(root / "lake")
    assert load_folder(lake, SEEDS, "run-1")
    out = root / "report.html"
    build_report(lake, out)
    return lake, out


def _doc_id(lake: Lake, name: str) -> str:
    return run_query(lake, "SELECT doc_id FROM articles WHERE source_uri LIKE '%/' || ?", [name]).rows[0][0]


def test_seed_document_shows_removed_spans_with_rule_ids(seeds_report, tmp_path: Path) -> None:
    lake, report = seeds_report
    doc_id = _doc_id(lake, "004_d555b713710f6780.txt")
    page = dom(tmp_path, report, f"doc={doc_id}")

    marks = [(m.get("data-rule"), m.text_content(), m.get("title")) for m in page.xpath("//pre[@id='original']//mark")]
    assert ("byline", BYLINE, "byline: Author byline; author and date moved to metadata") in marks
    assert ("image_credit", CREDIT) in [(rule, text) for rule, text, _ in marks]
    assert all(title.startswith(f"{rule}: ") for rule, _, title in marks)
    blocks = [text for rule, text, _ in marks if rule == "subscription_block"]
    assert len(blocks) == 1 and blocks[0].startswith("Subscribe to the New American")
    # Each highlight is coloured by its rule's class, and the legend names every rule shown.
    assert all(m.get("class").startswith("rm k") for m in page.xpath("//pre[@id='original']//mark"))
    legend = page.get_element_by_id("legend").text_content()
    assert all(rule in legend for rule in ("byline", "image_credit", "subscription_block"))

    assert page.xpath("string(//dd[@data-field='authors'])") == "Angeline Tan"
    assert page.xpath("string(//dd[@data-field='published'])") == "2023-02-07"
    clean = page.get_element_by_id("clean").text_content()
    assert BYLINE not in clean and CREDIT not in clean and clean.startswith("China said on February 4")
    assert page.xpath("//ul[@id='doc-list']/li[@class='current']/a/@data-doc") == [doc_id]

    shot = artifacts_dir() / "report-seeds.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path, f"{report.as_uri()}#doc={doc_id}", f"--screenshot={shot}", "--window-size=1400,1800")
    assert shot.stat().st_size > 10_000
    print(f"\nscreenshot of the seeds' report: {shot}")


def test_filters_narrow_the_list(seeds_report, tmp_path: Path) -> None:
    lake, report = seeds_report
    page = dom(tmp_path, report, "")
    assert len(page.xpath("//ul[@id='doc-list']/li")) == 2
    assert "Pick a document" in page.get_element_by_id("doc").text_content()

    page = dom(tmp_path, report, "rule=subscription_block")
    assert page.xpath("//ul[@id='doc-list']/li/a/@data-doc") == [_doc_id(lake, "004_d555b713710f6780.txt")]
    assert page.get_element_by_id("count").text_content() == "Showing 1–1 of 1 documents (2 in all)"

    page = dom(tmp_path, report, "role=duplicate")
    assert page.xpath("//ul[@id='doc-list']/li") == []
    assert page.get_element_by_id("count").text_content().startswith("No document matches")


def test_script_in_a_document_does_not_run_and_shows_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil.txt").write_text(
        "<img src=x onerror=\"document.body.dataset.pwned='2'\"> Harbour Reopens\n\n"
        f"The harbour reopened on Monday after the storm passed. {EVIL} Fishing boats returned to the quay "
        "by noon, and the ferry ran </script><b>bold</b> again in the evening.\n"
    )
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    report = tmp_path / "report.html"
    build_report(lake, report)
    doc_id = run_query(lake, "SELECT doc_id FROM articles").rows[0][0]

    page = dom(tmp_path, report, f"doc={doc_id}")
    body = page.find("body")
    assert body.get("data-pwned") is None
    assert page.xpath("//img") == [] and page.xpath("//main//b[.='bold']") == []
    assert len(page.xpath("//script")) == 3  # the index, the document's JSON, the page's code: nothing injected
    assert EVIL in page.get_element_by_id("original").text_content()
    assert EVIL in page.get_element_by_id("clean").text_content()
    assert page.xpath("string(//ul[@id='doc-list']/li/a)").startswith("<img src=x onerror=")


def test_an_html_pages_source_shows_as_text_and_its_scripts_do_not_run(tmp_path: Path) -> None:
    from tests.warehouse.test_report_sampling import PAGE

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    lake = Lake.at(tmp_path / "lake")
    assert load_folder(lake, folder, "run-1")
    report = tmp_path / "report.html"
    build_report(lake, report)
    doc_id = run_query(lake, "SELECT doc_id FROM articles").rows[0][0]

    page = dom(tmp_path, report, f"doc={doc_id}")
    assert page.find("body").get("data-pwned") is None
    assert page.xpath("//nav | //textarea | //iframe") == [] and len(page.xpath("//script")) == 3
    source = page.get_element_by_id("page-source")
    assert source.getparent().tag == "details" and source.text_content() == PAGE
    assert "Council Meets" in page.get_element_by_id("original").text_content()
