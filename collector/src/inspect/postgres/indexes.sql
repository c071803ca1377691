-- Every index with its definition. Key column numbers are resolved by the collector; only
-- expression indexes (a 0 in indkey) get their per-column text from the server. indkey goes
-- through text because int2vector's array form starts at index 0, which sqlx refuses.
-- The key positions come from a constant series (1..32, INDEX_MAX_KEYS) cut at indnkeyatts:
-- with indnkeyatts as its bound the planner guesses 1,000 rows per index, and on a large
-- schema that guess pushes the query's cost over jit_above_cost, whose JIT compilation then
-- costs more than the whole read saves (0.3-0.8 s at 10,000 tables).
-- $1: the relations (tables or indexes) found locked by another session, left out.
SELECT i.indrelid::int8, ic.relname::text, i.indisunique, i.indisprimary, i.indnkeyatts,
       string_to_array(i.indkey::text, ' ')::int2[], pg_catalog.pg_get_indexdef(i.indexrelid),
       CASE WHEN 0 = ANY (i.indkey::int2[]) THEN
         ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, false)
               FROM generate_series(1, 32) AS k WHERE k <= i.indnkeyatts ORDER BY k)
       END
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
  AND i.indrelid::int8 <> ALL ($1::int8[]) AND i.indexrelid::int8 <> ALL ($1::int8[])
