-- A removal's offsets lie inside the prepared text of its document.
SELECT r.doc_id, r.seq, r.start_offset, r.end_offset, a.source_chars
FROM removals AS r
JOIN articles AS a USING (doc_id)
WHERE r.start_offset IS NOT NULL
  AND (r.start_offset < 0 OR r.end_offset < r.start_offset OR r.end_offset > a.source_chars);
