-- The role's privileges on every schema but the system ones. $1: the role.
SELECT n.nspname::text,
       pg_catalog.has_schema_privilege($1, n.oid, 'USAGE'),
       pg_catalog.has_schema_privilege($1, n.oid, 'CREATE')
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
ORDER BY 1
