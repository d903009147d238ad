"""Stripping common paragraphs from article rows, and new versions of loaded articles without them.

Part of the common-paragraph stage (`flows.stages.common_paragraphs`), split out for size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from docclean.flows.results import Restripped
from docclean.transforms.common_paragraphs import paragraph_hashes, strip_common_paragraphs
from docclean.transforms.minhash import signatures
from docclean.transforms.models import Removal
from docclean.warehouse.lake import Lake, rows_to_table, run_id_of, write_parquet_atomic
from docclean.warehouse.rows import Provenance, minhash_row, reject_row, removal_rows, restripped_article

EMPTIED_DETAIL = "nothing left after removing common paragraphs"


@dataclass(slots=True)
class Stripped:
    """Article rows after stripping, and what stripping made."""

    articles: list[dict[str, Any]]  # every row given, changed ones stripped, emptied ones left out
    emptied: list[dict[str, Any]] = field(default_factory=list)  # rows left with no text (to become rejects)
    removals: list[dict[str, Any]] = field(default_factory=list)  # one removal row per paragraph taken out
    signatures: dict[str, bytes] = field(default_factory=dict)  # doc_id -> signature of its new text

    @property
    def touched(self) -> set[str]:
        return set(self.signatures) | {row["doc_id"] for row in self.emptied}


@dataclass(frozen=True, slots=True)
class Stripper:
    """The common keys of a run and how its removals and rejects are recorded."""

    rule_id: str
    reason: str
    min_words: int
    common: dict[str, set[str]]  # site ('' for none) -> common paragraph keys
    run_id: str

    def holds_common(self, site: str | None, text: str) -> bool:
        keys = self.common.get(site or "")
        return bool(keys) and bool(paragraph_hashes(text, self.min_words) & keys)

    def strip(self, rows: list[dict[str, Any]]) -> Stripped:
        """Strip the rows' common paragraphs; a changed text gets a new signature.

        Removals are numbered after the article's own (`n_removals` of them, seq 0..n-1).
        """
        out = Stripped([])
        changed = []
        for row in rows:
            keys = self.common.get(row["site"] or "", set())
            text, gone = strip_common_paragraphs(row["text"], keys, self.min_words) if keys else (row["text"], [])
            if not gone:
                out.articles.append(row)
                continue
            removed = [Removal(self.rule_id, self.reason, paragraph, None, None) for paragraph in gone]
            out.removals += removal_rows(row["doc_id"], removed, self.run_id, first_seq=row["n_removals"])
            row = restripped_article(row, text, len(gone))
            if text.strip():
                out.articles.append(row)
                changed.append(row)
            else:
                out.emptied.append(row)
        if changed:
            new = signatures([row["text"] for row in changed])
            out.signatures = {row["doc_id"]: sig.astype("<u4").tobytes() for row, sig in zip(changed, new, strict=True)}
        return out

    def rejects(self, emptied: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Articles that were nothing but common paragraphs: rejects, like any document left empty."""
        return [
            reject_row(
                Provenance(row["doc_id"], row["source_id"], row["source_uri"], row["input_format"], row["raw_hash"]),
                "no_content",
                EMPTIED_DETAIL,
                run_id=self.run_id,
                rejected_at=row["processed_at"],
            )
            for row in emptied
        ]


def restrip_loaded_articles(
    lake: Lake, number: int, replaced: set[str], stripper: Stripper, sites: set[str]
) -> Restripped | None:
    """New versions, in this run, of loaded articles of `sites` that hold a paragraph now common.

    Without them a site's first articles would keep the footer that made it common, for good:
    each is re-emitted as the lake re-emits a changed source, its rows copied into this run
    (views and `drop_superseded` then retire the old ones), its text stripped, each removal
    recorded and its signature computed on the new text. Its cluster and role stay. Sources in
    `replaced` get a version from this run's own documents and are left alone. Staged as batch
    `number`; None when no loaded article holds such a paragraph.
    """
    articles = _loaded_holding(lake, replaced, stripper, sites)
    if not articles:
        return None
    run_id = stripper.run_id
    stale = {a["doc_id"]: a["run_id"] for a in articles}
    stripped = stripper.strip([{**a, "run_id": run_id} for a in articles])
    touched = stripped.touched
    if not touched:
        return None
    copied = {t: _rows_of(lake, t, stale) for t in ("removals", "sources")}
    tables = {
        "articles": [a for a in stripped.articles if a["doc_id"] in touched],
        "removals": [{**r, "run_id": run_id} for r in copied["removals"] if r["doc_id"] in touched] + stripped.removals,
        "sources": [{**r, "run_id": run_id} for r in copied["sources"] if r["doc_id"] in touched],
        "minhash": [minhash_row(doc_id, sig, run_id) for doc_id, sig in stripped.signatures.items()],
        "rejects": stripper.rejects(stripped.emptied),
    }
    stage = lake.staging_dir(run_id)
    files = {}
    for table, rows in tables.items():
        if rows:
            path = stage / table / f"b{number:05d}.parquet"
            write_parquet_atomic(rows_to_table(rows, table), path, staging=stage / "tmp", table=table)
            files[table] = str(path)
    by_rule = {stripper.rule_id: len(stripped.removals)}
    return Restripped(files, len(touched), len(stripped.emptied), by_rule)


def _loaded_holding(lake: Lake, replaced: set[str], stripper: Stripper, sites: set[str]) -> list[dict[str, Any]]:
    """Committed article rows of `sites` holding a common paragraph (replaced versions are gone:
    the run began with drop_superseded)."""
    committed = lake.committed_run_ids()
    wanted_sites = pa.array(sorted(sites), pa.string())
    articles = []
    for path in lake.files("articles"):
        if run_id_of(path) not in committed:
            continue
        site_column = pc.fill_null(pq.read_table(path, columns=["site"])["site"], "")  # no site: one group, ""
        if not pc.any(pc.is_in(site_column, value_set=wanted_sites)).as_py():
            continue
        head = pq.read_table(path, columns=["source_id", "text"])
        # Only the rows that hold a common paragraph become Python rows (a big site has many).
        rows = zip(site_column.to_pylist(), head["source_id"].to_pylist(), head["text"].to_pylist(), strict=True)
        holding = [
            i
            for i, (site, source_id, text) in enumerate(rows)
            if site in sites and source_id not in replaced and stripper.holds_common(site, text)
        ]
        if holding:
            articles += pq.read_table(path).take(pa.array(holding, pa.int64())).to_pylist()
    return articles


def _rows_of(lake: Lake, table: str, versions: dict[str, str]) -> list[dict[str, Any]]:
    """A table's committed rows of the given document versions (doc_id -> run_id)."""
    ids = pa.array(sorted(versions), pa.string())
    out = []
    for path in lake.files(table):
        if run_id_of(path) not in versions.values():
            continue
        doc_ids = pq.read_table(path, columns=["doc_id"])["doc_id"]
        wanted = pc.is_in(doc_ids, value_set=ids)
        if pc.any(wanted).as_py():
            out += [r for r in pq.read_table(path).filter(wanted).to_pylist() if versions[r["doc_id"]] == r["run_id"]]
    return out


def staged_sources(files: list[str]) -> set[str]:
    """Source ids in staged article or reject files: this run loads a version of them."""
    return {s for path in files for s in pq.read_table(path, columns=["source_id"])["source_id"].to_pylist()}
