-- The current version of each source: the document from the latest committed run that saw it.
-- A changed input, or `docclean reprocess`, loads a new version; older ones stop being current
-- here at once (and are physically removed right after the commit).
CREATE OR REPLACE VIEW current_documents AS
WITH committed AS (
    SELECT run_id, finished_at FROM runs
),

versions AS (
    SELECT source_id, doc_id, run_id, 'article' AS kind FROM {articles_source}
    UNION ALL
    SELECT source_id, doc_id, run_id, 'reject' AS kind FROM {rejects_source}
)

SELECT v.source_id, v.doc_id, v.run_id, v.kind
FROM versions AS v
JOIN committed AS c USING (run_id)
QUALIFY row_number() OVER (PARTITION BY v.source_id ORDER BY c.finished_at DESC, v.run_id DESC) = 1;
