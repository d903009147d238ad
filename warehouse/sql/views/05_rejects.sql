-- Inputs that did not become an article, with the reason (current versions only).
CREATE OR REPLACE VIEW rejects AS
SELECT t.*
FROM {rejects_source} AS t
SEMI JOIN current_documents AS c ON t.doc_id = c.doc_id AND t.run_id = c.run_id;
