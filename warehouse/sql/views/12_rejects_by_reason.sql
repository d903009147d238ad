-- Why inputs were rejected, across the lake.
CREATE OR REPLACE VIEW rejects_by_reason AS
SELECT reason, count(*) AS n_rejects, any_value(detail) AS example_detail
FROM rejects
GROUP BY reason
ORDER BY n_rejects DESC, reason;
