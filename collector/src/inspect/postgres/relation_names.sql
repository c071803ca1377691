-- The schema and name of relations a foreign key references that are not among the
-- relations read (a table in a system schema). $1: their oids.
SELECT c.oid::int8, n.nspname::text, c.relname::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = ANY ($1::int8[]::oid[])
