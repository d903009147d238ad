-- A kept article has text.
SELECT doc_id, source_uri
FROM articles
WHERE text IS NULL OR trim(text) = '';
