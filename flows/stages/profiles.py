"""Site profiles: merge what the learning pass counted per batch with what the lake knows.

Each learning task stages its partial profile as Parquet (`PARTIAL_PROFILE`). The merge sums
them in DuckDB, not in Python: at 1M documents the partials hold ~8M (site, line key) rows, and
Python dictionaries of them took the flow process past a gigabyte while the workers were alive.
DuckDB sums, sorts and streams them out within a memory limit, spilling to the staging folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from docclean.flows.results import SiteProfiles
from docclean.flows.rules import load_ruleset
from docclean.transforms.templates import SiteProfile, site_template_limit
from docclean.warehouse.lake import Lake
from docclean.warehouse.schemas import TABLES
from docclean.warehouse.writes import write_batches_atomic
from prefect import task
from prefect.cache_policies import NO_CACHE

# One batch's partial profile: per site, a row without a key holding its page count, then one
# row per line key with the number of those pages the key is on.
PARTIAL_PROFILE = pa.schema(
    [
        pa.field("site", pa.string(), nullable=False),
        pa.field("key", pa.string()),
        pa.field("doc_freq", pa.int32(), nullable=False),
    ]
)
# Keys on fewer pages than this are article lines: the lake does not keep them.
_KEEP_MIN_DOC_FREQ = 2
# What the merge may hold in memory before DuckDB spills to the staging folder.
_MERGE_MEMORY = "512MB"
_MERGE_ROWS_PER_BATCH = 65_536


def partial_profile_table(profiles: dict[str, SiteProfile]) -> pa.Table:
    """One batch's partial profiles as a `PARTIAL_PROFILE` table."""
    sites: list[str] = []
    keys: list[str | None] = []
    freqs: list[int] = []
    for site, profile in profiles.items():
        sites.extend([site] * (len(profile.doc_freq) + 1))
        keys.append(None)
        keys.extend(profile.doc_freq)
        freqs.append(profile.n_docs)
        freqs.extend(profile.doc_freq.values())
    return pa.table([sites, keys, freqs], schema=PARTIAL_PROFILE)


def merge_site_profiles(
    lake: Lake, run_id: str, partial_paths: list[str], *, reprocess: bool, rules_dir: str | None = None
) -> SiteProfiles | None:
    """Merge the batches' partial profiles with the lake's profiles of the same sites (unless `reprocess`).

    Stages `profiles.json` (what the cleaning tasks read: per site, only the keys the run's
    `site_template` rule can remove, from the rules of `rules_dir`) and, for the sites this run
    saw, their whole merged profile as `site_profiles` rows sorted by site and key (keys on one
    page only are not kept). None when the run saw no page with a site.
    """
    if not partial_paths:
        return None
    staging = lake.staging_dir(run_id)
    rule = load_ruleset(rules_dir).get("site_template")
    with _merge_database(staging / "merge-spill") as con:
        con.read_parquet(partial_paths).create_view("partial")
        prior = _prior_rows(lake, reprocess)
        con.register("prior", prior)
        n_docs = dict(con.execute(_PAGE_COUNTS).fetchall())
        if not n_docs:
            return None
        limits = {site: site_template_limit(SiteProfile(site, n), rule) for site, n in n_docs.items()}
        limits_table = {"site": list(limits), "n_docs": list(n_docs.values()), "lim": list(limits.values())}
        con.register("limits", pa.table(limits_table))
        templates = {site: SiteProfile(site, n) for site, n in n_docs.items()}
        batches = _merged_rows(con, templates, run_id)
        target = staging / "site_profiles" / "b00000.parquet"
        rows_path = write_batches_atomic(batches, target, staging=staging / "tmp", table="site_profiles")
    out = staging / "profiles.json"
    # Every cleaning task reads this file: with every key of every page it grew with the corpus
    # and its reading with corpus x batches (20.3 MB at 10k documents); template keys stay few.
    out.write_text(json.dumps({site: p.to_dict() for site, p in templates.items()}), encoding="utf-8")
    return SiteProfiles(str(out), str(rows_path) if rows_path else None)


