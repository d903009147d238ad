-- Clean articles: current versions from committed runs (a crashed run's files are never shown).
CREATE OR REPLACE VIEW articles AS
SELECT t.*
FROM {articles_source} AS t
SEMI JOIN current_documents AS c ON t.doc_id = c.doc_id AND t.run_id = c.run_id;
