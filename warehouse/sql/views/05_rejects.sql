-- Inputs that did not become an article, with the reason (current versions only).
-- Current rows as its write mode defines them (warehouse/schemas.py WRITE_MODES).
CREATE OR REPLACE VIEW rejects AS
SELECT * FROM {rejects_current};
