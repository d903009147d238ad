"""The flow's stages, one file each, in pipeline order.

discover -> learn (site templates) -> clean (batches) -> dedup -> common_paragraphs -> commit ->
summary; `profiles` merges what the learning pass counted. Each file holds its Prefect task and
the plain-Python function tests call; stages hand each other the records of `flows.results`.
"""
