-- The account gaps connected as (`user@host`) and the server's version.
SELECT CONVERT(CURRENT_USER() USING utf8mb4), CONVERT(VERSION() USING utf8mb4)
