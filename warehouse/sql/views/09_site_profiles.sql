-- Each site's current template profile: on how many of its pages each line key occurs (keys on
-- a single page are not kept). Lines on >= max(3, 10%) of a site's pages are site_template.
CREATE OR REPLACE VIEW site_profiles AS
SELECT t.*
FROM {site_profiles_source} AS t
JOIN runs AS r USING (run_id)
QUALIFY dense_rank() OVER (PARTITION BY t.site ORDER BY r.finished_at DESC, t.run_id DESC) = 1;
