-- What may fill a value an INSERT leaves out: enabled BEFORE or INSTEAD OF INSERT row
-- triggers, rules on INSERT, and columns whose type is a domain with a default.
--
-- The columns of such a domain are found through pg_depend (its index on the referenced
-- object), not by scanning every pg_attribute row (100-150 ms at 10,000 tables): the server
-- records a dependency of every column on its type when it creates or retypes the column
-- (heap.c AddNewAttributeTuples, tablecmds.c add_column_datatype_dependency; only pinned
-- objects are left out, and no domain is pinned), and relies on it itself (DROP DOMAIN
-- refuses while a column uses it). Each candidate is checked against pg_attribute's own
-- atttypid.
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
FROM (SELECT DISTINCT dep.objid, dep.objsubid, ty.oid AS typid
      FROM pg_catalog.pg_type ty
      JOIN pg_catalog.pg_depend dep
        ON dep.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dep.refobjid = ty.oid
       AND dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objsubid > 0
      WHERE ty.typtype = 'd' AND ty.typdefault IS NOT NULL) u
JOIN pg_catalog.pg_attribute a
  ON a.attrelid = u.objid AND a.attnum = u.objsubid AND a.atttypid = u.typid
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT a.attisdropped AND c.relkind IN ('r', 'p')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
