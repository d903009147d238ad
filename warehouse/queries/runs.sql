-- Run history: what each run read and wrote, how fast, with which rules.
SELECT
    run_id,
    started_at,
    seconds,
    documents_per_second,
    n_documents,
    n_skipped,
    n_articles,
    n_rejects,
    n_removals,
    n_duplicates,
    n_variants,
    ruleset_version
FROM runs_summary
ORDER BY started_at DESC;
