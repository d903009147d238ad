"""A local S3-compatible server for tests: moto's standalone server on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# Credentials and endpoint through the environment, as users give them; no IMDS lookups.
FAKE_ACCESS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def s3_server(*buckets: str) -> Iterator[str]:
    """moto's S3 server with `buckets` created; the environment points S3 clients at it while open
    (worker processes spawned meanwhile inherit it). Yields the endpoint URL."""
    from docclean.flows import remote
    from pyarrow import fs

    server = Path(sys.executable).with_name("moto_server")
    if not server.exists():
        pytest.skip("moto's server is not installed: pip install -c constraints.txt -e '.[test]'")
    port = free_port()
    proc = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        with pytest.MonkeyPatch.context() as patch:
            for key, value in {**FAKE_ACCESS, "AWS_ENDPOINT_URL": endpoint}.items():
                patch.setenv(key, value)
            remote.forget_filesystems()
            admin = fs.S3FileSystem(endpoint_override=endpoint, allow_bucket_creation=True, region="us-east-1")
            _wait_until_up(admin, proc)
            for bucket in buckets:
                admin.create_dir(bucket)
            yield endpoint
    finally:
        remote.forget_filesystems()
        proc.terminate()
        proc.wait(timeout=30)


def _wait_until_up(admin: object, proc: subprocess.Popen) -> None:
    from pyarrow import fs

    deadline = time.monotonic() + 60  # a busy machine starts Python slowly
    while True:
        try:
            admin.get_file_info(fs.FileSelector("", recursive=False))  # type: ignore[attr-defined]
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.2)


def upload_tree(local: Path, bucket_prefix: str) -> None:
    """Copy a local folder to `bucket/prefix` (pyarrow's S3 client, pointed at the test server)."""
    from pyarrow import fs

    s3 = fs.S3FileSystem(endpoint_override=os.environ["AWS_ENDPOINT_URL"], region="us-east-1")
    for path in sorted(local.rglob("*")):
        if path.is_file():
            key = f"{bucket_prefix}/{path.relative_to(local).as_posix()}"
            with s3.open_output_stream(key, compression=None) as out:
                out.write(path.read_bytes())
