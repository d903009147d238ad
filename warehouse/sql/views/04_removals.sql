-- Every span removed from a current document, with the rule that removed it and why.
CREATE OR REPLACE VIEW removals AS
SELECT t.*
FROM {removals_source} AS t
SEMI JOIN current_documents AS c ON t.doc_id = c.doc_id AND t.run_id = c.run_id;
