-- Input files committed runs have read, with the size and mtime that let later runs skip them.
CREATE OR REPLACE VIEW input_files AS
SELECT t.*
FROM {input_files_source} AS t
SEMI JOIN runs AS r ON t.run_id = r.run_id;
