-- Each site's current template profile: on how many of its pages each line key occurs (keys on
-- a single page are not kept). Lines on >= max(3, 10%) of a site's pages are site_template.
-- Current rows as its write mode defines them (warehouse/schemas.py WRITE_MODES).
CREATE OR REPLACE VIEW site_profiles AS
SELECT * FROM {site_profiles_current};
