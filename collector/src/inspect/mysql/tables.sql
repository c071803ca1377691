-- Tables and views of the connection's database.
SELECT CONVERT(TABLE_NAME USING utf8mb4), CONVERT(TABLE_TYPE USING utf8mb4)
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE()
