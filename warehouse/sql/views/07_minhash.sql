-- MinHash signatures of current articles (128 x uint32, little-endian), kept so later runs can
-- match new documents against everything loaded without recomputing.
CREATE OR REPLACE VIEW minhash AS
SELECT t.*
FROM {minhash_source} AS t
SEMI JOIN current_documents AS c ON t.doc_id = c.doc_id AND t.run_id = c.run_id;
