-- Articles per site and publish day (undated articles under NULL), newest first.
WITH articles AS (
    SELECT site, published_at, dup_role, word_count FROM articles
)

SELECT
    coalesce(site, '(unknown)') AS site,
    CAST(published_at AS DATE) AS published_on,
    count(*) AS n_articles,
    count(*) FILTER (WHERE dup_role = 'canonical') AS n_unique,
    sum(word_count) AS n_words
FROM articles
GROUP BY ALL
ORDER BY published_on DESC NULLS LAST, n_articles DESC, site;
