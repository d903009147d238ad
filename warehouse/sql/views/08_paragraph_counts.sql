-- Per site ('' when unknown): how many canonical articles (one per near-duplicate cluster)
-- contain each paragraph key: what `common_paragraph` removal is decided on.
CREATE OR REPLACE VIEW paragraph_counts AS
SELECT site, key, sum(n_documents)::BIGINT AS n_documents
FROM {paragraph_counts_source}
WHERE run_id IN (SELECT run_id FROM runs)
GROUP BY site, key;
