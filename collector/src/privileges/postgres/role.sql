-- The service role: its name, whether it is a superuser, and who gaps is. $1: the role
-- named by --service-role, NULL for the connecting user.
SELECT r.rolname::text, r.rolsuper, current_user::text
FROM pg_catalog.pg_roles r
WHERE r.rolname = coalesce($1, current_user::text)
