-- The role's table-level privileges on every relation of the non-system schemas, and the
-- privileges it holds on some columns only. has_*_privilege reads the catalogs' ACLs and
-- takes no lock on the relation. $1: the role.
--
-- The server is asked once per group of relations it cannot tell apart, not once per
-- relation. has_table_privilege (pg_class_aclmask_ext in PostgreSQL's aclchk.c) depends on
-- the role (superuser, memberships, pg_read_all_data, pg_write_all_data: the same for every
-- relation), the relation's owner, its relacl (when NULL, the default ACL of its kind: every
-- relation read here is table-like), and whether it is a system catalog (IsSystemClass: an
-- oid below FirstNormalObjectId is asked alone, never grouped). pg_has_role depends on the
-- owner only. So relations with the same owner and the same relacl (compared as text, NULL
-- apart from an empty ACL) get the verdict asked of one of them. has_any_column_privilege
-- checks the table level first, then the columns' own ACLs: it is asked per relation, and
-- only where the table level says no (a CASE evaluates it in that order).
WITH rel AS MATERIALIZED (
  SELECT c.oid, c.relnamespace, c.relname, c.relowner,
         coalesce(c.relacl::text, '') AS acl,
         CASE WHEN c.oid < 16384 THEN c.oid ELSE 0 END AS alone
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
),
verdict AS MATERIALIZED (
  SELECT g.relowner, g.acl, g.alone,
         pg_catalog.pg_get_userbyid(g.relowner)::text AS owner,
         pg_catalog.pg_has_role($1, g.relowner, 'USAGE') AS owned,
         pg_catalog.has_table_privilege($1, g.rep, 'SELECT') AS s,
         pg_catalog.has_table_privilege($1, g.rep, 'INSERT') AS i,
         pg_catalog.has_table_privilege($1, g.rep, 'UPDATE') AS u,
         pg_catalog.has_table_privilege($1, g.rep, 'DELETE') AS d
  FROM (SELECT relowner, acl, alone, min(oid) AS rep
        FROM rel GROUP BY relowner, acl, alone) g
)
SELECT r.oid::int8, n.nspname::text, r.relname::text, v.owner, v.owned, v.s, v.i, v.u, v.d,
       CASE WHEN v.s THEN true
            ELSE pg_catalog.has_any_column_privilege($1, r.oid, 'SELECT') END,
       CASE WHEN v.i THEN true
            ELSE pg_catalog.has_any_column_privilege($1, r.oid, 'INSERT') END,
       CASE WHEN v.u THEN true
            ELSE pg_catalog.has_any_column_privilege($1, r.oid, 'UPDATE') END
FROM rel r
JOIN verdict v ON v.relowner = r.relowner AND v.acl = r.acl AND v.alone = r.alone
JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
ORDER BY 2, 3
