-- Clean articles: current versions from committed runs (a crashed run's files are never shown).
-- Current rows as its write mode defines them (warehouse/schemas.py WRITE_MODES).
CREATE OR REPLACE VIEW articles AS
SELECT * FROM {articles_current};
