"""Site profiles: merge what the learning pass counted per batch with what the lake knows."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
from collections import Counter
from pathlib import Path

from docclean.flows.results import SiteProfiles
from docclean.flows.rules import load_ruleset
from docclean.transforms.templates import SiteProfile, merge_profiles, template_profile
from docclean.warehouse.lake import Lake, rows_to_table, write_parquet_atomic
from prefect import task
from prefect.cache_policies import NO_CACHE


def merge_site_profiles(
    lake: Lake, run_id: str, partial_paths: list[str], *, reprocess: bool, rules_dir: str | None = None
) -> SiteProfiles | None:
    """Merge the batches' partial profiles (in the order given) with the lake's, unless `reprocess`.

    Stages `profiles.json` (what the cleaning tasks read: per site, only the keys the run's
    `site_template` rule can remove, from the rules of `rules_dir`) and, for the sites this run
    saw, their whole merged profile as `site_profiles` rows (keys on one page only are not
    kept). None when the run saw no page with a site.
    """
    merged = _sum_partials(partial_paths)
    if not merged:
        return None
    if not reprocess:
        by_site: dict[str, list[dict]] = {}
        for row in lake.site_profile_rows().to_pylist():
            by_site.setdefault(row["site"], []).append(row)
        for site, rows in by_site.items():
            if site in merged:
                merged[site] = merge_profiles(SiteProfile.from_rows(rows), merged[site])
    staging = lake.staging_dir(run_id)
    rows = [{**row, "run_id": run_id} for profile in merged.values() for row in profile.pruned(2).rows()]
    rows_path = None
    if rows:
        target = staging / "site_profiles" / "b00000.parquet"
        table = rows_to_table(rows, "site_profiles")
        rows_path = str(write_parquet_atomic(table, target, staging=staging / "tmp", table="site_profiles"))
    out = staging / "profiles.json"
    # Every cleaning task reads this file: with every key of every page it grew with the corpus
    # and its reading with corpus x batches (20.3 MB at 10k documents); template keys stay few.
    rule = load_ruleset(rules_dir).get("site_template")
    templates = {site: template_profile(p, rule).to_dict() for site, p in merged.items()}
    out.write_text(json.dumps(templates), encoding="utf-8")
    return SiteProfiles(str(out), rows_path)


def _sum_partials(partial_paths: list[str]) -> dict[str, SiteProfile]:
    """Per site, the sum of the batches' partial profiles, sites in order of first sight.

    Counted into one dict per site: merging profile by profile (`merge_profiles`) copies the
    growing total at every batch, quadratic in the batches.
    """
    n_docs: Counter[str] = Counter()
    freq: dict[str, Counter[str]] = {}
    for path in partial_paths:
        for site, data in json.loads(Path(path).read_text(encoding="utf-8")).items():
            n_docs[site] += int(data["n_docs"])
            freq.setdefault(site, Counter()).update(SiteProfile.from_dict(data).doc_freq)
    return {site: SiteProfile(site, n_docs[site], dict(counts)) for site, counts in freq.items()}


@task(cache_policy=NO_CACHE)
def merge_learned_profiles(
    lake_root: str, run_id: str, partial_paths: list[str], reprocess: bool, rules_dir: str | None = None
) -> SiteProfiles | None:
    """The run's site profiles, merged in batch order however the batches finished."""
    lake = Lake.at(lake_root)
    profiles = merge_site_profiles(lake, run_id, sorted(partial_paths), reprocess=reprocess, rules_dir=rules_dir)
    _return_freed_memory()
    return profiles


def _return_freed_memory() -> None:
    """Give the memory the merge freed back to the system (glibc's `malloc_trim`, as Dask's
    workers do): glibc keeps it for this process otherwise, and the flow process holds it
    through the whole cleaning pass, beside the workers (about 130 of the 200 MB the merge took
    at 100k documents; it grows with the corpus). Does nothing where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
