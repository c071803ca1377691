-- Primary key, unique and foreign key constraints with their columns in key order, from
-- KEY_COLUMN_USAGE alone: MariaDB hides TABLE_CONSTRAINTS and REFERENTIAL_CONSTRAINTS from an
-- account that has only SELECT, but not this view. The key is PRIMARY by name, a foreign key
-- when it references a table, unique otherwise. The foreign keys' ON UPDATE / ON DELETE rules
-- come from REFERENTIAL_CONSTRAINTS where the account may see it (NULL otherwise).
SELECT CONVERT(k.TABLE_NAME USING utf8mb4), CONVERT(k.CONSTRAINT_NAME USING utf8mb4),
       CONVERT(k.COLUMN_NAME USING utf8mb4),
       CONVERT(k.REFERENCED_TABLE_SCHEMA USING utf8mb4),
       CONVERT(k.REFERENCED_TABLE_NAME USING utf8mb4),
       CONVERT(k.REFERENCED_COLUMN_NAME USING utf8mb4),
       CONVERT(rc.UPDATE_RULE USING utf8mb4), CONVERT(rc.DELETE_RULE USING utf8mb4)
FROM information_schema.KEY_COLUMN_USAGE k
LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc
  ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
 AND rc.TABLE_NAME = k.TABLE_NAME
WHERE k.CONSTRAINT_SCHEMA = DATABASE()
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
