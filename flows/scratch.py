"""Scratch space on object storage: how batch tasks on hosts that share no disk with the flow get
the files they read and hand back the files they stage.

Without scratch, batch tasks read and write the run's staging folder in the lake (`_staging/<run_id>/`):
every worker must see the flow's disk. With `--scratch s3://bucket/prefix`, that folder is mirrored
at `<scratch>/<run_id>/` under the same relative paths. The flow uploads what tasks read (manifests,
known ids, site profiles, repeated ids, the user's rule files, the lake's `sources` files when
reprocessing); a task on a worker downloads them into a temporary folder, stages its output there,
and uploads it; the flow downloads the staged files into the staging folder and carries on as
if the task had run beside it. Workers then need the inputs' store and the scratch store, nothing
of the flow's. The run's scratch prefix is deleted when the run ends.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from docclean.flows.remote import is_remote, remote_path
from docclean.flows.results import BatchOptions, BatchResult, Discovered, LearnedBatch, LearnedInputs
from docclean.warehouse.locations import RemoteLocationError

_COPY_CHUNK = 8 << 20
# Files the flow uploads from outside the staging folder go under this prefix of the run's scratch.
_FROM_FLOW = "from-flow"
# In the run's staging folder: the URI of its scratch prefix.
SCRATCH_NOTE = "scratch-uri"


@dataclass(frozen=True, slots=True)
class Mirror:
    """A local folder and the object-store prefix that mirrors it, file for file."""

    local: str
    remote: str

    def remote_of(self, path: str) -> str:
        relative = Path(path).resolve().relative_to(Path(self.local).resolve())
        return f"{self.remote.rstrip('/')}/{relative.as_posix()}"

    def local_of(self, uri: str) -> str:
        prefix = self.remote.rstrip("/") + "/"
        if not uri.startswith(prefix):
            raise ValueError(f"{uri} is not under the scratch prefix {prefix}")
        return str(Path(self.local, *PurePosixPath(uri[len(prefix) :]).parts))

    def push(self, path: str) -> str:
        """Upload the local file `path` (inside `local`); its URI."""
        uri = self.remote_of(path)
        upload(Path(path), uri)
        return uri

    def pull(self, uri: str) -> str:
        """Download the object `uri` (inside `remote`) to its place under `local`; its path."""
        path = self.local_of(uri)
        download(uri, Path(path))
        return path

    def push_outside(self, path: str, folder: str) -> str:
        """Upload a file or folder of the flow's from outside `local` (rules, lake files): its URI."""
        source = Path(path)
        uri = f"{self.remote.rstrip('/')}/{_FROM_FLOW}/{folder}/{source.name}"
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        for item in files:
            upload(item, uri if item == source else f"{uri}/{item.relative_to(source).as_posix()}")
        return uri

    def pull_tree(self, uri: str) -> str:
        """Download every object under `uri` (a folder the flow pushed); the local folder."""
        from pyarrow import fs

        filesystem, base = remote_path(uri)
        folder = Path(self.local_of(uri))
        folder.mkdir(parents=True, exist_ok=True)
        for info in filesystem.get_file_info(fs.FileSelector(base, recursive=True, allow_not_found=True)):
            if info.type == fs.FileType.File:
                relative = info.path[len(base) :].lstrip("/")
                download(f"{uri.rstrip('/')}/{relative}", folder / relative)
        return str(folder)

    def remove(self) -> None:
        """Delete everything under `remote` (the run's scratch)."""
        filesystem, base = remote_path(self.remote)
        with contextlib.suppress(FileNotFoundError):
            filesystem.delete_dir(base)


def upload(path: Path, uri: str) -> None:
    filesystem, key = remote_path(uri)
    with open(path, "rb") as source, filesystem.open_output_stream(key, compression=None) as out:
        while chunk := source.read(_COPY_CHUNK):
            out.write(chunk)


def download(uri: str, path: Path) -> None:
    filesystem, key = remote_path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    with filesystem.open_input_stream(key, compression=None) as source, open(path, "wb") as out:
        while chunk := source.read(_COPY_CHUNK):
            out.write(chunk)


class TaskFiles:
    """What one batch task reads and stages: on the flow's disk, or through a worker's temporary
    mirror of the run's scratch. `pull` gives a readable local path, `push` the path to hand back."""

    def __init__(self, mirror: Mirror | None) -> None:
        self.mirror = mirror

    def pull(self, location: str | None) -> str | None:
        if location is None or self.mirror is None:
            return location
        return self.mirror.pull(location)

    def push(self, path: str | None) -> str | None:
        if path is None or self.mirror is None:
            return path
        return self.mirror.push(path)


@contextlib.contextmanager
def task_files(options: BatchOptions) -> Iterator[tuple[TaskFiles, BatchOptions]]:
    """The task's files, and its options with every path local: when the staging folder is a
    scratch URI, a temporary folder stands in for it and holds what the task downloads."""
    if not is_remote(options.staging_dir):
        yield TaskFiles(None), options
        return
    with tempfile.TemporaryDirectory(prefix="docclean-batch-") as folder:
        mirror = Mirror(folder, options.staging_dir)
        files = TaskFiles(mirror)
        rules_dir = mirror.pull_tree(options.rules_dir) if options.rules_dir else None
        local = replace(
            options, staging_dir=folder, profiles_path=files.pull(options.profiles_path), rules_dir=rules_dir
        )
        yield files, local


