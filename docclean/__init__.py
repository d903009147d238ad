"""docclean: clean web documents into a Parquet lake you query with DuckDB.

    import docclean
    doc = docclean.clean_text(page_text, url="https://example.com/a")
    doc.text, doc.title, [(r.rule_id, r.reason) for r in doc.removals]

`clean_text` and `clean_html` clean one document in memory, exactly as a run cleans it (no
Prefect, no lake); `run` runs the flow (Prefect is imported only then). Everything is loaded on
first use, so `import docclean` is cheap and `import docclean.flows.cli` pays for nothing more.

The repository's top-level folders install as subpackages of this one: `transforms/` is
`docclean.transforms`, `warehouse/` is `docclean.warehouse`, `flows/` is `docclean.flows`.
"""

from __future__ import annotations

from importlib import import_module, metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docclean.api import Document, DocumentRejected, clean_html, clean_text, load_rules, run

try:
    __version__ = metadata.version("docclean")
except metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["Document", "DocumentRejected", "__version__", "clean_html", "clean_text", "load_rules", "run"]
_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module("docclean.api"), name)
    raise AttributeError(f"module 'docclean' has no attribute {name!r}")
