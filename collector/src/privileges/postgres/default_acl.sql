-- Default privileges: what objects a role creates later will grant, and whether each grant
-- reaches the service role (PUBLIC, the role itself, or a role it belongs to). $1: the role.
SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text, n.nspname::text,
       d.defaclobjtype::text,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC'
            ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END,
       a.privilege_type::text,
       (a.grantee = 0 OR pg_catalog.pg_has_role($1, a.grantee, 'USAGE'))
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a
ORDER BY 1, 2, 3, 4, 5
