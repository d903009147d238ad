-- One article per duplicate cluster: the canonical copy.
CREATE OR REPLACE VIEW articles_unique AS
SELECT * FROM articles
WHERE dup_role = 'canonical';
