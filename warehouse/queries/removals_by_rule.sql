-- What each rule removed: counts, documents touched, and three example spans.
WITH spans AS (
    SELECT rule_id, reason, doc_id, text FROM removals
),

examples AS (
    SELECT rule_id, text, row_number() OVER (PARTITION BY rule_id ORDER BY length(text) DESC, text) AS rank
    FROM (SELECT DISTINCT rule_id, left(replace(text, chr(10), ' / '), 120) AS text FROM spans)
)

SELECT
    s.rule_id,
    any_value(s.reason) AS reason,
    count(*) AS n_removals,
    count(DISTINCT s.doc_id) AS n_documents,
    (SELECT string_agg(e.text, ' | ' ORDER BY e.rank) FROM examples AS e WHERE e.rule_id = s.rule_id AND e.rank <= 3)
        AS examples
FROM spans AS s
GROUP BY s.rule_id
ORDER BY n_removals DESC, s.rule_id;
