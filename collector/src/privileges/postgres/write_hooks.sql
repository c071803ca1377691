-- What may fill a value an INSERT leaves out: enabled BEFORE or INSTEAD OF INSERT row
-- triggers, rules on INSERT, and columns whose type is a domain with a default.
SELECT 'trigger', n.nspname::text, c.relname::text, NULL::text
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'
  AND (t.tgtype & 1) <> 0 AND (t.tgtype & 4) <> 0 AND (t.tgtype & (2 | 64)) <> 0
UNION ALL
SELECT 'rule', n.nspname::text, c.relname::text, NULL::text
FROM pg_catalog.pg_rewrite r
JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE r.ev_type = '3' AND r.rulename <> '_RETURN'
UNION ALL
SELECT 'domain_default', n.nspname::text, c.relname::text, a.attname::text
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
WHERE ty.typtype = 'd' AND ty.typdefault IS NOT NULL
  AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
