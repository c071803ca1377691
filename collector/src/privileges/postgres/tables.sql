-- The role's table-level privileges on every relation of the non-system schemas, and the
-- privileges it holds on some columns only. has_*_privilege reads the catalogs' ACLs and
-- takes no lock on the relation. $1: the role.
SELECT n.nspname::text, c.relname::text, pg_catalog.pg_get_userbyid(c.relowner)::text,
       pg_catalog.pg_has_role($1, c.relowner, 'USAGE'),
       pg_catalog.has_table_privilege($1, c.oid, 'SELECT'),
       pg_catalog.has_table_privilege($1, c.oid, 'INSERT'),
       pg_catalog.has_table_privilege($1, c.oid, 'UPDATE'),
       pg_catalog.has_table_privilege($1, c.oid, 'DELETE'),
       pg_catalog.has_any_column_privilege($1, c.oid, 'SELECT'),
       pg_catalog.has_any_column_privilege($1, c.oid, 'INSERT'),
       pg_catalog.has_any_column_privilege($1, c.oid, 'UPDATE')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
ORDER BY 1, 2
