-- Role and database settings that apply in this database to the service role ($1), to
-- gaps' own user, and to every role: NULL role = every role, NULL database = every database.
SELECT r.rolname::text, d.datname::text, s.setconfig::text[]
FROM pg_catalog.pg_db_role_setting s
LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
WHERE (s.setdatabase = 0 OR d.datname = current_database())
  AND (s.setrole = 0 OR r.rolname IN ($1, current_user))
