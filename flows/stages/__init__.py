"""The flow's per-batch stages, one module each: learn site templates, then clean."""
