-- The raw input of every current document, kept so `docclean reprocess` needs no original files.
-- Current rows as its write mode defines them (warehouse/schemas.py WRITE_MODES).
CREATE OR REPLACE VIEW sources AS
SELECT * FROM {sources_current};
