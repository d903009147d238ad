-- Authors with the most unique articles.
WITH bylines AS (
    SELECT unnest(authors) AS author, site, doc_id FROM articles_unique
)

SELECT
    author,
    count(DISTINCT doc_id) AS n_articles,
    string_agg(DISTINCT coalesce(site, '(unknown)'), ', ') AS sites
FROM bylines
GROUP BY author
ORDER BY n_articles DESC, author
LIMIT 50;
