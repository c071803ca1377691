-- The server's version as a number and the extensions it can install (read from the
-- extension control files on disk; no lock).
SELECT pg_catalog.current_setting('server_version_num')::int4,
       ARRAY(SELECT e.name::text FROM pg_catalog.pg_available_extensions e ORDER BY 1)
