-- The tables and views of the connection's database, with that database's name.
SELECT CONVERT(TABLE_SCHEMA USING utf8mb4), CONVERT(TABLE_NAME USING utf8mb4)
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY 2