# Per site this run saw, its pages: the partials' and, unless reprocessing, the lake's.
_PAGE_COUNTS = """
    WITH seen AS (SELECT site, sum(doc_freq) AS n FROM partial WHERE key IS NULL GROUP BY site),
         before AS (SELECT site, any_value(n_docs) AS n FROM prior GROUP BY site)
    SELECT site, (seen.n + coalesce(before.n, 0))::INTEGER FROM seen LEFT JOIN before USING (site) ORDER BY site
"""
# Every key's pages over the partials and the lake's profile, with the site's template limit.
_MERGED = f"""
    SELECT site, key, sum(doc_freq)::INTEGER AS doc_freq, any_value(lim) AS lim, any_value(n_docs) AS n_docs
    FROM (
        SELECT site, key, doc_freq FROM partial WHERE key IS NOT NULL
        UNION ALL SELECT site, key, doc_freq FROM prior WHERE site IN (SELECT site FROM limits)
    ) JOIN limits USING (site)
    GROUP BY site, key
    HAVING sum(doc_freq) >= least({_KEEP_MIN_DOC_FREQ}, coalesce(any_value(lim), {_KEEP_MIN_DOC_FREQ}))
    ORDER BY site, key
"""


def _merged_rows(
    con: duckdb.DuckDBPyConnection, templates: dict[str, SiteProfile], run_id: str
) -> Iterator[pa.RecordBatch]:
    """The merged profile's `site_profiles` rows, batch by batch; fills `templates` on the way
    with the keys at or above their site's limit."""
    schema = TABLES["site_profiles"]
    reader = con.execute(_MERGED).to_arrow_reader(_MERGE_ROWS_PER_BATCH)
    for batch in reader:
        template = batch.filter(pc.fill_null(pc.greater_equal(batch["doc_freq"], batch["lim"]), False))
        for site, key, freq in zip(*(template[c].to_pylist() for c in ("site", "key", "doc_freq")), strict=True):
            templates[site].doc_freq[key] = freq
        kept = batch.filter(pc.greater_equal(batch["doc_freq"], _KEEP_MIN_DOC_FREQ))
        if kept.num_rows:
            run_ids = pa.repeat(pa.scalar(run_id), kept.num_rows)
            columns = [kept["site"], kept["n_docs"], kept["key"], kept["doc_freq"], run_ids]
            yield pa.RecordBatch.from_arrays(columns, names=schema.names).cast(schema)


def _prior_rows(lake: Lake, reprocess: bool) -> pa.Table:
    """The lake's current profile rows (none when reprocessing: the run counts everything again)."""
    columns = ["site", "n_docs", "key", "doc_freq"]
    if reprocess:
        return TABLES["site_profiles"].empty_table().select(columns)
    return lake.site_profile_rows().select(columns)


@contextlib.contextmanager
def _merge_database(spill: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB bounded by `_MERGE_MEMORY`, spilling to `spill` (removed after)."""
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": _MERGE_MEMORY, "temp_directory": str(spill)})
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


@task(cache_policy=NO_CACHE)
def merge_learned_profiles(
    lake_root: str, run_id: str, partial_paths: list[str], reprocess: bool, rules_dir: str | None = None
) -> SiteProfiles | None:
    """The run's site profiles, the same however the batches finished."""
    lake = Lake.at(lake_root)
    profiles = merge_site_profiles(lake, run_id, sorted(partial_paths), reprocess=reprocess, rules_dir=rules_dir)
    _return_freed_memory()
    return profiles


def _return_freed_memory() -> None:
    """Give the memory the merge freed back to the system (glibc's `malloc_trim`, as Dask's
    workers do): glibc keeps it for this process otherwise, and the flow process holds it
    through the whole cleaning pass, beside the workers. Does nothing where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
