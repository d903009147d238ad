"""Find the run's input files: folders walked, each file classified by type and stat'ed once.

Discovery never opens a file: reading (with limits) is `flows.readers`' job, in the batch tasks.
A file a committed run already read at the same size and mtime is dropped unopened.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
from docclean.flows.remote import is_remote, list_objects
from docclean.warehouse.lake import file_keys
from docclean.warehouse.locations import local_path

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".warc": "warc",
    ".wet": "warc",
    ".wat": "warc",
    ".arc": "warc",
}


@dataclass(frozen=True, slots=True)
class InputFile:
    path: str  # absolute, or an object-store URI (`flows.remote`)
    format: str  # text | markdown | html | jsonl | warc | unsupported | missing | symlink | special
    compressed: bool = False
    size: int | None = None  # bytes on disk when listed; None when it could not be stat'ed
    mtime_ns: int | None = None
    # A part of a JSONL or WARC file (`flows.splits`): byte offsets of its range (into the inflated
    # stream for JSONL), the line or record number of its first document, and how many it holds.
    start: int = 0
    stop: int | None = None
    first: int = 1
    count: int = 1

    @property
    def is_part(self) -> bool:
        return self.start > 0 or self.stop is not None

    @property
    def part_uri(self) -> str:
        """The file's URI, or a part's: its first line's or record's (so two parts are two sources)."""
        if not self.is_part:
            return self.uri
        return f"{self.uri}#L{self.first}" if self.format == "jsonl" else f"{self.uri}#record-{self.first}"

    @property
    def uri(self) -> str:
        return self.path if is_remote(self.path) else Path(self.path).as_uri()


def format_of(name: str) -> tuple[str, bool]:
    """The input format a file name says (`unsupported` when none) and whether it is gzipped."""
    name = name.lower()
    compressed = name.endswith(".gz")
    suffix = os.path.splitext(name.removesuffix(".gz"))[1]
    return FORMATS.get(suffix, "unsupported"), compressed


def classify(path: Path) -> InputFile:
    kind, compressed = format_of(path.name)
    try:
        stat = path.stat()
    except OSError:  # gone since it was listed, or unreadable: reading it will say which
        return InputFile(str(path), kind, compressed)
    # A FIFO, socket or device is never opened: reading a FIFO blocks until someone writes to it.
    kind = kind if S_ISREG(stat.st_mode) or S_ISDIR(stat.st_mode) else "special"
    return InputFile(str(path), kind, compressed, stat.st_size, stat.st_mtime_ns)


def remote_files(uri: str) -> list[InputFile]:
    """The objects at an object-store URI as input files (`missing` when nothing is there)."""
    objects = list_objects(uri)
    if objects is None:
        return [InputFile(uri, "missing")]
    return [InputFile(o.uri, *format_of(unquote(urlsplit(o.uri).path)), o.size, o.mtime_ns) for o in objects]


def discover_files(inputs: Sequence[str]) -> list[InputFile]:
    """Expand files and folders into input files, sorted, each once.

    Folders are walked without following symlinks (no escaping the inputs given, no loops);
    hidden files and folders are skipped. A missing path is kept as a `missing` input so it is
    reported as a reject rather than silently ignored. Object-store URIs (`s3://bucket/prefix/`)
    are listed the same way; one that cannot be listed raises RemoteLocationError.
    """
    found: dict[str, InputFile] = {}
    for raw in inputs:
        if is_remote(raw):
            found.update((f.path, f) for f in remote_files(raw) if f.path not in found)
            continue
        path = local_path(raw, "input")
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            absolute = str(path.absolute())
            found.setdefault(absolute, InputFile(absolute, "missing"))
            continue
        if resolved.is_dir():
            for root, dirs, files in os.walk(resolved, followlinks=False):
                visible = sorted(d for d in dirs if not d.startswith("."))
                for name in visible:
                    child = Path(root) / name
                    if child.is_symlink():  # reported, not followed: no loops, no escaping the input
                        found.setdefault(str(child), InputFile(str(child), "symlink"))
                dirs[:] = [d for d in visible if not (Path(root) / d).is_symlink()]
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    if child.is_symlink():
                        found.setdefault(str(child), InputFile(str(child), "symlink"))
                        continue
                    found.setdefault(str(child), classify(child))
        else:
            found.setdefault(str(resolved), classify(resolved))
    return sorted(found.values(), key=lambda f: f.path)


def input_files_table(files: Sequence[InputFile]) -> pa.Table:
    """`input_files` rows (run_id added at staging) for the files that have a size and mtime."""
    stated = [f for f in files if f.size is not None and f.mtime_ns is not None]
    return pa.table(
        {
            "file_uri": pa.array([f.uri for f in stated], pa.string()),
            "size_bytes": pa.array([f.size for f in stated], pa.int64()),
            "mtime_ns": pa.array([f.mtime_ns for f in stated], pa.int64()),
        }
    )


def drop_unchanged(files: Sequence[InputFile], seen_keys: pa.Array) -> tuple[list[InputFile], int]:
    """The files no committed run has read at this same size and mtime, and how many were dropped.

    Files without a stat (missing paths, symlinks) are always kept: they become rejects, and the
    lake's doc_id check keeps those from being stored twice.
    """
    if not len(seen_keys) or not files:
        return list(files), 0
    rows = input_files_table(files)
    seen = pc.is_in(file_keys(rows["file_uri"], rows["size_bytes"], rows["mtime_ns"]), value_set=seen_keys)
    seen_flags = iter(seen.to_numpy(zero_copy_only=False))
    changed = [f for f in files if f.size is None or f.mtime_ns is None or not next(seen_flags)]
    return changed, len(files) - len(changed)


def write_manifest(path: Path, files: list[InputFile]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(f) for f in files]), encoding="utf-8")


def read_manifest(path: str | Path) -> list[InputFile]:
    return [InputFile(**item) for item in json.loads(Path(path).read_text(encoding="utf-8"))]
