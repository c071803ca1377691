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
-- only where the table level says no (a CASE evaluates it in that order). One scan of
-- pg_class: the relations are grouped with their oids and names aggregated, the verdict is
-- asked of each group's lowest oid, and the groups are unnested back into relations.
SELECT u.oid::int8, n.nspname::text, u.relname::text, g.owner, g.owned, g.s, g.i, g.u, g.d,
       CASE WHEN g.s THEN true
            ELSE pg_catalog.has_any_column_privilege($1, u.oid, 'SELECT') END,
       CASE WHEN g.i THEN true
            ELSE pg_catalog.has_any_column_privilege($1, u.oid, 'INSERT') END,
       CASE WHEN g.u THEN true
            ELSE pg_catalog.has_any_column_privilege($1, u.oid, 'UPDATE') END
FROM (SELECT array_agg(c.oid) AS oids, array_agg(c.relname) AS names,
             array_agg(c.relnamespace) AS nsps,
             pg_catalog.pg_get_userbyid(c.relowner)::text AS owner,
             pg_catalog.pg_has_role($1, c.relowner, 'USAGE') AS owned,
             pg_catalog.has_table_privilege($1, min(c.oid), 'SELECT') AS s,
             pg_catalog.has_table_privilege($1, min(c.oid), 'INSERT') AS i,
             pg_catalog.has_table_privilege($1, min(c.oid), 'UPDATE') AS u,
             pg_catalog.has_table_privilege($1, min(c.oid), 'DELETE') AS d
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
      GROUP BY c.relowner, coalesce(c.relacl::text, ''),
               CASE WHEN c.oid < 16384 THEN c.oid ELSE 0 END) g
CROSS JOIN LATERAL unnest(g.oids, g.names, g.nsps) AS u(oid, relname, relnamespace)
JOIN pg_catalog.pg_namespace n ON n.oid = u.relnamespace
ORDER BY 2, 3
