-- The role's privileges on every sequence of the non-system schemas. $1: the role.
SELECT n.nspname::text, c.relname::text,
       pg_catalog.has_sequence_privilege($1, c.oid, 'USAGE'),
       pg_catalog.has_sequence_privilege($1, c.oid, 'SELECT'),
       pg_catalog.has_sequence_privilege($1, c.oid, 'UPDATE')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S'
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
ORDER BY 1, 2
