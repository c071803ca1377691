-- The tables the pending migrations lock, by the names the migrations write ($1: each a
-- quoted, possibly qualified name, resolved through the search_path by to_regclass, which
-- takes no lock), with their size now: the planner's row estimate (reltuples, NULL when never
-- analysed), the statistics collector's live rows (n_live_tup), the exact size with indexes
-- and TOAST (pg_total_relation_size, which takes ACCESS SHARE: a table in $2, which another
-- session holds or queues for an exclusive lock on, gets NULL there and the page estimate
-- instead), and the definitions of its validated CHECK constraints (a CHECK (col IS NOT NULL)
-- lets SET NOT NULL skip its scan). One statement for every table.
SELECT w.name, c.oid::int8, n.nspname::text, c.relname::text,
       CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::int8 END,
       s.n_live_tup::int8,
       CASE WHEN c.oid::int8 = ANY ($2::int8[]) THEN NULL
            ELSE pg_catalog.pg_total_relation_size(c.oid)::int8 END,
       ((c.relpages::int8 + coalesce(t.relpages, 0)::int8
         + coalesce((SELECT sum(i.relpages) FROM pg_catalog.pg_index x
                     JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
                     WHERE x.indrelid = c.oid), 0)::int8)
        * pg_catalog.current_setting('block_size')::int8)::int8,
       ARRAY(SELECT pg_catalog.pg_get_constraintdef(k.oid)
             FROM pg_catalog.pg_constraint k
             WHERE k.conrelid = c.oid AND k.contype = 'c' AND k.convalidated
             ORDER BY k.conname)
FROM unnest($1::text[]) AS w(name)
JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(w.name)
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid
LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p', 'm')
ORDER BY 1
