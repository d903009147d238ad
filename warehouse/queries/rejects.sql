-- Every reject with its reason, newest run first.
SELECT reason, source_uri, detail, run_id, rejected_at
FROM rejects
ORDER BY rejected_at DESC, reason, source_uri;
