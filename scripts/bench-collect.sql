-- The psql floor of scripts/bench-collect: the catalog information a snapshot's schema holds
-- (server, schemas, relations, columns with type and default, keys / unique / check / foreign
-- keys, indexes with their definition, enums, extensions), read by the simplest queries that
-- return it: one catalog each, user schemas only, no ordering, no aggregation the client could
-- do. Written apart from the collector's own queries (collector/src/inspect/postgres/*.sql) so
-- that the floor is not whatever the collector happens to send.
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;

SELECT version(), current_database(), current_user, current_setting('search_path');

SELECT oid, nspname FROM pg_namespace
WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema';

SELECT c.oid, c.relnamespace, c.relname, c.relkind FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema';

SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema';

SELECT conrelid, conname, contype, conkey, confrelid, confkey, confupdtype, confdeltype,
       pg_get_expr(conbin, conrelid)
FROM pg_constraint con
JOIN pg_namespace n ON n.oid = con.connamespace
WHERE con.contype IN ('p', 'u', 'c', 'f')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema';

SELECT i.indrelid, i.indexrelid, i.indisunique, i.indisprimary, i.indnkeyatts, i.indkey,
       pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema';

SELECT e.enumtypid, t.typname, t.typnamespace, e.enumlabel, e.enumsortorder
FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid;

SELECT extname, extversion FROM pg_extension;

ROLLBACK;
