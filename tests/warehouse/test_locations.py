"""A location a user gives is a local path, a `file://` URI or (inputs only) an object-store URI;
any other URI is refused, never taken for a relative folder named `s3:`."""

from __future__ import annotations

from pathlib import Path

import pytest
from docclean.flows.inputs import discover_files
from docclean.warehouse.lake import Lake
from docclean.warehouse.locations import RemoteLocationError, input_location, local_path, uri_scheme


@pytest.mark.parametrize(
    ("location", "scheme"),
    [
        ("s3://bucket/lake", "s3"),
        ("GS://bucket", "gs"),
        ("az://container/path", "az"),
        ("https://example.org/page.html", "https"),
        ("file:///tmp/x", "file"),
        ("s3+http://x", "s3+http"),
        ("data/lake", None),
        ("report:v2/lake", None),  # a colon in a folder name is still a path
        ("C:/data/lake", None),  # a Windows drive letter is one character, not a scheme
        ("/abs/s3://x", None),
    ],
)
def test_uri_scheme(location: str, scheme: str | None) -> None:
    assert uri_scheme(location) == scheme


@pytest.mark.parametrize("location", ["s3://crawl/", "gs://b/lake", "az://c/p", "http://h/x.warc.gz", "file://host/x"])
def test_remote_uris_are_refused_saying_what_to_do(location: str) -> None:
    with pytest.raises(RemoteLocationError) as raised:
        local_path(location, "input")
    message = str(raised.value)
    assert message.startswith(f"input {location}")
    assert ("copy or mount" in message) or ("local path" in message)


def test_file_uris_and_paths_become_local_paths(tmp_path: Path) -> None:
    assert local_path(tmp_path.as_uri()) == tmp_path
    assert local_path(f"file://localhost{tmp_path}") == tmp_path
    assert local_path((tmp_path / "a b").as_uri()) == tmp_path / "a b"  # percent-encoding undone
    assert local_path("~/lake") == Path.home() / "lake"
    assert local_path(tmp_path / "x") == tmp_path / "x"


def test_a_lake_uri_is_never_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RemoteLocationError):
        Lake.at("s3://lake/")
    assert list(tmp_path.iterdir()) == []
    assert Lake.at((tmp_path / "lake").as_uri()).root == tmp_path / "lake"


@pytest.mark.parametrize("location", ["s3://crawl/", "gs://b/in", "abfs://c@acct.dfs.core.windows.net/in", "az://c/p"])
def test_object_store_inputs_are_kept_as_uris(location: str) -> None:
    assert input_location(location) == location


def test_a_lake_on_object_storage_is_not_a_folder_and_the_error_says_how_to_open_it() -> None:
    with pytest.raises(RemoteLocationError, match="worked on through a local copy"):
        local_path("s3://bucket/lake", "lake")


def test_an_input_uri_is_refused_not_reported_missing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text.\n")
    with pytest.raises(RemoteLocationError, match="https:// URIs are not supported"):
        input_location("https://example.org/crawl.warc.gz")
    with pytest.raises(RemoteLocationError):
        discover_files([str(tmp_path), "ftp://crawl.example/in/"])
    [found] = discover_files([(tmp_path / "a.txt").as_uri()])
    assert (found.path, found.format) == (str(tmp_path / "a.txt"), "text")
