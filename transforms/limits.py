"""What one input may cost before it becomes a reject: the defaults of `docclean run`'s limits.

Plain constants in a module of their own, so the CLI can show them in `--help` without
importing the readers and the cleaning stack (which cost ~0.8 s before the first line of output).
"""

MAX_BYTES = 50 * 1024 * 1024  # a JSONL line or a WARC record
MAX_DECOMPRESSED_BYTES = 100 * 1024 * 1024  # a .gz input, decompressed: gzip bombs
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# Cleaning one real page takes well under a second; a 20 MB text about 30 s. A document still
# being cleaned after this long is hostile (or hits a bug): it becomes a `timeout` reject.
MAX_DOCUMENT_SECONDS = 120.0
MAX_HTML_DEPTH = 1000  # element nesting; real pages stay far below 100
