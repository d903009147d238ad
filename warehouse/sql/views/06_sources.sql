-- The raw input of every current document, kept so `docclean reprocess` needs no original files.
CREATE OR REPLACE VIEW sources AS
SELECT t.*
FROM {sources_source} AS t
SEMI JOIN current_documents AS c ON t.doc_id = c.doc_id AND t.run_id = c.run_id;
