-- What each rule removed, across the lake.
CREATE OR REPLACE VIEW removals_by_rule AS
SELECT
    rule_id,
    any_value(reason) AS reason,
    count(*) AS n_removals,
    count(DISTINCT doc_id) AS n_documents,
    sum(length(text)) AS n_chars
FROM removals
GROUP BY rule_id
ORDER BY n_removals DESC, rule_id;
