-- Primary key, unique, check and foreign key constraints of relations (conrelid 0: a
-- domain's). Column numbers are resolved to names by the collector from the columns catalog
-- (cheaper than a subquery per constraint), and so is the table a foreign key references,
-- from the relations already read: no join to pg_class or pg_namespace here (two scans of
-- pg_class, 0.15-0.2 s at 10,000 tables). Constraints of relations gaps does not report
-- (system schemas) are dropped by the collector, which looks every row up by conrelid.
-- $1: the relations found locked by another session, left out (pg_get_expr would wait).
SELECT con.conrelid::int8, con.conname::text, con.contype::text, con.conkey,
       con.confrelid::int8, con.confkey, con.confupdtype::text, con.confdeltype::text,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END
FROM pg_catalog.pg_constraint con
WHERE con.contype IN ('p', 'u', 'c', 'f') AND con.conrelid <> 0
  AND con.conrelid::int8 <> ALL ($1::int8[])
