-- Every removal belongs to an article or a reject.
SELECT r.doc_id, r.seq
FROM removals AS r
WHERE r.doc_id NOT IN (SELECT doc_id FROM articles UNION ALL SELECT doc_id FROM rejects);
