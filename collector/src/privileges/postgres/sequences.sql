-- The role's privileges on every sequence of the non-system schemas. $1: the role.
--
-- Asked once per group of sequences the server cannot tell apart, as in tables.sql:
-- has_sequence_privilege (pg_class_aclmask_ext) depends on the role, the owner, the relacl
-- (NULL: the default ACL of a sequence) and whether it is a system catalog (oids below
-- FirstNormalObjectId are asked alone).
WITH rel AS MATERIALIZED (
  SELECT c.oid, c.relnamespace, c.relname, c.relowner,
         coalesce(c.relacl::text, '') AS acl,
         CASE WHEN c.oid < 16384 THEN c.oid ELSE 0 END AS alone
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S'
    AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
),
verdict AS MATERIALIZED (
  SELECT g.relowner, g.acl, g.alone,
         pg_catalog.has_sequence_privilege($1, g.rep, 'USAGE') AS usage,
         pg_catalog.has_sequence_privilege($1, g.rep, 'SELECT') AS s,
         pg_catalog.has_sequence_privilege($1, g.rep, 'UPDATE') AS u
  FROM (SELECT relowner, acl, alone, min(oid) AS rep
        FROM rel GROUP BY relowner, acl, alone) g
)
SELECT n.nspname::text, r.relname::text, v.usage, v.s, v.u
FROM rel r
JOIN verdict v ON v.relowner = r.relowner AND v.acl = r.acl AND v.alone = r.alone
JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
ORDER BY 1, 2
