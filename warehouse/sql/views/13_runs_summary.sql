-- Run history with durations, rates and what each run removed and rejected most.
CREATE OR REPLACE VIEW runs_summary AS
SELECT
    run_id,
    started_at,
    finished_at,
    round(epoch(finished_at) - epoch(started_at), 2) AS seconds,
    n_documents,
    n_skipped,
    n_articles,
    n_rejects,
    n_removals,
    n_duplicates,
    n_variants,
    round(n_documents / greatest(epoch(finished_at) - epoch(started_at), 0.001), 1) AS documents_per_second,
    json_extract(summary_json, '$.removals_by_rule') AS removals_by_rule,
    json_extract(summary_json, '$.rejects_by_reason') AS rejects_by_reason,
    ruleset_version,
    ruleset_fingerprint,
    config_fingerprint
FROM runs
ORDER BY started_at DESC;
