-- The newest run's summary agrees with what the views show: every article and reject it counts
-- is visible. Two documents of one source in one run (a JSONL id or WARC-Record-ID used twice)
-- would be counted twice but shown once. Older runs are not checked: later versions of their
-- sources legitimately replace their rows. Re-stripped versions of earlier runs' articles only
-- add visible rows, so the newest run's count can exceed its summary but never fall short.
WITH newest AS (
    SELECT run_id, n_articles, n_rejects
    FROM runs
    ORDER BY finished_at DESC, run_id DESC
    LIMIT 1
),

visible AS (
    SELECT run_id, count(*) FILTER (WHERE kind = 'article') AS n_articles, count(*) FILTER (WHERE kind = 'reject') AS n_rejects
    FROM current_documents
    WHERE run_id = (SELECT run_id FROM newest)
    GROUP BY run_id
)

SELECT n.run_id, n.n_articles, n.n_rejects, coalesce(v.n_articles, 0) AS visible_articles,
    coalesce(v.n_rejects, 0) AS visible_rejects
FROM newest AS n
LEFT JOIN visible AS v USING (run_id)
WHERE n.n_articles + n.n_rejects > coalesce(v.n_articles, 0) + coalesce(v.n_rejects, 0);
