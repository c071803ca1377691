-- CHECK constraints (MariaDB 10.2+; names are unique per table, which this view carries).
SELECT CONVERT(TABLE_NAME USING utf8mb4), CONVERT(CONSTRAINT_NAME USING utf8mb4),
       CONVERT(CHECK_CLAUSE USING utf8mb4)
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()
