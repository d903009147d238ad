"""Read a lake on object storage where it is: each table's latest Delta version (the tables
`warehouse.publish` writes) as a pyarrow dataset over the store's files.

`docclean query`, `export`, `explain`, `info` and `report` read a lake on object storage this
way, with nothing written to local disk: the sandbox (`catalog.connect_readonly`) gets the same
views over these datasets as over a local lake's files, and pyarrow fetches only the columns and
row groups a query reads. `runs` is listed first and published last, so a run published
meanwhile is either whole or absent, as with a local lake.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow.dataset as ds
from docclean.warehouse.publish import PublishTarget, files_of, open_table
from docclean.warehouse.schemas import TABLES


class RemoteReadError(OSError):
    """The store did not answer while a table of the lake was listed; the message says which."""


@dataclass(frozen=True)
class RemoteLake:
    """A lake on object storage, read in place (`target`: where `docclean publish` put it)."""

    target: PublishTarget

    @property
    def location(self) -> str:
        return self.target.location

    def file_sizes(self, table: str) -> dict[str, int]:
        """The table's current files (paths in the table's folder) and their sizes; empty if none."""
        from deltalake.exceptions import DeltaError
        from pyarrow import ArrowException

        location = self.target.table_location(table)
        try:
            return files_of(open_table(location, self.target.storage_options))
        except (OSError, DeltaError, ArrowException) as exc:
            raise RemoteReadError(f"cannot read {location}: {' '.join(str(exc).split())[:300]}") from exc

    def datasets(self) -> dict[str, ds.Dataset | None]:
        """Each table's current files as a dataset in its current schema (a column a file lacks
        reads NULL); None for a table the store does not have yet. `runs` first."""
        out: dict[str, ds.Dataset | None] = {}
        for table in sorted(TABLES, key=lambda name: name != "runs"):
            names = sorted(self.file_sizes(table))
            paths = [self.target.path(table, name) for name in names]
            out[table] = (
                ds.dataset(paths, format="parquet", schema=TABLES[table], filesystem=self.target.filesystem)
                if paths
                else None
            )
        return out
