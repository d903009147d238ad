-- Input files committed runs have read, with the size and mtime that let later runs skip them.
-- Current rows as its write mode defines them (warehouse/schemas.py WRITE_MODES).
CREATE OR REPLACE VIEW input_files AS
SELECT * FROM {input_files_current};
