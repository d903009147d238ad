-- Clusters with more than one article: the canonical copy and how many copies it has.
WITH members AS (
    SELECT dup_cluster_id, dup_role, doc_id, title, site, source_uri, published_at FROM articles
),

clusters AS (
    SELECT dup_cluster_id, count(*) AS n_members
    FROM members
    GROUP BY dup_cluster_id
    HAVING count(*) > 1
)

SELECT
    c.dup_cluster_id,
    c.n_members,
    m.title,
    m.site,
    m.published_at,
    m.source_uri AS canonical_source
FROM clusters AS c
JOIN members AS m ON m.dup_cluster_id = c.dup_cluster_id AND m.dup_role = 'canonical'
ORDER BY c.n_members DESC, c.dup_cluster_id;
