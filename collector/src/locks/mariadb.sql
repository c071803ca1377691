-- MariaDB (metadata_lock_info plugin): tables of this database on which another connection
-- holds a metadata lock that conflicts with the SHARED_READ lock a read or prepare takes.
SELECT CONVERT(m.TABLE_SCHEMA USING utf8mb4), CONVERT(m.TABLE_NAME USING utf8mb4),
       CONVERT(m.LOCK_MODE USING utf8mb4), CAST(1 AS SIGNED), CAST(m.THREAD_ID AS SIGNED),
       CONVERT(p.USER USING utf8mb4), CONVERT(p.COMMAND USING utf8mb4),
       CONVERT(p.STATE USING utf8mb4), CAST(p.TIME AS SIGNED),
       CONVERT(LEFT(p.INFO, 200) USING utf8mb4)
FROM information_schema.METADATA_LOCK_INFO m
LEFT JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID
WHERE m.TABLE_SCHEMA = DATABASE() AND m.THREAD_ID <> CONNECTION_ID()
  AND m.LOCK_MODE IN ('MDL_EXCLUSIVE', 'MDL_SHARED_NO_READ_WRITE')
ORDER BY 1, 2, 5
