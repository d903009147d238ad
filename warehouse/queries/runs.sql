-- Run history: what each run read and wrote, with the rule set it used.
SELECT
    run_id,
    started_at,
    round(epoch(finished_at) - epoch(started_at), 1) AS seconds,
    n_documents,
    n_skipped,
    n_articles,
    n_rejects,
    n_removals,
    n_duplicates,
    ruleset_version,
    ruleset_fingerprint
FROM runs
ORDER BY started_at DESC;
