-- One row per committed run: what went in, what came out, with which rules and config.
CREATE OR REPLACE VIEW runs AS
SELECT * FROM {runs_source};
