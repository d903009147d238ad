"""The config file: `docclean.toml` in the working directory, else `[tool.docclean]` in its pyproject.toml.

Keys are the command-line options' names (README "Config file" lists them all); command-line
options override them. Paths are relative to the file that names them. The values become click's
`default_map`, so every command takes the keys it has options for, with the options' own type
checks, and `--help` shows them as defaults.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from docclean.warehouse.locations import uri_scheme

# section -> key -> the option (parameter) name it sets; "" is the file's top level.
KEYS: dict[str, dict[str, str]] = {
    "": {
        "lake": "lake",
        "inputs": "inputs",
        "rules": "rules",
        "site": "site",
        "site_from_folder": "site_from_folder",
        "batch_size": "batch_size",
        "workers": "workers",
        "runner": "runner",
        "dask_address": "dask_address",
        "scratch": "scratch",
        "publish": "publish",
    },
    "limits": {
        "max_document_mb": "max_document_mb",
        "max_decompressed_mb": "max_decompressed_mb",
        "max_html_depth": "max_html_depth",
        "max_document_seconds": "max_document_seconds",
    },
    "thresholds": {"duplicate": "duplicate_threshold", "variant": "variant_threshold"},
    "schedule": {"cron": "cron", "interval": "interval", "port": "port", "ui": "ui"},
}
PATH_KEYS = {"lake", "rules", "publish"}  # folders (lake and publish may be object-store URIs)
CONFIG_FILE = "docclean.toml"


class ConfigError(ValueError):
    """The config file is malformed or names a key docclean does not know; the message says which."""


def find_config(cwd: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The config in `cwd` (default: the working directory): its path and its docclean table."""
    cwd = cwd or Path.cwd()
    own = cwd / CONFIG_FILE
    if own.is_file():
        return own, _load(own)
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        table = _load(pyproject).get("tool", {}).get("docclean")
        if isinstance(table, dict):
            return pyproject, table
    return None


def load_config(cwd: Path | None = None) -> dict[str, Any]:
    """The config's settings by option name (e.g. `{"lake": "/abs/lake", "duplicate_threshold": 0.85}`)."""
    found = find_config(cwd)
    if found is None:
        return {}
    path, table = found
    settings: dict[str, Any] = {}
    for key, value in table.items():
        if key in KEYS and key and isinstance(value, dict):
            settings.update(_section(path, key, value))
        else:
            settings.update(_section(path, "", {key: value}))
    return {name: _resolved(path, name, value) for name, value in settings.items()}


def default_map(group: Any, settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each command's defaults (`group`: the app's click group): the settings it has a parameter for."""
    return {
        name: {p.name: settings[p.name] for p in command.params if p.name in settings}
        for name, command in group.commands.items()
    }


def one_schedule(ctx: Any, cron: str | None, interval: float | None) -> tuple[str | None, float | None]:
    """`serve`'s schedule: of --cron and --interval, one given on the command line wins over the config's other.

    `ctx` is the command's (typer's) click context, which says where each value came from.
    """
    if cron is not None and interval is not None:
        if _from_config(ctx, "cron"):
            cron = None
        elif _from_config(ctx, "interval"):
            interval = None
    return cron, interval


def _from_config(ctx: Any, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "DEFAULT_MAP"


def _load(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _section(path: Path, section: str, values: dict[str, Any]) -> dict[str, Any]:
    known = KEYS.get(section, {})
    out = {}
    for key, value in values.items():
        if key not in known:
            where = f"[{section}] " if section else ""
            allowed = (
                ", ".join([k for k in KEYS[""]] + [f"[{s}]" for s in KEYS if s]) if not section else ", ".join(known)
            )
            raise ConfigError(f"{path}: unknown key {where}{key!r} (known: {allowed})")
        out[known[key]] = value
    return out


def _resolved(path: Path, name: str, value: Any) -> Any:
    """Paths in the file are relative to the file's folder, not to where docclean runs."""
    base = path.parent
    if name in PATH_KEYS and isinstance(value, str) and not uri_scheme(value):  # a folder, relative to the file
        return str((base / Path(value).expanduser()).resolve())
    if name == "inputs":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{path}: inputs must be a list of paths")
        return [v if uri_scheme(v) else str((base / Path(v).expanduser()).resolve()) for v in value]
    return value
