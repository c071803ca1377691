-- MySQL 8 (performance_schema): tables of this database on which another connection holds,
-- or waits for, a metadata lock that conflicts with the SHARED_READ lock a read or prepare
-- takes.
SELECT CONVERT(m.OBJECT_SCHEMA USING utf8mb4), CONVERT(m.OBJECT_NAME USING utf8mb4),
       CONVERT(m.LOCK_TYPE USING utf8mb4), CAST(m.LOCK_STATUS = 'GRANTED' AS SIGNED),
       CAST(t.PROCESSLIST_ID AS SIGNED),
       CONVERT(t.PROCESSLIST_USER USING utf8mb4), CONVERT(t.PROCESSLIST_COMMAND USING utf8mb4),
       CONVERT(t.PROCESSLIST_STATE USING utf8mb4), CAST(t.PROCESSLIST_TIME AS SIGNED),
       CONVERT(LEFT(t.PROCESSLIST_INFO, 200) USING utf8mb4)
FROM performance_schema.metadata_locks m
JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
WHERE m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = DATABASE()
  AND t.PROCESSLIST_ID <> CONNECTION_ID()
  AND m.LOCK_TYPE IN ('EXCLUSIVE', 'SHARED_NO_READ_WRITE')
ORDER BY 1, 2, 5
