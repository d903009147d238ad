-- One article per duplicate cluster: its canonical copy. When a changed input file replaced the
-- canonical with a new version (which may have joined the cluster as a copy, or left it), the
-- cluster's best remaining member stands in, ranked as canonicals are chosen: earliest
-- published, then longest, then smallest doc_id.
CREATE OR REPLACE VIEW articles_unique AS
SELECT * FROM articles
QUALIFY row_number() OVER (
    PARTITION BY coalesce(dup_cluster_id, doc_id)
    ORDER BY dup_role = 'canonical' DESC, published_at ASC NULLS LAST, char_count DESC, doc_id
) = 1;
