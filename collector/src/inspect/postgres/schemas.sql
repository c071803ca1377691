-- Non-system schemas (pg_catalog, information_schema, pg_toast*, pg_temp_* excluded).
SELECT n.nspname::text
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
