"""Dedup: cluster this run's articles with each other and with everything already loaded.

The decision (cluster, role, similarity per article) is staged as one small `assignments` file;
the staged article files are not touched here: the common-paragraph stage joins the roles in
when it writes the final articles, once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from docclean.flows.results import BatchResult, DuplicateCounts, Duplicates
from docclean.transforms.clusters import KnownDocuments, assign_incremental
from docclean.transforms.minhash import MinHashConfig
from docclean.warehouse.lake import Lake
from prefect import task
from prefect.cache_policies import NO_CACHE

# The staged decision: one row per article of the run, joined by doc_id.
ASSIGNMENTS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("dup_cluster_id", pa.string()),
        pa.field("dup_role", pa.string()),
        pa.field("dup_similarity", pa.float32()),
    ]
)


def known_documents(lake: Lake, replaced_sources: set[str] = frozenset()) -> KnownDocuments:
    """Current articles' signatures, clusters and roles: what new documents are matched against.

    Sources this run loads a new version of are left out: a changed or reprocessed document
    must not be taken for a copy of its own old version.
    """
    articles = lake.read_table("articles", ["doc_id", "source_id", "dup_cluster_id", "dup_role"])
    keep = [source not in replaced_sources for source in articles["source_id"].to_pylist()]
    articles = articles.filter(pa.array(keep, pa.bool_())).select(["doc_id", "dup_cluster_id", "dup_role"])
    minhash = lake.read_table("minhash", ["doc_id", "signature"])
    signature_of = dict(zip(minhash["doc_id"].to_pylist(), minhash["signature"].to_pylist(), strict=True))
    ids, clusters, roles, raw = [], [], [], []
    for doc_id, cluster, role in zip(*(articles[c].to_pylist() for c in articles.column_names), strict=True):
        if doc_id in signature_of and cluster is not None:
            ids.append(doc_id)
            clusters.append(cluster)
            roles.append(role)
            raw.append(signature_of[doc_id])
    sigs = np.frombuffer(b"".join(raw), dtype="<u4").reshape(len(ids), -1) if ids else np.zeros((0, 0), np.uint32)
    return KnownDocuments(ids=ids, signatures=sigs.astype(np.uint32), cluster_ids=clusters, roles=roles)


def mark_duplicates(
    lake: Lake, run_id: str, batches: list[BatchResult], config: MinHashConfig | None = None
) -> Duplicates:
    """Decide each staged article's cluster and role; stage the decision, return the counts.

    Rows are annotated, never dropped: `duplicate` and `variant` articles stay, with their
    cluster's id. Decided on the text the batches cleaned, before common paragraphs go: the
    final text differs only by paragraphs many articles of a site share, and clusters are what
    the common-paragraph count relies on (it counts one copy per cluster).
    """
    staged_articles = [b.files["articles"] for b in batches if "articles" in b.files]
    if not staged_articles:
        return Duplicates(None)
    config = config or MinHashConfig()
    columns = ["doc_id", "source_id", "published_at", "char_count"]
    new = pa.concat_tables([pq.read_table(p, columns=columns) for p in staged_articles])
    sigs = signature_matrix([b.files["minhash"] for b in batches if "minhash" in b.files], new["doc_id"])
    known = known_documents(lake, set(pc.unique(new["source_id"]).to_pylist()))
    if not known.ids:
        known = KnownDocuments(ids=[], signatures=np.zeros((0, sigs.shape[1]), np.uint32), cluster_ids=[], roles=[])
    assignments = assign_incremental(
        known,
        new["doc_id"].to_pylist(),
        sigs,
        config,
        published_at=new["published_at"].to_numpy(),  # datetime64, NaT for unknown: no 1M datetime objects
        lengths=new["char_count"].to_numpy(),
    )
    del new, sigs
    table = pa.table(
        {
            "doc_id": [a.doc_id for a in assignments],
            "dup_cluster_id": [a.cluster_id for a in assignments],
            "dup_role": [a.role for a in assignments],
            "dup_similarity": [round(float(a.similarity), 4) for a in assignments],
        },
        schema=ASSIGNMENTS,
    )
    path = lake.staging_dir(run_id) / "duplicates" / "assignments.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)  # inside the run's staging folder: never visible, gone with a crash
    roles = pc.value_counts(table["dup_role"]).to_pylist()
    count = {item["values"]: item["counts"] for item in roles}
    return Duplicates(str(path), DuplicateCounts(count.get("duplicate", 0), count.get("variant", 0)))


def signature_matrix(staged_minhash: list[str], doc_ids: pa.ChunkedArray) -> np.ndarray:
    """The MinHash signatures of `doc_ids`, in that order, as one uint32 matrix.

    Read straight from the Parquet buffers: at 1M documents, a Python bytes object per signature
    (and a dict to find them) cost ~1.5 GB more than the 512 MB matrix itself.
    """
    total = sum(pq.ParquetFile(path).metadata.num_rows for path in staged_minhash)
    ids: list[pa.ChunkedArray] = []
    matrix = np.zeros((0, 0), np.uint32)
    start = 0
    for path in staged_minhash:
        table = pq.read_table(path, columns=["doc_id", "signature"])
        if not table.num_rows:
            continue
        column = table["signature"].combine_chunks()
        width = len(column[0].as_py())  # bytes per signature
        if not matrix.size:
            matrix = np.empty((total, width // 4), np.uint32)
        fixed = pc.cast(column, pa.binary(width))
        count, offset = len(fixed) * width // 4, fixed.offset * width
        block = np.frombuffer(fixed.buffers()[1], dtype="<u4", count=count, offset=offset)
        matrix[start : start + len(fixed)] = block.reshape(len(fixed), width // 4)
        start += len(fixed)
        ids.append(table["doc_id"])
    if not ids:
        return matrix
    order = pc.index_in(doc_ids, value_set=pa.chunked_array([c for t in ids for c in t.chunks]).combine_chunks())
    if order.null_count:
        raise RuntimeError("an article has no MinHash signature in this run's staged files")
    order = order.to_numpy()
    if np.array_equal(order, np.arange(len(order))):
        return matrix
    return matrix[order]


@dataclass(frozen=True)
class Roles:
    """The staged dedup decisions, read once and looked up by doc_id through a sorted index.

    The common-paragraph stage asks once per batch, twice; reading the file and hashing every
    decision on each ask made that stage quadratic in the run's size (1M documents: over 15
    minutes in one process), where a binary search per batch stays linear.
    """

    decided: pa.Table  # the decision columns, in file order
    sorted_ids: np.ndarray  # doc_ids as UTF-8 bytes, sorted
    order: np.ndarray  # file row of each sorted id

    @classmethod
    def read(cls, assignments_path: str) -> Roles:
        table = pq.read_table(assignments_path)
        ids = _id_bytes(table["doc_id"])
        order = np.argsort(ids, kind="stable")
        return cls(table.select(ASSIGNMENTS.names[1:]), ids[order], order)

    def of(self, doc_ids: pa.ChunkedArray | pa.Array) -> pa.Table:
        """The decision for `doc_ids`, row for row (null roles for an id it does not hold)."""
        wanted = _id_bytes(doc_ids)
        if not len(wanted) or not len(self.sorted_ids):
            return self.decided.take(pa.nulls(len(wanted), pa.int64()))
        at = np.minimum(np.searchsorted(self.sorted_ids, wanted), len(self.sorted_ids) - 1)
        found = self.sorted_ids[at] == wanted
        return self.decided.take(pa.array(self.order[at], pa.int64(), mask=~found))


def _id_bytes(doc_ids: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.array([doc_id.encode() for doc_id in doc_ids.to_pylist()], dtype=bytes)


@task(cache_policy=NO_CACHE)
def find_duplicates(
    lake_root: str, run_id: str, batches: list[BatchResult], thresholds: dict[str, float]
) -> Duplicates:
    """Cluster near-duplicates among this run's articles and everything already loaded."""
    return mark_duplicates(Lake.at(lake_root), run_id, batches, MinHashConfig(**thresholds))
