-- Column privileges, only on the relations where the role holds a privilege on some columns
-- but not on the whole relation. $1: the role.
SELECT n.nspname::text, c.relname::text, a.attname::text,
       pg_catalog.has_column_privilege($1, c.oid, a.attnum, 'SELECT'),
       pg_catalog.has_column_privilege($1, c.oid, a.attnum, 'INSERT'),
       pg_catalog.has_column_privilege($1, c.oid, a.attnum, 'UPDATE')
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
  AND ((NOT pg_catalog.has_table_privilege($1, c.oid, 'SELECT')
        AND pg_catalog.has_any_column_privilege($1, c.oid, 'SELECT'))
    OR (NOT pg_catalog.has_table_privilege($1, c.oid, 'INSERT')
        AND pg_catalog.has_any_column_privilege($1, c.oid, 'INSERT'))
    OR (NOT pg_catalog.has_table_privilege($1, c.oid, 'UPDATE')
        AND pg_catalog.has_any_column_privilege($1, c.oid, 'UPDATE')))
ORDER BY 1, 2, a.attnum
