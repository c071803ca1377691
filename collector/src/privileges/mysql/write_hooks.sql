-- The session's sql_mode (strict mode makes a missing value or an invalid ENUM label an
-- error), and the tables of the connection's database with a BEFORE INSERT trigger, which
-- may fill a value.
SELECT 'sql_mode', CONVERT(@@SESSION.sql_mode USING utf8mb4), CONVERT(DATABASE() USING utf8mb4)
UNION ALL
SELECT 'trigger', CONVERT(EVENT_OBJECT_TABLE USING utf8mb4),
       CONVERT(EVENT_OBJECT_SCHEMA USING utf8mb4)
FROM information_schema.TRIGGERS
WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_MANIPULATION = 'INSERT'
  AND ACTION_TIMING = 'BEFORE'
