"""Full-text search over articles with DuckDB's `fts` extension (BM25), offline.

The extension comes from the `duckdb-extension-fts` wheel (DuckDB's signed binary, repackaged
for 1.5.5), so nothing is downloaded at run time. The index lives in its own file,
`<lake>/search.duckdb`, rebuilt on demand when the set of committed runs has changed, and
renamed into place like the catalog, so searching never blocks a run.
"""

from __future__ import annotations

import contextlib
import os
from importlib import resources
from pathlib import Path

import duckdb
from docclean.warehouse.catalog import QueryError, QueryResult, refresh_catalog
from docclean.warehouse.errors import cannot_write
from docclean.warehouse.lake import Lake

SEARCH_NAME = "search.duckdb"
_NO_AUTOLOAD = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def fts_extension_path() -> Path:
    """The packaged fts extension for this DuckDB version, or QueryError saying how to get it."""
    try:
        folder = resources.files("duckdb_extension_fts").joinpath("extensions", f"v{duckdb.__version__}")
    except ModuleNotFoundError:
        raise QueryError(
            "full-text search needs the duckdb-extension-fts package (Linux x86_64 wheels only): "
            f"pip install duckdb-extension-fts=={duckdb.__version__}"
        ) from None
    path = Path(str(folder)) / "fts.duckdb_extension"
    if not path.exists():
        raise QueryError(f"duckdb-extension-fts has no build for DuckDB {duckdb.__version__} at {path}")
    return path


def _load_fts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"LOAD '{fts_extension_path()}'")


def _index_runs(path: Path) -> set[str] | None:
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True, config=_NO_AUTOLOAD)
    except duckdb.Error:
        return None
    try:
        return {row[0] for row in con.sql("SELECT run_id FROM indexed_runs").fetchall()}
    except duckdb.Error:
        return None
    finally:
        con.close()


def ensure_search_index(lake: Lake) -> Path:
    """Build `<lake>/search.duckdb` unless it already covers every committed run.

    The index is written in the lake's folder: a read-only or full disk ends in a QueryError
    saying what to do, and the lake as it was.
    """
    target = lake.root / SEARCH_NAME
    committed = lake.committed_run_ids()
    if _index_runs(target) == committed:
        return target
    if not lake.catalog_path.exists():
        raise QueryError(f"no catalog at {lake.catalog_path}: run `docclean run` first")
    tmp = lake.root / f".{SEARCH_NAME}.{os.getpid()}.tmp"
    try:
        refresh_catalog(lake)  # ATTACHed below: it must read this folder, even if the lake moved
        tmp.unlink(missing_ok=True)
        _build_index(lake, tmp)
        os.replace(tmp, target)
    except (OSError, duckdb.IOException) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        hint = cannot_write(exc, lake.root)
        if hint is None:
            raise
        raise QueryError(f"search keeps its index in the lake folder, and {hint}") from exc
    return target


def _build_index(lake: Lake, path: Path) -> None:
    con = duckdb.connect(str(path), config=_NO_AUTOLOAD)
    try:
        _load_fts(con)
        catalog = str(lake.catalog_path).replace("'", "''")
        con.execute(f"ATTACH '{catalog}' AS catalog (READ_ONLY)")
        con.execute(
            "CREATE TABLE docs AS SELECT doc_id, title, site, published_at, text "
            "FROM catalog.articles WHERE dup_role = 'canonical'"
        )
        con.execute("CREATE TABLE indexed_runs AS SELECT run_id FROM catalog.runs")
        con.execute("DETACH catalog")
        con.execute(
            "PRAGMA create_fts_index('docs', 'doc_id', 'title', 'text', stemmer = 'porter', "
            "stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
        )
    finally:
        con.close()


def search_articles(lake: Lake, terms: str, limit: int = 20) -> QueryResult:
    """Articles ranked by BM25 over title and text (one per duplicate cluster)."""
    if not terms.strip():
        raise QueryError("give some words to search for")
    path = ensure_search_index(lake)
    con = duckdb.connect(str(path), read_only=True, config=_NO_AUTOLOAD)
    try:
        _load_fts(con)
        result = con.sql(
            "SELECT round(score, 3) AS score, doc_id, title, site, published_at, "
            "left(regexp_replace(text, '\\s+', ' ', 'g'), 160) AS snippet "
            "FROM (SELECT *, fts_main_docs.match_bm25(doc_id, ?) AS score FROM docs) "
            "WHERE score IS NOT NULL ORDER BY score DESC LIMIT ?",
            params=[terms, limit],
        )
        return QueryResult(list(result.columns), result.fetchall())
    finally:
        con.close()
