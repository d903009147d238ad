"""The built wheel works installed, outside the checkout, with only the dependencies it declares.

Offline: the wheel is built here (`pip wheel --no-deps`), installed with `--no-deps` into a fresh
venv, and the venv sees, from the project's venv, only the distributions the wheel's
`Requires-Dist` closure names (symlinked one by one; no extras). A module docclean imports
but does not declare (as `lxml_html_clean` once was) fails the run here.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.flow


def _closure(requirements: list[str]) -> set[str]:
    """Distribution names the requirements need, transitively (markers evaluated, no extras)."""
    seen: set[str] = set()
    todo = list(requirements)
    while todo:
        req = Requirement(todo.pop())
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(md.distribution(req.name).requires or [])
        for extra in req.extras:  # e.g. sqlalchemy[asyncio]
            todo.extend(r.split(";")[0] for r in md.distribution(req.name).requires or [] if f'extra == "{extra}"' in r)
    return seen


def _link_distributions(names: set[str], site_packages: Path) -> None:
    """Symlink each distribution's top-level files and folders (and its .dist-info) into `site_packages`."""
    for name in names:
        dist = md.distribution(name)
        base = Path(dist.locate_file(""))
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops:
            source, target = base / top, site_packages / top
            if source.exists() and not target.exists():
                target.symlink_to(source)


def _sources(tmp: Path) -> Path:
    """A copy of what the wheel is built from: an in-tree build would leave `build/` in the
    checkout, whose stale modules the next build would pack."""
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__", "lake", "*.pyc")
    for folder in ("docclean", "transforms", "flows", "warehouse"):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    return src


def _build_venv(tmp: Path) -> Path:
    wheels = tmp / "wheels"
    src = _sources(tmp)
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)]
    built = subprocess.run(build, capture_output=True, text=True, timeout=300, cwd=tmp)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("docclean-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)]
    installed = subprocess.run(install, capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr[-3000:]
    requires = md.distribution("docclean").requires or []
    _link_distributions(_closure([r for r in requires if "extra ==" not in r]), site)
    return venv


@pytest.mark.skipif(sysconfig.get_platform() != "linux-x86_64", reason="fts wheels are Linux x86_64 only")
def test_wheel_installs_and_cleans_outside_the_checkout(tmp_path: Path) -> None:
    venv = _build_venv(tmp_path)
    work = tmp_path / "elsewhere"
    shutil.copytree(SEEDS, work / "pages")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PREFECT_API_URL", "VIRTUAL_ENV")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), COLUMNS="200")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=300)

    api = run(
        str(venv / "bin" / "python"),
        "-c",
        (
            "import sys, docclean\n"
            "assert docclean.__file__.startswith(sys.prefix), docclean.__file__\n"
            "doc = docclean.clean_text(open('pages/004_d555b713710f6780.txt').read())\n"
            "print(doc.title); print(doc.authors)\n"
            "body = '<p>Rivers rose after rain fell all week.</p>' * 5\n"
            "page = f'<html><body><nav>Home</nav><article><h1>Rain</h1>{body}</article></body></html>'\n"
            "print(docclean.clean_html(page, 'https://example.com/a').title)\n"
            "assert 'prefect' not in sys.modules\n"
            "from docclean.flows.settings import checkout_root, default_lake; print(checkout_root(), default_lake())\n"
        ),
    )
    assert api.returncode == 0, api.stderr[-3000:]
    assert api.stdout.splitlines() == [
        "China Boasts of Closer Ties With Russia After Envoy's Moscow Visit",
        "['Angeline Tan']",
        "Rain",
        f"None {work / 'docclean-lake'}",
    ]
    docclean = str(venv / "bin" / "docclean")
    assert run(docclean, "--version").stdout.strip() == "docclean 0.1.0"
    no_inputs = run(docclean, "run")
    assert no_inputs.returncode == 2 and "name the files and folders to clean" in no_inputs.stderr

    cleaned = run(docclean, "run", "pages")
    assert cleaned.returncode == 0, (cleaned.stdout + cleaned.stderr)[-3000:]
    assert "Traceback" not in cleaned.stderr and "Warning" not in cleaned.stderr, cleaned.stderr[-3000:]
    info = json.loads(run(docclean, "info", "--json").stdout)
    assert info["lake"] == str(work / "docclean-lake")
    assert (info["runs"], info["rows"]["articles"]) == (1, 2)
    assert not (work / ".prefect").exists()  # Prefect's home is not planted in the user's folder
