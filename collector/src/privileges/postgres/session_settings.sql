-- gaps' own session: the value each setting started with (reset_val) and has now, with its
-- unit. $1: the settings' names.
SELECT name::text, reset_val::text, setting::text, coalesce(unit, '')::text
FROM pg_catalog.pg_settings
WHERE name = ANY ($1::text[])
