-- Every function name (schema, name) of which the role may not execute some overload: how
-- many overloads there are, how many it may execute, whether a function of that name in
-- another schema is executable, and the argument lists of the ones it may not. Every other
-- function it may execute. $1: the role.
SELECT f.nspname::text, f.proname::text, count(*)::int8,
       (count(*) FILTER (WHERE f.ok))::int8,
       EXISTS (SELECT 1
               FROM pg_catalog.pg_proc p2
               JOIN pg_catalog.pg_namespace n2 ON n2.oid = p2.pronamespace
               WHERE p2.proname = f.proname AND n2.nspname <> f.nspname
                 AND pg_catalog.has_function_privilege($1, p2.oid, 'EXECUTE')),
       array_agg(pg_catalog.pg_get_function_identity_arguments(f.oid)::text
                 ORDER BY f.oid) FILTER (WHERE NOT f.ok)
FROM (SELECT p.oid, n.nspname, p.proname,
             pg_catalog.has_function_privilege($1, p.oid, 'EXECUTE') AS ok
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace) f
GROUP BY f.nspname, f.proname
HAVING bool_or(NOT f.ok)
ORDER BY 1, 2
