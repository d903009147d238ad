"""docclean: clean web documents into a Parquet lake you query with DuckDB.

The repository's top-level folders install as subpackages of this one: `transforms/` is
`docclean.transforms`, `warehouse/` is `docclean.warehouse`, `flows/` is `docclean.flows`.
"""
