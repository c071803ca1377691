-- Column privileges on the relations where the role holds a privilege on some columns but
-- not on the whole relation, as the table privileges read found them. $1: the role; $2: the
-- oids of those relations.
SELECT n.nspname::text, c.relname::text, a.attname::text,
       pg_catalog.has_column_privilege($1, c.oid, a.attnum, 'SELECT'),
       pg_catalog.has_column_privilege($1, c.oid, a.attnum, 'INSERT'),
       pg_catalog.has_column_privilege($1, c.oid, a.attnum, 'UPDATE')
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE a.attrelid = ANY ($2::int8[]::oid[])
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2, a.attnum
