-- Server identity: one row.
SELECT current_setting('server_version') AS server_version,
       current_database()::text AS database,
       current_user::text AS current_user,
       current_setting('search_path') AS search_path
