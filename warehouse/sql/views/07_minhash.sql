-- MinHash signatures of current articles (128 x uint32, little-endian), kept so later runs can
-- match new documents against everything loaded without recomputing.
-- Current rows as its write mode defines them (warehouse/schemas.py WRITE_MODES).
CREATE OR REPLACE VIEW minhash AS
SELECT * FROM {minhash_current};
