-- The role's privileges on every sequence of the non-system schemas. $1: the role.
--
-- Asked once per group of sequences the server cannot tell apart, as in tables.sql:
-- has_sequence_privilege (pg_class_aclmask_ext) depends on the role, the owner, the relacl
-- (NULL: the default ACL of a sequence) and whether it is a system catalog (oids below
-- FirstNormalObjectId are asked alone). One scan of pg_class, grouped, unnested back.
SELECT n.nspname::text, u.relname::text, g.usage, g.s, g.u
FROM (SELECT array_agg(c.relname) AS names, array_agg(c.relnamespace) AS nsps,
             pg_catalog.has_sequence_privilege($1, min(c.oid), 'USAGE') AS usage,
             pg_catalog.has_sequence_privilege($1, min(c.oid), 'SELECT') AS s,
             pg_catalog.has_sequence_privilege($1, min(c.oid), 'UPDATE') AS u
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'S'
        AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
      GROUP BY c.relowner, coalesce(c.relacl::text, ''),
               CASE WHEN c.oid < 16384 THEN c.oid ELSE 0 END) g
CROSS JOIN LATERAL unnest(g.names, g.nsps) AS u(relname, relnamespace)
JOIN pg_catalog.pg_namespace n ON n.oid = u.relnamespace
ORDER BY 1, 2
