-- Of the function names the pending migrations call ($1), those this server has neither as a
-- function (pg_proc, any schema) nor as a type (a type name called like a function is a
-- cast). Catalog lookups only: no relation is locked.
SELECT f.name
FROM unnest($1::text[]) AS f(name)
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.proname = f.name)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type y WHERE y.typname = f.name)
ORDER BY 1
