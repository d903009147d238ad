-- Every span removed from a current document, with the rule that removed it and why.
-- Current rows as its write mode defines them (warehouse/schemas.py WRITE_MODES).
CREATE OR REPLACE VIEW removals AS
SELECT * FROM {removals_current};