def remove_scratch_leftovers(staging_root: Path) -> list[str]:
    """Delete the scratch prefixes of killed runs, named in their staging folders (call before
    `Lake.recover` deletes those, under the writer lock). Returns what could not be deleted."""
    failed = []
    for note in sorted(staging_root.glob(f"*/{SCRATCH_NOTE}")):
        remote = note.read_text(encoding="utf-8").strip()
        try:
            Mirror(str(note.parent), remote).remove()
        except (OSError, ValueError) as exc:  # an unreachable store must not stop this run
            failed.append(f"{remote}: {exc}")
    return failed


def scratch_location(scratch: str | None, inputs: list[str], reprocess: bool) -> str | None:
    """The run's scratch URI, checked: an object store, and inputs workers elsewhere can read too."""
    if not scratch:
        return None
    if not is_remote(scratch):
        raise RemoteLocationError(
            f"scratch {scratch}: give an object-store URI (s3://, gs://, abfs://, az://) the workers can reach; "
            "when every worker sees the lake's disk, leave --scratch out"
        )
    local = [location for location in inputs if not is_remote(location)]
    if local and not reprocess:
        raise RemoteLocationError(
            f"input {local[0]}: with --scratch, workers on other hosts read the inputs themselves, so inputs must "
            "be object-store URIs: upload them (e.g. `aws s3 sync`), or leave --scratch out"
        )
    return scratch.rstrip("/")


class RunScratch(contextlib.AbstractContextManager):
    """The flow's side of a run's scratch: what it sends the batch tasks, and what it takes back;
    the run's scratch prefix is deleted when the block ends.

    Built with no URI (`RunScratch(None, ...)`), every method hands its argument back unchanged.
    """

    def __init__(self, scratch: str | None, run_id: str, staging_dir: str) -> None:
        self.mirror = Mirror(staging_dir, f"{scratch}/{run_id}") if scratch else None
        self._rules: dict[str, str] = {}
        if self.mirror is not None:  # so that the next run can delete it if this one is killed
            Path(staging_dir, SCRATCH_NOTE).write_text(self.mirror.remote, encoding="utf-8")

    def __exit__(self, *exc: object) -> None:
        if self.mirror is not None:
            self.mirror.remove()

    def options(self, options: BatchOptions) -> BatchOptions:
        """The options batch tasks get: staging folder, profiles and rules on the scratch."""
        if self.mirror is None:
            return options
        rules = None
        if options.rules_dir:
            if options.rules_dir not in self._rules:
                self._rules[options.rules_dir] = self.mirror.push_outside(options.rules_dir, "rules")
            rules = self._rules[options.rules_dir]
        profiles = self.mirror.push(options.profiles_path) if options.profiles_path else None
        return replace(options, staging_dir=self.mirror.remote, profiles_path=profiles, rules_dir=rules)

    def send(self, path: str, outside: str | None = None) -> str:
        """A file a task reads, uploaded: from the staging folder, or (`outside` names a folder for it) elsewhere."""
        if self.mirror is None:
            return path
        return self.mirror.push_outside(path, outside) if outside else self.mirror.push(path)

    def learned_back(self, learned: LearnedBatch) -> LearnedBatch:
        """A learning task's result with the files the flow reads downloaded (the extractions stay:
        only the batch's cleaning task reads them)."""
        if self.mirror is None:
            return learned
        pull = self._pull
        return replace(learned, profile_path=pull(learned.profile_path), named_path=pull(learned.named_path))

    def learned_out(self, learned: LearnedInputs | None) -> LearnedInputs | None:
        """What a cleaning task gets from the learning pass (repeated ids written by the flow, uploaded)."""
        if self.mirror is None or learned is None or learned.repeats_path is None:
            return learned
        return replace(learned, repeats_path=self.mirror.push(learned.repeats_path))

    def cleaned_back(self, result: BatchResult) -> BatchResult:
        """A cleaning task's result with its staged files downloaded into the staging folder."""
        if self.mirror is not None:
            result.files = {table: self.mirror.pull(uri) for table, uri in result.files.items()}
            result.paragraph_keys = self._pull(result.paragraph_keys)
        return result

    def _pull(self, uri: str | None) -> str | None:
        return self.mirror.pull(uri) if uri and self.mirror else uri


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """The run's batches as their tasks are given them: manifests and known ids where the workers
    read them (uploaded to the scratch, if any), beside what the flow discovered."""

    discovered: Discovered
    scratch: RunScratch
    tasks: list[dict[str, Any]]  # per batch: batch, manifest, known_ids_path

    @classmethod
    def of(cls, discovered: Discovered, reprocess: bool, scratch: RunScratch) -> BatchPlan:
        # Reprocessing reads the lake's `sources` files, which are outside the staging folder.
        manifests = [scratch.send(path, "sources" if reprocess else None) for path in discovered.manifests]
        known_ids = scratch.send(discovered.known_ids_path)
        tasks = [{"batch": i, "manifest": m, "known_ids_path": known_ids} for i, m in enumerate(manifests)]
        return cls(discovered, scratch, tasks)
