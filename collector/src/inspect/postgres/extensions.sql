-- Installed extensions and their versions.
SELECT e.extname::text, e.extversion
FROM pg_catalog.pg_extension e
