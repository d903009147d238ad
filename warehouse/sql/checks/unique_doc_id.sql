-- Each document is loaded once: no doc_id twice in articles, nor in both articles and rejects.
WITH ids AS (
    SELECT doc_id FROM articles
    UNION ALL
    SELECT doc_id FROM rejects
)
SELECT doc_id, count(*) AS n_rows
FROM ids
GROUP BY doc_id
HAVING count(*) > 1;
