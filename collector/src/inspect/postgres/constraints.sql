-- Primary key, unique, check and foreign key constraints. Column numbers are resolved to
-- names by the collector from the columns catalog (cheaper than a subquery per constraint).
-- $1: the relations found locked by another session, left out.
SELECT con.conrelid::int8, con.conname::text, con.contype::text, con.conkey,
       con.confrelid::int8, rn.nspname::text, rc.relname::text, con.confkey,
       con.confupdtype::text, con.confdeltype::text,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'c', 'f')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
  AND con.conrelid::int8 <> ALL ($1::int8[])
